#include "services/accounts/activity_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/request_replay.h"
#include "services/accounts/activity_store.h"
#include "services/accounts/contact_logic.h"

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

// Fields not worth an entry in an event's change list.
const absl::flat_hash_set<std::string>& UntrackedFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"etag", "update_time"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NotFoundField(field, absl::StrCat("no activity with id \"", id, "\""));
}

absl::Status InvalidPageToken() { return InvalidField("page_token", "is not a page token issued for this query"); }

int64_t RevisionOf(const Activity& activity) {
  absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(activity.etag());
  return revision.ok() && revision->has_value() ? **revision : 0;
}

// Checks the caller's etag against the stored one; ABORTED when stale.
absl::Status CheckEtag(const std::string& requested, const Activity& current) {
  absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(requested);
  if (!revision.ok()) return revision.status();
  if (revision->has_value() && **revision != RevisionOf(current)) return StaleEtag(kEntity);
  return absl::OkStatus();
}

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

  const std::string fingerprint = db::RequestReplay::Fingerprint(request);
  Activity result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> earlier =
            db::RequestReplay::Find(tx, kCreateScope, request.request_id(), fingerprint);
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          absl::StatusOr<std::optional<Activity>> first = ActivityStore::Find(tx.session(), **earlier);
          if (!first.ok()) return first.status();
          if (!first->has_value()) return absl::InternalError("replayed activity vanished");
          result = **first;
          return absl::OkStatus();
        }
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
        if (absl::Status s =
                db::RequestReplay::Record(tx, kCreateScope, request.request_id(), fingerprint, activity.id());
            !s.ok()) {
          return s;
        }
        result = activity;
        result.set_etag(FormatEtag(1));
        return rt_.outbox->AppendChange(tx, "activity.created", kEntity, activity.id(), crm::v1::CHANGE_KIND_CREATED,
                                        DiffMessages(nullptr, result, UntrackedFields()), activity.assignee(),
                                        call.actor, request.request_id(), now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<Activity> ActivityLogic::Get(const server::CallContext& call,
                                            const crm::v1::GetActivityRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  std::optional<Activity> found;
  absl::Status status = rt_.db->Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<std::optional<Activity>> activity = ActivityStore::Find(sql, request.id());
        if (!activity.ok()) return activity.status();
        found = *std::move(activity);
        return absl::OkStatus();
      },
      call.deadline);
  if (!status.ok()) return status;
  if (!found.has_value()) return NotFound("id", request.id());
  return *std::move(found);
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
  if (absl::StatusOr<std::optional<int64_t>> etag = ParseEtag(request.etag()); !etag.ok()) return etag.status();

  const absl::Time now = rt_.clock->Now();
  Activity result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<Activity>> current = ActivityStore::FindForUpdate(tx, request.activity().id());
        if (!current.ok()) return current.status();
        if (!current->has_value()) return NotFound("activity.id", request.activity().id());
        const Activity& before = **current;
        if (absl::Status s = CheckEtag(request.etag(), before); !s.ok()) return s;
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
        std::vector<FieldDelta> deltas = DiffMessages(&before, after, UntrackedFields());
        if (deltas.empty()) {
          result = before;  // nothing changes: no write, no event, same etag
          return absl::OkStatus();
        }
        *after.mutable_update_time() = TimeToTimestamp(now);
        absl::StatusOr<bool> updated = ActivityStore::Update(tx, after, RevisionOf(before));
        if (!updated.ok()) return updated.status();
        if (!*updated) return StaleEtag(kEntity);
        after.set_etag(FormatEtag(RevisionOf(before) + 1));
        result = after;
        return rt_.outbox->AppendChange(tx, "activity.updated", kEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                        deltas, after.assignee(), call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
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
  if (absl::StatusOr<std::optional<int64_t>> parsed = ParseEtag(etag); !parsed.ok()) return parsed.status();
  const absl::Time now = rt.clock->Now();
  Activity result;
  absl::Status status = rt.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<Activity>> current = ActivityStore::FindForUpdate(tx, id);
        if (!current.ok()) return current.status();
        if (!current->has_value()) return NotFound("id", id);
        const Activity& before = **current;
        if (absl::Status s = CheckEtag(etag, before); !s.ok()) return s;
        if (before.status() != crm::v1::ACTIVITY_STATUS_PLANNED) {
          return FailedPreconditionField(
              "id", absl::StrCat("the activity is already ", StatusWord(before.status()), "; only planned activities can be ",
                                 StatusWord(to)));
        }
        Activity after = before;
        after.set_status(to);
        if (to == crm::v1::ACTIVITY_STATUS_COMPLETED) *after.mutable_complete_time() = TimeToTimestamp(now);
        after.set_outcome(outcome);
        *after.mutable_update_time() = TimeToTimestamp(now);
        absl::StatusOr<bool> updated = ActivityStore::Update(tx, after, RevisionOf(before));
        if (!updated.ok()) return updated.status();
        if (!*updated) return StaleEtag(kEntity);
        after.set_etag(FormatEtag(RevisionOf(before) + 1));
        result = after;
        return rt.outbox->AppendChange(
            tx, to == crm::v1::ACTIVITY_STATUS_COMPLETED ? "activity.completed" : "activity.cancelled", kEntity, id,
            crm::v1::CHANGE_KIND_UPDATED, DiffMessages(&before, after, UntrackedFields()), after.assignee(), call.actor,
            call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
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
  query.limit = *page_size + 1;  // one extra row tells whether another page follows
  const std::string fingerprint = ListQueryFingerprint(request);
  if (!request.page_token().empty()) {
    absl::StatusOr<std::vector<std::string>> cursor =
        rt_.page_tokens->Decode(request.page_token(), kListScope, fingerprint);
    if (!cursor.ok()) return cursor.status();
    int64_t due = 0;
    if (cursor->size() != 2 || !absl::SimpleAtoi((*cursor)[0], &due)) return InvalidPageToken();
    query.after_due_micros = due;
    query.after_id = (*cursor)[1];
  }

  crm::v1::ListActivitiesResponse response;
  absl::Status status = rt_.db->Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<std::vector<Activity>> rows = ActivityStore::List(sql, query);
        if (!rows.ok()) return rows.status();
        const bool more = static_cast<int>(rows->size()) > *page_size;
        if (more) rows->pop_back();
        for (Activity& a : *rows) *response.add_activities() = std::move(a);
        if (more) {
          const Activity& last = response.activities(response.activities_size() - 1);
          response.set_next_page_token(rt_.page_tokens->Encode(
              kListScope, fingerprint, {std::to_string(TimestampToMicros(last.due_time())), last.id()}));
        }
        return absl::OkStatus();
      },
      call.deadline);
  if (!status.ok()) return status;
  return response;
}

}  // namespace crm::accounts
