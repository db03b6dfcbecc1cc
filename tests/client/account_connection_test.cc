// The retry, backoff and request-id rules of DefaultAccountConnection, against a fake stub.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/cord.h"
#include "absl/time/clock.h"
#include "clients/gateway/account_connection_impl.h"
#include "clients/gateway/metadata_decorator.h"
#include "common/core/errors.h"
#include "tests/client/fake_stubs.h"

namespace crm::client {
namespace {

using ::testing::ElementsAre;
using testing::FakeAccountStub;
using testing::FakeReadStream;
using testing::FakeWriteStream;
using ::testing::HasSubstr;
using ::testing::Pair;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

class AccountConnectionTest : public ::testing::Test {
 protected:
  internal::DefaultAccountConnection Connection() {
    return internal::DefaultAccountConnection(stub_, policy_);
  }
  template <typename Request>
  Request RequestOfCall(size_t i) {
    Request request;
    EXPECT_TRUE(request.ParseFromString(stub_->calls().at(i).request));
    return request;
  }

  std::shared_ptr<FakeAccountStub> stub_ = std::make_shared<FakeAccountStub>();
  std::vector<absl::Duration> sleeps_;
  int ids_ = 0;
  internal::CallPolicy policy_ = testing::RecordingPolicy(&sleeps_, &ids_);
};

TEST_F(AccountConnectionTest, ReadsAreRetriedOnUnavailableUntilTheySucceed) {
  stub_->FailNext("GetAccount", Unavailable());
  stub_->FailNext("GetAccount", Unavailable());
  stub_->FailNext("ListContacts", Unavailable());

  auto connection = Connection();
  EXPECT_TRUE(connection.GetAccount(v1::GetAccountRequest()).ok());
  EXPECT_TRUE(connection.ListContacts(v1::ListContactsRequest()).ok());
  EXPECT_EQ(stub_->CallCount("GetAccount"), 3);
  EXPECT_EQ(stub_->CallCount("ListContacts"), 2);
}

TEST_F(AccountConnectionTest, CreateWithoutRequestIdGetsOneThatEveryAttemptRepeats) {
  stub_->FailNext("CreateAccount", Unavailable());
  v1::CreateAccountRequest request;
  request.mutable_account()->set_name("Acme");

  EXPECT_TRUE(Connection().CreateAccount(request).ok());
  ASSERT_EQ(stub_->CallCount("CreateAccount"), 2);
  const auto first = RequestOfCall<v1::CreateAccountRequest>(0);
  const auto second = RequestOfCall<v1::CreateAccountRequest>(1);
  EXPECT_FALSE(first.request_id().empty());
  EXPECT_EQ(first.request_id(), second.request_id());
  EXPECT_EQ(first.account().name(), "Acme");
}

TEST_F(AccountConnectionTest, CreateKeepsTheCallersRequestId) {
  stub_->FailNext("CreateAccount", Unavailable());
  v1::CreateAccountRequest request;
  request.set_request_id("mine");

  EXPECT_TRUE(Connection().CreateAccount(request).ok());
  EXPECT_EQ(RequestOfCall<v1::CreateAccountRequest>(0).request_id(), "mine");
  EXPECT_EQ(RequestOfCall<v1::CreateAccountRequest>(1).request_id(), "mine");
}

TEST_F(AccountConnectionTest, EveryCreateKindGetsARequestIdAndIsRetried) {
  for (const char* method : {"CreateContact", "LogInteraction", "CreateActivity"}) {
    stub_->FailNext(method, Unavailable());
  }
  auto connection = Connection();
  EXPECT_TRUE(connection.CreateContact(v1::CreateContactRequest()).ok());
  EXPECT_TRUE(connection.LogInteraction(v1::LogInteractionRequest()).ok());
  EXPECT_TRUE(connection.CreateActivity(v1::CreateActivityRequest()).ok());

  ASSERT_EQ(stub_->calls().size(), 6u);
  EXPECT_FALSE(RequestOfCall<v1::CreateContactRequest>(1).request_id().empty());
  EXPECT_EQ(RequestOfCall<v1::LogInteractionRequest>(2).request_id(),
            RequestOfCall<v1::LogInteractionRequest>(3).request_id());
  EXPECT_FALSE(RequestOfCall<v1::LogInteractionRequest>(3).request_id().empty());
  EXPECT_FALSE(RequestOfCall<v1::CreateActivityRequest>(5).request_id().empty());
}

TEST_F(AccountConnectionTest, UpdatesAreNeverRetriedEvenWithAnEtag) {
  stub_->FailNext("UpdateAccount", Unavailable());
  v1::UpdateAccountRequest request;
  request.set_etag("e1");

  absl::StatusOr<v1::Account> result = Connection().UpdateAccount(request);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(result.status().message(), "connection refused");  // not "gave up after ..."
  EXPECT_EQ(stub_->CallCount("UpdateAccount"), 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(AccountConnectionTest, OtherMutationsAreNeverRetried) {
  for (const char* method : {"DeleteAccount", "UndeleteAccount", "UpdateContact", "DeleteContact",
                             "UpdateActivity", "CompleteActivity", "CancelActivity"}) {
    stub_->FailNext(method, Unavailable());
  }
  auto connection = Connection();
  EXPECT_FALSE(connection.DeleteAccount(v1::DeleteAccountRequest()).ok());
  EXPECT_FALSE(connection.UndeleteAccount(v1::UndeleteAccountRequest()).ok());
  EXPECT_FALSE(connection.UpdateContact(v1::UpdateContactRequest()).ok());
  EXPECT_FALSE(connection.DeleteContact(v1::DeleteContactRequest()).ok());
  EXPECT_FALSE(connection.UpdateActivity(v1::UpdateActivityRequest()).ok());
  EXPECT_FALSE(connection.CompleteActivity(v1::CompleteActivityRequest()).ok());
  EXPECT_FALSE(connection.CancelActivity(v1::CancelActivityRequest()).ok());
  EXPECT_EQ(stub_->calls().size(), 7u);
}

TEST_F(AccountConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {absl::DeadlineExceededError("slow"), absl::AbortedError("etag"),
                                  absl::InternalError("bug"), absl::ResourceExhaustedError("quota"),
                                  InvalidField("account.name", "must not be empty")};
  for (const absl::Status& answer : answers) {
    stub_->FailNext("GetAccount", answer);
    absl::StatusOr<v1::Account> result = Connection().GetAccount(v1::GetAccountRequest());
    EXPECT_EQ(result.status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("GetAccount"), 5);
}

TEST_F(AccountConnectionTest, GivesUpAfterMaxAttemptsKeepingCodeAndDetails) {
  absl::Status unavailable = Unavailable();
  unavailable.SetPayload("type.example/detail", absl::Cord("kept"));
  for (int i = 0; i < 10; ++i) stub_->FailNext("ListAccounts", unavailable);
  policy_.retry.max_attempts = 3;

  absl::StatusOr<v1::ListAccountsResponse> result = Connection().ListAccounts({});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("connection refused (gave up after 3 attempts)"));
  EXPECT_EQ(result.status().GetPayload("type.example/detail"), absl::Cord("kept"));
  EXPECT_EQ(stub_->CallCount("ListAccounts"), 3);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(AccountConnectionTest, BackoffGrowsByTheMultiplierUpToTheCap) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("GetAccount", Unavailable());
  policy_.retry.max_attempts = 6;
  policy_.retry.max_backoff = absl::Milliseconds(500);

  EXPECT_FALSE(Connection().GetAccount({}).ok());
  EXPECT_THAT(sleeps_,
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400),
                          absl::Milliseconds(500), absl::Milliseconds(500)));
}

TEST(BackoffTest, JitterOnlyShortensDelays) {
  RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.max_backoff = absl::Seconds(10);
  policy.multiplier = 2.0;
  policy.jitter = 0.5;
  internal::Backoff backoff(policy);
  absl::Duration nominal = absl::Milliseconds(100);
  for (int i = 0; i < 6; ++i) {
    const absl::Duration delay = backoff.Next();
    EXPECT_LE(delay, nominal);
    EXPECT_GE(delay, nominal / 2);
    nominal *= 2;
  }
}

TEST_F(AccountConnectionTest, AttemptsGetFreshDeadlinesAndShareOneCorrelationId) {
  stub_->FailNext("GetAccount", Unavailable());
  const auto before = std::chrono::system_clock::now();
  EXPECT_TRUE(Connection().GetAccount({}).ok());

  ASSERT_EQ(stub_->calls().size(), 2u);
  for (const auto& call : stub_->calls()) {
    EXPECT_GE(call.deadline, before + std::chrono::seconds(9));
    EXPECT_LE(call.deadline, std::chrono::system_clock::now() + std::chrono::seconds(10));
  }
  EXPECT_THAT(stub_->calls()[0].metadata, ElementsAre(Pair("x-request-id", "id-1")));
  EXPECT_THAT(stub_->calls()[1].metadata, ElementsAre(Pair("x-request-id", "id-1")));
}

TEST_F(AccountConnectionTest, MetadataDecoratorSendsTheBearerToken) {
  auto decorated = std::make_shared<MetadataAccountStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultAccountConnection connection(decorated, policy_);
  EXPECT_TRUE(connection.GetAccount({}).ok());

  ASSERT_EQ(stub_->calls().size(), 1u);
  EXPECT_THAT(stub_->calls()[0].metadata,
              ::testing::UnorderedElementsAre(Pair("authorization", "Bearer t0ken"),
                                              Pair("x-request-id", "id-1")));
}

TEST_F(AccountConnectionTest, MetadataDecoratorSendsNothingWhenUnset) {
  auto decorated = std::make_shared<MetadataAccountStub>(stub_, CallMetadata{});
  internal::DefaultAccountConnection connection(decorated, policy_);
  EXPECT_TRUE(connection.GetAccount({}).ok());
  EXPECT_THAT(stub_->calls()[0].metadata, ElementsAre(Pair("x-request-id", "id-1")));
}

v1::Account AccountNamed(const std::string& name) {
  v1::Account account;
  account.set_name(name);
  return account;
}

TEST_F(AccountConnectionTest, ExportIsRetriedWhenItFailsBeforeTheFirstAccount) {
  stub_->export_streams.push_back(
      std::make_unique<FakeReadStream<v1::Account>>(std::vector<v1::Account>{}, Unavailable()));
  stub_->export_streams.push_back(std::make_unique<FakeReadStream<v1::Account>>(
      std::vector<v1::Account>{AccountNamed("a"), AccountNamed("b")}, absl::OkStatus()));

  std::vector<std::string> names;
  absl::Status status = Connection().ExportAccounts({}, [&](const v1::Account& account) {
    names.push_back(account.name());
    return true;
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_THAT(names, ElementsAre("a", "b"));
  EXPECT_EQ(stub_->CallCount("ExportAccounts"), 2);
}

TEST_F(AccountConnectionTest, ExportIsNotRetriedOnceAccountsWereDelivered) {
  stub_->export_streams.push_back(std::make_unique<FakeReadStream<v1::Account>>(
      std::vector<v1::Account>{AccountNamed("a")}, Unavailable()));

  int delivered = 0;
  absl::Status status = Connection().ExportAccounts({}, [&](const v1::Account&) {
    ++delivered;
    return true;
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(stub_->CallCount("ExportAccounts"), 1);
}

TEST_F(AccountConnectionTest, ExportStopsAndCancelsWhenTheCallbackSaysSo) {
  auto stream = std::make_unique<FakeReadStream<v1::Account>>(
      std::vector<v1::Account>{AccountNamed("a"), AccountNamed("b")}, absl::OkStatus());
  bool cancelled = false;
  stream->on_cancel = [&cancelled] { cancelled = true; };
  stub_->export_streams.push_back(std::move(stream));

  int delivered = 0;
  absl::Status status = Connection().ExportAccounts({}, [&](const v1::Account&) {
    ++delivered;
    return false;
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(delivered, 1);
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(stub_->CallCount("ExportAccounts"), 1);
}

TEST_F(AccountConnectionTest, ImportStreamsEveryRowReportsProgressAndIsNotRetried) {
  auto stream =
      std::make_unique<FakeWriteStream<v1::ImportAccountsRequest, v1::ImportAccountsResponse>>(
          Unavailable());
  auto written = stream->written;
  stub_->import_streams.push_back(std::move(stream));

  std::vector<std::pair<int64_t, int64_t>> progress;
  ImportOptions options;
  options.progress = [&](int64_t sent, int64_t total) { progress.emplace_back(sent, total); };
  absl::StatusOr<v1::ImportAccountsResponse> result =
      Connection().ImportAccounts({AccountNamed("a"), AccountNamed("b"), AccountNamed("c")}, options);

  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("ImportAccounts"), 1);
  ASSERT_EQ(written->size(), 3u);
  EXPECT_EQ((*written)[2].account().name(), "c");
  EXPECT_FALSE((*written)[2].confirm_duplicate());
  EXPECT_THAT(progress, ElementsAre(Pair(1, 3), Pair(2, 3), Pair(3, 3)));
}

TEST_F(AccountConnectionTest, ImportConfirmsDuplicatesOnEveryRowWhenAsked) {
  auto stream =
      std::make_unique<FakeWriteStream<v1::ImportAccountsRequest, v1::ImportAccountsResponse>>(
          Unavailable());
  auto written = stream->written;
  stub_->import_streams.push_back(std::move(stream));
  ImportOptions options;
  options.confirm_duplicates = true;
  Connection().ImportAccounts({AccountNamed("a"), AccountNamed("b")}, options).status().IgnoreError();
  ASSERT_EQ(written->size(), 2u);
  EXPECT_TRUE((*written)[0].confirm_duplicate());
  EXPECT_TRUE((*written)[1].confirm_duplicate());
}

}  // namespace
}  // namespace crm::client
