// ServiceDeskService satisfaction surveys: one per resolved ticket, score 1..5, through a real
// in-process server and stub, on every backend.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::SatisfactionSurvey;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownTicketId[] = "tkt_01ARZ3NDEKTSV4RRFFQ69G5FAV";

class SurveyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // A ticket of the test account through CreateTicket (assigned to dave), moved to `status` with
  // ChangeTicketStatus along the shortest legal path.
  std::string NewTicket(crm::v1::TicketStatus status = crm::v1::TICKET_STATUS_NEW) {
    if (account_id_.empty()) {
      crm::v1::CreateAccountRequest request;
      request.mutable_account()->set_name("Acme GmbH");
      crm::v1::Account account;
      grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &account);
      EXPECT_TRUE(s.ok()) << s.error_message();
      account_id_ = account.id();
    }
    crm::v1::CreateTicketRequest create;
    create.mutable_ticket()->set_account_id(account_id_);
    create.mutable_ticket()->set_subject("Printer offline");
    create.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P3);
    create.mutable_ticket()->set_assignee("dave");
    crm::v1::Ticket ticket;
    grpc::Status s = desk_->CreateTicket(CallAs().get(), create, &ticket);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<crm::v1::TicketStatus> steps;
    if (status == crm::v1::TICKET_STATUS_CLOSED) {
      steps = {crm::v1::TICKET_STATUS_RESOLVED, crm::v1::TICKET_STATUS_CLOSED};
    } else if (status != crm::v1::TICKET_STATUS_NEW) {
      steps = {status};
    }
    for (crm::v1::TicketStatus step : steps) {
      crm::v1::ChangeTicketStatusRequest change;
      change.set_id(ticket.id());
      change.set_status(step);
      change.set_reason("test setup");
      s = desk_->ChangeTicketStatus(CallAs("dave").get(), change, &ticket);
      EXPECT_TRUE(s.ok()) << crm::v1::TicketStatus_Name(step) << ": " << s.error_message();
    }
    EXPECT_EQ(ticket.status(), status);
    return ticket.id();
  }

  grpc::Status Submit(const std::string& ticket_id, int score, const std::string& comment, SatisfactionSurvey* out,
                      const std::string& user = "erin") {
    crm::v1::SubmitSurveyRequest request;
    request.mutable_survey()->set_ticket_id(ticket_id);
    request.mutable_survey()->set_score(score);
    request.mutable_survey()->set_comment(comment);
    return desk_->SubmitSurvey(CallAs(user).get(), request, out);
  }

  grpc::Status Get(const std::string& ticket_id, SatisfactionSurvey* out) {
    crm::v1::GetSurveyRequest request;
    request.set_ticket_id(ticket_id);
    return desk_->GetSurvey(CallAs().get(), request, out);
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

  long long CountSurveys() {
    long long n = -1;
    absl::Status s = server_->runtime().db->Read([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM satisfaction_surveys", soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::string account_id_;
};

TEST_P(SurveyTest, SubmitAndGetRoundTrip) {
  const std::string resolved = NewTicket(crm::v1::TICKET_STATUS_RESOLVED);
  const std::string closed = NewTicket(crm::v1::TICKET_STATUS_CLOSED);
  server_->clock().Advance(absl::Hours(2));

  SatisfactionSurvey submitted;
  ASSERT_GRPC_OK(Submit(resolved, 4, "  Quick and friendly.  ", &submitted));
  EXPECT_EQ(submitted.ticket_id(), resolved);
  EXPECT_EQ(submitted.score(), 4);
  EXPECT_EQ(submitted.comment(), "Quick and friendly.");
  EXPECT_EQ(submitted.create_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));

  SatisfactionSurvey got;
  ASSERT_GRPC_OK(Get(resolved, &got));
  EXPECT_EQ(got.SerializeAsString(), submitted.SerializeAsString());

  // Closed tickets take a survey too, and the comment is optional.
  ASSERT_GRPC_OK(Submit(closed, 1, "", &submitted));
  ASSERT_GRPC_OK(Get(closed, &got));
  EXPECT_EQ(got.score(), 1);
  EXPECT_EQ(got.comment(), "");
  EXPECT_EQ(CountSurveys(), 2);

  std::vector<crm::v1::Event> events = Events("survey.submitted");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].entity(), "survey");
  EXPECT_EQ(events[0].entity_id(), resolved);
  EXPECT_EQ(events[0].user(), "dave");  // the assignee whose work was rated
  EXPECT_EQ(events[0].actor(), "erin");
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
}

