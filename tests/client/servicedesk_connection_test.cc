// The retry and request-id rules of DefaultServiceDeskConnection, RPC by RPC, against a fake
// stub; the service desk mocks behind the public factories; ListAll* paging through
// ServiceDeskClient; and crmctl's compact syntax for calendars and SLA policies.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "clients/crmctl/sla_commands.h"
#include "clients/gateway/mocks/mock_servicedesk_connection.h"
#include "clients/gateway/mocks/mock_servicedesk_stub.h"
#include "clients/gateway/servicedesk_client.h"
#include "clients/gateway/servicedesk_connection_impl.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;
using testing::FakeServiceDeskStub;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& ServiceDeskService() {
  return *v1::Ticket::descriptor()->file()->FindServiceByName("ServiceDeskService");
}

// The policy of every RPC, written out here independently of servicedesk_rpcs.h, so that a row
// filed under the wrong kind there fails this test.
const std::set<std::string> kReads = {"GetTicket",         "ListTickets",     "ListComments",
                                      "ListTicketHistory", "ExplainDeadline", "GetCalendar",
                                      "ListCalendars",     "GetSlaPolicy",    "ListSlaPolicies",
                                      "GetSolution",       "ListSolutions",   "SearchSolutions",
                                      "ListSolutionLinks", "GetSurvey",       "GetServiceMetrics"};
// Each takes a request_id that the server replays.
const std::set<std::string> kCreates = {"CreateTicket", "AddComment", "CreateCalendar",
                                        "CreateSlaPolicy", "CreateSolution"};
// Sent once: no request_id, and a repeat is not answered with the first result (a stale etag,
// a second escalation level, ALREADY_EXISTS for a survey that was recorded).
const std::set<std::string> kChanges = {"UpdateTicket",    "AssignTicket",    "ChangeTicketStatus",
                                        "ReopenTicket",    "EscalateTicket",  "UpdateCalendar",
                                        "UpdateSlaPolicy", "DeleteSlaPolicy", "UpdateSolution",
                                        "DeleteSolution",  "LinkSolution",    "SubmitSurvey"};

// Every RPC by name, called with an empty request; returns the final status.
const testing::RpcsByName<ServiceDeskConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<ServiceDeskConnection>{CRM_SERVICEDESK_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

class ServiceDeskConnectionTest
    : public testing::ConnectionTest<FakeServiceDeskStub, internal::DefaultServiceDeskConnection> {
 protected:
  // The request_id that attempt `i` sent, read from its request by the RPC's input type.
  std::string RequestIdOfCall(size_t i) {
    const testing::RecordedCall& call = stub_->calls().at(i);
    const google::protobuf::MethodDescriptor* method =
        ServiceDeskService().FindMethodByName(call.method);
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    EXPECT_TRUE(request->ParseFromString(call.request));
    const google::protobuf::FieldDescriptor* field =
        request->GetDescriptor()->FindFieldByName("request_id");
    EXPECT_NE(field, nullptr) << call.method << " has no request_id";
    return field == nullptr ? "" : request->GetReflection()->GetString(*request, field);
  }
};

TEST_F(ServiceDeskConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(ServiceDeskService(), Rpcs(), {&kReads, &kCreates, &kChanges});
}

TEST_F(ServiceDeskConnectionTest, EveryCreateKindRpcHasARequestIdAndNoOtherDoes) {
  testing::ExpectRequestIdsExactlyOn(ServiceDeskService(), kCreates);
}

TEST_F(ServiceDeskConnectionTest, ReadsAreRetriedOnUnavailable) {
  auto connection = Connection();
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), kReads);
}

