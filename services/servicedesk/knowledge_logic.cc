#include "services/servicedesk/knowledge_logic.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/db/tags.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "common/db/fulltext.h"
#include "services/servicedesk/knowledge_store.h"
#include "services/servicedesk/ticket_store.h"

namespace crm::servicedesk {
namespace {

using crm::v1::Solution;

constexpr char kIdPrefix[] = "sol";
constexpr char kCreateScope[] = "solutions.create";
constexpr char kListScope[] = "solutions.list";
constexpr char kListLinksScope[] = "solution_links.list";
constexpr int kDefaultSearchPageSize = 20;
constexpr int kMaxSearchPageSize = 100;
constexpr size_t kMaxQueryLength = 500;
// How many matches of the query are considered for one page: the index knows no categories or
// deletions, so the best matches are filtered here (see LoadHits).
constexpr int kSearchCandidates = 10000;
// Candidates loaded per round while filling a search page (category and deletion filter).
constexpr size_t kSearchLoadBatch = 200;

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"title", "body", "tags", "category"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NoSuchEntity(field, kSolutionEntity, id);
}

// The solution a replayed create made. Deleted since: the retry still must not create a second
// one, so it is NOT_FOUND rather than a fresh create.
absl::StatusOr<std::optional<Solution>> FindCreated(soci::session& sql, const std::string& id) {
  absl::StatusOr<std::optional<Solution>> solution = SolutionStore::Find(sql, id);
  if (solution.ok() && !solution->has_value()) {
    return NotFoundField("request_id", "the solution this request created has since been deleted");
  }
  return solution;
}

void NormaliseSolution(Solution& solution) {
  solution.set_title(Trimmed(solution.title()));
  solution.set_body(Trimmed(solution.body()));
  solution.set_category(Trimmed(solution.category()));
  db::NormaliseTags(solution.mutable_tags());
}

absl::StatusOr<SolutionOrder> ParseOrder(const std::string& order_by) {
  const std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(order_by));
  if (text.empty() || text == "id" || text == "id asc") return SolutionOrder::kId;
  if (text == "usage_count desc") return SolutionOrder::kUsageCountDesc;
  return InvalidField("order_by", "must be \"id\" or \"usage_count desc\"");
}

absl::Status AppendSolutionEvent(const server::Runtime& rt, db::Tx& tx, const char* type, crm::v1::ChangeKind kind,
                                 const std::vector<FieldDelta>& deltas, const Solution& solution,
                                 const server::CallContext& call, const std::string& request_id, absl::Time now) {
  return rt.outbox->AppendChange(tx, type, kSolutionEntity, solution.id(), kind, deltas, solution.author(), call.actor,
                                 request_id, now);
}

// The first `page_size` of `hits` (best first) that are live solutions in `category` ("" = any),
// with their solutions. The index knows no categories, so candidates are loaded a batch at a
// time until the page is full.
absl::StatusOr<crm::v1::SearchSolutionsResponse> LoadHits(soci::session& sql, const std::vector<db::SearchHit>& hits,
                                                          const std::string& category, int page_size) {
  crm::v1::SearchSolutionsResponse page;
  for (size_t start = 0; start < hits.size() && page.hits_size() < page_size; start += kSearchLoadBatch) {
    const size_t end = std::min(hits.size(), start + kSearchLoadBatch);
    std::vector<std::string> ids;
    for (size_t i = start; i < end; ++i) ids.push_back(hits[i].doc_id);
    absl::StatusOr<std::vector<Solution>> solutions = SolutionStore::FindMany(sql, ids, category);
    if (!solutions.ok()) return solutions.status();
    absl::flat_hash_map<std::string, Solution*> by_id;
    for (Solution& s : *solutions) by_id[s.id()] = &s;
    for (size_t i = start; i < end && page.hits_size() < page_size; ++i) {
      auto solution = by_id.find(hits[i].doc_id);
      if (solution == by_id.end()) continue;
      crm::v1::SolutionHit* hit = page.add_hits();
      *hit->mutable_solution() = std::move(*solution->second);
      hit->set_relevance(hits[i].score);
    }
  }
  return page;
}

}  // namespace

absl::Status ValidateSolution(const Solution& s, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredText(s.title(), f("title"), kMaxNameLength);
  v.Check(!Trimmed(s.body()).empty(), f("body"), "is required");
  v.OptionalLongText(s.body(), f("body"), kMaxLongTextLength);
  v.OptionalText(s.category(), f("category"), kMaxShortTextLength);
  db::ValidateTags(s.tags(), f("tags"), v);
  return v.status();
}

