// The retry and request-id rules of DefaultKeyAccountConnection, RPC by RPC, against a fake
// stub, including Reclassify's stream; the key-account mocks behind the public factories;
// ListAll* paging through KeyAccountClient; and crmctl's compact syntax for scoring weights,
// ABC thresholds, tier cut-offs and plan actions.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "clients/crmctl/kam_commands.h"
#include "clients/gateway/keyaccount_client.h"
#include "clients/gateway/keyaccount_connection_impl.h"
#include "clients/gateway/mocks/mock_keyaccount_connection.h"
#include "clients/gateway/mocks/mock_keyaccount_stub.h"
#include "clients/gateway/mocks/mock_streams.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using testing::FakeKeyAccountStub;
using testing::FakeReadStream;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::RecordedCall;
using ::testing::Return;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& KeyAccountService() {
  return *v1::ScoringModel::descriptor()->file()->FindServiceByName("KeyAccountService");
}

// The policy of every RPC, written out here independently of keyaccount_rpcs.h, so that a row
// filed under the wrong kind there fails this test.
const std::set<std::string> kReads = {"GetScoringModel",
                                      "ListScoringModels",
                                      "GetClassification",
                                      "ListClassifications",
                                      "ListTierChanges",
                                      "ListTierPolicies",
                                      "ListAccountsWithoutManager",
                                      "ListOverdueContacts",
                                      "GetAccountPlan",
                                      "ListAccountPlans",
                                      "GetChurnRisk",
                                      "ListAccountsAtRisk",
                                      "GetLifetimeValue",
                                      "GetTierSummary"};
const std::set<std::string> kCreates = {"CreateAccountPlan"};
// Retried only when the request carries its etag / based_on_version.
const std::set<std::string> kIfMatch = {"UpdateScoringModel", "UpdateAccountPlan"};
// Last-writer-wins sets of a whole value: retried.
const std::set<std::string> kSets = {"SetQualitativeInputs", "SetTierOverride", "UpdateTierPolicy"};
const std::set<std::string> kChanges = {"ClearTierOverride"};

v1::ReclassifyProgress Progress(v1::ReclassifyProgress::Phase phase, int64_t done, int64_t total) {
  v1::ReclassifyProgress progress;
  progress.set_phase(phase);
  progress.set_accounts_done(done);
  progress.set_accounts_total(total);
  return progress;
}

v1::ReclassifyProgress Done(const std::string& run_id, int64_t accounts) {
  v1::ReclassifyProgress progress =
      Progress(v1::ReclassifyProgress::PHASE_DONE, accounts, accounts);
  progress.mutable_summary()->set_run_id(run_id);
  progress.mutable_summary()->set_accounts(accounts);
  return progress;
}

// Every unary RPC by name, called with an empty request; returns the final status.
const testing::RpcsByName<KeyAccountConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<KeyAccountConnection>{CRM_KEYACCOUNT_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

class KeyAccountConnectionTest
    : public testing::ConnectionTest<FakeKeyAccountStub, internal::DefaultKeyAccountConnection> {
 protected:
  void QueueStream(std::vector<v1::ReclassifyProgress> messages, absl::Status end) {
    stub_->reclassify_streams.push_back(
        std::make_unique<FakeReadStream<v1::ReclassifyProgress>>(std::move(messages), end));
  }
};

TEST_F(KeyAccountConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(KeyAccountService(), Rpcs(),
                                  {&kReads, &kCreates, &kIfMatch, &kSets, &kChanges},
                                  {"Reclassify"});
}

TEST_F(KeyAccountConnectionTest, OnlyCreateAccountPlanHasARequestId) {
  testing::ExpectRequestIdsExactlyOn(KeyAccountService(), kCreates);
}

TEST_F(KeyAccountConnectionTest, ReadsAndSetsAreRetriedOnUnavailable) {
  auto connection = Connection();
  std::set<std::string> retried = kReads;
  retried.insert(kSets.begin(), kSets.end());
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), retried);
  EXPECT_EQ(sleeps_.size(), 2 * retried.size());
}

