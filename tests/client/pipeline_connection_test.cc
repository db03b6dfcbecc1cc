// The retry and request-id rules of DefaultPipelineConnection, RPC by RPC, against a fake stub;
// the pipeline mocks behind the public factories; ListAll* paging through PipelineClient.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "clients/gateway/metadata_decorator.h"
#include "clients/gateway/mocks/mock_pipeline_connection.h"
#include "clients/gateway/mocks/mock_pipeline_stub.h"
#include "clients/gateway/pipeline_client.h"
#include "clients/gateway/pipeline_connection_impl.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;
using testing::FakePipelineStub;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& PipelineService() {
  return *v1::Pipeline::descriptor()->file()->FindServiceByName("PipelineService");
}

// The policy of every RPC, written out here independently of pipeline_rpcs.h, so that a row
// filed under the wrong kind there fails this test.
const std::set<std::string> kReads = {
    "GetPipeline",      "ListPipelines",          "GetLead",
    "ListLeads",        "GetOpportunity",         "ListOpportunities",
    "ListStageChanges", "GetOrder",               "ListOrders",
    "ListPayments",     "GetReceivables",         "GetCampaign",
    "ListCampaigns",    "GetCampaignPerformance", "ListTeams",
    "ListTargets",      "GetSalesSettings",       "GetFunnel",
    "GetForecast",      "GetOwnerPerformance",    "GetTargetGroupDistribution"};
// Each takes a request_id that the server replays.
const std::set<std::string> kCreates = {"CreatePipeline", "CreateLead",    "ConvertLead",
                                        "CreateOpportunity", "CreateOrder", "RecordPayment",
                                        "CreateCampaign"};
const std::set<std::string> kChanges = {
    "UpdatePipeline",    "UpdateLead",       "DeleteLead",        "QualifyLead",
    "DisqualifyLead",    "UpdateOpportunity", "MoveOpportunity",  "CloseOpportunity",
    "ReopenOpportunity", "CancelOrder",      "UpdateCampaign",    "SetTeam",
    "SetTarget",         "UpdateSalesSettings"};

