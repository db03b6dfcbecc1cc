// Rules of DuplicateService: what a search may ask for, the subject's keys (a stored record's
// as stored now, or a record not yet stored), and the duplicate settings under etags. No gRPC
// and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/duplicate_service.pb.h"

namespace crm::duplicates {

class DuplicateLogic {
 public:
  explicit DuplicateLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::FindDuplicatesResponse> Find(const server::CallContext& call,
                                                       const crm::v1::FindDuplicatesRequest& request);
  absl::StatusOr<crm::v1::DuplicateSettings> GetSettings(const server::CallContext& call,
                                                         const crm::v1::GetDuplicateSettingsRequest& request);
  absl::StatusOr<crm::v1::DuplicateSettings> UpdateSettings(const server::CallContext& call,
                                                            const crm::v1::UpdateDuplicateSettingsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::duplicates