TEST_F(KeyAccountConnectionTest, CreateAccountPlanGetsOneRequestIdForEveryAttempt) {
  auto connection = Connection();
  stub_->FailNext("CreateAccountPlan", Unavailable());
  v1::CreateAccountPlanRequest request;
  request.mutable_plan()->set_account_id("acc_1");
  request.mutable_plan()->add_objectives("Grow share of wallet");
  ASSERT_TRUE(connection.CreateAccountPlan(request).ok());
  ASSERT_EQ(stub_->calls().size(), 2u);
  v1::CreateAccountPlanRequest first, second;
  ASSERT_TRUE(first.ParseFromString(stub_->calls()[0].request));
  ASSERT_TRUE(second.ParseFromString(stub_->calls()[1].request));
  EXPECT_FALSE(first.request_id().empty());
  EXPECT_EQ(first.request_id(), second.request_id());
  EXPECT_EQ(second.plan().objectives(0), "Grow share of wallet");

  // The caller's own id is kept, and a second call gets a fresh one.
  request.set_request_id("mine");
  stub_->FailNext("CreateAccountPlan", Unavailable());
  ASSERT_TRUE(connection.CreateAccountPlan(request).ok());
  ASSERT_TRUE(second.ParseFromString(stub_->calls()[3].request));
  EXPECT_EQ(second.request_id(), "mine");
  EXPECT_NE(first.request_id(), "mine");
}

TEST_F(KeyAccountConnectionTest, UpdatesAreRetriedOnlyWithTheirPrecondition) {
  auto connection = Connection();
  // Without based_on_version / etag: sent once, the UNAVAILABLE returned as it came.
  stub_->FailNext("UpdateScoringModel", Unavailable());
  absl::Status unguarded = connection.UpdateScoringModel({}).status();
  EXPECT_EQ(unguarded.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(unguarded.message(), "connection refused");
  EXPECT_EQ(stub_->CallCount("UpdateScoringModel"), 1);
  stub_->FailNext("UpdateAccountPlan", Unavailable());
  EXPECT_EQ(connection.UpdateAccountPlan({}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("UpdateAccountPlan"), 1);

  // With it: a repeat cannot write twice, so it is retried, the request unchanged.
  v1::UpdateScoringModelRequest model;
  model.set_based_on_version(3);
  model.mutable_model()->mutable_weights()->set_profit(1.0);
  stub_->FailNext("UpdateScoringModel", Unavailable());
  EXPECT_TRUE(connection.UpdateScoringModel(model).ok());
  EXPECT_EQ(stub_->CallCount("UpdateScoringModel"), 3);
  v1::UpdateScoringModelRequest sent;
  ASSERT_TRUE(sent.ParseFromString(stub_->calls().back().request));
  EXPECT_EQ(sent.based_on_version(), 3);
  EXPECT_EQ(sent.model().weights().profit(), 1.0);

  v1::UpdateAccountPlanRequest plan;
  plan.set_etag("7");
  stub_->FailNext("UpdateAccountPlan", Unavailable());
  stub_->FailNext("UpdateAccountPlan", Unavailable());
  EXPECT_TRUE(connection.UpdateAccountPlan(plan).ok());
  EXPECT_EQ(stub_->CallCount("UpdateAccountPlan"), 4);

  // A conflict is an answer: not retried.
  stub_->FailNext("UpdateAccountPlan", absl::AbortedError("stale etag"));
  EXPECT_EQ(connection.UpdateAccountPlan(plan).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(stub_->CallCount("UpdateAccountPlan"), 5);
}

TEST_F(KeyAccountConnectionTest, ClearTierOverrideIsSentOnce) {
  auto connection = Connection();
  for (const std::string& rpc : kChanges) {
    stub_->FailNext(rpc, Unavailable());
    absl::Status status = Rpcs().at(rpc)(connection);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << rpc;
    EXPECT_EQ(status.message(), "connection refused") << rpc;  // not "gave up after ..."
    EXPECT_EQ(stub_->CallCount(rpc), 1) << rpc;
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(KeyAccountConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {
      absl::UnimplementedError("not yet"), absl::DeadlineExceededError("slow"),
      absl::InvalidArgumentError("inputs.industry_influence"), absl::NotFoundError("acc_9")};
  auto connection = Connection();
  for (const absl::Status& answer : answers) {
    stub_->FailNext("SetQualitativeInputs", answer);
    EXPECT_EQ(connection.SetQualitativeInputs({}).status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("SetQualitativeInputs"), 4);
}

TEST_F(KeyAccountConnectionTest, ReadsGiveUpAfterMaxAttemptsWithBackoff) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("GetTierSummary", Unavailable());
  policy_.retry.max_attempts = 3;
  absl::StatusOr<v1::TierSummary> result = Connection().GetTierSummary({});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("connection refused (gave up after 3 attempts)"));
  EXPECT_EQ(stub_->CallCount("GetTierSummary"), 3);
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
}

TEST_F(KeyAccountConnectionTest, ReclassifyReportsProgressAndReturnsTheSummary) {
  QueueStream({Progress(v1::ReclassifyProgress::PHASE_READING, 0, 3),
               Progress(v1::ReclassifyProgress::PHASE_SCORING, 2, 3), Done("run_1", 3)},
              absl::OkStatus());
  std::vector<int64_t> done;
  v1::ReclassifyRequest request;
  request.set_dry_run(true);
  request.set_model_version(2);
  absl::StatusOr<v1::ReclassifySummary> summary =
      Connection().Reclassify(request, [&](const v1::ReclassifyProgress& progress) {
        done.push_back(progress.accounts_done());
        return true;
      });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->run_id(), "run_1");
  EXPECT_EQ(summary->accounts(), 3);
  EXPECT_THAT(done, ElementsAre(0, 2, 3));
  v1::ReclassifyRequest sent;
  ASSERT_TRUE(sent.ParseFromString(stub_->calls().at(0).request));
  EXPECT_TRUE(sent.dry_run());
  EXPECT_EQ(sent.model_version(), 2);
}

TEST_F(KeyAccountConnectionTest, ReclassifyIsRetriedOnlyBeforeItsFirstProgress) {
  // Broken before anything arrived: started again (same correlation id), and it completes.
  QueueStream({}, Unavailable());
  QueueStream({Done("run_2", 1)}, absl::OkStatus());
  auto connection = Connection();
  absl::StatusOr<v1::ReclassifySummary> summary =
      connection.Reclassify({}, [](const v1::ReclassifyProgress&) { return true; });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->run_id(), "run_2");
  ASSERT_EQ(stub_->CallCount("Reclassify"), 2);
  EXPECT_EQ(stub_->calls()[0].metadata, stub_->calls()[1].metadata);
  EXPECT_EQ(sleeps_.size(), 1u);

  // Broken after progress: the run was writing, so the failure is the caller's to judge.
  QueueStream({Progress(v1::ReclassifyProgress::PHASE_WRITING, 5, 10)}, Unavailable());
  summary = connection.Reclassify({}, [](const v1::ReclassifyProgress&) { return true; });
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("Reclassify"), 3);

  // Another run in progress is an answer, not a failure to retry.
  QueueStream({}, absl::FailedPreconditionError("run_1 is running"));
  summary = connection.Reclassify({}, [](const v1::ReclassifyProgress&) { return true; });
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stub_->CallCount("Reclassify"), 4);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(KeyAccountConnectionTest, ReclassifyGivesUpAfterMaxAttempts) {
  for (int i = 0; i < 4; ++i) QueueStream({}, Unavailable());
  absl::StatusOr<v1::ReclassifySummary> summary =
      Connection().Reclassify({}, [](const v1::ReclassifyProgress&) { return true; });
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("gave up after 4 attempts"));
  EXPECT_EQ(stub_->CallCount("Reclassify"), 4);
}

