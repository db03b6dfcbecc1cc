// The rules of the solutions knowledge base: CRUD, full-text search, links to tickets. No gRPC and
// no SQL here.
//
//  - Create is idempotent per request_id; author is the caller; title and body are required.
//  - Update takes a field mask (title, body, tags, category) and an optional etag (stale →
//    ABORTED). Delete is soft: the solution disappears from Get, List, Search and new links, its
//    existing links stay listed.
//  - Tags are trimmed and de-duplicated, as accounts' tags are.
//  - Search finds solutions containing every word of the query (title, body or tags), most
//    relevant first; a word in the title weighs most.
//  - LinkSolution records that a solution served a ticket, once per pair (a second link →
//    ALREADY_EXISTS); each new pair adds one to the solution's usage_count in the same write.
//  - Every change writes its event ("solution.created" / "updated" / "deleted" / "linked") in the
//    same transaction.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/servicedesk.pb.h"

namespace crm::servicedesk {

inline constexpr char kSolutionEntity[] = "solution";

// Checks every client-settable field of `solution`; field names are prefixed with `prefix`
// (e.g. "solution"). Collects all violations.
absl::Status ValidateSolution(const crm::v1::Solution& solution, const std::string& prefix);

class KnowledgeLogic {
 public:
  explicit KnowledgeLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Solution> Create(const server::CallContext& call,
                                           const crm::v1::CreateSolutionRequest& request);
  absl::StatusOr<crm::v1::Solution> Get(const server::CallContext& call, const crm::v1::GetSolutionRequest& request);
  absl::StatusOr<crm::v1::Solution> Update(const server::CallContext& call,
                                           const crm::v1::UpdateSolutionRequest& request);
  absl::StatusOr<crm::v1::DeleteSolutionResponse> Delete(const server::CallContext& call,
                                                         const crm::v1::DeleteSolutionRequest& request);
  absl::StatusOr<crm::v1::ListSolutionsResponse> List(const server::CallContext& call,
                                                      const crm::v1::ListSolutionsRequest& request);
  absl::StatusOr<crm::v1::SearchSolutionsResponse> Search(const server::CallContext& call,
                                                          const crm::v1::SearchSolutionsRequest& request);
  absl::StatusOr<crm::v1::SolutionLink> Link(const server::CallContext& call,
                                             const crm::v1::LinkSolutionRequest& request);
  absl::StatusOr<crm::v1::ListSolutionLinksResponse> ListLinks(const server::CallContext& call,
                                                               const crm::v1::ListSolutionLinksRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
