#include "clients/crmctl/sla_commands.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/servicedesk_commands.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;
constexpr const char* kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

absl::Status Invalid(absl::string_view what, absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": '", text, "' is not ", expected));
}

// Items of a list: separated by any of `separators`, trimmed, empty ones dropped.
std::vector<absl::string_view> Items(absl::string_view text, const char* separators) {
  std::vector<absl::string_view> items;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(separators))) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// 1 = Monday ... 7 = Sunday for "mon" or "monday" (any case), else 0.
int Weekday(absl::string_view name) {
  static constexpr const char* kFullNames[] = {"monday", "tuesday",  "wednesday", "thursday",
                                               "friday", "saturday", "sunday"};
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  for (int i = 0; i < 7; ++i) {
    if (lower == kWeekdays[i] || lower == kFullNames[i]) return i + 1;
  }
  return 0;
}

// "mon", "mon-fri", "fri-mon" (wrapping), "mon,wed,fri".
absl::StatusOr<std::vector<int>> ParseDays(absl::string_view text) {
  std::vector<int> days;
  for (absl::string_view item : Items(text, ",")) {
    std::vector<absl::string_view> ends = absl::StrSplit(item, absl::MaxSplits('-', 1));
    const int first = Weekday(ends[0]);
    const int last = ends.size() == 2 ? Weekday(ends[1]) : first;
    if (first == 0 || last == 0) return Invalid("hours", item, "days like mon, mon-fri, sat,sun");
    for (int day = first;; day = day % 7 + 1) {
      days.push_back(day);
      if (day == last) break;
    }
  }
  if (days.empty()) return Invalid("hours", text, "days like mon, mon-fri, sat,sun");
  return days;
}

// "09:30" -> 570; "24:00" -> 1440. Range checks are the server's.
absl::StatusOr<int32_t> ParseClock(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  int32_t hours = 0;
  int32_t minutes = 0;
  if (parts.size() != 2 || parts[1].size() != 2 || !absl::SimpleAtoi(parts[0], &hours) ||
      !absl::SimpleAtoi(parts[1], &minutes)) {
    return Invalid("hours", text, "a time like 09:00");
  }
  return hours * 60 + minutes;
}

std::string ClockText(int32_t minute) {
  return absl::StrFormat("%02d:%02d", minute / 60, minute % 60);
}

// "90" (minutes), "30m", "4h", "1d", "1h30m" -> minutes; "" -> 0 (no target).
absl::StatusOr<int64_t> ParseMinutes(absl::string_view what, absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return 0;
  int64_t minutes = 0;
  if (absl::SimpleAtoi(text, &minutes)) return minutes;
  absl::string_view number = text;
  double days = 0;
  if (absl::ConsumeSuffix(&number, "d") && absl::SimpleAtod(number, &days)) {
    return static_cast<int64_t>(days * 24 * 60);
  }
  absl::Duration duration;
  if (!absl::ParseDuration(text, &duration)) {
    return Invalid(what, text, "minutes like 90, 30m, 4h or 1d");
  }
  return absl::ToInt64Minutes(duration);
}

std::string MinutesText(int64_t minutes) {
  if (minutes == 0) return "";
  if (minutes % (24 * 60) == 0) return absl::StrCat(minutes / (24 * 60), "d");
  if (minutes % 60 == 0) return absl::StrCat(minutes / 60, "h");
  return absl::StrCat(minutes);
}

template <typename T>
void Assign(google::protobuf::RepeatedPtrField<T>& field, const std::vector<T>& items) {
  field.Clear();
  for (const T& item : items) *field.Add() = item;
}