TEST_F(KeyAccountConnectionTest, StoppingAReclassifyCancelsTheCall) {
  auto stream = std::make_unique<FakeReadStream<v1::ReclassifyProgress>>(
      std::vector<v1::ReclassifyProgress>{Progress(v1::ReclassifyProgress::PHASE_READING, 0, 9),
                                          Done("run_3", 9)},
      absl::OkStatus());
  bool cancelled = false;
  stream->on_cancel = [&cancelled] { cancelled = true; };
  stub_->reclassify_streams.push_back(std::move(stream));
  int seen = 0;
  absl::StatusOr<v1::ReclassifySummary> summary =
      Connection().Reclassify({}, [&seen](const v1::ReclassifyProgress&) {
        ++seen;
        return false;
      });
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(stub_->CallCount("Reclassify"), 1);
}

TEST_F(KeyAccountConnectionTest, AReclassifyEndingWithoutItsSummaryIsAnError) {
  QueueStream({Progress(v1::ReclassifyProgress::PHASE_SCORING, 1, 2)}, absl::OkStatus());
  absl::StatusOr<v1::ReclassifySummary> summary =
      Connection().Reclassify({}, [](const v1::ReclassifyProgress&) { return true; });
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("without its summary"));
}

TEST_F(KeyAccountConnectionTest, MetadataDecoratorCoversUnaryCallsAndTheStream) {
  auto decorated = std::make_shared<MetadataKeyAccountStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultKeyAccountConnection connection(decorated, policy_);
  stub_->FailNext("SetTierOverride", Unavailable());
  EXPECT_TRUE(connection.SetTierOverride({}).ok());
  QueueStream({Done("run_4", 0)}, absl::OkStatus());
  EXPECT_TRUE(connection.Reclassify({}, [](const v1::ReclassifyProgress&) { return true; }).ok());

  ASSERT_EQ(stub_->calls().size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_THAT(stub_->calls()[i].metadata,
                ::testing::UnorderedElementsAre(Pair("authorization", "Bearer t0ken"),
                                                Pair("x-request-id", "id-1")));
  }
  EXPECT_THAT(stub_->calls()[2].metadata,
              ::testing::UnorderedElementsAre(Pair("authorization", "Bearer t0ken"),
                                              Pair("x-request-id", "id-2")));
}

