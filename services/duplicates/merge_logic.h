// Rules of merging accounts and contacts: what a merge may name, the order records are locked
// in, the survivor's values, the moves and tombstones in one transaction, and the merge record.
// No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/duplicate_service.pb.h"

namespace crm::duplicates {

// Most records merged into a survivor by one call.
inline constexpr int kMaxMergedRecords = 10;

class MergeLogic {
 public:
  explicit MergeLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::MergeAccountsResponse> MergeAccounts(const server::CallContext& call,
                                                               const crm::v1::MergeAccountsRequest& request);
  absl::StatusOr<crm::v1::MergeContactsResponse> MergeContacts(const server::CallContext& call,
                                                               const crm::v1::MergeContactsRequest& request);
  absl::StatusOr<crm::v1::Merge> Get(const server::CallContext& call, const crm::v1::GetMergeRequest& request);
  absl::StatusOr<crm::v1::ListMergesResponse> List(const server::CallContext& call,
                                                   const crm::v1::ListMergesRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::duplicates