// Takes the compact-syntax arguments (hours=, holidays=) off the command line into `calendar`;
// `changed` gets the paths given.
absl::Status TakeCalendarLists(CommandContext& context, v1::BusinessCalendar& calendar,
                               std::vector<std::string>& changed) {
  if (absl::optional<std::string> hours = context.TakeArgument("hours")) {
    absl::StatusOr<std::vector<v1::WorkingHours>> parsed = ParseWorkingHours(*hours);
    if (!parsed.ok()) return parsed.status();
    Assign(*calendar.mutable_hours(), *parsed);
    changed.push_back("hours");
  }
  if (absl::optional<std::string> holidays = context.TakeArgument("holidays")) {
    absl::StatusOr<std::vector<v1::CalendarHoliday>> parsed = ParseHolidays(*holidays);
    if (!parsed.ok()) return parsed.status();
    Assign(*calendar.mutable_holidays(), *parsed);
    changed.push_back("holidays");
  }
  return absl::OkStatus();
}

absl::Status TakePolicyLists(CommandContext& context, v1::SlaPolicy& policy,
                             std::vector<std::string>& changed) {
  if (absl::optional<std::string> targets = context.TakeArgument("targets")) {
    absl::StatusOr<std::vector<v1::SlaPriorityTarget>> parsed = ParseTargets(*targets);
    if (!parsed.ok()) return parsed.status();
    Assign(*policy.mutable_targets(), *parsed);
    changed.push_back("targets");
  }
  if (absl::optional<std::string> escalation = context.TakeArgument("escalation")) {
    absl::StatusOr<std::vector<v1::EscalationStep>> parsed = ParseEscalation(*escalation);
    if (!parsed.ok()) return parsed.status();
    Assign(*policy.mutable_escalation(), *parsed);
    changed.push_back("escalation");
  }
  return absl::OkStatus();
}

const std::map<std::string, std::string>& CalendarAliases() {
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"zone", "time_zone"}, {"tz", "time_zone"}};
  return *kAliases;
}

const std::map<std::string, std::string>& PolicyAliases() {
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"calendar", "calendar_id"}, {"warning", "warning_percent"}};
  return *kAliases;
}

// The compact list arguments (hours=, targets=, ...) that `take_lists` moves off the command line
// before the others are read, as the step of RunCreate / RunUpdate that puts them into
// entity(request); on an update their paths join the mask.
template <typename Request, typename Entity, typename TakeLists>
absl::StatusOr<FinishRequest<Request>> TakeListsStep(CommandContext& context, Entity entity,
                                                     TakeLists take_lists) {
  std::remove_pointer_t<decltype(entity(std::declval<Request&>()))> lists;
  std::vector<std::string> given;
  if (absl::Status s = take_lists(context, lists, given); !s.ok()) return s;
  return FinishRequest<Request>(
      [entity, lists, given](Request& request, std::vector<std::string>* changed) {
        entity(request)->MergeFrom(lists);
        if (changed != nullptr) changed->insert(changed->end(), given.begin(), given.end());
        return kExitOk;
      });
}

// RunCreate of an entity with compact list arguments; `call` sends the request and prints the
// result.
template <typename Request, typename Entity, typename TakeLists, typename Call>
int RunCreateWithLists(CommandContext& context, Entity entity, TakeLists take_lists,
                       const std::map<std::string, std::string>& aliases, Call call) {
  absl::StatusOr<FinishRequest<Request>> lists =
      TakeListsStep<Request>(context, entity, take_lists);
  if (!lists.ok()) return context.Usage(lists.status());
  return RunCreate<Request>(context, entity, call, aliases, *lists);
}

// RunUpdate of such an entity, with the compact lists in the mask when given.
template <typename Request, typename Entity, typename TakeLists, typename Call>
int RunUpdateWithLists(CommandContext& context, Entity entity, TakeLists take_lists,
                       const std::map<std::string, std::string>& aliases, Call call) {
  absl::StatusOr<FinishRequest<Request>> lists =
      TakeListsStep<Request>(context, entity, take_lists);
  if (!lists.ok()) return context.Usage(lists.status());
  return RunUpdate<Request>(context, entity, call, aliases, *lists);
}

