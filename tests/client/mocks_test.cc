// The shipped stub mocks drive the public connection factories, as a caller's test would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clients/gateway/accounts_client.h"
#include "clients/gateway/events_client.h"
#include "clients/gateway/mocks/mock_account_stub.h"
#include "clients/gateway/mocks/mock_event_stub.h"
#include "clients/gateway/mocks/mock_streams.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ByMove;
using ::testing::Return;

ClientOptions FastRetries() {
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  options.subscribe_retry.initial_backoff = absl::Milliseconds(1);
  return options;
}

TEST(MocksTest, MockAccountStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockAccountStub>();
  v1::Account acme;
  acme.set_name("Acme");
  EXPECT_CALL(*stub, GetAccount(_, _))
      .WillOnce(Return(absl::UnavailableError("blip")))
      .WillOnce(Return(acme));
  AccountsClient client(MakeAccountConnection(stub, FastRetries()));

  absl::StatusOr<v1::Account> account = client.GetAccount(v1::GetAccountRequest());
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->name(), "Acme");
}

TEST(MocksTest, MockEventStubAndStreamBehindTheDefaultConnection) {
  auto stream = std::make_unique<mocks::MockStreamingReadRpc<v1::Event>>();
  EXPECT_CALL(*stream, Read(_))
      .WillOnce([](v1::Event* event) {
        event->set_sequence(7);
        return true;
      })
      .WillOnce(Return(false));
  EXPECT_CALL(*stream, Finish()).WillOnce(Return(absl::OkStatus()));
  auto stub = std::make_shared<mocks::MockEventStub>();
  EXPECT_CALL(*stub, Subscribe(_, _)).WillOnce(Return(ByMove(std::move(stream))));
  EventsClient client(MakeEventConnection(stub, FastRetries()));

  std::vector<int64_t> seen;
  absl::Status status = client.Subscribe(v1::SubscribeRequest(), [&](const v1::Event& event) {
    seen.push_back(event.sequence());
    return true;
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_THAT(seen, ::testing::ElementsAre(7));
}

TEST(MocksTest, MockWriteStreamForImports) {
  auto stream = std::make_unique<
      mocks::MockStreamingWriteRpc<v1::ImportAccountsRequest, v1::ImportAccountsResponse>>();
  v1::ImportAccountsResponse summary;
  summary.set_created(2);
  EXPECT_CALL(*stream, Write(_)).Times(2).WillRepeatedly(Return(true));
  EXPECT_CALL(*stream, Close()).WillOnce(Return(summary));
  auto stub = std::make_shared<mocks::MockAccountStub>();
  EXPECT_CALL(*stub, ImportAccounts(_)).WillOnce(Return(ByMove(std::move(stream))));
  AccountsClient client(MakeAccountConnection(stub, FastRetries()));

  absl::StatusOr<v1::ImportAccountsResponse> result =
      client.ImportAccounts({v1::Account(), v1::Account()});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->created(), 2);
}

}  // namespace
}  // namespace crm::client
