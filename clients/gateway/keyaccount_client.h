// KeyAccountClient: the public face of KeyAccountService for C++ callers. A cheap value to copy
// (it shares one connection); every call returns absl::Status / absl::StatusOr carrying the
// server's code, message and field violations (crm::FieldViolationsOf in common/core/errors.h).
//
// It has one method per unary RPC, named as the RPC (the list is keyaccount_rpcs.h):
//   absl::StatusOr<v1::ScoringModel> UpdateScoringModel(const v1::UpdateScoringModelRequest&);
//   absl::StatusOr<v1::ChurnRisk> GetChurnRisk(const v1::GetChurnRiskRequest&);
// a ListAll<Plural> for every list that pages by token:
//   StreamRange<v1::AccountClassification> ListAllClassifications(v1::ListClassificationsRequest);
// and Reclassify, which follows the streamed run and returns its summary:
//   absl::StatusOr<v1::ReclassifySummary> summary = kam.Reclassify(request,
//       [](const v1::ReclassifyProgress& p) { Show(p.accounts_done(), p.accounts_total());
//                                             return true; });
//
// Retries on UNAVAILABLE: reads (Get*, List*, GetTierSummary) always; CreateAccountPlan with the
// request_id the client fills in when the request has none; UpdateScoringModel only with
// based_on_version and UpdateAccountPlan only with an etag (a repeat of one that committed then
// answers ABORTED: read again); the last-writer-wins sets SetQualitativeInputs, SetTierOverride
// and UpdateTierPolicy; Reclassify only until its first progress message. ClearTierOverride, and
// the two updates without their precondition, are sent once: on UNAVAILABLE read and decide.
#pragma once

#include <memory>

#include "clients/gateway/keyaccount_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class KeyAccountClient {
 public:
  explicit KeyAccountClient(std::shared_ptr<KeyAccountConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_KEYACCOUNT_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_KEYACCOUNT_CONNECTION_SIGNATURE(Method, Request, Response) {     \
    return connection_->Method(request);                               \
  }
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_CLIENT_FORWARD)
#undef CRM_KEYACCOUNT_CLIENT_FORWARD

  // See KeyAccountConnection::Reclassify. `on_progress` may be empty.
  absl::StatusOr<v1::ReclassifySummary> Reclassify(const v1::ReclassifyRequest& request,
                                                   const ReclassifyCallback& on_progress = {}) {
    if (on_progress) return connection_->Reclassify(request, on_progress);
    return connection_->Reclassify(request, [](const v1::ReclassifyProgress&) { return true; });
  }

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one List call. A failed page ends the range with its error as the last element.
#define CRM_KEYACCOUNT_CLIENT_LIST_ALL(Element, Plural, field) \
  StreamRange<v1::Element> ListAll##Plural(v1::List##Plural##Request request);
  CRM_KEYACCOUNT_PAGED_LISTS(CRM_KEYACCOUNT_CLIENT_LIST_ALL)
#undef CRM_KEYACCOUNT_CLIENT_LIST_ALL

 private:
  std::shared_ptr<KeyAccountConnection> connection_;
};

}  // namespace crm::client