std::vector<Column> CalendarColumns() {
  return {
      FieldColumn("ID", "id"), FieldColumn("NAME", "name", kTextWidth),
      FieldColumn("TIME ZONE", "time_zone"),
      TypedColumn<v1::BusinessCalendar>(
          "HOURS", [](const v1::BusinessCalendar& c) { return FormatWorkingHours(c.hours()); }, 60),
      TypedColumn<v1::BusinessCalendar>(
          "HOLIDAYS", [](const v1::BusinessCalendar& c) { return FormatHolidays(c.holidays()); },
          kTextWidth)};
}

std::vector<Column> PolicyColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("PRECEDENCE", "precedence"),
          FieldColumn("NAME", "name", kTextWidth),
          FieldColumn("TIERS", "tiers"),
          FieldColumn("CATEGORIES", "categories"),
          FieldColumn("CALENDAR", "calendar_id"),
          TypedColumn<v1::SlaPolicy>(
              "TARGETS", [](const v1::SlaPolicy& p) { return FormatTargets(p.targets()); }),
          FieldColumn("WARN %", "warning_percent"),
          TypedColumn<v1::SlaPolicy>(
              "ESCALATION", [](const v1::SlaPolicy& p) { return FormatEscalation(p.escalation()); },
              kTextWidth)};
}

// In table form, a calendar's or policy's lists also in their compact syntax, under the
// record of every field.
void PrintCompact(CommandContext& context,
                  const std::vector<std::pair<std::string, std::string>>& lines) {
  if (context.format() != OutputFormat::kTable) return;
  for (const auto& [name, value] : lines) {
    if (!value.empty()) context.out() << name << ": " << value << '\n';
  }
}

int PrintCalendar(CommandContext& context, const absl::StatusOr<v1::BusinessCalendar>& calendar) {
  const int code = context.PrintResult(calendar);
  if (code == kExitOk) {
    PrintCompact(context, {{"hours", FormatWorkingHours(calendar->hours())},
                           {"holidays", FormatHolidays(calendar->holidays())}});
  }
  return code;
}

int PrintPolicy(CommandContext& context, const absl::StatusOr<v1::SlaPolicy>& policy) {
  const int code = context.PrintResult(policy);
  if (code == kExitOk) {
    PrintCompact(context, {{"targets", FormatTargets(policy->targets())},
                           {"escalation", FormatEscalation(policy->escalation())}});
  }
  return code;
}

int CreateCalendar(CommandContext& context) {
  return RunCreateWithLists<v1::CreateCalendarRequest>(
      context, [](v1::CreateCalendarRequest& r) { return r.mutable_calendar(); }, TakeCalendarLists,
      CalendarAliases(),
      [&](const auto& r) {
        return PrintCalendar(context, ServiceDesk(context).CreateCalendar(r));
      });
}

int GetCalendar(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetCalendarRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintCalendar(context, ServiceDesk(context).GetCalendar(request));
}

int ListCalendars(CommandContext& context) {
  v1::ListCalendarsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListCalendars,
                   &client::ServiceDeskClient::ListAllCalendars,
                   &v1::ListCalendarsResponse::calendars, CalendarColumns());
}

int UpdateCalendar(CommandContext& context) {
  return RunUpdateWithLists<v1::UpdateCalendarRequest>(
      context, [](v1::UpdateCalendarRequest& r) { return r.mutable_calendar(); }, TakeCalendarLists,
      CalendarAliases(),
      [&](const auto& r) {
        return PrintCalendar(context, ServiceDesk(context).UpdateCalendar(r));
      });
}

int CreatePolicy(CommandContext& context) {
  return RunCreateWithLists<v1::CreateSlaPolicyRequest>(
      context, [](v1::CreateSlaPolicyRequest& r) { return r.mutable_policy(); }, TakePolicyLists,
      PolicyAliases(),
      [&](const auto& r) { return PrintPolicy(context, ServiceDesk(context).CreateSlaPolicy(r)); });
}