absl::StatusOr<Solution> KnowledgeLogic::Create(const server::CallContext& call,
                                                const crm::v1::CreateSolutionRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_solution(), "solution", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Solution solution = request.solution();
  if (absl::Status valid = ValidateSolution(solution, "solution"); !valid.ok()) return valid;
  NormaliseSolution(solution);
  // Output-only fields are ignored on create.
  solution.set_usage_count(0);
  solution.set_author(call.actor);
  solution.clear_etag();
  const absl::Time now = rt_.clock->Now();
  solution.set_id(NewIdAt(kIdPrefix, now));
  *solution.mutable_create_time() = TimeToTimestamp(now);
  *solution.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Solution>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, FindCreated,
      [&](db::Tx& tx) -> absl::StatusOr<Solution> {
        Solution created = solution;
        if (absl::Status s = SolutionStore::Insert(tx, created); !s.ok()) return s;
        absl::Status indexed = db::UpsertDocument(tx, SolutionSearchIndex(), created.id(), SolutionSearchText(created));
        if (!indexed.ok()) return indexed;
        created.set_etag(FormatEtag(1));
        absl::Status event = AppendSolutionEvent(rt_, tx, "solution.created", crm::v1::CHANGE_KIND_CREATED,
                                                 DiffMessages(nullptr, created, BookkeepingFields()), created, call,
                                                 request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<Solution> KnowledgeLogic::Get(const server::CallContext& call,
                                             const crm::v1::GetSolutionRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Solution>(*rt_.db, call.deadline, SolutionStore::Find, request.id(), kSolutionEntity);
}

absl::StatusOr<Solution> KnowledgeLogic::Update(const server::CallContext& call,
                                                const crm::v1::UpdateSolutionRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_solution(), "solution", "is required");
  if (request.has_solution()) request_checks.RequiredId(request.solution().id(), "solution.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.solution(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<Solution> op;
  op.load = SolutionStore::FindForUpdate;
  op.not_found = [&] { return NotFound("solution.id", request.solution().id()); };
  op.change = [&](db::Tx&, const Solution& before) -> absl::StatusOr<std::optional<Solution>> {
    Solution after = before;
    ApplyPaths(request.solution(), *paths, &after);
    if (absl::Status s = ValidateSolution(after, "solution"); !s.ok()) return s;
    NormaliseSolution(after);
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Solution>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Solution>(std::move(after));
  };
  op.store = db::StoreOf(SolutionStore::Update);
  op.after_write = [&](db::Tx& tx, const Solution& before, const Solution& after) -> absl::Status {
    absl::Status indexed = db::UpsertDocument(tx, SolutionSearchIndex(), after.id(), SolutionSearchText(after));
    if (!indexed.ok()) return indexed;
    return AppendSolutionEvent(rt_, tx, "solution.updated", crm::v1::CHANGE_KIND_UPDATED,
                               DiffMessages(&before, after, BookkeepingFields()), after, call, call.correlation_id,
                               now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.solution().id(), request.etag(), "etag", kSolutionEntity,
                             op);
}

absl::StatusOr<crm::v1::DeleteSolutionResponse> KnowledgeLogic::Delete(const server::CallContext& call,
                                                                       const crm::v1::DeleteSolutionRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  // A soft delete: the row stays for the links that name it, and leaves the search index.
  db::VersionedChange<Solution> op;
  op.load = SolutionStore::FindForUpdate;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.change = [&](db::Tx&, const Solution& before) -> absl::StatusOr<std::optional<Solution>> {
    Solution after = before;
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Solution>(std::move(after));
  };
  op.store = db::StoreOf(SolutionStore::SoftDelete);
  op.after_write = [&](db::Tx& tx, const Solution& before, const Solution&) -> absl::Status {
    absl::Status unindexed = db::RemoveDocument(tx, SolutionSearchIndex(), before.id());
    if (!unindexed.ok()) return unindexed;
    // The deltas record every value the solution had, so the event log keeps what was removed.
    return AppendSolutionEvent(rt_, tx, "solution.deleted", crm::v1::CHANGE_KIND_DELETED,
                               DiffMessages(&before, Solution(), BookkeepingFields()), before, call,
                               call.correlation_id, now);
  };
  absl::StatusOr<Solution> deleted =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kSolutionEntity, op);
  if (!deleted.ok()) return deleted.status();
  return crm::v1::DeleteSolutionResponse();
}

absl::StatusOr<crm::v1::ListSolutionsResponse> KnowledgeLogic::List(const server::CallContext& call,
                                                                    const crm::v1::ListSolutionsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.OptionalText(request.category(), "category", kMaxShortTextLength);
  v.OptionalText(request.tag(), "tag", db::kMaxTagLength);
  if (!v.ok()) return v.status();

  SolutionListQuery query;
  absl::StatusOr<SolutionOrder> order = ParseOrder(request.order_by());
  if (!order.ok()) return order.status();
  query.order = *order;
  query.category = Trimmed(request.category());
  query.tag = Trimmed(request.tag());
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    if (query.order == SolutionOrder::kUsageCountDesc) {
      absl::StatusOr<int64_t> usage = page->IntAt(0);
      if (!usage.ok()) return usage.status();
      query.after_usage_count = *usage;
    }
    query.after_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Solution>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return SolutionStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListSolutionsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [&](const Solution& last) {
    const std::string key = query.order == SolutionOrder::kUsageCountDesc ? absl::StrCat(last.usage_count()) : "";
    return KeysetPage::Cursor{key, last.id()};
  }));
  for (Solution& s : *rows) *response.add_solutions() = std::move(s);
  return response;
}

absl::StatusOr<crm::v1::SearchSolutionsResponse> KnowledgeLogic::Search(
    const server::CallContext& call, const crm::v1::SearchSolutionsRequest& request) {
  Validator v;
  v.Check(request.page_size() >= 0, "page_size", "must not be negative");
  v.OptionalText(request.query(), "query", kMaxQueryLength);
  v.OptionalText(request.category(), "category", kMaxShortTextLength);
  if (!v.ok()) return v.status();
  // Checked here too so that a query without words never opens a read.
  if (db::SearchWords(request.query()).empty()) return InvalidField("query", "must contain at least one word");
  const int page_size =
      request.page_size() == 0 ? kDefaultSearchPageSize : std::min(request.page_size(), kMaxSearchPageSize);
  const std::string category = Trimmed(request.category());

  return db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<crm::v1::SearchSolutionsResponse> {
        absl::StatusOr<std::vector<db::SearchHit>> hits = db::Search(
            sql, SolutionSearchIndex(), request.query(), kSearchCandidates, "query", db::FullTextMatch::kAllWords);
        if (!hits.ok()) return hits.status();
        return LoadHits(sql, *hits, category, page_size);
      });
}