ClientOptions FastRetries() {
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  return options;
}

TEST(KeyAccountMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockKeyAccountStub>();
  std::vector<std::string> request_ids;
  v1::AccountPlan created;
  created.set_id("kap_1");
  EXPECT_CALL(*stub, CreateAccountPlan(_, _))
      .WillOnce([&](grpc::ClientContext&, const v1::CreateAccountPlanRequest& request) {
        request_ids.push_back(request.request_id());
        return absl::UnavailableError("blip");
      })
      .WillOnce([&](grpc::ClientContext&, const v1::CreateAccountPlanRequest& request) {
        request_ids.push_back(request.request_id());
        return created;
      });
  KeyAccountClient client(MakeKeyAccountConnection(stub, FastRetries()));

  absl::StatusOr<v1::AccountPlan> plan = client.CreateAccountPlan(v1::CreateAccountPlanRequest());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->id(), "kap_1");
  ASSERT_EQ(request_ids.size(), 2u);
  EXPECT_FALSE(request_ids[0].empty());
  EXPECT_EQ(request_ids[0], request_ids[1]);
}

TEST(KeyAccountMocksTest, MockStreamBehindReclassify) {
  auto stub = std::make_shared<mocks::MockKeyAccountStub>();
  auto stream = std::make_unique<mocks::MockStreamingReadRpc<v1::ReclassifyProgress>>();
  EXPECT_CALL(*stream, Read(_))
      .WillOnce([](v1::ReclassifyProgress* progress) {
        *progress = Done("run_9", 42);
        return true;
      })
      .WillOnce(Return(false));
  EXPECT_CALL(*stream, Finish()).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(*stub, Reclassify(_, _)).WillOnce(Return(::testing::ByMove(std::move(stream))));
  KeyAccountClient client(MakeKeyAccountConnection(stub, FastRetries()));

  absl::StatusOr<v1::ReclassifySummary> summary = client.Reclassify({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts(), 42);
}

TEST(KeyAccountMocksTest, MockConnectionBehindTheClient) {
  auto connection = std::make_shared<mocks::MockKeyAccountConnection>();
  v1::ChurnRisk risk;
  risk.set_score(73.5);
  EXPECT_CALL(*connection,
              GetChurnRisk(::testing::Property(&v1::GetChurnRiskRequest::account_id, "acc_7")))
      .WillOnce(Return(risk));
  KeyAccountClient client(connection);
  v1::GetChurnRiskRequest request;
  request.set_account_id("acc_7");
  absl::StatusOr<v1::ChurnRisk> result = client.GetChurnRisk(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->score(), 73.5);
}

template <typename Request>
::testing::Matcher<const Request&> WithToken(const std::string& token) {
  return ::testing::Property(&Request::page_token, token);
}

// Each ListAll* over two pages of one element each: the right List call, the right field.
TEST(KeyAccountPaginationTest, EveryListAllReadsEveryPage) {
  auto connection = std::make_shared<mocks::MockKeyAccountConnection>();
  KeyAccountClient client(connection);
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
  CRM_KEYACCOUNT_PAGED_LISTS(CRM_TEST_LIST_ALL)
#undef CRM_TEST_LIST_ALL
}

}  // namespace
}  // namespace crm::client

