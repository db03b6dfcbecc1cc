// The rules of scoring model versions. No gRPC and no SQL here.
//
//  - Version 1 holds the defaults (DefaultScoringModel). Every update writes version n+1 from the
//    version in force with the masked fields replaced (an empty mask takes every set field);
//    versions are never changed or removed, so a classification always names a readable model.
//  - based_on_version (when not 0) must be the version in force, else ABORTED: two editors who
//    both start from version 4 cannot both make version 5 out of different bases.
//  - The whole resulting model is validated (ValidateScoringModel) naming "model.<field>".
//  - An update writes "scoring_model.updated" with the changed fields, in the same transaction.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

class ModelLogic {
 public:
  explicit ModelLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::ScoringModel> Get(const server::CallContext& call, const crm::v1::GetScoringModelRequest& request);
  absl::StatusOr<crm::v1::ListScoringModelsResponse> List(const server::CallContext& call,
                                                          const crm::v1::ListScoringModelsRequest& request);
  absl::StatusOr<crm::v1::ScoringModel> Update(const server::CallContext& call,
                                               const crm::v1::UpdateScoringModelRequest& request);

 private:
  const server::Runtime& rt_;
};

// The model of `version` (0 = in force) on any session; NOT_FOUND naming `field` when unknown.
absl::StatusOr<crm::v1::ScoringModel> LoadScoringModel(soci::session& sql, int32_t version, absl::string_view field);

}  // namespace crm::kam
