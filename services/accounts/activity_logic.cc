#include "services/accounts/activity_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/activity_store.h"

namespace crm::accounts {
namespace {

using crm::v1::Activity;

constexpr char kEntity[] = "activity";
constexpr char kIdPrefix[] = "act";
constexpr char kCreateScope[] = "activities.create";
constexpr char kListScope[] = "activities.list";

// Status, the reminder marker, complete_time and outcome move only through Complete / Cancel
// and the reminder job; account_id never changes.
const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "contact_id", "kind", "subject", "notes", "due_time", "reminder_time", "assignee"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) { return NoSuchEntity(field, kEntity, id); }


// Times are stored in microseconds; rounding first makes the answer equal what a Get returns.
void RoundToMicros(google::protobuf::Timestamp* ts) { *ts = MicrosToTimestamp(TimestampToMicros(*ts)); }

void NormaliseActivity(Activity& activity) {
  if (activity.kind() == crm::v1::ACTIVITY_KIND_UNSPECIFIED) activity.set_kind(crm::v1::ACTIVITY_KIND_TASK);
  RoundToMicros(activity.mutable_due_time());
  if (activity.has_reminder_time()) RoundToMicros(activity.mutable_reminder_time());
}

std::optional<int64_t> ReminderMicros(const Activity& activity) {
  if (!activity.has_reminder_time()) return std::nullopt;
  return TimestampToMicros(activity.reminder_time());
}

const char* StatusWord(crm::v1::ActivityStatus status) {
  switch (status) {
    case crm::v1::ACTIVITY_STATUS_COMPLETED:
      return "completed";
    case crm::v1::ACTIVITY_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "not planned";
  }
}

}  // namespace

absl::Status ValidateActivity(const Activity& a, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredId(a.account_id(), f("account_id"));
  if (!a.contact_id().empty()) v.RequiredId(a.contact_id(), f("contact_id"));
  v.Enum(a.kind(), crm::v1::ActivityKind_IsValid, f("kind"), false);
  v.OptionalText(a.subject(), f("subject"), kMaxShortTextLength);
  v.OptionalLongText(a.notes(), f("notes"));
  v.Check(a.has_due_time(), f("due_time"), "is required");
  v.OptionalTimestamp(a.due_time(), a.has_due_time(), f("due_time"));
  v.OptionalTimestamp(a.reminder_time(), a.has_reminder_time(), f("reminder_time"));
  // Compared only when both are well-formed, so each problem is reported once.
  const auto valid = [](const google::protobuf::Timestamp& ts) {
    return Validator().OptionalTimestamp(ts, true, "").ok();
  };
  if (a.has_due_time() && a.has_reminder_time() && valid(a.due_time()) && valid(a.reminder_time())) {
    v.Check(TimestampToMicros(a.reminder_time()) <= TimestampToMicros(a.due_time()), f("reminder_time"),
            "must not be after due_time");
  }
  v.RequiredText(a.assignee(), f("assignee"), kMaxShortTextLength);
  return v.status();
}

