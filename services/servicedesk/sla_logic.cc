#include "services/servicedesk/sla_logic.h"

#include <soci/soci.h>

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/servicedesk/sla_store.h"

namespace crm::servicedesk {
namespace {

using CalendarProto = crm::v1::BusinessCalendar;
using crm::v1::SlaPolicy;

constexpr char kCalendarIdPrefix[] = "cal";
constexpr char kPolicyIdPrefix[] = "slap";
constexpr char kCreateCalendarScope[] = "calendars.create";
constexpr char kListCalendarsScope[] = "calendars.list";
constexpr char kCreatePolicyScope[] = "sla_policies.create";
constexpr char kListPoliciesScope[] = "sla_policies.list";

// Bounds that keep a stored row small and business-time arithmetic far from overflow.
constexpr int kMaxHours = 7 * 24;
constexpr int kMaxHolidays = 5000;
constexpr int kMaxTiers = 16;
constexpr int kMaxCategories = 200;
constexpr int kMaxEscalationSteps = 20;
// Ten years of minutes.
constexpr int64_t kMaxMinutes = 10LL * 366 * 24 * 60;

const absl::flat_hash_set<std::string>& CalendarUpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"name", "time_zone", "hours", "holidays"};
  return *fields;
}

const absl::flat_hash_set<std::string>& PolicyUpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "name", "precedence", "tiers", "categories", "calendar_id", "targets", "warning_percent", "escalation"};
  return *fields;
}

std::string Field(const std::string& prefix, absl::string_view field) { return absl::StrCat(prefix, ".", field); }

std::string Indexed(const std::string& prefix, absl::string_view list, int index) {
  return absl::StrCat(prefix, ".", list, "[", index, "]");
}

void NormaliseCalendar(CalendarProto& calendar) {
  calendar.set_name(Trimmed(calendar.name()));
  calendar.set_time_zone(Trimmed(calendar.time_zone()));
  for (crm::v1::CalendarHoliday& holiday : *calendar.mutable_holidays()) holiday.set_name(Trimmed(holiday.name()));
}

void NormalisePolicy(SlaPolicy& policy) {
  policy.set_name(Trimmed(policy.name()));
  for (std::string& category : *policy.mutable_categories()) category = Trimmed(category);
  if (policy.warning_percent() == 0) policy.set_warning_percent(kDefaultWarningPercent);
  for (crm::v1::EscalationStep& step : *policy.mutable_escalation()) {
    step.set_assignee_group(Trimmed(step.assignee_group()));
    step.set_assignee(Trimmed(step.assignee()));
  }
}

// Output-only fields are the server's.
template <typename T>
void ClearBookkeeping(T& entity) {
  entity.clear_id();
  entity.clear_create_time();
  entity.clear_update_time();
  entity.clear_etag();
}

absl::Status CheckCalendarExists(soci::session& sql, const std::string& calendar_id, const std::string& field) {
  absl::StatusOr<std::optional<CalendarProto>> calendar = CalendarStore::Find(sql, calendar_id);
  if (!calendar.ok()) return calendar.status();
  if (!calendar->has_value()) return NoSuchEntity(field, kCalendarEntity, calendar_id);
  return absl::OkStatus();
}

// The entity a replayed create made. A policy deleted since: the retry still must not create a
// second one, so it is NOT_FOUND rather than a fresh create.
absl::StatusOr<std::optional<SlaPolicy>> FindCreatedPolicy(soci::session& sql, const std::string& id) {
  absl::StatusOr<std::optional<SlaPolicy>> policy = SlaPolicyStore::FindLive(sql, id);
  if (policy.ok() && !policy->has_value()) {
    return NotFoundField("request_id", "the SLA policy this request created has since been deleted");
  }
  return policy;
}

absl::Status AppendEvent(const server::Runtime& rt, db::Tx& tx, const char* type, const char* entity,
                         crm::v1::ChangeKind kind, const google::protobuf::Message* before,
                         const google::protobuf::Message& after, const std::string& id, const server::CallContext& call,
                         const std::string& request_id, absl::Time now) {
  return rt.outbox->AppendChange(tx, type, entity, id, kind, DiffMessages(before, after, BookkeepingFields()), "",
                                 call.actor, request_id, now);
}

}  // namespace

