// PipelineService as a server module: its schema, handler and background work.
#pragma once

#include "common/server/runtime.h"

namespace crm::pipeline {

server::ModuleSpec PipelineModule();

}  // namespace crm::pipeline
