// DuplicateClient: the public face of DuplicateService (records that may be the same customer,
// and the duplicate policy every create of an account, contact or lead follows) for C++ callers.
// A cheap value to copy (it shares one connection); every call returns absl::Status /
// absl::StatusOr carrying the server's code, message and field violations
// (crm::FieldViolationsOf in common/core/errors.h).
//
// It has one method per RPC, named as the RPC (the list is duplicate_rpcs.h):
//   absl::StatusOr<v1::FindDuplicatesResponse> FindDuplicates(const v1::FindDuplicatesRequest&);
//   absl::StatusOr<v1::DuplicateSettings> GetDuplicateSettings(
//       const v1::GetDuplicateSettingsRequest&);
//
// Reads (FindDuplicates, GetDuplicateSettings, GetMerge, ListMerges) are retried on UNAVAILABLE;
// UpdateDuplicateSettings is sent once: on UNAVAILABLE read the settings again and decide.
// MergeAccounts and MergeContacts get a request_id unless they carry one and are then retried:
// a retry of a merge that committed returns that merge.
//
// A create refused under DUPLICATE_ACTION_REFUSE (CreateAccount, CreateContact, CreateLead,
// ConvertLead) fails with FAILED_PRECONDITION carrying the candidates as error details; the
// status every client returns keeps them, and DuplicateCandidatesOf reads them. A Get of a
// contact merged away fails with NOT_FOUND saying where it went; MergedIntoOf reads that.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "clients/gateway/duplicate_connection.h"
#include "common/duplicates/candidate_details.h"
#include "crm/v1/duplicate.pb.h"

namespace crm::client {

// The candidates a refused create's status carries (a crm.v1.DuplicateCandidates payload under
// "type.googleapis.com/crm.v1.DuplicateCandidates"); empty for any other status.
inline std::vector<v1::DuplicateCandidate> DuplicateCandidatesOf(const absl::Status& status) {
  return duplicates::CandidatesOf(status);
}

// Where the record a NOT_FOUND status names went, when it was merged away (a crm.v1.MergedInto
// payload under "type.googleapis.com/crm.v1.MergedInto"); nullopt for any other status.
inline std::optional<v1::MergedInto> MergedIntoOf(const absl::Status& status) {
  return duplicates::MergedIntoOf(status);
}

class DuplicateClient {
 public:
  explicit DuplicateClient(std::shared_ptr<DuplicateConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_DUPLICATE_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_DUPLICATE_CONNECTION_SIGNATURE(Method, Request, Response) {     \
    return connection_->Method(request);                              \
  }
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_CLIENT_FORWARD)
#undef CRM_DUPLICATE_CLIENT_FORWARD

 private:
  std::shared_ptr<DuplicateConnection> connection_;
};

}  // namespace crm::client