TEST_F(ServiceDeskConnectionTest, CreatesGetARequestIdThatEveryAttemptRepeats) {
  auto connection = Connection();
  for (const std::string& rpc : kCreates) {
    const size_t first = stub_->calls().size();
    stub_->FailNext(rpc, Unavailable());
    EXPECT_TRUE(Rpcs().at(rpc)(connection).ok()) << rpc;
    ASSERT_EQ(stub_->CallCount(rpc), 2) << rpc;
    EXPECT_FALSE(RequestIdOfCall(first).empty()) << rpc;
    EXPECT_EQ(RequestIdOfCall(first), RequestIdOfCall(first + 1)) << rpc;
  }
  // A fresh id per call, not per connection.
  EXPECT_NE(RequestIdOfCall(0), RequestIdOfCall(2));
}

TEST_F(ServiceDeskConnectionTest, CreatesKeepTheCallersRequestIdAndRequest) {
  stub_->FailNext("CreateTicket", Unavailable());
  stub_->FailNext("AddComment", Unavailable());
  v1::CreateTicketRequest create;
  create.set_request_id("mine");
  create.mutable_ticket()->set_subject("Printer on fire");
  create.mutable_ticket()->set_priority(v1::TICKET_PRIORITY_P1);
  v1::AddCommentRequest comment;
  comment.set_request_id("reply-once");
  comment.mutable_comment()->set_body("On our way");

  auto connection = Connection();
  EXPECT_TRUE(connection.CreateTicket(create).ok());
  EXPECT_TRUE(connection.AddComment(comment).ok());
  ASSERT_EQ(stub_->calls().size(), 4u);
  EXPECT_EQ(RequestIdOfCall(0), "mine");
  EXPECT_EQ(RequestIdOfCall(1), "mine");
  EXPECT_EQ(RequestIdOfCall(2), "reply-once");
  EXPECT_EQ(RequestIdOfCall(3), "reply-once");
  v1::CreateTicketRequest sent;
  ASSERT_TRUE(sent.ParseFromString(stub_->calls()[1].request));
  EXPECT_EQ(sent.ticket().subject(), "Printer on fire");
  EXPECT_EQ(sent.ticket().priority(), v1::TICKET_PRIORITY_P1);
  EXPECT_EQ(ids_, 2);  // one correlation id per call; no request id was invented
}

TEST_F(ServiceDeskConnectionTest, ChangesAreSentOnceEvenWithAnEtag) {
  auto connection = Connection();
  for (const std::string& rpc : kChanges) {
    stub_->FailNext(rpc, Unavailable());
    absl::Status status = Rpcs().at(rpc)(connection);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << rpc;
    EXPECT_EQ(status.message(), "connection refused") << rpc;  // not "gave up after ..."
    EXPECT_EQ(stub_->CallCount(rpc), 1) << rpc;
  }
  v1::EscalateTicketRequest escalate;
  escalate.set_id("tkt_1");
  escalate.set_reason("customer called twice");
  escalate.set_etag("3");
  stub_->FailNext("EscalateTicket", Unavailable());
  EXPECT_EQ(connection.EscalateTicket(escalate).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("EscalateTicket"), 2);  // one per call above
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(ServiceDeskConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {
      absl::UnimplementedError("not yet"), absl::DeadlineExceededError("slow"),
      absl::FailedPreconditionError("closed"), absl::NotFoundError("id")};
  auto connection = Connection();
  for (const absl::Status& answer : answers) {
    stub_->FailNext("GetTicket", answer);
    EXPECT_EQ(connection.GetTicket({}).status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("GetTicket"), 4);
}

TEST_F(ServiceDeskConnectionTest, ReadsGiveUpAfterMaxAttemptsWithBackoff) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("SearchSolutions", Unavailable());
  policy_.retry.max_attempts = 3;

  absl::StatusOr<v1::SearchSolutionsResponse> result = Connection().SearchSolutions({});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("connection refused (gave up after 3 attempts)"));
  EXPECT_EQ(stub_->CallCount("SearchSolutions"), 3);
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
}