absl::StatusOr<Activity> ActivityLogic::Create(const server::CallContext& call,
                                               const crm::v1::CreateActivityRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_activity(), "activity", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Activity activity = request.activity();
  if (activity.assignee().empty()) activity.set_assignee(call.actor);
  if (absl::Status valid = ValidateActivity(activity, "activity"); !valid.ok()) return valid;
  NormaliseActivity(activity);
  // Output-only fields are ignored on create: every activity starts planned, unsent, open.
  activity.set_status(crm::v1::ACTIVITY_STATUS_PLANNED);
  activity.clear_reminder_sent_time();
  activity.clear_complete_time();
  activity.clear_outcome();
  activity.clear_create_time();
  activity.clear_update_time();
  activity.clear_etag();
  const absl::Time now = rt_.clock->Now();
  activity.set_id(NewIdAt(kIdPrefix, now));
  *activity.mutable_create_time() = TimeToTimestamp(now);
  *activity.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Activity>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, ActivityStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Activity> {
        absl::StatusOr<crm::v1::Account> account = FindLiveAccount(tx, activity.account_id(), "activity.account_id");
        if (!account.ok()) return account.status();
        if (!activity.contact_id().empty()) {
          if (absl::Status s =
                  CheckContactOfAccount(tx, activity.contact_id(), activity.account_id(), "activity.contact_id");
              !s.ok()) {
            return s;
          }
        }
        if (absl::Status s = ActivityStore::Insert(tx, activity); !s.ok()) return s;
        Activity created = activity;
        created.set_etag(FormatEtag(1));
        absl::Status event = rt_.outbox->AppendChange(
            tx, "activity.created", kEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
            DiffMessages(nullptr, created, BookkeepingFields()), created.assignee(), call.actor, request.request_id(),
            now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<Activity> ActivityLogic::Get(const server::CallContext& call,
                                            const crm::v1::GetActivityRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Activity>(*rt_.db, call.deadline, ActivityStore::Find, request.id(), kEntity);
}

absl::StatusOr<Activity> ActivityLogic::Update(const server::CallContext& call,
                                               const crm::v1::UpdateActivityRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_activity(), "activity", "is required");
  if (request.has_activity()) request_checks.RequiredId(request.activity().id(), "activity.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.activity(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<Activity> op;
  op.load = ActivityStore::FindForUpdate;
  op.not_found = [&] { return NotFound("activity.id", request.activity().id()); };
  op.change = [&](db::Tx& tx, const Activity& before) -> absl::StatusOr<std::optional<Activity>> {
    // Echoing the activity back with its own account_id is fine; naming another one is not.
    if (!request.activity().account_id().empty() && request.activity().account_id() != before.account_id()) {
      return InvalidField("activity.account_id", "cannot be changed");
    }
    Activity after = before;
    ApplyPaths(request.activity(), *paths, &after);
    if (absl::Status s = ValidateActivity(after, "activity"); !s.ok()) return s;
    NormaliseActivity(after);
    if (!after.contact_id().empty() && after.contact_id() != before.contact_id()) {
      if (absl::Status s = CheckContactOfAccount(tx, after.contact_id(), after.account_id(), "activity.contact_id");
          !s.ok()) {
        return s;
      }
    }
    // A moved (or removed) reminder is a new reminder: clear the marker so it fires once more.
    if (ReminderMicros(before) != ReminderMicros(after)) after.clear_reminder_sent_time();
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Activity>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Activity>(std::move(after));
  };
  op.store = db::StoreOf(ActivityStore::Update);
  op.after_write = [&](db::Tx& tx, const Activity& before, const Activity& after) {
    return rt_.outbox->AppendChange(tx, "activity.updated", kEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), after.assignee(), call.actor,
                                    call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.activity().id(), request.etag(), "etag", kEntity, op);
}

namespace {

// Shared by complete and cancel: moves a PLANNED activity to `to` under the etag rules.
absl::StatusOr<Activity> Close(const server::Runtime& rt, const server::CallContext& call, const std::string& id,
                               const std::string& etag, crm::v1::ActivityStatus to, const std::string& outcome,
                               const char* outcome_field) {
  Validator v;
  v.RequiredId(id, "id");
  v.OptionalLongText(outcome, outcome_field);
  if (!v.ok()) return v.status();
  const absl::Time now = rt.clock->Now();
  db::VersionedChange<Activity> op;
  op.load = ActivityStore::FindForUpdate;
  op.not_found = [&] { return NotFound("id", id); };
  op.change = [&](db::Tx&, const Activity& before) -> absl::StatusOr<std::optional<Activity>> {
    if (before.status() != crm::v1::ACTIVITY_STATUS_PLANNED) {
      return FailedPreconditionField("id", absl::StrCat("the activity is already ", StatusWord(before.status()),
                                                        "; only planned activities can be ", StatusWord(to)));
    }
    Activity after = before;
    after.set_status(to);
    if (to == crm::v1::ACTIVITY_STATUS_COMPLETED) *after.mutable_complete_time() = TimeToTimestamp(now);
    after.set_outcome(outcome);
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Activity>(std::move(after));
  };
  op.store = db::StoreOf(ActivityStore::Update);
  op.after_write = [&](db::Tx& tx, const Activity& before, const Activity& after) {
    return rt.outbox->AppendChange(
        tx, to == crm::v1::ACTIVITY_STATUS_COMPLETED ? "activity.completed" : "activity.cancelled", kEntity, id,
        crm::v1::CHANGE_KIND_UPDATED, DiffMessages(&before, after, BookkeepingFields()), after.assignee(), call.actor,
        call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt.db, call.deadline, id, etag, "etag", kEntity, op);
}

}  // namespace

absl::StatusOr<Activity> ActivityLogic::Complete(const server::CallContext& call,
                                                 const crm::v1::CompleteActivityRequest& request) {
  return Close(rt_, call, request.id(), request.etag(), crm::v1::ACTIVITY_STATUS_COMPLETED, request.outcome(),
               "outcome");
}

absl::StatusOr<Activity> ActivityLogic::Cancel(const server::CallContext& call,
                                               const crm::v1::CancelActivityRequest& request) {
  return Close(rt_, call, request.id(), request.etag(), crm::v1::ACTIVITY_STATUS_CANCELLED, request.reason(),
               "reason");
}

absl::StatusOr<crm::v1::ListActivitiesResponse> ActivityLogic::List(const server::CallContext& call,
                                                                    const crm::v1::ListActivitiesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  if (!request.account_id().empty()) v.RequiredId(request.account_id(), "account_id");
  v.OptionalText(request.assignee(), "assignee", kMaxShortTextLength);
  v.Enum(request.status(), crm::v1::ActivityStatus_IsValid, "status", false);
  v.OptionalTimestamp(request.due_after(), request.has_due_after(), "due_after");
  v.OptionalTimestamp(request.due_before(), request.has_due_before(), "due_before");
  if (!v.ok()) return v.status();

  ActivityListQuery query;
  query.account_id = request.account_id();
  query.assignee = request.assignee();
  query.status = request.status();
  if (request.has_due_after()) query.due_after_micros = TimestampToMicros(request.due_after());
  if (request.has_due_before()) query.due_before_micros = TimestampToMicros(request.due_before());
  if (query.due_after_micros.has_value() && query.due_before_micros.has_value() &&
      *query.due_before_micros < *query.due_after_micros) {
    return InvalidField("due_before", "must not be before due_after");
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    absl::StatusOr<int64_t> due = page->IntAt(0);
    if (!due.ok()) return due.status();
    query.after_due_micros = *due;
    query.after_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Activity>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ActivityStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListActivitiesResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const Activity& last) {
    return KeysetPage::Cursor{std::to_string(TimestampToMicros(last.due_time())), last.id()};
  }));
  for (Activity& a : *rows) *response.add_activities() = std::move(a);
  return response;
}

}  // namespace crm::accounts