// crmctl's compact text forms (kam_commands.h): parsed into the contract's messages, and
// formatted back into the same text.
namespace crm::crmctl {
namespace {

TEST(KeyAccountSyntaxTest, WeightsChangeOnlyTheNamedDimensions) {
  v1::ScoringWeights weights;
  weights.set_tenure(0.2);
  ASSERT_TRUE(ParseWeights("revenue_contribution=0.3, profit=0.1;recency = 0.4", weights).ok());
  EXPECT_EQ(weights.revenue_contribution(), 0.3);
  EXPECT_EQ(weights.profit(), 0.1);
  EXPECT_EQ(weights.recency(), 0.4);
  EXPECT_EQ(weights.tenure(), 0.2);
  EXPECT_EQ(FormatWeights(weights),
            "revenue_contribution=0.3, profit=0.1, recency=0.4, tenure=0.2");

  absl::Status unknown = ParseWeights("loyalty=0.5", weights);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.message()), ::testing::HasSubstr("'loyalty'"));
  EXPECT_THAT(std::string(unknown.message()), ::testing::HasSubstr("cooperation_potential"));
  EXPECT_FALSE(ParseWeights("profit=much", weights).ok());
  EXPECT_FALSE(ParseWeights("profit", weights).ok());
  EXPECT_EQ(weights.profit(), 0.1);
}

TEST(KeyAccountSyntaxTest, AbcThresholdsAreTwoShares) {
  absl::StatusOr<v1::AbcThresholds> abc = ParseAbcThresholds("0.8/0.95");
  ASSERT_TRUE(abc.ok()) << abc.status();
  EXPECT_EQ(abc->a_max_share(), 0.8);
  EXPECT_EQ(abc->b_max_share(), 0.95);
  EXPECT_EQ(FormatAbcThresholds(*abc), "0.8/0.95");
  EXPECT_FALSE(ParseAbcThresholds("0.8").ok());
  EXPECT_FALSE(ParseAbcThresholds("80%/95%").ok());
}

TEST(KeyAccountSyntaxTest, TierCutoffsInTheOrderGiven) {
  absl::StatusOr<std::vector<v1::TierCutoff>> tiers =
      ParseTierCutoffs("strategic=80, KEY=60; standard=30,potential=0");
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  ASSERT_EQ(tiers->size(), 4u);
  EXPECT_EQ((*tiers)[0].tier(), v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ((*tiers)[0].min_score(), 80);
  EXPECT_EQ((*tiers)[1].tier(), v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ((*tiers)[3].tier(), v1::ACCOUNT_TIER_POTENTIAL);
  google::protobuf::RepeatedPtrField<v1::TierCutoff> field(tiers->begin(), tiers->end());
  EXPECT_EQ(FormatTierCutoffs(field), "strategic=80, key=60, standard=30, potential=0");
  EXPECT_THAT(std::string(ParseTierCutoffs("gold=90").status().message()),
              ::testing::HasSubstr("gold"));
  EXPECT_FALSE(ParseTierCutoffs("key").ok());
  EXPECT_FALSE(ParseTierCutoffs("").ok());
}

TEST(KeyAccountSyntaxTest, PlanActionsWithOwnerDueDateAndDone) {
  absl::StatusOr<std::vector<v1::PlanAction>> actions = ParsePlanActions(
      "Quarterly review, with finance|alice|2026-12-31; Exec visit|bob|2027-03-01|done;"
      " Call|carol|");
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->size(), 3u);
  EXPECT_EQ((*actions)[0].description(), "Quarterly review, with finance");
  EXPECT_EQ((*actions)[0].owner(), "alice");
  EXPECT_EQ((*actions)[0].due_date().year(), 2026);
  EXPECT_EQ((*actions)[0].due_date().day(), 31);
  EXPECT_FALSE((*actions)[0].done());
  EXPECT_TRUE((*actions)[1].done());
  EXPECT_FALSE((*actions)[2].has_due_date());
  google::protobuf::RepeatedPtrField<v1::PlanAction> field(actions->begin(), actions->end());
  EXPECT_EQ(FormatPlanActions(field),
            "Quarterly review, with finance|alice|2026-12-31; Exec visit|bob|2027-03-01|done; "
            "Call|carol|");
  EXPECT_FALSE(ParsePlanActions("Call alice tomorrow").ok());
  EXPECT_FALSE(ParsePlanActions("Call|alice|tomorrow-ish").ok());
  EXPECT_FALSE(ParsePlanActions("Call|alice|2026-12-31|later").ok());
}

}  // namespace
}  // namespace crm::crmctl
