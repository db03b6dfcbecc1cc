// AccountService interaction log, through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Contact;
using crm::v1::Interaction;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownContactId[] = "con_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownInteractionId[] = "int_01ARZ3NDEKTSV4RRFFQ69G5FAV";

class InteractionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    start_ = server_->clock().Now();
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  Account MustCreateAccount(const std::string& name, const std::string& owner = "bob") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Contact MustCreateContact(const std::string& account_id, const std::string& name = "Jane Roe") {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(account_id);
    request.mutable_contact()->set_full_name(name);
    Contact out;
    grpc::Status s = accounts_->CreateContact(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static Interaction MakeInteraction(const std::string& account_id, const std::string& contact_id = "") {
    Interaction i;
    i.set_account_id(account_id);
    i.set_contact_id(contact_id);
    i.set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
    i.set_direction(crm::v1::DIRECTION_OUTBOUND);
    i.set_subject("Renewal");
    i.set_body("Discussed the renewal.\nThey want a quote by Friday.\tOK");
    return i;
  }

  grpc::Status Log(const Interaction& interaction, Interaction* out, const std::string& request_id = "",
                   const std::string& user = "alice") {
    crm::v1::LogInteractionRequest request;
    *request.mutable_interaction() = interaction;
    request.set_request_id(request_id);
    return accounts_->LogInteraction(CallAs(user).get(), request, out);
  }

  Interaction MustLog(const Interaction& interaction) {
    Interaction out;
    grpc::Status s = Log(interaction, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Logs an interaction that happened `before_start` before the test's start.
  Interaction MustLogAt(const std::string& account_id, const std::string& contact_id, absl::Duration before_start) {
    Interaction i = MakeInteraction(account_id, contact_id);
    *i.mutable_occur_time() = TimeToTimestamp(start_ - before_start);
    return MustLog(i);
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

  // Every interaction matching `request`, following page tokens; fails the test on a repeat.
  std::vector<Interaction> ListAll(crm::v1::ListInteractionsRequest request) {
    std::vector<Interaction> all;
    std::set<std::string> seen;
    for (int n = 0; n < 100; ++n) {
      crm::v1::ListInteractionsResponse page;
      grpc::Status s = accounts_->ListInteractions(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.interactions_size(), request.page_size());
      }
      for (const Interaction& i : page.interactions()) {
        EXPECT_TRUE(seen.insert(i.id()).second) << "repeated " << i.id();
        all.push_back(i);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  static std::vector<std::string> Ids(const std::vector<Interaction>& interactions) {
    std::vector<std::string> ids;
    for (const Interaction& i : interactions) ids.push_back(i.id());
    return ids;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  absl::Time start_;
};

TEST_P(InteractionTest, LogDefaultsOccurTimeToNowAndUserToTheCaller) {
  Account account = MustCreateAccount("Acme GmbH", "bob");
  Contact contact = MustCreateContact(account.id());
  server_->clock().Advance(absl::Minutes(5));
  Interaction logged;
  ASSERT_GRPC_OK(Log(MakeInteraction(account.id(), contact.id()), &logged, "", "erin"));
  EXPECT_EQ(logged.id().substr(0, 4), "int_");
  EXPECT_EQ(TimestampToTime(logged.occur_time()), start_ + absl::Minutes(5));
  EXPECT_EQ(logged.user(), "erin");
  EXPECT_TRUE(logged.has_create_time());

  crm::v1::GetInteractionRequest get;
  get.set_id(logged.id());
  Interaction fetched;
  ASSERT_GRPC_OK(accounts_->GetInteraction(CallAs().get(), get, &fetched));
  EXPECT_EQ(fetched.account_id(), account.id());
  EXPECT_EQ(fetched.contact_id(), contact.id());
  EXPECT_EQ(fetched.channel(), crm::v1::INTERACTION_CHANNEL_CALL);
  EXPECT_EQ(fetched.direction(), crm::v1::DIRECTION_OUTBOUND);
  EXPECT_EQ(fetched.subject(), "Renewal");
  EXPECT_EQ(fetched.body(), "Discussed the renewal.\nThey want a quote by Friday.\tOK");
  EXPECT_EQ(TimestampToMicros(fetched.occur_time()), TimestampToMicros(logged.occur_time()));
  EXPECT_EQ(fetched.user(), "erin");

  std::vector<crm::v1::Event> events = Events("interaction.logged");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "interaction");
  EXPECT_EQ(events[0].entity_id(), logged.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "bob");  // the account's owner
  EXPECT_EQ(events[0].actor(), "erin");
}

TEST_P(InteractionTest, LogKeepsAnExplicitTimeAndUserAndNeedsNoContact) {
  Account account = MustCreateAccount("Explicit Co");
  Interaction input = MakeInteraction(account.id());
  input.clear_direction();
  input.set_channel(crm::v1::INTERACTION_CHANNEL_NOTE);
  input.set_user("frank");
  google::protobuf::Timestamp when = TimeToTimestamp(start_ - absl::Hours(30));
  when.set_nanos(when.nanos() + 123456789);  // finer than storage: kept to the microsecond
  *input.mutable_occur_time() = when;
  Interaction logged = MustLog(input);
  EXPECT_EQ(logged.user(), "frank");
  EXPECT_EQ(logged.contact_id(), "");
  EXPECT_EQ(logged.direction(), crm::v1::DIRECTION_UNSPECIFIED);
  EXPECT_EQ(logged.occur_time().seconds(), when.seconds());
  EXPECT_EQ(logged.occur_time().nanos(), 123456000);

  crm::v1::GetInteractionRequest get;
  get.set_id(logged.id());
  Interaction fetched;
  ASSERT_GRPC_OK(accounts_->GetInteraction(CallAs().get(), get, &fetched));
  EXPECT_EQ(fetched.occur_time().nanos(), 123456000);
  EXPECT_EQ(fetched.user(), "frank");
}

TEST_P(InteractionTest, LogRejectsBadInputWithTheFieldNamedAndWritesNothing) {
  Account account = MustCreateAccount("Strict Co");
  Account other = MustCreateAccount("Other Co");
  Contact foreign = MustCreateContact(other.id());
  Account gone = MustCreateAccount("Gone Co");
  crm::v1::DeleteAccountRequest del;
  del.set_id(gone.id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  Interaction out;

  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(kUnknownAccountId), &out), grpc::StatusCode::NOT_FOUND,
                              "interaction.account_id"));
  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(""), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "interaction.account_id"));
  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(gone.id()), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "interaction.account_id"));
  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(account.id(), kUnknownContactId), &out),
                              grpc::StatusCode::NOT_FOUND, "interaction.contact_id"));
  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(account.id(), foreign.id()), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "interaction.contact_id"));
  EXPECT_TRUE(HasCodeAndField(Log(MakeInteraction(account.id(), "not a contact id"), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "interaction.contact_id"));

  Interaction i = MakeInteraction(account.id());
  i.clear_channel();
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.channel"));
  i = MakeInteraction(account.id());
  i.set_channel(static_cast<crm::v1::InteractionChannel>(42));
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.channel"));
  i = MakeInteraction(account.id());
  i.set_direction(static_cast<crm::v1::Direction>(42));
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.direction"));
  i = MakeInteraction(account.id());
  i.set_subject(std::string(201, 's'));
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.subject"));
  i = MakeInteraction(account.id());
  i.set_body(std::string("bell \x07 in the body"));
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.body"));
  i = MakeInteraction(account.id());
  i.mutable_occur_time()->set_seconds(1767225600);
  i.mutable_occur_time()->set_nanos(-1);
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.occur_time"));
  i = MakeInteraction(account.id());
  i.set_user(std::string(201, 'u'));
  EXPECT_TRUE(HasCodeAndField(Log(i, &out), grpc::StatusCode::INVALID_ARGUMENT, "interaction.user"));
  crm::v1::LogInteractionRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->LogInteraction(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "interaction"));

  crm::v1::ListInteractionsRequest list;
  list.set_account_id(account.id());
  EXPECT_TRUE(ListAll(list).empty());
  EXPECT_TRUE(Events("interaction.").empty());
}