// Every RPC by name, called with an empty request; returns the final status.
const testing::RpcsByName<PipelineConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<PipelineConnection>{CRM_PIPELINE_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

class PipelineConnectionTest
    : public testing::ConnectionTest<FakePipelineStub, internal::DefaultPipelineConnection> {
 protected:
  // The request_id that attempt `i` sent, read from its request by the RPC's input type.
  std::string RequestIdOfCall(size_t i) {
    const testing::RecordedCall& call = stub_->calls().at(i);
    const google::protobuf::MethodDescriptor* method =
        PipelineService().FindMethodByName(call.method);
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

TEST_F(PipelineConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(PipelineService(), Rpcs(), {&kReads, &kCreates, &kChanges});
}

TEST_F(PipelineConnectionTest, ReadsAreRetriedOnUnavailable) {
  auto connection = Connection();
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), kReads);
}

TEST_F(PipelineConnectionTest, CreatesGetARequestIdThatEveryAttemptRepeats) {
  auto connection = Connection();
  for (const std::string& rpc : kCreates) {
    const size_t first = stub_->calls().size();
    stub_->FailNext(rpc, Unavailable());
    EXPECT_TRUE(Rpcs().at(rpc)(connection).ok()) << rpc;
    ASSERT_EQ(stub_->CallCount(rpc), 2) << rpc;
    EXPECT_FALSE(RequestIdOfCall(first).empty()) << rpc;
    EXPECT_EQ(RequestIdOfCall(first), RequestIdOfCall(first + 1)) << rpc;
  }
}

TEST_F(PipelineConnectionTest, CreatesKeepTheCallersRequestId) {
  stub_->FailNext("CreateOpportunity", Unavailable());
  stub_->FailNext("ConvertLead", Unavailable());
  v1::CreateOpportunityRequest create;
  create.set_request_id("mine");
  create.mutable_opportunity()->set_name("Big deal");
  v1::ConvertLeadRequest convert;
  convert.set_request_id("convert-once");

  auto connection = Connection();
  EXPECT_TRUE(connection.CreateOpportunity(create).ok());
  EXPECT_TRUE(connection.ConvertLead(convert).ok());
  ASSERT_EQ(stub_->calls().size(), 4u);
  EXPECT_EQ(RequestIdOfCall(0), "mine");
  EXPECT_EQ(RequestIdOfCall(1), "mine");
  EXPECT_EQ(RequestIdOfCall(2), "convert-once");
  EXPECT_EQ(RequestIdOfCall(3), "convert-once");
  v1::CreateOpportunityRequest sent;
  ASSERT_TRUE(sent.ParseFromString(stub_->calls()[1].request));
  EXPECT_EQ(sent.opportunity().name(), "Big deal");
}

TEST_F(PipelineConnectionTest, ChangesAreSentOnceEvenWithAnEtag) {
  auto connection = Connection();
  for (const std::string& rpc : kChanges) {
    stub_->FailNext(rpc, Unavailable());
    absl::Status status = Rpcs().at(rpc)(connection);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << rpc;
    EXPECT_EQ(status.message(), "connection refused") << rpc;  // not "gave up after ..."
    EXPECT_EQ(stub_->CallCount(rpc), 1) << rpc;
  }
  v1::MoveOpportunityRequest move;
  move.set_id("opp_1");
  move.set_etag("3");
  stub_->FailNext("MoveOpportunity", Unavailable());
  EXPECT_EQ(connection.MoveOpportunity(move).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("MoveOpportunity"), 2);  // one per call above
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(PipelineConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {absl::UnimplementedError("not yet"),
                                  absl::DeadlineExceededError("slow"), absl::AbortedError("etag"),
                                  absl::NotFoundError("id")};
  auto connection = Connection();
  for (const absl::Status& answer : answers) {
    stub_->FailNext("GetForecast", answer);
    EXPECT_EQ(connection.GetForecast({}).status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("GetForecast"), 4);
}

TEST_F(PipelineConnectionTest, ReadsGiveUpAfterMaxAttemptsWithBackoff) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("GetFunnel", Unavailable());
  policy_.retry.max_attempts = 3;

  absl::StatusOr<v1::Funnel> result = Connection().GetFunnel({});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("connection refused (gave up after 3 attempts)"));
  EXPECT_EQ(stub_->CallCount("GetFunnel"), 3);
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
}

TEST_F(PipelineConnectionTest, MetadataDecoratorSendsTokenAndOneCorrelationId) {
  auto decorated = std::make_shared<MetadataPipelineStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultPipelineConnection connection(decorated, policy_);
  stub_->FailNext("GetOpportunity", Unavailable());
  EXPECT_TRUE(connection.GetOpportunity({}).ok());

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

TEST(PipelineMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockPipelineStub>();
  std::vector<std::string> request_ids;
  v1::Lead created;
  created.set_id("lead_1");
  EXPECT_CALL(*stub, CreateLead(_, _))
      .WillOnce([&](grpc::ClientContext&, const v1::CreateLeadRequest& request) {
        request_ids.push_back(request.request_id());
        return absl::UnavailableError("blip");
      })
      .WillOnce([&](grpc::ClientContext&, const v1::CreateLeadRequest& request) {
        request_ids.push_back(request.request_id());
        return created;
      });
  PipelineClient client(MakePipelineConnection(stub, FastRetries()));

  absl::StatusOr<v1::Lead> lead = client.CreateLead(v1::CreateLeadRequest());
  ASSERT_TRUE(lead.ok()) << lead.status();
  EXPECT_EQ(lead->id(), "lead_1");
  ASSERT_EQ(request_ids.size(), 2u);
  EXPECT_FALSE(request_ids[0].empty());
  EXPECT_EQ(request_ids[0], request_ids[1]);
}

TEST(PipelineMocksTest, MockConnectionBehindTheClient) {
  auto connection = std::make_shared<mocks::MockPipelineConnection>();
  v1::Funnel funnel;
  funnel.set_won(3);
  EXPECT_CALL(*connection, GetFunnel(::testing::Property(
                               &v1::GetFunnelRequest::filter,
                               ::testing::Property(&v1::AnalyticsFilter::owner, "alice"))))
      .WillOnce(Return(funnel));
  PipelineClient client(connection);

  v1::GetFunnelRequest request;
  request.mutable_filter()->set_owner("alice");
  absl::StatusOr<v1::Funnel> result = client.GetFunnel(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->won(), 3);
}

template <typename Request>
::testing::Matcher<const Request&> WithToken(const std::string& token) {
  return ::testing::Property(&Request::page_token, token);
}

TEST(PipelinePaginationTest, ListAllOpportunitiesFollowsTokensAndKeepsTheFilter) {
  auto connection = std::make_shared<mocks::MockPipelineConnection>();
  auto page = [](std::vector<std::string> ids, std::string next) {
    v1::ListOpportunitiesResponse response;
    for (const std::string& id : ids) response.add_opportunities()->set_id(id);
    response.set_next_page_token(std::move(next));
    return response;
  };
  auto owned_by_bob = ::testing::Property(&v1::ListOpportunitiesRequest::owner, "bob");
  EXPECT_CALL(*connection, ListOpportunities(::testing::AllOf(
                               owned_by_bob, WithToken<v1::ListOpportunitiesRequest>(""))))
      .WillOnce(Return(page({"o1", "o2"}, "t1")));
  EXPECT_CALL(*connection, ListOpportunities(::testing::AllOf(
                               owned_by_bob, WithToken<v1::ListOpportunitiesRequest>("t1"))))
      .WillOnce(Return(page({}, "t2")));
  EXPECT_CALL(*connection, ListOpportunities(::testing::AllOf(
                               owned_by_bob, WithToken<v1::ListOpportunitiesRequest>("t2"))))
      .WillOnce(Return(page({"o3"}, "")));
  PipelineClient client(connection);

  v1::ListOpportunitiesRequest request;
  request.set_owner("bob");
  std::vector<std::string> ids;
  for (const absl::StatusOr<v1::Opportunity>& o : client.ListAllOpportunities(request)) {
    ASSERT_TRUE(o.ok()) << o.status();
    ids.push_back(o->id());
  }
  EXPECT_THAT(ids, ElementsAre("o1", "o2", "o3"));
}

TEST(PipelinePaginationTest, AFailedPageOfStageChangesIsTheLastElement) {
  auto connection = std::make_shared<mocks::MockPipelineConnection>();
  v1::ListStageChangesResponse first;
  first.add_changes()->set_sequence(1);
  first.set_next_page_token("t1");
  EXPECT_CALL(*connection, ListStageChanges(WithToken<v1::ListStageChangesRequest>("")))
      .WillOnce(Return(first));
  EXPECT_CALL(*connection, ListStageChanges(WithToken<v1::ListStageChangesRequest>("t1")))
      .WillOnce(Return(absl::InvalidArgumentError("page_token: forged")));
  PipelineClient client(connection);

  std::vector<absl::StatusCode> codes;
  for (const auto& change : client.ListAllStageChanges({})) codes.push_back(change.status().code());
  EXPECT_THAT(codes, ElementsAre(absl::StatusCode::kOk, absl::StatusCode::kInvalidArgument));
}

// Each ListAll* over two pages of one element each: the right List call, the right field.
TEST(PipelinePaginationTest, EveryListAllReadsEveryPage) {
  auto connection = std::make_shared<mocks::MockPipelineConnection>();
  PipelineClient client(connection);
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
  CRM_PIPELINE_PAGED_LISTS(CRM_TEST_LIST_ALL)
#undef CRM_TEST_LIST_ALL
}

}  // namespace
}  // namespace crm::client
