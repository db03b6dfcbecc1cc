// AdminService as a server module. Every server binary hosts it, so that users and tokens can be
// managed wherever the services run; its tables belong to common's auth migrations.
#pragma once

#include "common/server/runtime.h"

namespace crm::admin {

server::ModuleSpec AdminModule();

}  // namespace crm::admin