absl::Status ValidateCalendar(const CalendarProto& calendar, const std::string& prefix) {
  Validator v;
  v.RequiredText(calendar.name(), Field(prefix, "name"), kMaxNameLength);
  v.Check(calendar.time_zone().size() <= kMaxShortTextLength, Field(prefix, "time_zone"), "is too long");
  v.Check(calendar.hours_size() <= kMaxHours, Field(prefix, "hours"),
          absl::StrCat("at most ", kMaxHours, " intervals"));
  v.Check(calendar.holidays_size() <= kMaxHolidays, Field(prefix, "holidays"),
          absl::StrCat("at most ", kMaxHolidays, " holidays"));

  CalendarSpec spec = ToCalendarSpec(calendar);
  // BusinessCalendar::Create takes any CivilDay (an impossible date would silently normalise), so dates
  // are checked here and only real ones handed on.
  spec.holidays.clear();
  absl::flat_hash_map<absl::CivilDay, int> first_with_day;
  for (int i = 0; i < calendar.holidays_size(); ++i) {
    const crm::v1::CalendarHoliday& holiday = calendar.holidays(i);
    const std::string field = Indexed(prefix, "holidays", i);
    v.OptionalText(holiday.name(), field + ".name", kMaxNameLength);
    if (!holiday.has_date()) {
      v.Check(false, field + ".date", "is required");
      continue;
    }
    if (!IsValidDate(holiday.date())) {
      v.Check(false, field + ".date", "is not a valid calendar date");
      continue;
    }
    const absl::CivilDay day(holiday.date().year(), holiday.date().month(), holiday.date().day());
    auto [it, inserted] = first_with_day.emplace(day, i);
    v.Check(inserted, field + ".date", absl::StrCat("repeats the date of ", Indexed(prefix, "holidays", it->second)));
    if (inserted) spec.holidays.push_back({day, holiday.name()});
  }

  std::vector<FieldViolation> violations = FieldViolationsOf(v.status());
  absl::StatusOr<BusinessCalendar> built = BusinessCalendar::Create(spec, prefix);
  if (!built.ok()) {
    std::vector<FieldViolation> more = FieldViolationsOf(built.status());
    if (more.empty()) return built.status();
    violations.insert(violations.end(), more.begin(), more.end());
  }
  return violations.empty() ? absl::OkStatus() : InvalidFields(violations);
}

