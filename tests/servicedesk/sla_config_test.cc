// ServiceDeskService business calendars and SLA policies: CRUD, validation naming the field,
// etags, request-id replay, soft delete, and how a ticket is matched to a policy
// (ChooseSlaPolicy / LoadSlaPolicy / LoadBusinessCalendar on a session of the test database),
// through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/servicedesk/sla_resolution.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::BusinessCalendar;
using crm::v1::SlaPolicy;
using google::protobuf::util::MessageDifferencer;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownCalendarId[] = "cal_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownPolicyId[] = "slap_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr int kMonday = 1;
constexpr int kFriday = 5;

int Clock(int hour, int minute = 0) { return hour * 60 + minute; }

crm::v1::Date MakeDate(int year, int month, int day) {
  crm::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// Monday to Friday 09:00-17:00 in Berlin, with two holidays.
BusinessCalendar MakeCalendar(const std::string& name = "Berlin office") {
  BusinessCalendar c;
  c.set_name(name);
  c.set_time_zone("Europe/Berlin");
  for (int day = kMonday; day <= kFriday; ++day) {
    crm::v1::WorkingHours* h = c.add_hours();
    h->set_weekday(day);
    h->set_start_minute(Clock(9));
    h->set_end_minute(Clock(17));
  }
  crm::v1::CalendarHoliday* christmas = c.add_holidays();
  *christmas->mutable_date() = MakeDate(2026, 12, 25);
  christmas->set_name("Christmas Day");
  crm::v1::CalendarHoliday* new_year = c.add_holidays();
  *new_year->mutable_date() = MakeDate(2027, 1, 1);
  new_year->set_name("New Year");
  return c;
}

crm::v1::SlaPriorityTarget Target(crm::v1::TicketPriority priority, int64_t first, int64_t resolution) {
  crm::v1::SlaPriorityTarget t;
  t.set_priority(priority);
  t.set_first_response_minutes(first);
  t.set_resolution_minutes(resolution);
  return t;
}

SlaPolicy MakePolicy(const std::string& calendar_id, const std::string& name = "Standard support") {
  SlaPolicy p;
  p.set_name(name);
  p.set_precedence(100);
  p.set_calendar_id(calendar_id);
  *p.add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 30, 240);
  *p.add_targets() = Target(crm::v1::TICKET_PRIORITY_P2, 60, 480);
  crm::v1::EscalationStep* first = p.add_escalation();
  first->set_level(1);
  first->set_trigger(crm::v1::ESCALATION_TRIGGER_WARNING);
  first->set_assignee_group("tier2");
  crm::v1::EscalationStep* second = p.add_escalation();
  second->set_level(2);
  second->set_trigger(crm::v1::ESCALATION_TRIGGER_BREACH);
  second->set_after_minutes(30);
  second->set_assignee_group("managers");
  second->set_assignee("dana");
  return p;
}

class SlaConfigTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  grpc::Status CreateCalendar(const BusinessCalendar& calendar, BusinessCalendar* out,
                              const std::string& request_id = "") {
    crm::v1::CreateCalendarRequest request;
    *request.mutable_calendar() = calendar;
    request.set_request_id(request_id);
    return desk_->CreateCalendar(CallAs().get(), request, out);
  }

  BusinessCalendar MustCreateCalendar(const BusinessCalendar& calendar = MakeCalendar()) {
    BusinessCalendar out;
    grpc::Status s = CreateCalendar(calendar, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status GetCalendar(const std::string& id, BusinessCalendar* out) {
    crm::v1::GetCalendarRequest request;
    request.set_id(id);
    return desk_->GetCalendar(CallAs().get(), request, out);
  }

  grpc::Status UpdateCalendar(const BusinessCalendar& patch, const std::vector<std::string>& paths,
                              const std::string& etag, BusinessCalendar* out) {
    crm::v1::UpdateCalendarRequest request;
    *request.mutable_calendar() = patch;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_etag(etag);
    return desk_->UpdateCalendar(CallAs().get(), request, out);
  }

  grpc::Status CreatePolicy(const SlaPolicy& policy, SlaPolicy* out, const std::string& request_id = "") {
    crm::v1::CreateSlaPolicyRequest request;
    *request.mutable_policy() = policy;
    request.set_request_id(request_id);
    return desk_->CreateSlaPolicy(CallAs().get(), request, out);
  }

  SlaPolicy MustCreatePolicy(const SlaPolicy& policy) {
    SlaPolicy out;
    grpc::Status s = CreatePolicy(policy, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status GetPolicy(const std::string& id, SlaPolicy* out) {
    crm::v1::GetSlaPolicyRequest request;
    request.set_id(id);
    return desk_->GetSlaPolicy(CallAs().get(), request, out);
  }

  grpc::Status UpdatePolicy(const SlaPolicy& patch, const std::vector<std::string>& paths, const std::string& etag,
                            SlaPolicy* out) {
    crm::v1::UpdateSlaPolicyRequest request;
    *request.mutable_policy() = patch;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_etag(etag);
    return desk_->UpdateSlaPolicy(CallAs().get(), request, out);
  }

  grpc::Status DeletePolicy(const std::string& id, const std::string& etag) {
    crm::v1::DeleteSlaPolicyRequest request;
    request.set_id(id);
    request.set_etag(etag);
    crm::v1::DeleteSlaPolicyResponse response;
    return desk_->DeleteSlaPolicy(CallAs().get(), request, &response);
  }

  // Every live policy, following page tokens.
  std::vector<SlaPolicy> ListAllPolicies(int page_size, int* pages = nullptr) {
    std::vector<SlaPolicy> all;
    crm::v1::ListSlaPoliciesRequest request;
    request.set_page_size(page_size);
    int count = 0;
    do {
      crm::v1::ListSlaPoliciesResponse response;
      grpc::Status s = desk_->ListSlaPolicies(CallAs().get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++count;
      all.insert(all.end(), response.policies().begin(), response.policies().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty() && count < 100);
    if (pages != nullptr) *pages = count;
    return all;
  }

  std::vector<BusinessCalendar> ListAllCalendars(int page_size, int* pages = nullptr) {
    std::vector<BusinessCalendar> all;
    crm::v1::ListCalendarsRequest request;
    request.set_page_size(page_size);
    int count = 0;
    do {
      crm::v1::ListCalendarsResponse response;
      grpc::Status s = desk_->ListCalendars(CallAs().get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++count;
      all.insert(all.end(), response.calendars().begin(), response.calendars().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty() && count < 100);
    if (pages != nullptr) *pages = count;
    return all;
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  long long CountRows(const std::string& table) {
    long long n = -1;
    absl::Status s = server_->runtime().db->Read([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // Runs `work` on a pooled session of the server's database, as another area's transaction would.
  void WithSession(const std::function<void(soci::session&)>& work) {
    absl::Status s = server_->runtime().db->Read([&](soci::session& sql) {
      work(sql);
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  // The id of the policy ChooseSlaPolicy picks ("" for none), checking the target it returns.
  std::string Chosen(crm::v1::AccountTier tier, crm::v1::TicketPriority priority, const std::string& category) {
    std::string id;
    WithSession([&](soci::session& sql) {
      absl::StatusOr<std::optional<servicedesk::SlaChoice>> choice =
          servicedesk::ChooseSlaPolicy(sql, tier, priority, category);
      ASSERT_TRUE(choice.ok()) << choice.status();
      if (!choice->has_value()) return;
      EXPECT_EQ((*choice)->target.priority(), priority);
      bool listed = false;
      for (const auto& t : (*choice)->policy.targets()) {
        listed = listed || MessageDifferencer::Equals(t, (*choice)->target);
      }
      EXPECT_TRUE(listed) << "the target is not one of the policy's";
      id = (*choice)->policy.id();
    });
    return id;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

// Calendars.

TEST_P(SlaConfigTest, CalendarRoundTrip) {
  const BusinessCalendar asked = MakeCalendar();
  BusinessCalendar created = MustCreateCalendar(asked);
  EXPECT_FALSE(created.id().empty());
  EXPECT_FALSE(created.etag().empty());
  EXPECT_TRUE(created.has_create_time());
  EXPECT_EQ(created.name(), "Berlin office");
  EXPECT_EQ(created.time_zone(), "Europe/Berlin");
  ASSERT_EQ(created.hours_size(), 5);
  ASSERT_EQ(created.holidays_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(created.hours(4), asked.hours(4)));
  EXPECT_TRUE(MessageDifferencer::Equals(created.holidays(1), asked.holidays(1)));

  BusinessCalendar fetched;
  ASSERT_GRPC_OK(GetCalendar(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, created)) << fetched.DebugString() << created.DebugString();

  std::vector<crm::v1::Event> events = Events("calendar.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].actor(), "alice");

  BusinessCalendar missing;
  EXPECT_TRUE(HasCodeAndField(GetCalendar(kUnknownCalendarId, &missing), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(GetCalendar("", &missing), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(SlaConfigTest, CalendarListPagesInIdOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(MustCreateCalendar(MakeCalendar("Office " + std::to_string(i))).id());
  int pages = 0;
  std::vector<BusinessCalendar> listed = ListAllCalendars(2, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(listed.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(listed[i].id(), ids[i]);
  EXPECT_EQ(listed[3].name(), "Office 3");
  EXPECT_EQ(listed[3].hours_size(), 5);

  crm::v1::ListCalendarsRequest forged;
  forged.set_page_token("not-a-token");
  crm::v1::ListCalendarsResponse response;
  EXPECT_TRUE(HasCodeAndField(desk_->ListCalendars(CallAs().get(), forged, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(SlaConfigTest, CalendarUpdateWithMaskAndEtag) {
  BusinessCalendar created = MustCreateCalendar();
  server_->clock().Advance(absl::Minutes(5));

  BusinessCalendar patch;
  patch.set_id(created.id());
  patch.set_name("Berlin, extended");
  patch.set_time_zone("ignored/not in the mask");
  crm::v1::WorkingHours* saturday = patch.add_hours();
  saturday->set_weekday(6);
  saturday->set_start_minute(Clock(10));
  saturday->set_end_minute(Clock(14));
  BusinessCalendar updated;
  ASSERT_GRPC_OK(UpdateCalendar(patch, {"name", "hours"}, created.etag(), &updated));
  EXPECT_EQ(updated.name(), "Berlin, extended");
  EXPECT_EQ(updated.time_zone(), "Europe/Berlin");
  ASSERT_EQ(updated.hours_size(), 1);
  EXPECT_EQ(updated.hours(0).weekday(), 6);
  EXPECT_EQ(updated.holidays_size(), 2);
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_GT(updated.update_time().seconds(), created.update_time().seconds());

  BusinessCalendar fetched;
  ASSERT_GRPC_OK(GetCalendar(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, updated));
  ASSERT_EQ(Events("calendar.updated").size(), 1u);

  // The first etag is stale now: ABORTED, nothing changes.
  BusinessCalendar rename;
  rename.set_id(created.id());
  rename.set_name("Stale");
  BusinessCalendar out;
  EXPECT_TRUE(HasCodeAndField(UpdateCalendar(rename, {"name"}, created.etag(), &out), grpc::StatusCode::ABORTED));
  ASSERT_GRPC_OK(GetCalendar(created.id(), &fetched));
  EXPECT_EQ(fetched.name(), "Berlin, extended");
  EXPECT_EQ(Events("calendar.updated").size(), 1u);

  // Clearing the hours leaves a calendar with none: refused, nothing written.
  BusinessCalendar no_hours;
  no_hours.set_id(created.id());
  EXPECT_TRUE(HasCodeAndField(UpdateCalendar(no_hours, {"hours"}, updated.etag(), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "calendar.hours"));
  BusinessCalendar mars;
  mars.set_id(created.id());
  mars.set_time_zone("Mars/Olympus");
  EXPECT_TRUE(HasCodeAndField(UpdateCalendar(mars, {"time_zone"}, updated.etag(), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "calendar.time_zone"));
  ASSERT_GRPC_OK(GetCalendar(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, updated));

  // A mask naming a field that cannot be updated, and an unknown calendar.
  EXPECT_TRUE(HasCodeAndField(UpdateCalendar(rename, {"create_time"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[0]"));
  rename.set_id(kUnknownCalendarId);
  EXPECT_TRUE(HasCodeAndField(UpdateCalendar(rename, {"name"}, "", &out), grpc::StatusCode::NOT_FOUND, "calendar.id"));
  EXPECT_EQ(Events("calendar.updated").size(), 1u);
}

TEST_P(SlaConfigTest, CalendarBadInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::string name;
    std::function<void(BusinessCalendar&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no name", [](BusinessCalendar& c) { c.set_name("  "); }, "calendar.name"},
      {"no zone", [](BusinessCalendar& c) { c.clear_time_zone(); }, "calendar.time_zone"},
      {"unknown zone", [](BusinessCalendar& c) { c.set_time_zone("Mars/Olympus"); }, "calendar.time_zone"},
      {"no hours", [](BusinessCalendar& c) { c.clear_hours(); }, "calendar.hours"},
      {"weekday 8", [](BusinessCalendar& c) { c.mutable_hours(1)->set_weekday(8); }, "calendar.hours[1].weekday"},
      {"start before midnight", [](BusinessCalendar& c) { c.mutable_hours(1)->set_start_minute(-5); },
       "calendar.hours[1].start_minute"},
      {"end after midnight", [](BusinessCalendar& c) { c.mutable_hours(2)->set_end_minute(1441); },
       "calendar.hours[2].end_minute"},
      {"end before start", [](BusinessCalendar& c) { c.mutable_hours(0)->set_end_minute(Clock(8)); },
       "calendar.hours[0].end_minute"},
      {"overlapping hours",
       [](BusinessCalendar& c) {
         crm::v1::WorkingHours* lunch = c.add_hours();
         lunch->set_weekday(kMonday);
         lunch->set_start_minute(Clock(12));
         lunch->set_end_minute(Clock(18));
       },
       "calendar.hours[5]"},
      {"impossible holiday",
       [](BusinessCalendar& c) { *c.mutable_holidays(0)->mutable_date() = MakeDate(2026, 2, 30); },
       "calendar.holidays[0].date"},
      {"holiday without date", [](BusinessCalendar& c) { c.mutable_holidays(1)->clear_date(); },
       "calendar.holidays[1].date"},
      {"repeated holiday",
       [](BusinessCalendar& c) {
         crm::v1::CalendarHoliday* again = c.add_holidays();
         *again->mutable_date() = MakeDate(2026, 12, 25);
         again->set_name("Christmas again");
       },
       "calendar.holidays[2].date"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    BusinessCalendar calendar = MakeCalendar();
    c.spoil(calendar);
    BusinessCalendar out;
    EXPECT_TRUE(HasCodeAndField(CreateCalendar(calendar, &out), grpc::StatusCode::INVALID_ARGUMENT, c.field));
  }
  crm::v1::CreateCalendarRequest empty;
  BusinessCalendar out;
  EXPECT_TRUE(HasCodeAndField(desk_->CreateCalendar(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "calendar"));
  EXPECT_EQ(CountRows("business_calendars"), 0);
  EXPECT_EQ(CountRows("events"), 0);
}

TEST_P(SlaConfigTest, CalendarCreateReplaysRequestId) {
  BusinessCalendar first, second;
  ASSERT_GRPC_OK(CreateCalendar(MakeCalendar(), &first, "req-cal-1"));
  server_->clock().Advance(absl::Seconds(3));
  ASSERT_GRPC_OK(CreateCalendar(MakeCalendar(), &second, "req-cal-1"));
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));
  EXPECT_EQ(CountRows("business_calendars"), 1);
  EXPECT_EQ(Events("calendar.created").size(), 1u);

  // The same request id with another body is a different request.
  BusinessCalendar other;
  EXPECT_TRUE(HasCodeAndField(CreateCalendar(MakeCalendar("Other"), &other, "req-cal-1"),
                              grpc::StatusCode::ALREADY_EXISTS, "request_id"));
  EXPECT_EQ(CountRows("business_calendars"), 1);
}

// SLA policies.

TEST_P(SlaConfigTest, PolicyRoundTrip) {
  const std::string calendar_id = MustCreateCalendar().id();
  SlaPolicy asked = MakePolicy(calendar_id);
  asked.add_tiers(crm::v1::ACCOUNT_TIER_KEY);
  asked.add_tiers(crm::v1::ACCOUNT_TIER_STRATEGIC);
  asked.add_categories("billing");
  SlaPolicy created = MustCreatePolicy(asked);
  EXPECT_FALSE(created.id().empty());
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(created.warning_percent(), 80) << "0 means the default";
  EXPECT_EQ(created.calendar_id(), calendar_id);
  ASSERT_EQ(created.tiers_size(), 2);
  EXPECT_EQ(created.tiers(1), crm::v1::ACCOUNT_TIER_STRATEGIC);
  ASSERT_EQ(created.categories_size(), 1);
  ASSERT_EQ(created.targets_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(created.targets(1), asked.targets(1)));
  ASSERT_EQ(created.escalation_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(created.escalation(1), asked.escalation(1)));

  SlaPolicy fetched;
  ASSERT_GRPC_OK(GetPolicy(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, created)) << fetched.DebugString() << created.DebugString();
  ASSERT_EQ(Events("sla_policy.created").size(), 1u);

  SlaPolicy missing;
  EXPECT_TRUE(HasCodeAndField(GetPolicy(kUnknownPolicyId, &missing), grpc::StatusCode::NOT_FOUND, "id"));
}

TEST_P(SlaConfigTest, PolicyListFollowsPrecedenceThenId) {
  const std::string calendar_id = MustCreateCalendar().id();
  const std::vector<int> precedences = {30, 10, 20, 10, -5, 30};
  std::vector<SlaPolicy> created;
  for (size_t i = 0; i < precedences.size(); ++i) {
    SlaPolicy p = MakePolicy(calendar_id, "Policy " + std::to_string(i));
    p.set_precedence(precedences[i]);
    created.push_back(MustCreatePolicy(p));
  }
  // Expected: -5 (4); 10 (1, 3); 20 (2); 30 (0, 5). Ids grow with creation order.
  const std::vector<size_t> order = {4, 1, 3, 2, 0, 5};
  int pages = 0;
  std::vector<SlaPolicy> listed = ListAllPolicies(2, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(listed.size(), order.size());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(listed[i].id(), created[order[i]].id()) << i;

  // A deleted policy leaves the list.
  ASSERT_GRPC_OK(DeletePolicy(created[3].id(), ""));
  listed = ListAllPolicies(1000);
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(listed[1].id(), created[1].id());
  EXPECT_EQ(listed[2].id(), created[2].id());

  crm::v1::ListSlaPoliciesRequest forged;
  forged.set_page_token("AAAA");
  crm::v1::ListSlaPoliciesResponse response;
  EXPECT_TRUE(HasCodeAndField(desk_->ListSlaPolicies(CallAs().get(), forged, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(SlaConfigTest, PolicyUpdateWithMaskAndEtag) {
  const std::string calendar_id = MustCreateCalendar().id();
  const std::string other_calendar = MustCreateCalendar(MakeCalendar("Other")).id();
  SlaPolicy created = MustCreatePolicy(MakePolicy(calendar_id));

  SlaPolicy patch;
  patch.set_id(created.id());
  patch.set_precedence(7);
  patch.set_warning_percent(60);
  patch.set_calendar_id(other_calendar);
  *patch.add_targets() = Target(crm::v1::TICKET_PRIORITY_P4, 480, 4800);
  patch.set_name("not in the mask");
  SlaPolicy updated;
  ASSERT_GRPC_OK(
      UpdatePolicy(patch, {"precedence", "warning_percent", "calendar_id", "targets"}, created.etag(), &updated));
  EXPECT_EQ(updated.name(), created.name());
  EXPECT_EQ(updated.precedence(), 7);
  EXPECT_EQ(updated.warning_percent(), 60);
  EXPECT_EQ(updated.calendar_id(), other_calendar);
  ASSERT_EQ(updated.targets_size(), 1);
  EXPECT_EQ(updated.targets(0).priority(), crm::v1::TICKET_PRIORITY_P4);
  EXPECT_EQ(updated.escalation_size(), 2);
  EXPECT_NE(updated.etag(), created.etag());
  SlaPolicy fetched;
  ASSERT_GRPC_OK(GetPolicy(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, updated));
  ASSERT_EQ(Events("sla_policy.updated").size(), 1u);

  // Stale etag: ABORTED, nothing changes.
  SlaPolicy rename;
  rename.set_id(created.id());
  rename.set_name("Renamed");
  SlaPolicy out;
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(rename, {"name"}, created.etag(), &out), grpc::StatusCode::ABORTED));
  // An unknown calendar: NOT_FOUND naming it, nothing changes.
  SlaPolicy moved;
  moved.set_id(created.id());
  moved.set_calendar_id(kUnknownCalendarId);
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(moved, {"calendar_id"}, updated.etag(), &out), grpc::StatusCode::NOT_FOUND,
                              "policy.calendar_id"));
  // Clearing the targets leaves none: refused.
  SlaPolicy no_targets;
  no_targets.set_id(created.id());
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(no_targets, {"targets"}, updated.etag(), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "policy.targets"));
  ASSERT_GRPC_OK(GetPolicy(created.id(), &fetched));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, updated));
  EXPECT_EQ(Events("sla_policy.updated").size(), 1u);

  // An explicit 0 warning means the default again.
  SlaPolicy default_warning;
  default_warning.set_id(created.id());
  ASSERT_GRPC_OK(UpdatePolicy(default_warning, {"warning_percent"}, updated.etag(), &out));
  EXPECT_EQ(out.warning_percent(), 80);
}

TEST_P(SlaConfigTest, PolicyBadInputNamesTheFieldAndWritesNothing) {
  const std::string calendar_id = MustCreateCalendar().id();
  const long long events_before = CountRows("events");
  struct Case {
    std::string name;
    std::function<void(SlaPolicy&)> spoil;
    grpc::StatusCode code;
    std::string field;
  };
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const std::vector<Case> cases = {
      {"no name", [](SlaPolicy& p) { p.clear_name(); }, invalid, "policy.name"},
      {"no calendar", [](SlaPolicy& p) { p.clear_calendar_id(); }, invalid, "policy.calendar_id"},
      {"unknown calendar", [](SlaPolicy& p) { p.set_calendar_id(kUnknownCalendarId); }, grpc::StatusCode::NOT_FOUND,
       "policy.calendar_id"},
      {"unknown tier", [](SlaPolicy& p) { p.add_tiers(static_cast<crm::v1::AccountTier>(42)); }, invalid,
       "policy.tiers[0]"},
      {"repeated tier",
       [](SlaPolicy& p) {
         p.add_tiers(crm::v1::ACCOUNT_TIER_KEY);
         p.add_tiers(crm::v1::ACCOUNT_TIER_STANDARD);
         p.add_tiers(crm::v1::ACCOUNT_TIER_KEY);
       },
       invalid, "policy.tiers[2]"},
      {"repeated category",
       [](SlaPolicy& p) {
         p.add_categories("billing");
         p.add_categories("billing");
       },
       invalid, "policy.categories[1]"},
      {"no targets", [](SlaPolicy& p) { p.clear_targets(); }, invalid, "policy.targets"},
      {"no priority", [](SlaPolicy& p) { p.mutable_targets(0)->set_priority(crm::v1::TICKET_PRIORITY_UNSPECIFIED); },
       invalid, "policy.targets[0].priority"},
      {"unknown priority",
       [](SlaPolicy& p) { p.mutable_targets(1)->set_priority(static_cast<crm::v1::TicketPriority>(9)); }, invalid,
       "policy.targets[1].priority"},
      {"repeated priority", [](SlaPolicy& p) { p.mutable_targets(1)->set_priority(crm::v1::TICKET_PRIORITY_P1); },
       invalid, "policy.targets[1].priority"},
      {"zero first response", [](SlaPolicy& p) { p.mutable_targets(0)->set_first_response_minutes(0); }, invalid,
       "policy.targets[0].first_response_minutes"},
      {"negative resolution", [](SlaPolicy& p) { p.mutable_targets(1)->set_resolution_minutes(-1); }, invalid,
       "policy.targets[1].resolution_minutes"},
      {"resolution before first response", [](SlaPolicy& p) { p.mutable_targets(0)->set_resolution_minutes(10); },
       invalid, "policy.targets[0].resolution_minutes"},
      {"warning 100", [](SlaPolicy& p) { p.set_warning_percent(100); }, invalid, "policy.warning_percent"},
      {"negative warning", [](SlaPolicy& p) { p.set_warning_percent(-1); }, invalid, "policy.warning_percent"},
      {"levels out of order", [](SlaPolicy& p) { p.mutable_escalation(1)->set_level(3); }, invalid,
       "policy.escalation[1].level"},
      {"level 0", [](SlaPolicy& p) { p.mutable_escalation(0)->set_level(0); }, invalid, "policy.escalation[0].level"},
      {"no trigger",
       [](SlaPolicy& p) { p.mutable_escalation(0)->set_trigger(crm::v1::ESCALATION_TRIGGER_UNSPECIFIED); }, invalid,
       "policy.escalation[0].trigger"},
      {"unknown trigger",
       [](SlaPolicy& p) { p.mutable_escalation(1)->set_trigger(static_cast<crm::v1::EscalationTrigger>(7)); }, invalid,
       "policy.escalation[1].trigger"},
      {"no group", [](SlaPolicy& p) { p.mutable_escalation(1)->clear_assignee_group(); }, invalid,
       "policy.escalation[1].assignee_group"},
      {"negative delay", [](SlaPolicy& p) { p.mutable_escalation(0)->set_after_minutes(-1); }, invalid,
       "policy.escalation[0].after_minutes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SlaPolicy policy = MakePolicy(calendar_id);
    c.spoil(policy);
    SlaPolicy out;
    EXPECT_TRUE(HasCodeAndField(CreatePolicy(policy, &out), c.code, c.field));
  }
  EXPECT_EQ(CountRows("sla_policies"), 0);
  EXPECT_EQ(CountRows("events"), events_before);
}

TEST_P(SlaConfigTest, PolicyCreateReplaysRequestId) {
  const std::string calendar_id = MustCreateCalendar().id();
  SlaPolicy first, second;
  ASSERT_GRPC_OK(CreatePolicy(MakePolicy(calendar_id), &first, "req-pol-1"));
  ASSERT_GRPC_OK(CreatePolicy(MakePolicy(calendar_id), &second, "req-pol-1"));
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));
  EXPECT_EQ(CountRows("sla_policies"), 1);
  EXPECT_EQ(Events("sla_policy.created").size(), 1u);

  // Deleted since: the replay still creates nothing.
  ASSERT_GRPC_OK(DeletePolicy(first.id(), first.etag()));
  SlaPolicy third;
  EXPECT_TRUE(HasCodeAndField(CreatePolicy(MakePolicy(calendar_id), &third, "req-pol-1"), grpc::StatusCode::NOT_FOUND,
                              "request_id"));
  EXPECT_EQ(CountRows("sla_policies"), 1);
}

TEST_P(SlaConfigTest, DeleteIsSoftAndGuardedByEtag) {
  const std::string calendar_id = MustCreateCalendar().id();
  SlaPolicy created = MustCreatePolicy(MakePolicy(calendar_id));
  SlaPolicy renamed_patch;
  renamed_patch.set_id(created.id());
  renamed_patch.set_name("Renamed");
  SlaPolicy renamed;
  ASSERT_GRPC_OK(UpdatePolicy(renamed_patch, {"name"}, created.etag(), &renamed));

  EXPECT_TRUE(HasCodeAndField(DeletePolicy(created.id(), created.etag()), grpc::StatusCode::ABORTED));
  SlaPolicy fetched;
  ASSERT_GRPC_OK(GetPolicy(created.id(), &fetched));
  EXPECT_TRUE(HasCodeAndField(DeletePolicy(kUnknownPolicyId, ""), grpc::StatusCode::NOT_FOUND, "id"));

  ASSERT_GRPC_OK(DeletePolicy(created.id(), renamed.etag()));
  EXPECT_TRUE(HasCodeAndField(GetPolicy(created.id(), &fetched), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(DeletePolicy(created.id(), ""), grpc::StatusCode::NOT_FOUND, "id"));
  SlaPolicy out;
  EXPECT_TRUE(
      HasCodeAndField(UpdatePolicy(renamed_patch, {"name"}, "", &out), grpc::StatusCode::NOT_FOUND, "policy.id"));
  std::vector<crm::v1::Event> deleted = Events("sla_policy.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].entity_id(), created.id());
  EXPECT_EQ(deleted[0].change(), crm::v1::CHANGE_KIND_DELETED);

  // Tickets targeted under it still load it, as it was.
  WithSession([&](soci::session& sql) {
    absl::StatusOr<SlaPolicy> loaded = servicedesk::LoadSlaPolicy(sql, created.id());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->name(), "Renamed");
    EXPECT_EQ(loaded->targets_size(), 2);
    EXPECT_EQ(loaded->escalation_size(), 2);
    EXPECT_TRUE(
        HasCodeAndField(servicedesk::LoadSlaPolicy(sql, kUnknownPolicyId).status(), absl::StatusCode::kNotFound));
  });
  EXPECT_EQ(Chosen(crm::v1::ACCOUNT_TIER_KEY, crm::v1::TICKET_PRIORITY_P1, ""), "");
}

TEST_P(SlaConfigTest, ChooseFollowsPrecedenceAndMatching) {
  const std::string calendar_id = MustCreateCalendar().id();
  auto make = [&](const std::string& name, int precedence, std::vector<crm::v1::AccountTier> tiers,
                  std::vector<std::string> categories, std::vector<crm::v1::TicketPriority> priorities) {
    SlaPolicy p;
    p.set_name(name);
    p.set_precedence(precedence);
    p.set_calendar_id(calendar_id);
    for (auto tier : tiers) p.add_tiers(tier);
    for (const auto& category : categories) p.add_categories(category);
    int64_t minutes = 10 * precedence;
    for (auto priority : priorities) *p.add_targets() = Target(priority, minutes, minutes * 4);
    return MustCreatePolicy(p);
  };
  using crm::v1::ACCOUNT_TIER_KEY;
  using crm::v1::ACCOUNT_TIER_STRATEGIC;
  using crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  using crm::v1::TICKET_PRIORITY_P1;
  using crm::v1::TICKET_PRIORITY_P2;
  using crm::v1::TICKET_PRIORITY_P3;
  using crm::v1::TICKET_PRIORITY_P4;
  const SlaPolicy strategic =
      make("Strategic", 10, {ACCOUNT_TIER_STRATEGIC}, {}, {TICKET_PRIORITY_P1, TICKET_PRIORITY_P2});
  const SlaPolicy billing = make("Billing", 20, {}, {"billing"},
                                 {TICKET_PRIORITY_P1, TICKET_PRIORITY_P2, TICKET_PRIORITY_P3, TICKET_PRIORITY_P4});
  const SlaPolicy fallback = make("Fallback P3", 30, {}, {}, {TICKET_PRIORITY_P3});
  const SlaPolicy key = make("Key", 5, {ACCOUNT_TIER_KEY}, {}, {TICKET_PRIORITY_P1});
  // Same precedence as "Strategic" but created later (a larger id): "Strategic" wins the tie.
  const SlaPolicy strategic_twin = make("Strategic twin", 10, {ACCOUNT_TIER_STRATEGIC}, {}, {TICKET_PRIORITY_P1});

  EXPECT_EQ(Chosen(ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P1, "network"), strategic.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P3, "network"), fallback.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P3, "billing"), billing.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_KEY, TICKET_PRIORITY_P1, ""), key.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_KEY, TICKET_PRIORITY_P1, "billing"), key.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_UNSPECIFIED, TICKET_PRIORITY_P4, "billing"), billing.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_UNSPECIFIED, TICKET_PRIORITY_P4, "network"), "");
  EXPECT_EQ(Chosen(ACCOUNT_TIER_KEY, TICKET_PRIORITY_P2, "network"), "");
  EXPECT_EQ(Chosen(ACCOUNT_TIER_UNSPECIFIED, TICKET_PRIORITY_P3, ""), fallback.id());

  // The target handed back is the chosen policy's for that priority.
  WithSession([&](soci::session& sql) {
    auto choice = servicedesk::ChooseSlaPolicy(sql, ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P2, "x");
    ASSERT_TRUE(choice.ok() && choice->has_value());
    EXPECT_EQ((*choice)->target.first_response_minutes(), 100);
    EXPECT_EQ((*choice)->target.resolution_minutes(), 400);
  });

  // Moving "Strategic" behind its twin hands P1 to the twin; deleting "Key" leaves KEY P1 without
  // a policy.
  SlaPolicy patch;
  patch.set_id(strategic.id());
  patch.set_precedence(40);
  SlaPolicy out;
  ASSERT_GRPC_OK(UpdatePolicy(patch, {"precedence"}, "", &out));
  EXPECT_EQ(Chosen(ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P1, "network"), strategic_twin.id());
  EXPECT_EQ(Chosen(ACCOUNT_TIER_STRATEGIC, TICKET_PRIORITY_P2, "network"), strategic.id());
  ASSERT_GRPC_OK(DeletePolicy(key.id(), key.etag()));
  EXPECT_EQ(Chosen(ACCOUNT_TIER_KEY, TICKET_PRIORITY_P1, "network"), "");
  EXPECT_EQ(Chosen(ACCOUNT_TIER_KEY, TICKET_PRIORITY_P1, "billing"), billing.id());
  WithSession([&](soci::session& sql) {
    absl::StatusOr<SlaPolicy> loaded = servicedesk::LoadSlaPolicy(sql, key.id());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->name(), "Key");
  });
}

// The same rules seen through tickets: a new ticket takes the chosen policy's targets; after the
// policy is deleted the ticket still carries (and loads) it, and new tickets find none.
TEST_P(SlaConfigTest, TicketsFollowTheChosenPolicyAndKeepADeletedOne) {
  const std::string calendar_id = MustCreateCalendar().id();
  SlaPolicy policy = MustCreatePolicy(MakePolicy(calendar_id));
  auto accounts = crm::v1::AccountService::NewStub(server_->channel());
  crm::v1::CreateAccountRequest account_request;
  account_request.mutable_account()->set_name("Acme GmbH");
  account_request.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account_request.mutable_account()->set_owner("alice");
  crm::v1::Account account;
  ASSERT_GRPC_OK(accounts->CreateAccount(CallAs().get(), account_request, &account));

  auto create_ticket = [&](crm::v1::TicketPriority priority, crm::v1::Ticket* out) {
    crm::v1::CreateTicketRequest request;
    request.mutable_ticket()->set_account_id(account.id());
    request.mutable_ticket()->set_subject("Printer on fire");
    request.mutable_ticket()->set_priority(priority);
    return desk_->CreateTicket(CallAs().get(), request, out);
  };
  crm::v1::Ticket ticket;
  ASSERT_GRPC_OK(create_ticket(crm::v1::TICKET_PRIORITY_P2, &ticket));
  EXPECT_EQ(ticket.sla_policy_id(), policy.id());
  EXPECT_EQ(ticket.calendar_id(), calendar_id);
  EXPECT_EQ(ticket.first_response().target_minutes(), 60);
  EXPECT_EQ(ticket.resolution().target_minutes(), 480);
  // No target for P4: no SLA.
  crm::v1::Ticket untargeted;
  ASSERT_GRPC_OK(create_ticket(crm::v1::TICKET_PRIORITY_P4, &untargeted));
  EXPECT_EQ(untargeted.sla_policy_id(), "");

  ASSERT_GRPC_OK(DeletePolicy(policy.id(), policy.etag()));
  crm::v1::GetTicketRequest get;
  get.set_id(ticket.id());
  crm::v1::Ticket kept;
  ASSERT_GRPC_OK(desk_->GetTicket(CallAs().get(), get, &kept));
  EXPECT_EQ(kept.sla_policy_id(), policy.id());
  EXPECT_EQ(kept.first_response().target_minutes(), 60);
  crm::v1::Ticket later;
  ASSERT_GRPC_OK(create_ticket(crm::v1::TICKET_PRIORITY_P2, &later));
  EXPECT_EQ(later.sla_policy_id(), "");
}

TEST_P(SlaConfigTest, LoadBusinessCalendarForArithmetic) {
  const BusinessCalendar created = MustCreateCalendar();
  WithSession([&](soci::session& sql) {
    absl::StatusOr<servicedesk::BusinessCalendar> calendar = servicedesk::LoadBusinessCalendar(sql, created.id());
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    const absl::TimeZone berlin = calendar->time_zone();
    // Thursday 2026-12-24 16:00 Berlin + 2 business hours: the 25th is a holiday, so Friday the
    // 25th does not count and the 26th/27th are a weekend: Monday 28th 10:00.
    const absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 12, 24, 16, 0, 0), berlin);
    const absl::Time due = calendar->AddBusinessTime(start, absl::Hours(2), {});
    EXPECT_EQ(due, absl::FromCivil(absl::CivilSecond(2026, 12, 28, 10, 0, 0), berlin));
    EXPECT_TRUE(HasCodeAndField(servicedesk::LoadBusinessCalendar(sql, kUnknownCalendarId).status(),
                                absl::StatusCode::kNotFound));
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, SlaConfigTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
