#include "services/kam/plan_store.h"

#include <soci/soci.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "google/protobuf/util/json_util.h"

namespace crm::kam {
namespace {

// The `content` column: objectives and actions as protobuf JSON.
std::string EncodeContent(const crm::v1::AccountPlan& plan) {
  crm::v1::AccountPlan content;
  *content.mutable_objectives() = plan.objectives();
  *content.mutable_actions() = plan.actions();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(content, &json, options).ok()) {
    throw std::runtime_error("cannot encode account plan content");
  }
  return json;
}

// Throws (turned into a status by db::Guard): a row that does not parse is corrupt.
void DecodeContent(const std::string& json, crm::v1::AccountPlan* plan) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json, plan, options).ok()) {
    throw std::runtime_error("stored account plan content does not parse");
  }
}

// The plan's next review date as a day number; the logic validated it, so a bad one is a bug.
std::optional<int64_t> NextReviewDay(const crm::v1::AccountPlan& plan) {
  if (!plan.has_next_review_date()) return std::nullopt;
  absl::StatusOr<int64_t> day = DayNumberFromDate(plan.next_review_date(), "next_review_date");
  if (!day.ok()) throw std::invalid_argument(std::string(day.status().message()));
  return *day;
}

}  // namespace
}  // namespace crm::kam

namespace soci {

// The one mapping between a kam_account_plans row and crm.v1.AccountPlan.
template <>
struct type_conversion<crm::v1::AccountPlan> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::AccountPlan& p) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    p.Clear();
    crm::kam::DecodeContent(GetString(v, "content"), &p);
    p.set_id(GetString(v, "id"));
    p.set_account_id(GetString(v, "account_id"));
    p.set_owner(GetString(v, "owner"));
    if (!crm::db::IsNull(v, "next_review_day")) {
      *p.mutable_next_review_date() = crm::DateFromDayNumber(GetInt64(v, "next_review_day"));
    }
    *p.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *p.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    p.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::AccountPlan& p, Values& v, indicator& ind) {
    const std::optional<int64_t> day = crm::kam::NextReviewDay(p);
    v.set("id", p.id());
    v.set("account_id", p.account_id());
    v.set("owner", p.owner());
    v.set("content", crm::kam::EncodeContent(p));
    // Bound twice under two names: the statements set the owed reminder from the same date.
    v.set("next_review_day", static_cast<long long>(day.value_or(0)), day.has_value() ? i_ok : i_null);
    v.set("review_pending_day", static_cast<long long>(day.value_or(0)), day.has_value() ? i_ok : i_null);
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(p.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(p.update_time())));
    ind = i_ok;
  }
};

// Rows of DueReviews.
template <>
struct type_conversion<crm::kam::DueReview> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::kam::DueReview& due) {
    due.plan_id = crm::db::GetString(v, "id");
    due.review_day = crm::db::GetInt64(v, "review_pending_day");
  }
};

}  // namespace soci

namespace crm::kam {
namespace {

constexpr char kPlanColumns[] =
    "id, account_id, owner, content, next_review_day, create_time, update_time, revision";
const std::string kSelectPlan = absl::StrCat("SELECT ", kPlanColumns, " FROM kam_account_plans");
const std::string kSelectPlanById = kSelectPlan + " WHERE id = :id";
constexpr char kInsertPlan[] =
    "INSERT INTO kam_account_plans (id, account_id, owner, content, next_review_day, review_pending_day,"
    " reminded_review_day, create_time, update_time, revision) VALUES (:id, :account_id, :owner, :content,"
    " :next_review_day, :review_pending_day, NULL, :create_time, :update_time, 1)";
// account_id and create_time never change after the insert.
constexpr char kUpdatePlan[] =
    "UPDATE kam_account_plans SET owner = :owner, content = :content, next_review_day = :next_review_day,"
    " review_pending_day = CASE WHEN :rearm <> 0 THEN :review_pending_day ELSE review_pending_day END,"
    " update_time = :update_time, revision = revision + 1 WHERE id = :id AND revision = :expected_revision";
constexpr char kSelectDueReviews[] =
    "SELECT id, review_pending_day FROM kam_account_plans WHERE review_pending_day <= ?"
    " ORDER BY review_pending_day, id LIMIT ?";
// The claim: of two processes claiming the same reminder, the second finds the day already
// cleared (the row is locked by the first until it commits) and changes nothing.
constexpr char kClaimReview[] =
    "UPDATE kam_account_plans SET review_pending_day = NULL, reminded_review_day = :reminded_day"
    " WHERE id = :id AND review_pending_day = :pending_day";

}  // namespace

absl::StatusOr<std::optional<crm::v1::AccountPlan>> PlanStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::AccountPlan>(sql, kSelectPlanById, id, "read account plan");
}

absl::StatusOr<std::optional<crm::v1::AccountPlan>> PlanStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::AccountPlan>(tx.session(), kSelectPlanById + tx.dialect().ForUpdate(), id,
                                            "read account plan");
}

absl::Status PlanStore::Insert(db::Tx& tx, const crm::v1::AccountPlan& plan) {
  return db::Guard("insert account plan", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertPlan, plan);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> PlanStore::Update(db::Tx& tx, const crm::v1::AccountPlan& plan, int64_t expected_revision,
                                       bool rearm_review) {
  bool changed = false;
  absl::Status status = db::Guard("update account plan", [&]() -> absl::Status {
    changed = db::ExecuteRow(tx.session(), kUpdatePlan, plan,
                             {{"rearm", rearm_review ? 1 : 0}, {"expected_revision", expected_revision}}) == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

absl::StatusOr<std::vector<crm::v1::AccountPlan>> PlanStore::List(soci::session& sql, const PlanListQuery& query) {
  db::SqlQuery q(kSelectPlan);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.owner.empty()) q.Where("owner = ?", query.owner);
  if (query.review_due_by_day.has_value()) {
    q.Where("next_review_day <= ?", static_cast<long long>(*query.review_due_by_day));
  }
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<crm::v1::AccountPlan>(sql, q, "list account plans");
}

absl::StatusOr<std::vector<DueReview>> PlanStore::DueReviews(soci::session& sql, int64_t today, int limit) {
  db::SqlQuery q("");
  q.Append(kSelectDueReviews, static_cast<long long>(today), static_cast<long long>(limit));
  return db::QueryAll<DueReview>(sql, q, "list due plan reviews");
}

absl::StatusOr<bool> PlanStore::ClaimReview(db::Tx& tx, const DueReview& due) {
  bool claimed = false;
  long long day = due.review_day;
  absl::Status status = db::Guard("claim plan review reminder", [&]() -> absl::Status {
    soci::statement statement = (tx.session().prepare << kClaimReview, soci::use(day, "reminded_day"),
                                 soci::use(due.plan_id, "id"), soci::use(day, "pending_day"));
    statement.execute(true);
    claimed = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

}  // namespace crm::kam