TEST_P(SurveyTest, BeforeResolutionIsFailedPrecondition) {
  for (crm::v1::TicketStatus status :
       {crm::v1::TICKET_STATUS_NEW, crm::v1::TICKET_STATUS_OPEN, crm::v1::TICKET_STATUS_PENDING}) {
    const std::string ticket = NewTicket(status);
    SatisfactionSurvey out;
    EXPECT_TRUE(
        HasCodeAndField(Submit(ticket, 5, "Great", &out), grpc::StatusCode::FAILED_PRECONDITION, "survey.ticket_id"))
        << crm::v1::TicketStatus_Name(status);
    EXPECT_TRUE(HasCodeAndField(Get(ticket, &out), grpc::StatusCode::NOT_FOUND, "ticket_id"));
  }
  // A reopened ticket is not resolved any more.
  const std::string reopened = NewTicket(crm::v1::TICKET_STATUS_RESOLVED);
  crm::v1::ReopenTicketRequest reopen;
  reopen.set_id(reopened);
  reopen.set_reason("still broken");
  crm::v1::Ticket ticket;
  ASSERT_GRPC_OK(desk_->ReopenTicket(CallAs().get(), reopen, &ticket));
  SatisfactionSurvey out;
  EXPECT_TRUE(
      HasCodeAndField(Submit(reopened, 5, "Great", &out), grpc::StatusCode::FAILED_PRECONDITION, "survey.ticket_id"));
  EXPECT_EQ(CountSurveys(), 0);
  EXPECT_TRUE(Events("survey.").empty());
}

TEST_P(SurveyTest, ScoreOutsideOneToFiveAndBadInputAreInvalidArgument) {
  const std::string ticket = NewTicket(crm::v1::TICKET_STATUS_RESOLVED);
  SatisfactionSurvey out;
  for (int score : {0, 6, -1, 100}) {
    EXPECT_TRUE(HasCodeAndField(Submit(ticket, score, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "survey.score"))
        << score;
  }
  EXPECT_TRUE(HasCodeAndField(Submit(ticket, 3, std::string(4001, 'c'), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "survey.comment"));
  EXPECT_TRUE(
      HasCodeAndField(Submit(ticket, 3, "bad \x01 byte", &out), grpc::StatusCode::INVALID_ARGUMENT, "survey.comment"));
  EXPECT_TRUE(HasCodeAndField(Submit("", 3, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "survey.ticket_id"));
  EXPECT_TRUE(
      HasCodeAndField(Submit("not an id!", 3, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "survey.ticket_id"));
  crm::v1::SubmitSurveyRequest empty;
  EXPECT_TRUE(
      HasCodeAndField(desk_->SubmitSurvey(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT, "survey"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket_id"));
  EXPECT_EQ(CountSurveys(), 0);
  EXPECT_TRUE(Events("survey.").empty());

  // The bounds themselves are fine.
  const std::string other = NewTicket(crm::v1::TICKET_STATUS_CLOSED);
  ASSERT_GRPC_OK(Submit(ticket, 1, "", &out));
  ASSERT_GRPC_OK(Submit(other, 5, std::string(4000, 'c'), &out));
}

TEST_P(SurveyTest, SecondSurveyIsAlreadyExistsAndTheFirstStays) {
  const std::string ticket = NewTicket(crm::v1::TICKET_STATUS_RESOLVED);
  SatisfactionSurvey first, out;
  ASSERT_GRPC_OK(Submit(ticket, 2, "Slow", &first));
  server_->clock().Advance(absl::Minutes(1));
  EXPECT_TRUE(HasCodeAndField(Submit(ticket, 5, "Changed my mind", &out), grpc::StatusCode::ALREADY_EXISTS,
                              "survey.ticket_id"));
  SatisfactionSurvey got;
  ASSERT_GRPC_OK(Get(ticket, &got));
  EXPECT_EQ(got.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(CountSurveys(), 1);
  EXPECT_EQ(Events("survey.submitted").size(), 1u);
}

TEST_P(SurveyTest, RacingSubmissionsLandOnce) {
  const std::string ticket = NewTicket(crm::v1::TICKET_STATUS_RESOLVED);
  constexpr int kRacers = 6;
  std::atomic<int> ok{0}, already_exists{0}, other{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      SatisfactionSurvey out;
      grpc::Status s = Submit(ticket, 1 + i % 5, "race", &out);
      if (s.ok()) {
        ++ok;
      } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        ++already_exists;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : racers) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already_exists.load(), kRacers - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(CountSurveys(), 1);
  EXPECT_EQ(Events("survey.submitted").size(), 1u);
}

TEST_P(SurveyTest, UnknownTicketIsNotFound) {
  SatisfactionSurvey out;
  EXPECT_TRUE(HasCodeAndField(Submit(kUnknownTicketId, 4, "", &out), grpc::StatusCode::NOT_FOUND, "survey.ticket_id"));
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownTicketId, &out), grpc::StatusCode::NOT_FOUND, "ticket_id"));
  EXPECT_EQ(CountSurveys(), 0);
  EXPECT_TRUE(Events("survey.").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SurveyTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
