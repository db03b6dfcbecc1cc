// The retry rules of DefaultDuplicateConnection, RPC by RPC, against a fake stub (reads are
// retried; UpdateDuplicateSettings is sent once; merges get a request id and are retried with
// it); the duplicate mocks behind the public factories; the candidates of a refused create,
// which survive the account connection's retries and are read back by DuplicateCandidatesOf; and
// where a merged record went, read back by MergedIntoOf.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "clients/gateway/account_connection_impl.h"
#include "clients/gateway/duplicate_client.h"
#include "clients/gateway/duplicate_connection_impl.h"
#include "clients/gateway/mocks/mock_duplicate_stub.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using testing::FakeAccountStub;
using testing::FakeDuplicateStub;
using ::testing::Return;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& DuplicateService() {
  return *v1::FindDuplicatesRequest::descriptor()->file()->FindServiceByName("DuplicateService");
}

// The policy of every RPC, written out here independently of duplicate_rpcs.h, so that a row
// filed under the wrong kind there fails this test.
const std::set<std::string> kReads = {"FindDuplicates", "GetDuplicateSettings", "GetMerge", "ListMerges"};
// A merge is recorded under its request id: a retry returns the first merge.
const std::set<std::string> kCreates = {"MergeAccounts", "MergeContacts"};
// Sent once: a repeat of an update that committed would meet the new etag.
const std::set<std::string> kChanges = {"UpdateDuplicateSettings"};

const testing::RpcsByName<DuplicateConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<DuplicateConnection>{CRM_DUPLICATE_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

using DuplicateConnectionTest =
    testing::ConnectionTest<FakeDuplicateStub, internal::DefaultDuplicateConnection>;

TEST_F(DuplicateConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(DuplicateService(), Rpcs(), {&kReads, &kCreates, &kChanges});
  testing::ExpectRequestIdsExactlyOn(DuplicateService(), kCreates);
}

TEST_F(DuplicateConnectionTest, AMergeGetsARequestIdThatEveryAttemptRepeats) {
  stub_->FailNext("MergeAccounts", Unavailable());
  v1::MergeAccountsRequest merge;
  merge.set_survivor_id("acc-1");
  merge.add_merged()->set_id("acc-2");
  ASSERT_TRUE(Connection().MergeAccounts(merge).ok());
  ASSERT_EQ(stub_->CallCount("MergeAccounts"), 2);
  v1::MergeAccountsRequest first, second;
  ASSERT_TRUE(first.ParseFromString(stub_->calls().at(0).request));
  ASSERT_TRUE(second.ParseFromString(stub_->calls().at(1).request));
  EXPECT_FALSE(first.request_id().empty());
  EXPECT_EQ(second.request_id(), first.request_id());
  EXPECT_EQ(second.merged(0).id(), "acc-2");
}

TEST(MergedIntoTest, AMergedContactsNotFoundSaysWhereItWent) {
  v1::MergedInto merged;
  merged.set_entity(v1::DUPLICATE_ENTITY_CONTACT);
  merged.set_id("con-2");
  merged.set_survivor_id("con-1");
  merged.set_merge_id("mrg-1");
  const absl::Status status = duplicates::MergedAway("id", "contact", merged);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("con-1"));
  const std::optional<v1::MergedInto> read = MergedIntoOf(status);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->survivor_id(), "con-1");
  EXPECT_EQ(read->merge_id(), "mrg-1");
  EXPECT_FALSE(MergedIntoOf(absl::NotFoundError("no contact with id \"con-3\"")).has_value());
}

TEST_F(DuplicateConnectionTest, ReadsAreRetriedOnUnavailable) {
  auto connection = Connection();
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), kReads);
  EXPECT_THAT(sleeps_, ::testing::SizeIs(2 * kReads.size()));
}