TEST_F(ServiceDeskConnectionTest, MetadataDecoratorSendsTokenAndOneCorrelationId) {
  auto decorated = std::make_shared<MetadataServiceDeskStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultServiceDeskConnection connection(decorated, policy_);
  stub_->FailNext("ExplainDeadline", Unavailable());
  EXPECT_TRUE(connection.ExplainDeadline({}).ok());

  ASSERT_EQ(stub_->calls().size(), 2u);
  for (const testing::RecordedCall& call : stub_->calls()) {
    EXPECT_THAT(call.metadata,
                ::testing::UnorderedElementsAre(Pair("authorization", "Bearer t0ken"),
                                                Pair("x-request-id", "id-1")));
  }
}

ClientOptions FastRetries() {
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  return options;
}

TEST(ServiceDeskMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockServiceDeskStub>();
  std::vector<std::string> request_ids;
  v1::BusinessCalendar created;
  created.set_id("cal_1");
  EXPECT_CALL(*stub, CreateCalendar(_, _))
      .WillOnce([&](grpc::ClientContext&, const v1::CreateCalendarRequest& request) {
        request_ids.push_back(request.request_id());
        return absl::UnavailableError("blip");
      })
      .WillOnce([&](grpc::ClientContext&, const v1::CreateCalendarRequest& request) {
        request_ids.push_back(request.request_id());
        return created;
      });
  ServiceDeskClient client(MakeServiceDeskConnection(stub, FastRetries()));

  absl::StatusOr<v1::BusinessCalendar> calendar =
      client.CreateCalendar(v1::CreateCalendarRequest());
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_EQ(calendar->id(), "cal_1");
  ASSERT_EQ(request_ids.size(), 2u);
  EXPECT_FALSE(request_ids[0].empty());
  EXPECT_EQ(request_ids[0], request_ids[1]);
}

TEST(ServiceDeskMocksTest, MockConnectionBehindTheClient) {
  auto connection = std::make_shared<mocks::MockServiceDeskConnection>();
  v1::ServiceMetrics metrics;
  metrics.mutable_totals()->set_tickets_created(7);
  EXPECT_CALL(*connection,
              GetServiceMetrics(::testing::Property(&v1::GetServiceMetricsRequest::agent, "bob")))
      .WillOnce(Return(metrics));
  ServiceDeskClient client(connection);

  v1::GetServiceMetricsRequest request;
  request.set_agent("bob");
  absl::StatusOr<v1::ServiceMetrics> result = client.GetServiceMetrics(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->totals().tickets_created(), 7);
}

template <typename Request>
::testing::Matcher<const Request&> WithToken(const std::string& token) {
  return ::testing::Property(&Request::page_token, token);
}

TEST(ServiceDeskPaginationTest, ListAllTicketsFollowsTokensAndKeepsTheFilter) {
  auto connection = std::make_shared<mocks::MockServiceDeskConnection>();
  auto page = [](std::vector<std::string> ids, std::string next) {
    v1::ListTicketsResponse response;
    for (const std::string& id : ids) response.add_tickets()->set_id(id);
    response.set_next_page_token(std::move(next));
    return response;
  };
  auto of_account = ::testing::Property(
      &v1::ListTicketsRequest::filter, ::testing::Property(&v1::TicketFilter::account_id, "acc_1"));
  EXPECT_CALL(*connection,
              ListTickets(::testing::AllOf(of_account, WithToken<v1::ListTicketsRequest>(""))))
      .WillOnce(Return(page({"t3", "t2"}, "p1")));
  EXPECT_CALL(*connection,
              ListTickets(::testing::AllOf(of_account, WithToken<v1::ListTicketsRequest>("p1"))))
      .WillOnce(Return(page({"t1"}, "")));
  ServiceDeskClient client(connection);

  v1::ListTicketsRequest request;
  request.mutable_filter()->set_account_id("acc_1");
  std::vector<std::string> ids;
  for (const absl::StatusOr<v1::Ticket>& ticket : client.ListAllTickets(request)) {
    ASSERT_TRUE(ticket.ok()) << ticket.status();
    ids.push_back(ticket->id());
  }
  EXPECT_THAT(ids, ElementsAre("t3", "t2", "t1"));
}