absl::StatusOr<crm::v1::SolutionLink> KnowledgeLogic::Link(const server::CallContext& call,
                                                           const crm::v1::LinkSolutionRequest& request) {
  Validator v;
  v.RequiredId(request.ticket_id(), "ticket_id");
  v.RequiredId(request.solution_id(), "solution_id");
  if (!v.ok()) return v.status();
  const absl::Time now = rt_.clock->Now();
  crm::v1::SolutionLink link;
  link.set_ticket_id(request.ticket_id());
  link.set_solution_id(request.solution_id());
  link.set_linked_by(call.actor);
  *link.mutable_create_time() = TimeToTimestamp(now);

  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<TicketRecord>> ticket = TicketStore::Find(tx.session(), request.ticket_id());
        if (!ticket.ok()) return ticket.status();
        if (!ticket->has_value()) return NoSuchEntity("ticket_id", "ticket", request.ticket_id());
        absl::StatusOr<std::optional<Solution>> solution = SolutionStore::FindForUpdate(tx, request.solution_id());
        if (!solution.ok()) return solution.status();
        if (!solution->has_value()) return NotFound("solution_id", request.solution_id());
        if (absl::Status s = SolutionLinkStore::Insert(tx, link); !s.ok()) return s;
        if (absl::Status s = SolutionStore::IncrementUsage(tx, request.solution_id()); !s.ok()) return s;
        const Solution& before = **solution;
        Solution after = before;
        after.set_usage_count(before.usage_count() + 1);
        std::vector<FieldDelta> deltas = DiffMessages(nullptr, link);
        for (FieldDelta& delta : DiffMessages(&before, after, BookkeepingFields())) deltas.push_back(std::move(delta));
        return AppendSolutionEvent(rt_, tx, "solution.linked", crm::v1::CHANGE_KIND_UPDATED, deltas, after, call,
                                   call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return link;
}

absl::StatusOr<crm::v1::ListSolutionLinksResponse> KnowledgeLogic::ListLinks(
    const server::CallContext& call, const crm::v1::ListSolutionLinksRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  const bool by_ticket = !request.ticket_id().empty();
  const bool by_solution = !request.solution_id().empty();
  if (by_ticket == by_solution) {
    const char* why = by_ticket ? "give ticket_id or solution_id, not both" : "ticket_id or solution_id is required";
    return InvalidFields({{"ticket_id", why}, {"solution_id", why}});
  }
  Validator v;
  if (by_ticket) v.RequiredId(request.ticket_id(), "ticket_id");
  if (by_solution) v.RequiredId(request.solution_id(), "solution_id");
  if (!v.ok()) return v.status();

  SolutionLinkListQuery query;
  query.ticket_id = request.ticket_id();
  query.solution_id = request.solution_id();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListLinksScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<crm::v1::SolutionLink>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return SolutionLinkStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListSolutionLinksResponse response;
  response.set_next_page_token(page->Finish(&*rows, [&](const crm::v1::SolutionLink& last) {
    return KeysetPage::Cursor{by_ticket ? last.solution_id() : last.ticket_id()};
  }));
  for (crm::v1::SolutionLink& link : *rows) *response.add_links() = std::move(link);
  return response;
}

}  // namespace crm::servicedesk