int GetPolicy(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetSlaPolicyRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintPolicy(context, ServiceDesk(context).GetSlaPolicy(request));
}

int ListPolicies(CommandContext& context) {
  v1::ListSlaPoliciesRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListSlaPolicies,
                   &client::ServiceDeskClient::ListAllSlaPolicies,
                   &v1::ListSlaPoliciesResponse::policies, PolicyColumns());
}

int UpdatePolicy(CommandContext& context) {
  return RunUpdateWithLists<v1::UpdateSlaPolicyRequest>(
      context, [](v1::UpdateSlaPolicyRequest& r) { return r.mutable_policy(); }, TakePolicyLists,
      PolicyAliases(),
      [&](const auto& r) { return PrintPolicy(context, ServiceDesk(context).UpdateSlaPolicy(r)); });
}

int DeletePolicy(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::DeleteSlaPolicyRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  // The response is empty: say what happened rather than print nothing.
  absl::StatusOr<v1::DeleteSlaPolicyResponse> response =
      ServiceDesk(context).DeleteSlaPolicy(request);
  if (!response.ok()) return context.Fail(response.status());
  if (context.format() == OutputFormat::kJson) {
    context.out() << ToJsonLine(*response) << '\n';
  } else {
    context.out() << "deleted " << request.id() << '\n';
  }
  return kExitOk;
}

constexpr char kCalendarFields[] =
    "time_zone=Europe/Berlin hours=\"mon-fri 09:00-17:00; sat 10:00-14:00\" "
    "[holidays=\"2026-12-25 Christmas; 2027-01-01\"]";

constexpr char kPolicyFields[] =
    "[tiers=strategic,key,standard,potential] [categories=a,b] calendar=<id> "
    "targets=\"p1=60/240; p2=2h/1d\" [warning=1-99] "
    "[escalation=\"warning tier2; breach+60 managers/alice\"]";

}  // namespace

absl::StatusOr<std::vector<v1::WorkingHours>> ParseWorkingHours(absl::string_view text) {
  std::vector<v1::WorkingHours> hours;
  for (absl::string_view group : Items(text, ";")) {
    std::vector<absl::string_view> words = absl::StrSplit(group, ' ', absl::SkipWhitespace());
    if (words.size() < 2)
      return Invalid("hours", group, "days and intervals like mon-fri 09:00-17:00");
    absl::StatusOr<std::vector<int>> days = ParseDays(words[0]);
    if (!days.ok()) return days.status();
    std::vector<std::pair<int32_t, int32_t>> intervals;
    for (size_t i = 1; i < words.size(); ++i) {
      for (absl::string_view interval : Items(words[i], ",")) {
        std::vector<absl::string_view> ends = absl::StrSplit(interval, '-');
        if (ends.size() != 2) return Invalid("hours", interval, "an interval like 09:00-17:00");
        absl::StatusOr<int32_t> start = ParseClock(ends[0]);
        if (!start.ok()) return start.status();
        absl::StatusOr<int32_t> end = ParseClock(ends[1]);
        if (!end.ok()) return end.status();
        intervals.emplace_back(*start, *end);
      }
    }
    for (int day : *days) {
      for (const auto& [start, end] : intervals) {
        v1::WorkingHours& entry = hours.emplace_back();
        entry.set_weekday(day);
        entry.set_start_minute(start);
        entry.set_end_minute(end);
      }
    }
  }
  return hours;
}