// Each ListAll* over two pages of one element each: the right List call, the right field.
TEST(ServiceDeskPaginationTest, EveryListAllReadsEveryPage) {
  auto connection = std::make_shared<mocks::MockServiceDeskConnection>();
  ServiceDeskClient client(connection);
#define CRM_TEST_LIST_ALL(Element, Plural, field)                                        \
  {                                                                                      \
    v1::List##Plural##Response first, last;                                              \
    first.add_##field();                                                                 \
    first.set_next_page_token("next");                                                   \
    last.add_##field();                                                                  \
    EXPECT_CALL(*connection, List##Plural(WithToken<v1::List##Plural##Request>("")))     \
        .WillOnce(Return(first));                                                        \
    EXPECT_CALL(*connection, List##Plural(WithToken<v1::List##Plural##Request>("next"))) \
        .WillOnce(Return(last));                                                         \
    int count = 0;                                                                       \
    for (const auto& item : client.ListAll##Plural({})) count += item.ok() ? 1 : 100;    \
    EXPECT_EQ(count, 2) << #Plural;                                                      \
  }
  CRM_SERVICEDESK_PAGED_LISTS(CRM_TEST_LIST_ALL)
#undef CRM_TEST_LIST_ALL
}

}  // namespace
}  // namespace crm::client

// crmctl's compact text forms (sla_commands.h): parsed into the contract's messages, and
// formatted back into the same text.
namespace crm::crmctl {
namespace {

TEST(ServiceDeskSyntaxTest, WorkingHoursExpandDaysAndIntervals) {
  absl::StatusOr<std::vector<v1::WorkingHours>> hours =
      ParseWorkingHours("mon-wed 09:00-12:00,13:00-17:30; sat 10:00-24:00");
  ASSERT_TRUE(hours.ok()) << hours.status();
  ASSERT_EQ(hours->size(), 7u);
  EXPECT_EQ((*hours)[0].weekday(), 1);
  EXPECT_EQ((*hours)[0].start_minute(), 540);
  EXPECT_EQ((*hours)[1].start_minute(), 780);
  EXPECT_EQ((*hours)[1].end_minute(), 1050);
  EXPECT_EQ((*hours)[5].weekday(), 3);
  EXPECT_EQ((*hours)[6].weekday(), 6);
  EXPECT_EQ((*hours)[6].end_minute(), 1440);

  google::protobuf::RepeatedPtrField<v1::WorkingHours> field(hours->begin(), hours->end());
  EXPECT_EQ(FormatWorkingHours(field), "mon-wed 09:00-12:00,13:00-17:30; sat 10:00-24:00");
}

TEST(ServiceDeskSyntaxTest, WorkingHoursAcceptListsWrapsAndFullNames) {
  absl::StatusOr<std::vector<v1::WorkingHours>> hours =
      ParseWorkingHours("Friday,sun 08:00-10:00; sat-mon 11:00-12:00");
  ASSERT_TRUE(hours.ok()) << hours.status();
  std::vector<int> days;
  for (const v1::WorkingHours& entry : *hours) days.push_back(entry.weekday());
  EXPECT_THAT(days, ::testing::ElementsAre(5, 7, 6, 7, 1));
}

TEST(ServiceDeskSyntaxTest, MalformedWorkingHoursNameWhatIsWrong) {
  EXPECT_THAT(std::string(ParseWorkingHours("mon-fri").status().message()),
              ::testing::HasSubstr("days and intervals"));
  EXPECT_THAT(std::string(ParseWorkingHours("someday 09:00-17:00").status().message()),
              ::testing::HasSubstr("'someday'"));
  EXPECT_THAT(std::string(ParseWorkingHours("mon 9-17").status().message()),
              ::testing::HasSubstr("'9'"));
  EXPECT_THAT(std::string(ParseWorkingHours("mon 9.00-17:00").status().message()),
              ::testing::HasSubstr("'9.00'"));
}

TEST(ServiceDeskSyntaxTest, HolidaysWithAndWithoutNames) {
  absl::StatusOr<std::vector<v1::CalendarHoliday>> holidays =
      ParseHolidays("2026-12-25 Christmas Day; 2027-01-01");
  ASSERT_TRUE(holidays.ok()) << holidays.status();
  ASSERT_EQ(holidays->size(), 2u);
  EXPECT_EQ((*holidays)[0].date().month(), 12);
  EXPECT_EQ((*holidays)[0].name(), "Christmas Day");
  EXPECT_EQ((*holidays)[1].date().year(), 2027);
  EXPECT_EQ((*holidays)[1].name(), "");
  google::protobuf::RepeatedPtrField<v1::CalendarHoliday> field(holidays->begin(), holidays->end());
  EXPECT_EQ(FormatHolidays(field), "2026-12-25 Christmas Day; 2027-01-01");
  EXPECT_FALSE(ParseHolidays("25.12.2026").ok());
}

TEST(ServiceDeskSyntaxTest, TargetsInMinutesOrWithUnits) {
  absl::StatusOr<std::vector<v1::SlaPriorityTarget>> targets =
      ParseTargets("p1=60/240; P2=2h/1d, p4=/3d");
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[0].priority(), v1::TICKET_PRIORITY_P1);
  EXPECT_EQ((*targets)[0].first_response_minutes(), 60);
  EXPECT_EQ((*targets)[0].resolution_minutes(), 240);
  EXPECT_EQ((*targets)[1].first_response_minutes(), 120);
  EXPECT_EQ((*targets)[1].resolution_minutes(), 1440);
  EXPECT_EQ((*targets)[2].priority(), v1::TICKET_PRIORITY_P4);
  EXPECT_EQ((*targets)[2].first_response_minutes(), 0);
  google::protobuf::RepeatedPtrField<v1::SlaPriorityTarget> field(targets->begin(), targets->end());
  EXPECT_EQ(FormatTargets(field), "p1=1h/4h; p2=2h/1d; p4=/3d");
  EXPECT_THAT(std::string(ParseTargets("p9=1/2").status().message()), ::testing::HasSubstr("p9"));
  EXPECT_FALSE(ParseTargets("p1=60").ok());
  EXPECT_FALSE(ParseTargets("p1=soon/later").ok());
}

TEST(ServiceDeskSyntaxTest, EscalationStepsNumberedInOrder) {
  absl::StatusOr<std::vector<v1::EscalationStep>> steps =
      ParseEscalation("warning tier2; breach+90 managers/alice");
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].level(), 1);
  EXPECT_EQ((*steps)[0].trigger(), v1::ESCALATION_TRIGGER_WARNING);
  EXPECT_EQ((*steps)[0].after_minutes(), 0);
  EXPECT_EQ((*steps)[0].assignee_group(), "tier2");
  EXPECT_EQ((*steps)[1].level(), 2);
  EXPECT_EQ((*steps)[1].trigger(), v1::ESCALATION_TRIGGER_BREACH);
  EXPECT_EQ((*steps)[1].after_minutes(), 90);
  EXPECT_EQ((*steps)[1].assignee(), "alice");
  google::protobuf::RepeatedPtrField<v1::EscalationStep> field(steps->begin(), steps->end());
  EXPECT_EQ(FormatEscalation(field), "warning tier2; breach+90 managers/alice");
  EXPECT_FALSE(ParseEscalation("later tier2").ok());
  EXPECT_FALSE(ParseEscalation("breach").ok());
}

}  // namespace
}  // namespace crm::crmctl