TEST_F(DuplicateConnectionTest, UpdateIsSentOnceEvenWithAnEtag) {
  v1::UpdateDuplicateSettingsRequest update;
  update.mutable_settings()->set_accounts(v1::DUPLICATE_ACTION_REFUSE);
  update.mutable_update_mask()->add_paths("accounts");
  update.set_etag("3");
  stub_->FailNext("UpdateDuplicateSettings", Unavailable());

  absl::StatusOr<v1::DuplicateSettings> updated = Connection().UpdateDuplicateSettings(update);
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(updated.status().message(), "connection refused");  // not "gave up after ..."
  EXPECT_EQ(stub_->CallCount("UpdateDuplicateSettings"), 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(DuplicateConnectionTest, OnlyUnavailableIsRetried) {
  stub_->FailNext("FindDuplicates", absl::NotFoundError("no account with id \"9\""));
  EXPECT_EQ(Connection().FindDuplicates({}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(stub_->CallCount("FindDuplicates"), 1);
}

TEST_F(DuplicateConnectionTest, MetadataDecoratorSendsTheToken) {
  auto decorated = std::make_shared<MetadataDuplicateStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultDuplicateConnection connection(decorated, policy_);
  EXPECT_TRUE(connection.GetDuplicateSettings({}).ok());
  ASSERT_EQ(stub_->calls().size(), 1u);
  EXPECT_THAT(stub_->calls()[0].metadata,
              ::testing::Contains(::testing::Pair("authorization", "Bearer t0ken")));
}

TEST(DuplicateMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockDuplicateStub>();
  v1::FindDuplicatesResponse found;
  found.add_candidates()->set_id("a-1");
  EXPECT_CALL(*stub, FindDuplicates(_, _))
      .WillOnce(Return(absl::UnavailableError("blip")))
      .WillOnce(Return(found));
  EXPECT_CALL(*stub, UpdateDuplicateSettings(_, _))
      .WillOnce(Return(absl::UnavailableError("blip")));
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  DuplicateClient client(MakeDuplicateConnection(stub, options));

  absl::StatusOr<v1::FindDuplicatesResponse> response =
      client.FindDuplicates(v1::FindDuplicatesRequest());
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->candidates_size(), 1);
  EXPECT_EQ(response->candidates(0).id(), "a-1");
  EXPECT_EQ(client.UpdateDuplicateSettings(v1::UpdateDuplicateSettingsRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

// A refused create as the server's status carries it: FAILED_PRECONDITION, the candidates as a
// DuplicateCandidates payload.
absl::Status Refused(const std::vector<std::string>& ids) {
  v1::DuplicateCandidates details;
  for (const std::string& id : ids) {
    v1::DuplicateCandidate& candidate = *details.add_candidates();
    candidate.set_entity(v1::DUPLICATE_ENTITY_ACCOUNT);
    candidate.set_id(id);
    candidate.add_matches()->set_reason(v1::MATCH_REASON_ORGANISATION_NAME);
  }
  absl::Status status = absl::FailedPreconditionError("account: duplicates existing accounts");
  status.SetPayload("type.googleapis.com/crm.v1.DuplicateCandidates",
                    absl::Cord(details.SerializeAsString()));
  return status;
}

std::vector<std::string> IdsOf(const std::vector<v1::DuplicateCandidate>& candidates) {
  std::vector<std::string> ids;
  for (const v1::DuplicateCandidate& candidate : candidates) ids.push_back(candidate.id());
  return ids;
}

TEST(DuplicateCandidatesTest, ARefusedCreateKeepsItsCandidatesThroughRetries) {
  auto stub = std::make_shared<FakeAccountStub>();
  stub->FailNext("CreateAccount", Unavailable());
  stub->FailNext("CreateAccount", Refused({"a-1", "a-2"}));
  std::vector<absl::Duration> sleeps;
  int ids = 0;
  internal::DefaultAccountConnection connection(stub, testing::RecordingPolicy(&sleeps, &ids));

  absl::StatusOr<v1::Account> created = connection.CreateAccount(v1::CreateAccountRequest());
  EXPECT_EQ(created.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stub->CallCount("CreateAccount"), 2);
  EXPECT_THAT(IdsOf(DuplicateCandidatesOf(created.status())), ElementsAre("a-1", "a-2"));
}

TEST(DuplicateCandidatesTest, OtherStatusesHaveNone) {
  EXPECT_TRUE(DuplicateCandidatesOf(absl::OkStatus()).empty());
  EXPECT_TRUE(DuplicateCandidatesOf(absl::FailedPreconditionError("stage is closed")).empty());
  absl::Status garbled = absl::FailedPreconditionError("refused");
  garbled.SetPayload("type.googleapis.com/crm.v1.DuplicateCandidates", absl::Cord("\xff\xff"));
  EXPECT_TRUE(DuplicateCandidatesOf(garbled).empty());
}

}  // namespace
}  // namespace crm::client