std::string FormatWorkingHours(const google::protobuf::RepeatedPtrField<v1::WorkingHours>& hours) {
  // Each weekday's intervals, then runs of consecutive weekdays with the same ones joined.
  std::map<int, std::vector<std::string>> by_day;
  for (const v1::WorkingHours& entry : hours) {
    by_day[entry.weekday()].push_back(
        absl::StrCat(ClockText(entry.start_minute()), "-", ClockText(entry.end_minute())));
  }
  auto day_name = [](int day) {
    return day >= 1 && day <= 7 ? std::string(kWeekdays[day - 1]) : absl::StrCat("day", day);
  };
  std::vector<std::string> groups;
  for (auto it = by_day.begin(); it != by_day.end();) {
    auto last = it;
    auto next = std::next(it);
    while (next != by_day.end() && next->first == last->first + 1 && next->second == it->second) {
      last = next++;
    }
    const std::string days = it == last
                                 ? day_name(it->first)
                                 : absl::StrCat(day_name(it->first), "-", day_name(last->first));
    groups.push_back(absl::StrCat(days, " ", absl::StrJoin(it->second, ",")));
    it = next;
  }
  return absl::StrJoin(groups, "; ");
}

absl::StatusOr<std::vector<v1::CalendarHoliday>> ParseHolidays(absl::string_view text) {
  std::vector<v1::CalendarHoliday> holidays;
  for (absl::string_view item : Items(text, ";,")) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, absl::MaxSplits(' ', 1));
    v1::CalendarHoliday holiday;
    if (absl::Status s = SetFieldFromText(holiday, "date", parts[0]); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("holidays: ", s.message()));
    }
    if (parts.size() == 2) {
      holiday.set_name(std::string(absl::StripAsciiWhitespace(parts[1])));
    }
    holidays.push_back(std::move(holiday));
  }
  return holidays;
}

std::string FormatHolidays(const google::protobuf::RepeatedPtrField<v1::CalendarHoliday>& days) {
  std::vector<std::string> items;
  for (const v1::CalendarHoliday& holiday : days) {
    std::string item = FieldText(holiday, "date");
    if (!holiday.name().empty()) absl::StrAppend(&item, " ", holiday.name());
    items.push_back(std::move(item));
  }
  return absl::StrJoin(items, "; ");
}

absl::StatusOr<std::vector<v1::SlaPriorityTarget>> ParseTargets(absl::string_view text) {
  std::vector<v1::SlaPriorityTarget> targets;
  for (absl::string_view item : Items(text, ";,")) {
    std::vector<absl::string_view> sides = absl::StrSplit(item, absl::MaxSplits('=', 1));
    std::vector<absl::string_view> minutes;
    if (sides.size() == 2) {
      std::vector<absl::string_view> split = absl::StrSplit(sides[1], absl::MaxSplits('/', 1));
      minutes = std::move(split);
    }
    if (minutes.size() != 2) return Invalid("targets", item, "a target like p1=60/240");
    v1::SlaPriorityTarget target;
    if (absl::Status s = SetFieldFromText(target, "priority", sides[0]); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("targets: ", s.message()));
    }
    absl::StatusOr<int64_t> first_response = ParseMinutes("targets", minutes[0]);
    if (!first_response.ok()) return first_response.status();
    absl::StatusOr<int64_t> resolution = ParseMinutes("targets", minutes[1]);
    if (!resolution.ok()) return resolution.status();
    target.set_first_response_minutes(*first_response);
    target.set_resolution_minutes(*resolution);
    targets.push_back(std::move(target));
  }
  return targets;
}

std::string FormatTargets(
    const google::protobuf::RepeatedPtrField<v1::SlaPriorityTarget>& targets) {
  std::vector<std::string> items;
  for (const v1::SlaPriorityTarget& target : targets) {
    items.push_back(absl::StrCat(FieldText(target, "priority"), "=",
                                 MinutesText(target.first_response_minutes()), "/",
                                 MinutesText(target.resolution_minutes())));
  }
  return absl::StrJoin(items, "; ");
}

