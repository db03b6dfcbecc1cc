#include "services/pipeline/pipeline_module.h"

#include <memory>

#include "common/events/consumer.h"
#include "services/pipeline/funnel_aggregates.h"
#include "services/pipeline/pipeline_handler.h"
#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {
namespace {

// The funnel counts opportunities under their account's region and industry; the accounts
// service (possibly another process) announces changes through the outbox, and this consumer
// moves the counts, exactly once per event.
events::ConsumerOptions AccountChangesConsumer(const server::Runtime& runtime) {
  events::ConsumerOptions options;
  options.name = "pipeline.funnel.accounts";
  options.types = {"account.updated"};
  options.poll = runtime.settings.event_poll_period;
  return options;
}

class PipelineServiceModule final : public server::ServiceModule {
 public:
  explicit PipelineServiceModule(const server::Runtime& runtime)
      : handler_(runtime),
        account_changes_(*runtime.db, runtime.hub, AccountChangesConsumer(runtime),
                         [](db::Tx& tx, const crm::v1::Event& event) {
                           return CountAccountChange(tx, event.entity_id());
                         }) {}
  std::string service_name() const override { return crm::v1::PipelineService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }
  void StartBackground() override { account_changes_.Start(); }
  void StopBackground() override { account_changes_.Stop(); }

 private:
  PipelineHandler handler_;
  events::EventConsumer account_changes_;
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