absl::Status ValidatePolicy(const SlaPolicy& policy, const std::string& prefix) {
  Validator v;
  v.RequiredText(policy.name(), Field(prefix, "name"), kMaxNameLength);
  v.RequiredId(policy.calendar_id(), Field(prefix, "calendar_id"));

  v.Check(policy.tiers_size() <= kMaxTiers, Field(prefix, "tiers"), "lists too many tiers");
  absl::flat_hash_set<int> tiers;
  for (int i = 0; i < policy.tiers_size(); ++i) {
    const std::string field = Indexed(prefix, "tiers", i);
    const int tier = policy.tiers(i);
    v.Enum(tier, crm::v1::AccountTier_IsValid, field, false);
    v.Check(tiers.insert(tier).second, field, "is listed twice");
  }

  v.Check(policy.categories_size() <= kMaxCategories, Field(prefix, "categories"), "lists too many categories");
  absl::flat_hash_set<std::string> categories;
  for (int i = 0; i < policy.categories_size(); ++i) {
    const std::string field = Indexed(prefix, "categories", i);
    v.RequiredText(policy.categories(i), field, kMaxShortTextLength);
    v.Check(categories.insert(Trimmed(policy.categories(i))).second, field, "is listed twice");
  }

  v.Check(policy.targets_size() > 0, Field(prefix, "targets"), "at least one target is required");
  absl::flat_hash_set<int> priorities;
  for (int i = 0; i < policy.targets_size(); ++i) {
    const crm::v1::SlaPriorityTarget& target = policy.targets(i);
    const std::string field = Indexed(prefix, "targets", i);
    v.Enum(target.priority(), crm::v1::TicketPriority_IsValid, field + ".priority", true);
    if (target.priority() != crm::v1::TICKET_PRIORITY_UNSPECIFIED) {
      v.Check(priorities.insert(target.priority()).second, field + ".priority",
              "has a target already (at most one per priority)");
    }
    const bool first_ok = target.first_response_minutes() > 0 && target.first_response_minutes() <= kMaxMinutes;
    const bool resolution_ok = target.resolution_minutes() > 0 && target.resolution_minutes() <= kMaxMinutes;
    v.Check(first_ok, field + ".first_response_minutes", absl::StrCat("must be 1 to ", kMaxMinutes));
    v.Check(resolution_ok, field + ".resolution_minutes", absl::StrCat("must be 1 to ", kMaxMinutes));
    if (first_ok && resolution_ok) {
      v.Check(target.resolution_minutes() >= target.first_response_minutes(), field + ".resolution_minutes",
              "must not be less than first_response_minutes");
    }
  }

  v.Check(policy.warning_percent() >= 0 && policy.warning_percent() <= 99, Field(prefix, "warning_percent"),
          "must be 1 to 99 (0 = the default, 80)");

  v.Check(policy.escalation_size() <= kMaxEscalationSteps, Field(prefix, "escalation"),
          absl::StrCat("at most ", kMaxEscalationSteps, " levels"));
  for (int i = 0; i < policy.escalation_size(); ++i) {
    const crm::v1::EscalationStep& step = policy.escalation(i);
    const std::string field = Indexed(prefix, "escalation", i);
    v.Check(step.level() == i + 1, field + ".level",
            absl::StrCat("must be ", i + 1, " (levels run 1, 2, ... in order)"));
    v.Enum(step.trigger(), crm::v1::EscalationTrigger_IsValid, field + ".trigger", true);
    v.Check(step.after_minutes() >= 0 && step.after_minutes() <= kMaxMinutes, field + ".after_minutes",
            absl::StrCat("must be 0 to ", kMaxMinutes));
    v.RequiredText(step.assignee_group(), field + ".assignee_group", kMaxShortTextLength);
    v.OptionalText(step.assignee(), field + ".assignee", kMaxShortTextLength);
  }
  return v.status();
}

CalendarSpec ToCalendarSpec(const CalendarProto& calendar) {
  CalendarSpec spec;
  spec.time_zone = calendar.time_zone();
  for (const crm::v1::WorkingHours& h : calendar.hours()) {
    spec.hours.push_back(WorkingHours{h.weekday(), h.start_minute(), h.end_minute()});
  }
  for (const crm::v1::CalendarHoliday& holiday : calendar.holidays()) {
    spec.holidays.push_back(
        Holiday{absl::CivilDay(holiday.date().year(), holiday.date().month(), holiday.date().day()), holiday.name()});
  }
  return spec;
}

std::optional<crm::v1::SlaPriorityTarget> MatchPolicy(const SlaPolicy& policy, crm::v1::AccountTier tier,
                                                      crm::v1::TicketPriority priority, absl::string_view category) {
  bool tier_matches = policy.tiers().empty();
  for (int listed : policy.tiers()) tier_matches = tier_matches || listed == tier;
  bool category_matches = policy.categories().empty();
  for (const std::string& listed : policy.categories()) category_matches = category_matches || listed == category;
  if (!tier_matches || !category_matches) return std::nullopt;
  for (const crm::v1::SlaPriorityTarget& target : policy.targets()) {
    if (target.priority() == priority) return target;
  }
  return std::nullopt;
}

// Calendars.

absl::StatusOr<CalendarProto> SlaLogic::CreateCalendar(const server::CallContext& call,
                                                       const crm::v1::CreateCalendarRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_calendar(), "calendar", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  CalendarProto calendar = request.calendar();
  NormaliseCalendar(calendar);
  if (absl::Status valid = ValidateCalendar(calendar, "calendar"); !valid.ok()) return valid;
  ClearBookkeeping(calendar);
  const absl::Time now = rt_.clock->Now();
  calendar.set_id(NewIdAt(kCalendarIdPrefix, now));
  *calendar.mutable_create_time() = TimeToTimestamp(now);
  *calendar.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<CalendarProto>(*rt_.db, call.deadline, kCreateCalendarScope, request.request_id(), request,
                                       CalendarStore::Find, [&](db::Tx& tx) -> absl::StatusOr<CalendarProto> {
                                         CalendarProto created = calendar;
                                         if (absl::Status s = CalendarStore::Insert(tx, created); !s.ok()) return s;
                                         created.set_etag(FormatEtag(1));
                                         absl::Status event = AppendEvent(
                                             rt_, tx, "calendar.created", kCalendarEntity, crm::v1::CHANGE_KIND_CREATED,
                                             nullptr, created, created.id(), call, request.request_id(), now);
                                         if (!event.ok()) return event;
                                         return created;
                                       });
}

