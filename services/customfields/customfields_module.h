// CustomFieldService as a module of the server host.
#pragma once

#include "common/server/runtime.h"

namespace crm::customfields {

server::ModuleSpec CustomFieldsModule();

}  // namespace crm::customfields
