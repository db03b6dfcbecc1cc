#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

PipelineHandler::PipelineHandler(const server::Runtime& runtime)
    : rt_(runtime),
      pipelines_(runtime),
      opportunitys_(runtime),
      leads_(runtime),
      campaigns_(runtime),
      orders_(runtime),
      targets_(runtime),
      analytics_(runtime) {}

}  // namespace crm::pipeline