TEST_P(InteractionTest, RetriedLogWithSameRequestIdReturnsFirstResultAndWritesNothing) {
  Account account = MustCreateAccount("Once Ltd");
  Interaction first, second;
  ASSERT_GRPC_OK(Log(MakeInteraction(account.id()), &first, "req-i1"));
  server_->clock().Advance(absl::Minutes(1));  // the retry's default occur_time must not matter
  ASSERT_GRPC_OK(Log(MakeInteraction(account.id()), &second, "req-i1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(TimestampToMicros(first.occur_time()), TimestampToMicros(second.occur_time()));
  crm::v1::ListInteractionsRequest list;
  list.set_account_id(account.id());
  EXPECT_EQ(ListAll(list).size(), 1u);
  EXPECT_EQ(Events("interaction.logged").size(), 1u);

  Interaction different = MakeInteraction(account.id());
  different.set_subject("Something else");
  Interaction out;
  EXPECT_TRUE(HasCodeAndField(Log(different, &out, "req-i1"), grpc::StatusCode::ALREADY_EXISTS, "request_id"));
}

TEST_P(InteractionTest, GetUnknownOrMalformedIdNamesTheField) {
  crm::v1::GetInteractionRequest get;
  Interaction out;
  get.set_id(kUnknownInteractionId);
  EXPECT_TRUE(HasCodeAndField(accounts_->GetInteraction(CallAs().get(), get, &out), grpc::StatusCode::NOT_FOUND,
                              "id"));
  get.set_id("");
  EXPECT_TRUE(HasCodeAndField(accounts_->GetInteraction(CallAs().get(), get, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "id"));
  get.set_id("int_1 OR 1=1");
  EXPECT_TRUE(HasCodeAndField(accounts_->GetInteraction(CallAs().get(), get, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(InteractionTest, ListsByAccountOrContactNewestFirst) {
  Account account = MustCreateAccount("History Co");
  Account other = MustCreateAccount("Other History Co");
  Contact jane = MustCreateContact(account.id(), "Jane");
  Contact john = MustCreateContact(account.id(), "John");
  const Interaction a = MustLogAt(account.id(), jane.id(), absl::Hours(3));
  const Interaction b = MustLogAt(account.id(), "", absl::Hours(1));
  const Interaction c = MustLogAt(account.id(), john.id(), absl::Hours(2));
  const Interaction d = MustLogAt(account.id(), jane.id(), absl::Hours(0));
  MustLogAt(other.id(), "", absl::Hours(1));

  crm::v1::ListInteractionsRequest by_account;
  by_account.set_account_id(account.id());
  EXPECT_EQ(Ids(ListAll(by_account)), std::vector<std::string>({d.id(), b.id(), c.id(), a.id()}));

  crm::v1::ListInteractionsRequest by_contact;
  by_contact.set_contact_id(jane.id());
  EXPECT_EQ(Ids(ListAll(by_contact)), std::vector<std::string>({d.id(), a.id()}));

  crm::v1::ListInteractionsRequest both = by_contact;
  both.set_account_id(account.id());
  EXPECT_EQ(Ids(ListAll(both)), std::vector<std::string>({d.id(), a.id()}));
  both.set_account_id(other.id());
  EXPECT_TRUE(ListAll(both).empty());
}

TEST_P(InteractionTest, TimeRangeIsHalfOpen) {
  Account account = MustCreateAccount("Range Co");
  std::vector<Interaction> logged;  // logged[h] happened h hours before the start
  for (int h = 0; h < 5; ++h) logged.push_back(MustLogAt(account.id(), "", absl::Hours(h)));

  crm::v1::ListInteractionsRequest list;
  list.set_account_id(account.id());
  *list.mutable_start_time() = TimeToTimestamp(start_ - absl::Hours(3));
  *list.mutable_end_time() = TimeToTimestamp(start_ - absl::Hours(1));
  // [start-3h, start-1h): includes 3h and 2h ago, excludes 1h ago.
  EXPECT_EQ(Ids(ListAll(list)), std::vector<std::string>({logged[2].id(), logged[3].id()}));

  list.clear_end_time();
  EXPECT_EQ(Ids(ListAll(list)),
            std::vector<std::string>({logged[0].id(), logged[1].id(), logged[2].id(), logged[3].id()}));
  list.clear_start_time();
  *list.mutable_end_time() = TimeToTimestamp(start_ - absl::Hours(3));
  EXPECT_EQ(Ids(ListAll(list)), std::vector<std::string>({logged[4].id()}));
  // An empty range is allowed and empty.
  *list.mutable_start_time() = list.end_time();
  EXPECT_TRUE(ListAll(list).empty());
}

TEST_P(InteractionTest, PagesMissNothingAndRepeatNothingAcrossEqualTimes) {
  Account account = MustCreateAccount("Paging Co");
  std::set<std::string> expected;
  // Three interactions at each of four instants: pages must break inside groups of equal times.
  for (int h = 0; h < 4; ++h) {
    for (int k = 0; k < 3; ++k) expected.insert(MustLogAt(account.id(), "", absl::Hours(h)).id());
  }
  for (int page_size : {1, 2, 4, 5, 12, 100}) {
    crm::v1::ListInteractionsRequest list;
    list.set_account_id(account.id());
    list.set_page_size(page_size);
    std::vector<Interaction> all = ListAll(list);
    ASSERT_EQ(all.size(), expected.size()) << "page size " << page_size;
    std::set<std::string> ids;
    for (size_t i = 0; i < all.size(); ++i) {
      ids.insert(all[i].id());
      if (i == 0) continue;
      const auto prev = std::make_pair(TimestampToMicros(all[i - 1].occur_time()), all[i - 1].id());
      const auto cur = std::make_pair(TimestampToMicros(all[i].occur_time()), all[i].id());
      EXPECT_GT(prev, cur) << "not newest first at " << i << ", page size " << page_size;
    }
    EXPECT_EQ(ids, expected);
  }
}

TEST_P(InteractionTest, ListRejectsBadQueriesAndForgedTokens) {
  Account account = MustCreateAccount("Token Co");
  for (int h = 0; h < 3; ++h) MustLogAt(account.id(), "", absl::Hours(h));
  crm::v1::ListInteractionsResponse out;

  crm::v1::ListInteractionsRequest none;
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), none, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  crm::v1::ListInteractionsRequest bad_ids;
  bad_ids.set_account_id("acc 1");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), bad_ids, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  bad_ids.set_account_id(account.id());
  bad_ids.set_contact_id("con'1");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), bad_ids, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "contact_id"));
  crm::v1::ListInteractionsRequest backwards;
  backwards.set_account_id(account.id());
  *backwards.mutable_start_time() = TimeToTimestamp(start_);
  *backwards.mutable_end_time() = TimeToTimestamp(start_ - absl::Hours(1));
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), backwards, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "end_time"));
  crm::v1::ListInteractionsRequest bad_time;
  bad_time.set_account_id(account.id());
  bad_time.mutable_start_time()->set_seconds(-62135596801LL);  // before year 1
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), bad_time, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "start_time"));

  crm::v1::ListInteractionsRequest list;
  list.set_account_id(account.id());
  list.set_page_size(1);
  crm::v1::ListInteractionsResponse page;
  ASSERT_GRPC_OK(accounts_->ListInteractions(CallAs().get(), list, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();

  crm::v1::ListInteractionsRequest forged = list;
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  forged.set_page_token("not a token at all");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  // A real token, but for a different time range.
  crm::v1::ListInteractionsRequest foreign = list;
  *foreign.mutable_start_time() = TimeToTimestamp(start_ - absl::Hours(10));
  foreign.set_page_token(token);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), foreign, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListInteractionsRequest negative = list;
  negative.set_page_size(-5);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListInteractions(CallAs().get(), negative, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

INSTANTIATE_TEST_SUITE_P(Backends, InteractionTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
