// Rules for pipelines, their stages, and the sales settings (base currency, rates, large-deal
// threshold). No gRPC and no SQL here.
//
// Shared with the other areas of PipelineService (leads, orders, targets, analytics):
//  - LoadSalesConfig: the settings as a CurrencyConverter plus the large-deal threshold, read on
//    any session (a Read or tx.session() inside a Write);
//  - FindPipeline / FindDefaultPipeline / FindStage and the stage helpers below.
//
// Pipelines: active (not retired) stages are open stages in funnel order, then exactly one won
// stage (probability 100), then at least one lost stage (probability 0); active names are
// unique, case-insensitively; pipeline names are unique. UpdatePipeline with "stages": a listed
// stage with an id is updated and placed as listed (its kind never changes: 0 keeps it),
// a listed stage without an id is added, a stored stage left out is retired and placed after
// the listed ones; a retired stage listed again is active again. Stages are never deleted, and
// the stage history keeps the names stages had when it was written. Exactly one pipeline is the
// default (a unique key in the schema): making one the default takes the flag from the other
// (a "pipeline.updated" for it too); switching the default off is FAILED_PRECONDITION.
//
// Settings (one row): the base currency starts as EUR, with no rates and no threshold. Rates are
// decimal text, canonicalised ("0.9200" → "0.92") and sorted; none may be given for the base
// currency itself (always 1). Changing the base currency requires giving the rates again. The
// threshold is in the base currency. While a threshold is set, every currency an opportunity
// amount is in must have a rate (FAILED_PRECONDITION on the settings change that would break
// that), so the large-deal alert can always be evaluated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/core/money.h"
#include "common/db/database.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

inline constexpr char kPipelineEntity[] = "pipeline";
inline constexpr char kSettingsEntity[] = "sales_settings";
// Base currency until UpdateSalesSettings says otherwise.
inline constexpr char kDefaultBaseCurrency[] = "EUR";

// The sales settings as the rest of the service uses them.
struct SalesConfig {
  // Converts to the base currency (converter.base_currency()); the base itself converts at 1.
  CurrencyConverter converter;
  // Large-deal threshold in micros of the base currency; nullopt when none is configured.
  std::optional<int64_t> large_deal_threshold_micros;

  const std::string& base_currency() const { return converter.base_currency(); }
};

// The current settings. Works on any session (read or inside a write transaction).
absl::StatusOr<SalesConfig> LoadSalesConfig(soci::session& sql);

// The pipeline with its stages in order (retired ones included, flagged); nullopt when unknown.
absl::StatusOr<std::optional<crm::v1::Pipeline>> FindPipeline(soci::session& sql, const std::string& id);
// The default pipeline (exactly one exists once migrations ran).
absl::StatusOr<crm::v1::Pipeline> FindDefaultPipeline(soci::session& sql);
// The pipeline owning stage `stage_id`; nullopt when no pipeline has such a stage.
absl::StatusOr<std::optional<crm::v1::Pipeline>> FindPipelineOfStage(soci::session& sql, const std::string& stage_id);

// Stage lookups within one pipeline; nullptr when there is none. "Active" = not retired.
const crm::v1::Stage* FindStage(const crm::v1::Pipeline& pipeline, const std::string& stage_id);
const crm::v1::Stage* FirstOpenStage(const crm::v1::Pipeline& pipeline);
const crm::v1::Stage* ActiveWonStage(const crm::v1::Pipeline& pipeline);
const crm::v1::Stage* FirstLostStage(const crm::v1::Pipeline& pipeline);

class PipelinesLogic {
 public:
  explicit PipelinesLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Pipeline> Create(const server::CallContext& call,
                                           const crm::v1::CreatePipelineRequest& request);
  absl::StatusOr<crm::v1::Pipeline> Get(const server::CallContext& call, const crm::v1::GetPipelineRequest& request);
  absl::StatusOr<crm::v1::ListPipelinesResponse> List(const server::CallContext& call,
                                                      const crm::v1::ListPipelinesRequest& request);
  absl::StatusOr<crm::v1::Pipeline> Update(const server::CallContext& call,
                                           const crm::v1::UpdatePipelineRequest& request);

  absl::StatusOr<crm::v1::SalesSettings> GetSettings(const server::CallContext& call,
                                                     const crm::v1::GetSalesSettingsRequest& request);
  absl::StatusOr<crm::v1::SalesSettings> UpdateSettings(const server::CallContext& call,
                                                        const crm::v1::UpdateSalesSettingsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
