// ListAll* ranges follow pages; tested through AccountsClient / EventsClient over the shipped
// connection mocks (which also shows the mocks work for callers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clients/gateway/accounts_client.h"
#include "clients/gateway/events_client.h"
#include "clients/gateway/mocks/mock_account_connection.h"
#include "clients/gateway/mocks/mock_event_connection.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Return;

v1::ListAccountsResponse Page(std::vector<std::string> ids, std::string next_token) {
  v1::ListAccountsResponse page;
  for (const std::string& id : ids) page.add_accounts()->set_id(id);
  page.set_next_page_token(std::move(next_token));
  return page;
}

::testing::Matcher<const v1::ListAccountsRequest&> WithToken(const std::string& token) {
  return ::testing::Property(&v1::ListAccountsRequest::page_token, token);
}

TEST(PaginationTest, FollowsNextPageTokensThroughEmptyPages) {
  auto connection = std::make_shared<mocks::MockAccountConnection>();
  EXPECT_CALL(*connection, ListAccounts(WithToken(""))).WillOnce(Return(Page({"a", "b"}, "t1")));
  EXPECT_CALL(*connection, ListAccounts(WithToken("t1"))).WillOnce(Return(Page({}, "t2")));
  EXPECT_CALL(*connection, ListAccounts(WithToken("t2"))).WillOnce(Return(Page({"c"}, "")));
  AccountsClient client(connection);

  std::vector<std::string> ids;
  for (const absl::StatusOr<v1::Account>& account : client.ListAllAccounts({})) {
    ASSERT_TRUE(account.ok());
    ids.push_back(account->id());
  }
  EXPECT_THAT(ids, ElementsAre("a", "b", "c"));
}

TEST(PaginationTest, AFailedPageIsTheLastElement) {
  auto connection = std::make_shared<mocks::MockAccountConnection>();
  EXPECT_CALL(*connection, ListAccounts(WithToken(""))).WillOnce(Return(Page({"a"}, "t1")));
  EXPECT_CALL(*connection, ListAccounts(WithToken("t1")))
      .WillOnce(Return(absl::InvalidArgumentError("page_token: forged")));
  AccountsClient client(connection);

  std::vector<absl::StatusCode> codes;
  for (const auto& account : client.ListAllAccounts({})) codes.push_back(account.status().code());
  EXPECT_THAT(codes, ElementsAre(absl::StatusCode::kOk, absl::StatusCode::kInvalidArgument));
}

TEST(PaginationTest, NothingIsCalledBeforeIteration) {
  auto connection = std::make_shared<mocks::MockAccountConnection>();
  EXPECT_CALL(*connection, ListAccounts(_)).Times(0);
  AccountsClient client(connection);
  StreamRange<v1::Account> range = client.ListAllAccounts({});
}

TEST(PaginationTest, EventsPageBySequenceUntilAnEmptyPage) {
  auto connection = std::make_shared<mocks::MockEventConnection>();
  auto after = [](int64_t s) {
    return ::testing::Property(&v1::ListEventsRequest::after_sequence, s);
  };
  v1::ListEventsResponse first;
  first.add_events()->set_sequence(3);
  first.add_events()->set_sequence(7);
  first.set_last_sequence(7);
  v1::ListEventsResponse empty;
  empty.set_last_sequence(7);
  EXPECT_CALL(*connection, ListEvents(after(0))).WillOnce(Return(first));
  EXPECT_CALL(*connection, ListEvents(after(7))).WillOnce(Return(empty));
  EventsClient client(connection);

  std::vector<int64_t> sequences;
  for (const auto& event : client.ListAllEvents({})) sequences.push_back(event->sequence());
  EXPECT_THAT(sequences, ElementsAre(3, 7));
}

}  // namespace
}  // namespace crm::client