absl::StatusOr<std::vector<v1::EscalationStep>> ParseEscalation(absl::string_view text) {
  std::vector<v1::EscalationStep> steps;
  for (absl::string_view item : Items(text, ";")) {
    std::vector<absl::string_view> words = absl::StrSplit(item, ' ', absl::SkipWhitespace());
    if (words.size() != 2) {
      return Invalid("escalation", item, "a step like breach+60 managers/alice");
    }
    v1::EscalationStep step;
    step.set_level(static_cast<int32_t>(steps.size()) + 1);
    std::vector<absl::string_view> trigger = absl::StrSplit(words[0], absl::MaxSplits('+', 1));
    if (absl::Status s = SetFieldFromText(step, "trigger", trigger[0]); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("escalation: ", s.message()));
    }
    if (trigger.size() == 2) {
      absl::StatusOr<int64_t> after = ParseMinutes("escalation", trigger[1]);
      if (!after.ok()) return after.status();
      step.set_after_minutes(*after);
    }
    std::vector<absl::string_view> who = absl::StrSplit(words[1], absl::MaxSplits('/', 1));
    step.set_assignee_group(std::string(who[0]));
    if (who.size() == 2) step.set_assignee(std::string(who[1]));
    steps.push_back(std::move(step));
  }
  return steps;
}

std::string FormatEscalation(const google::protobuf::RepeatedPtrField<v1::EscalationStep>& steps) {
  std::vector<v1::EscalationStep> ordered(steps.begin(), steps.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.level() < b.level(); });
  std::vector<std::string> items;
  for (const v1::EscalationStep& step : ordered) {
    std::string item = FieldText(step, "trigger");
    if (step.after_minutes() != 0) absl::StrAppend(&item, "+", MinutesText(step.after_minutes()));
    absl::StrAppend(&item, " ", step.assignee_group());
    if (!step.assignee().empty()) absl::StrAppend(&item, "/", step.assignee());
    items.push_back(std::move(item));
  }
  return absl::StrJoin(items, "; ");
}

std::vector<Command> CalendarCommands() {
  return {
      {"calendars", "create", absl::StrCat("name=... ", kCalendarFields, " [request_id=]"),
       "Create a business calendar. hours: groups separated by ';', each days (mon, mon-fri, "
       "sat,sun) and intervals (09:00-12:00,13:00-17:00; 24:00 is midnight); holidays: a date "
       "and optional name per item",
       CreateCalendar},
      {"calendars", "get", "<id>", "Show one calendar", GetCalendar},
      {"calendars", "list", "[page_size=] [page_token=] [--all]", "List business calendars",
       ListCalendars},
      {"calendars", "update",
       "<id> [name=] [time_zone=] [hours=\"...\"] [holidays=\"...\"] [etag=...]",
       "Change a calendar (hours and holidays are replaced whole); applies to targets computed "
       "afterwards",
       UpdateCalendar},
  };
}

std::vector<Command> SlaPolicyCommands() {
  return {
      {"sla-policies", "create",
       absl::StrCat("name=... precedence=<n> ", kPolicyFields, " [request_id=]"),
       "Create an SLA policy. targets: priority=first response/resolution in business minutes "
       "(or 30m, 4h, 1d); escalation: per level in order, trigger warning|breach with optional "
       "+delay, then group[/assignee]",
       CreatePolicy},
      {"sla-policies", "get", "<id>", "Show one SLA policy", GetPolicy},
      {"sla-policies", "list", "[page_size=] [page_token=] [--all]",
       "List SLA policies in precedence order", ListPolicies},
      {"sla-policies", "update",
       "<id> [name=] [precedence=] [tiers=] [categories=] [calendar=<id>] [targets=\"...\"] "
       "[warning=] [escalation=\"...\"] [etag=...]",
       "Change a policy (targets and escalation are replaced whole)", UpdatePolicy},
      {"sla-policies", "delete", "<id> [etag=...]",
       "Delete a policy; tickets under it keep their targets", DeletePolicy},
  };
}

}  // namespace crm::crmctl