absl::StatusOr<CalendarProto> SlaLogic::GetCalendar(const server::CallContext& call,
                                                    const crm::v1::GetCalendarRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<CalendarProto>(*rt_.db, call.deadline, CalendarStore::Find, request.id(), kCalendarEntity);
}

absl::StatusOr<crm::v1::ListCalendarsResponse> SlaLogic::ListCalendars(const server::CallContext& call,
                                                                       const crm::v1::ListCalendarsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListCalendarsScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  const std::string after_id = page->first() ? std::string() : page->cursor()[0];

  absl::StatusOr<std::vector<CalendarProto>> rows = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
    return CalendarStore::List(sql, after_id, page->fetch_limit());
  });
  if (!rows.ok()) return rows.status();
  crm::v1::ListCalendarsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const CalendarProto& last) { return KeysetPage::Cursor{last.id()}; }));
  for (CalendarProto& c : *rows) *response.add_calendars() = std::move(c);
  return response;
}

absl::StatusOr<CalendarProto> SlaLogic::UpdateCalendar(const server::CallContext& call,
                                                       const crm::v1::UpdateCalendarRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_calendar(), "calendar", "is required");
  if (request.has_calendar()) request_checks.RequiredId(request.calendar().id(), "calendar.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.calendar(), request.update_mask(), CalendarUpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<CalendarProto> op;
  op.load = CalendarStore::FindForUpdate;
  op.not_found = [&] { return NoSuchEntity("calendar.id", kCalendarEntity, request.calendar().id()); };
  op.change = [&](db::Tx&, const CalendarProto& before) -> absl::StatusOr<std::optional<CalendarProto>> {
    CalendarProto after = before;
    ApplyPaths(request.calendar(), *paths, &after);
    NormaliseCalendar(after);
    if (absl::Status s = ValidateCalendar(after, "calendar"); !s.ok()) return s;
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<CalendarProto>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<CalendarProto>(std::move(after));
  };
  op.store = db::StoreOf(CalendarStore::Update);
  op.after_write = [&](db::Tx& tx, const CalendarProto& before, const CalendarProto& after) {
    return AppendEvent(rt_, tx, "calendar.updated", kCalendarEntity, crm::v1::CHANGE_KIND_UPDATED, &before, after,
                       after.id(), call, call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.calendar().id(), request.etag(), "etag", kCalendarEntity,
                             op);
}

// SLA policies.

absl::StatusOr<SlaPolicy> SlaLogic::CreatePolicy(const server::CallContext& call,
                                                 const crm::v1::CreateSlaPolicyRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_policy(), "policy", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  SlaPolicy policy = request.policy();
  if (absl::Status valid = ValidatePolicy(policy, "policy"); !valid.ok()) return valid;
  NormalisePolicy(policy);
  ClearBookkeeping(policy);
  const absl::Time now = rt_.clock->Now();
  policy.set_id(NewIdAt(kPolicyIdPrefix, now));
  *policy.mutable_create_time() = TimeToTimestamp(now);
  *policy.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<SlaPolicy>(
      *rt_.db, call.deadline, kCreatePolicyScope, request.request_id(), request, FindCreatedPolicy,
      [&](db::Tx& tx) -> absl::StatusOr<SlaPolicy> {
        SlaPolicy created = policy;
        if (absl::Status s = CheckCalendarExists(tx.session(), created.calendar_id(), "policy.calendar_id"); !s.ok()) {
          return s;
        }
        if (absl::Status s = SlaPolicyStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event = AppendEvent(rt_, tx, "sla_policy.created", kSlaPolicyEntity, crm::v1::CHANGE_KIND_CREATED,
                                         nullptr, created, created.id(), call, request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<SlaPolicy> SlaLogic::GetPolicy(const server::CallContext& call,
                                              const crm::v1::GetSlaPolicyRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<SlaPolicy>(*rt_.db, call.deadline, SlaPolicyStore::FindLive, request.id(), kSlaPolicyEntity);
}

absl::StatusOr<crm::v1::ListSlaPoliciesResponse> SlaLogic::ListPolicies(
    const server::CallContext& call, const crm::v1::ListSlaPoliciesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListPoliciesScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  std::optional<PolicyPosition> after;
  if (!page->first()) {
    absl::StatusOr<int64_t> precedence = page->IntAt(0);
    if (!precedence.ok()) return precedence.status();
    after = PolicyPosition{*precedence, page->cursor()[1]};
  }

  absl::StatusOr<std::vector<SlaPolicy>> rows = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
    return SlaPolicyStore::ListLive(sql, after, page->fetch_limit());
  });
  if (!rows.ok()) return rows.status();
  crm::v1::ListSlaPoliciesResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const SlaPolicy& last) {
    return KeysetPage::Cursor{absl::StrCat(last.precedence()), last.id()};
  }));
  for (SlaPolicy& p : *rows) *response.add_policies() = std::move(p);
  return response;
}

absl::StatusOr<SlaPolicy> SlaLogic::UpdatePolicy(const server::CallContext& call,
                                                 const crm::v1::UpdateSlaPolicyRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_policy(), "policy", "is required");
  if (request.has_policy()) request_checks.RequiredId(request.policy().id(), "policy.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.policy(), request.update_mask(), PolicyUpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<SlaPolicy> op;
  op.load = SlaPolicyStore::FindLiveForUpdate;
  op.not_found = [&] { return NoSuchEntity("policy.id", kSlaPolicyEntity, request.policy().id()); };
  op.change = [&](db::Tx& tx, const SlaPolicy& before) -> absl::StatusOr<std::optional<SlaPolicy>> {
    SlaPolicy after = before;
    ApplyPaths(request.policy(), *paths, &after);
    if (absl::Status s = ValidatePolicy(after, "policy"); !s.ok()) return s;
    NormalisePolicy(after);
    if (after.calendar_id() != before.calendar_id()) {
      if (absl::Status s = CheckCalendarExists(tx.session(), after.calendar_id(), "policy.calendar_id"); !s.ok()) {
        return s;
      }
    }
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<SlaPolicy>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<SlaPolicy>(std::move(after));
  };
  op.store = db::StoreOf(SlaPolicyStore::Update);
  op.after_write = [&](db::Tx& tx, const SlaPolicy& before, const SlaPolicy& after) {
    return AppendEvent(rt_, tx, "sla_policy.updated", kSlaPolicyEntity, crm::v1::CHANGE_KIND_UPDATED, &before, after,
                       after.id(), call, call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.policy().id(), request.etag(), "etag", kSlaPolicyEntity,
                             op);
}

absl::StatusOr<crm::v1::DeleteSlaPolicyResponse> SlaLogic::DeletePolicy(
    const server::CallContext& call, const crm::v1::DeleteSlaPolicyRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  db::VersionedDelete<SlaPolicy> op;
  op.load = SlaPolicyStore::FindLiveForUpdate;
  op.not_found = [&] { return NoSuchEntity("id", kSlaPolicyEntity, request.id()); };
  op.remove = [&](db::Tx& tx, const std::string& id, int64_t revision) {
    return SlaPolicyStore::SoftDelete(tx, id, now, revision);
  };
  op.after_delete = [&](db::Tx& tx, const SlaPolicy& before) {
    // The deltas record every value the policy had, so the event log keeps what was removed.
    return AppendEvent(rt_, tx, "sla_policy.deleted", kSlaPolicyEntity, crm::v1::CHANGE_KIND_DELETED, &before,
                       SlaPolicy(), before.id(), call, call.correlation_id, now);
  };
  absl::Status deleted =
      db::DeleteVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kSlaPolicyEntity, op);
  if (!deleted.ok()) return deleted;
  return crm::v1::DeleteSlaPolicyResponse();
}

}  // namespace crm::servicedesk
