#include "services/servicedesk/knowledge_store.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "common/db/tags.h"

namespace soci {

// The one mapping between a solutions row and crm.v1.Solution.
template <>
struct type_conversion<crm::v1::Solution> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Solution& s) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    s.Clear();
    s.set_id(GetString(v, "id"));
    s.set_title(GetString(v, "title"));
    s.set_body(GetString(v, "body"));
    crm::db::DecodeTags(GetString(v, "tags"), s.mutable_tags());
    s.set_category(GetString(v, "category"));
    s.set_usage_count(GetInt64(v, "usage_count"));
    s.set_author(GetString(v, "author"));
    *s.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *s.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    s.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Solution& s, Values& v, indicator& ind) {
    v.set("id", s.id());
    v.set("title", s.title());
    v.set("body", s.body());
    v.set("tags", crm::db::EncodeTags(s.tags()));
    v.set("category", s.category());
    v.set("author", s.author());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(s.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(s.update_time())));
    ind = i_ok;
  }
};

template <>
struct type_conversion<crm::v1::SolutionLink> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::SolutionLink& l) {
    l.Clear();
    l.set_ticket_id(crm::db::GetString(v, "ticket_id"));
    l.set_solution_id(crm::db::GetString(v, "solution_id"));
    l.set_linked_by(crm::db::GetString(v, "linked_by"));
    *l.mutable_create_time() = crm::MicrosToTimestamp(crm::db::GetInt64(v, "create_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::SolutionLink& l, Values& v, indicator& ind) {
    v.set("ticket_id", l.ticket_id());
    v.set("solution_id", l.solution_id());
    v.set("linked_by", l.linked_by());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(l.create_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

constexpr char kSolutionColumns[] =
    "id, title, body, tags, category, usage_count, author, create_time, update_time, revision";
const std::string kSelectSolution = absl::StrCat("SELECT ", kSolutionColumns, " FROM solutions");
const std::string kSelectLiveSolutionById = kSelectSolution + " WHERE id = :id AND delete_time IS NULL";
constexpr char kInsertSolution[] =
    "INSERT INTO solutions (id, title, body, tags, category, usage_count, author, create_time,"
    " update_time, delete_time, revision) VALUES (:id, :title, :body, :tags, :category, 0, :author,"
    " :create_time, :update_time, NULL, 1)";
// usage_count moves only through IncrementUsage; author and create_time never change.
constexpr char kUpdateSolution[] =
    "UPDATE solutions SET title = :title, body = :body, tags = :tags, category = :category,"
    " update_time = :update_time, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision AND delete_time IS NULL";
constexpr char kSoftDeleteSolution[] =
    "UPDATE solutions SET delete_time = :delete_time, update_time = :update_time, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision AND delete_time IS NULL";
constexpr char kIncrementUsage[] = "UPDATE solutions SET usage_count = usage_count + 1 WHERE id = :id";

constexpr char kInsertLink[] =
    "INSERT INTO solution_links (ticket_id, solution_id, linked_by, create_time)"
    " VALUES (:ticket_id, :solution_id, :linked_by, :create_time)";
constexpr char kSelectLinks[] = "SELECT ticket_id, solution_id, linked_by, create_time FROM solution_links";

// Ids per FindMany statement: keeps the IN list well below any backend's parameter limit.
constexpr size_t kFindManyChunk = 200;

}  // namespace

const db::FullTextIndex& SolutionSearchIndex() {
  static const auto* index = new db::FullTextIndex{"solutions", {"title", "body", "tags"}, {4, 1, 2}};
  return *index;
}

std::vector<std::string> SolutionSearchText(const crm::v1::Solution& solution) {
  return {solution.title(), solution.body(), absl::StrJoin(solution.tags(), " ")};
}

absl::StatusOr<std::optional<crm::v1::Solution>> SolutionStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Solution>(sql, kSelectLiveSolutionById, id, "read solution");
}

absl::StatusOr<std::optional<crm::v1::Solution>> SolutionStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Solution>(tx.session(), kSelectLiveSolutionById + tx.dialect().ForUpdate(), id,
                                         "read solution");
}

absl::Status SolutionStore::Insert(db::Tx& tx, const crm::v1::Solution& solution) {
  return db::Guard("insert solution", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertSolution, solution);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> SolutionStore::Update(db::Tx& tx, const crm::v1::Solution& solution, int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdateSolution, solution, expected_revision, "update solution");
}

absl::StatusOr<bool> SolutionStore::SoftDelete(db::Tx& tx, const crm::v1::Solution& solution,
                                               int64_t expected_revision) {
  bool deleted = false;
  const long long delete_time = TimestampToMicros(solution.update_time());
  const long long update_time = delete_time;
  const long long expected = expected_revision;
  absl::Status status = db::Guard("delete solution", [&]() -> absl::Status {
    soci::statement statement = (tx.session().prepare << kSoftDeleteSolution, soci::use(delete_time, "delete_time"),
                                 soci::use(update_time, "update_time"), soci::use(solution.id(), "id"),
                                 soci::use(expected, "expected_revision"));
    statement.execute(true);
    deleted = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::Status SolutionStore::IncrementUsage(db::Tx& tx, const std::string& id) {
  return db::Guard("count solution usage", [&]() -> absl::Status {
    tx.session() << kIncrementUsage, soci::use(id, "id");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<crm::v1::Solution>> SolutionStore::List(soci::session& sql, const SolutionListQuery& query) {
  db::SqlQuery q(kSelectSolution);
  q.Where("delete_time IS NULL");
  if (!query.category.empty()) q.Where("category = ?", query.category);
  if (!query.tag.empty()) {
    q.Where(db::Dialect::ContainsPredicate("tags"), db::Dialect::ContainsPattern(db::EncodedTag(query.tag)));
  }
  if (query.order == SolutionOrder::kUsageCountDesc) {
    if (!query.after_id.empty()) {
      const long long usage = query.after_usage_count;
      q.Where("(usage_count < ? OR (usage_count = ? AND id > ?))", usage, usage, query.after_id);
    }
    q.Append(" ORDER BY usage_count DESC, id");
  } else {
    if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
    q.Append(" ORDER BY id");
  }
  q.Append(" LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<crm::v1::Solution>(sql, q, "list solutions");
}

absl::StatusOr<std::vector<crm::v1::Solution>> SolutionStore::FindMany(soci::session& sql,
                                                                       const std::vector<std::string>& ids,
                                                                       const std::string& category) {
  std::vector<crm::v1::Solution> found;
  for (size_t start = 0; start < ids.size(); start += kFindManyChunk) {
    const std::vector<std::string> chunk(ids.begin() + start,
                                         ids.begin() + std::min(ids.size(), start + kFindManyChunk));
    db::SqlQuery q(kSelectSolution);
    q.Where("delete_time IS NULL").WhereIn("id", chunk);
    if (!category.empty()) q.Where("category = ?", category);
    absl::StatusOr<std::vector<crm::v1::Solution>> rows = db::QueryAll<crm::v1::Solution>(sql, q, "read solutions");
    if (!rows.ok()) return rows.status();
    for (crm::v1::Solution& s : *rows) found.push_back(std::move(s));
  }
  return found;
}

absl::Status SolutionLinkStore::Insert(db::Tx& tx, const crm::v1::SolutionLink& link) {
  absl::Status status = db::Guard("link solution", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertLink, link);
    return absl::OkStatus();
  });
  if (absl::IsAlreadyExists(status)) {
    return AlreadyExistsField("solution_id", "the solution is already linked to this ticket");
  }
  return status;
}

absl::StatusOr<std::vector<crm::v1::SolutionLink>> SolutionLinkStore::List(soci::session& sql,
                                                                           const SolutionLinkListQuery& query) {
  db::SqlQuery q(kSelectLinks);
  // Each shape is served by one index: the primary key (ticket_id, solution_id) or
  // solution_links_by_solution (solution_id, ticket_id).
  const bool by_ticket = !query.ticket_id.empty();
  const char* other = by_ticket ? "solution_id" : "ticket_id";
  if (by_ticket) {
    q.Where("ticket_id = ?", query.ticket_id);
  } else {
    q.Where("solution_id = ?", query.solution_id);
  }
  if (!query.after_id.empty()) q.Where(absl::StrCat(other, " > ?"), query.after_id);
  q.Append(absl::StrCat(" ORDER BY ", other, " LIMIT ?"), static_cast<long long>(query.limit));
  return db::QueryAll<crm::v1::SolutionLink>(sql, q, "list solution links");
}

}  // namespace crm::servicedesk
