#include "services/pipeline/pipeline_module.h"

#include <memory>

#include "services/pipeline/pipeline_handler.h"
#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {
namespace {

class PipelineServiceModule final : public server::ServiceModule {
 public:
  explicit PipelineServiceModule(const server::Runtime& runtime) : handler_(runtime) {}
  std::string service_name() const override { return crm::v1::PipelineService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }

 private:
  PipelineHandler handler_;
};

}  // namespace

server::ModuleSpec PipelineModule() {
  return server::ModuleSpec{
      "pipeline",
      [] { return AllPipelineMigrations(); },
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<PipelineServiceModule>(runtime);
      },
  };
}

}  // namespace crm::pipeline
