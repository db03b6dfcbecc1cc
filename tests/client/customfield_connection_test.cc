// The retry and request-id rules of DefaultCustomFieldConnection, RPC by RPC, against a fake
// stub (CreateCustomField gets a request id and is retried; reads are retried; updates, deletes
// and undeletes are sent once); the custom-field mocks behind the public factories; ListAll*
// paging through CustomFieldClient.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "clients/gateway/customfield_client.h"
#include "clients/gateway/customfield_connection_impl.h"
#include "clients/gateway/mocks/mock_customfield_connection.h"
#include "clients/gateway/mocks/mock_customfield_stub.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using testing::FakeCustomFieldStub;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& CustomFieldService() {
  return *v1::CustomField::descriptor()->file()->FindServiceByName("CustomFieldService");
}

// The policy of every RPC, written out here independently of customfield_rpcs.h, so that a row
// filed under the wrong kind there fails this test. They follow the account RPCs of the same
// shape (CreateAccount, UpdateAccount, DeleteAccount, UndeleteAccount).
const std::set<std::string> kReads = {"GetCustomField", "ListCustomFields",
                                      "ListCustomFieldVersions"};
// Takes a request_id that the server replays.
const std::set<std::string> kCreates = {"CreateCustomField"};
// Sent once: a repeat of a change that committed would meet the new etag (or version).
const std::set<std::string> kChanges = {"UpdateCustomField", "DeleteCustomField",
                                        "UndeleteCustomField"};

// Every RPC by name, called with an empty request; returns the final status.
const testing::RpcsByName<CustomFieldConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<CustomFieldConnection>{CRM_CUSTOMFIELD_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

class CustomFieldConnectionTest
    : public testing::ConnectionTest<FakeCustomFieldStub, internal::DefaultCustomFieldConnection> {
 protected:
  // The request that attempt `i` sent.
  v1::CreateCustomFieldRequest CreateRequestOfCall(size_t i) {
    v1::CreateCustomFieldRequest request;
    EXPECT_EQ(stub_->calls().at(i).method, "CreateCustomField");
    EXPECT_TRUE(request.ParseFromString(stub_->calls().at(i).request));
    return request;
  }
};

TEST_F(CustomFieldConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(CustomFieldService(), Rpcs(), {&kReads, &kCreates, &kChanges});
}

TEST_F(CustomFieldConnectionTest, EveryCreateKindRpcHasARequestIdAndNoOtherDoes) {
  testing::ExpectRequestIdsExactlyOn(CustomFieldService(), kCreates);
}

TEST_F(CustomFieldConnectionTest, ReadsAreRetriedOnUnavailable) {
  auto connection = Connection();
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), kReads);
  EXPECT_THAT(sleeps_, ::testing::SizeIs(2 * kReads.size()));
}

TEST_F(CustomFieldConnectionTest, CreateGetsARequestIdThatEveryAttemptRepeats) {
  stub_->FailNext("CreateCustomField", Unavailable());
  stub_->FailNext("CreateCustomField", Unavailable());
  v1::CreateCustomFieldRequest create;
  create.mutable_field()->set_entity(v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  create.mutable_field()->set_key("segment");
  create.mutable_field()->set_type(v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  create.mutable_field()->add_options("smb");

  auto connection = Connection();
  ASSERT_TRUE(connection.CreateCustomField(create).ok());
  ASSERT_EQ(stub_->CallCount("CreateCustomField"), 3);
  const std::string request_id = CreateRequestOfCall(0).request_id();
  EXPECT_FALSE(request_id.empty());
  for (size_t i = 0; i < 3; ++i) {
    v1::CreateCustomFieldRequest sent = CreateRequestOfCall(i);
    EXPECT_EQ(sent.request_id(), request_id) << i;
    EXPECT_EQ(sent.field().key(), "segment") << i;
    EXPECT_THAT(sent.field().options(), ElementsAre("smb")) << i;
  }
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));

  // A fresh id per call, not per connection.
  ASSERT_TRUE(connection.CreateCustomField(create).ok());
  EXPECT_NE(CreateRequestOfCall(3).request_id(), request_id);
}

TEST_F(CustomFieldConnectionTest, CreateKeepsTheCallersRequestId) {
  stub_->FailNext("CreateCustomField", Unavailable());
  v1::CreateCustomFieldRequest create;
  create.set_request_id("mine");

  EXPECT_TRUE(Connection().CreateCustomField(create).ok());
  ASSERT_EQ(stub_->CallCount("CreateCustomField"), 2);
  EXPECT_EQ(CreateRequestOfCall(0).request_id(), "mine");
  EXPECT_EQ(CreateRequestOfCall(1).request_id(), "mine");
  EXPECT_EQ(ids_, 1);  // the correlation id only; no request id was invented
}

TEST_F(CustomFieldConnectionTest, ChangesAreSentOnceEvenWithAnEtag) {
  auto connection = Connection();
  for (const std::string& rpc : kChanges) {
    stub_->FailNext(rpc, Unavailable());
    absl::Status status = Rpcs().at(rpc)(connection);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << rpc;
    EXPECT_EQ(status.message(), "connection refused") << rpc;  // not "gave up after ..."
    EXPECT_EQ(stub_->CallCount(rpc), 1) << rpc;
  }
  v1::UpdateCustomFieldRequest update;
  update.mutable_field()->set_entity(v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  update.mutable_field()->set_key("segment");
  update.mutable_field()->set_label("Segment");
  update.mutable_update_mask()->add_paths("label");
  update.set_etag("4");
  stub_->FailNext("UpdateCustomField", Unavailable());
  EXPECT_EQ(connection.UpdateCustomField(update).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->CallCount("UpdateCustomField"), 2);  // one per call
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(CustomFieldConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {absl::NotFoundError("key"),
                                  absl::PermissionDeniedError("admins only"),
                                  absl::DeadlineExceededError("slow")};
  auto connection = Connection();
  for (const absl::Status& answer : answers) {
    stub_->FailNext("GetCustomField", answer);
    EXPECT_EQ(connection.GetCustomField({}).status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("GetCustomField"), 3);
}

TEST_F(CustomFieldConnectionTest, ReadsGiveUpAfterMaxAttempts) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("ListCustomFields", Unavailable());
  policy_.retry.max_attempts = 3;

  absl::StatusOr<v1::ListCustomFieldsResponse> fields = Connection().ListCustomFields({});
  EXPECT_EQ(fields.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(fields.status().message()),
              HasSubstr("connection refused (gave up after 3 attempts)"));
  EXPECT_EQ(stub_->CallCount("ListCustomFields"), 3);
}

TEST_F(CustomFieldConnectionTest, MetadataDecoratorSendsTokenAndOneCorrelationId) {
  auto decorated = std::make_shared<MetadataCustomFieldStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultCustomFieldConnection connection(decorated, policy_);
  stub_->FailNext("GetCustomField", Unavailable());
  EXPECT_TRUE(connection.GetCustomField({}).ok());

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

TEST(CustomFieldMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockCustomFieldStub>();
  std::vector<std::string> request_ids;
  v1::CustomField created;
  created.set_key("segment");
  EXPECT_CALL(*stub, CreateCustomField(_, _))
      .WillOnce([&](grpc::ClientContext&, const v1::CreateCustomFieldRequest& request) {
        request_ids.push_back(request.request_id());
        return absl::UnavailableError("blip");
      })
      .WillOnce([&](grpc::ClientContext&, const v1::CreateCustomFieldRequest& request) {
        request_ids.push_back(request.request_id());
        return created;
      });
  EXPECT_CALL(*stub, DeleteCustomField(_, _)).WillOnce(Return(absl::UnavailableError("blip")));
  CustomFieldClient client(MakeCustomFieldConnection(stub, FastRetries()));

  absl::StatusOr<v1::CustomField> field = client.CreateCustomField(v1::CreateCustomFieldRequest());
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->key(), "segment");
  ASSERT_EQ(request_ids.size(), 2u);
  EXPECT_FALSE(request_ids[0].empty());
  EXPECT_EQ(request_ids[0], request_ids[1]);
  EXPECT_EQ(client.DeleteCustomField(v1::DeleteCustomFieldRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(CustomFieldPaginationTest, ListAllCustomFieldVersionsFollowsTokensAndKeepsTheField) {
  auto connection = std::make_shared<mocks::MockCustomFieldConnection>();
  auto page = [](std::vector<int64_t> versions, std::string next) {
    v1::ListCustomFieldVersionsResponse response;
    for (int64_t version : versions) response.add_versions()->set_version(version);
    response.set_next_page_token(std::move(next));
    return response;
  };
  auto of_segment =
      ::testing::AllOf(::testing::Property(&v1::ListCustomFieldVersionsRequest::entity,
                                           v1::CUSTOM_FIELD_ENTITY_ACCOUNT),
                       ::testing::Property(&v1::ListCustomFieldVersionsRequest::key, "segment"));
  EXPECT_CALL(
      *connection,
      ListCustomFieldVersions(::testing::AllOf(
          of_segment, ::testing::Property(&v1::ListCustomFieldVersionsRequest::page_token, ""))))
      .WillOnce(Return(page({3, 2}, "p1")));
  EXPECT_CALL(
      *connection,
      ListCustomFieldVersions(::testing::AllOf(
          of_segment, ::testing::Property(&v1::ListCustomFieldVersionsRequest::page_token, "p1"))))
      .WillOnce(Return(page({1}, "")));
  CustomFieldClient client(connection);

  v1::ListCustomFieldVersionsRequest request;
  request.set_entity(v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  request.set_key("segment");
  std::vector<int64_t> versions;
  for (const absl::StatusOr<v1::CustomField>& version :
       client.ListAllCustomFieldVersions(request)) {
    ASSERT_TRUE(version.ok()) << version.status();
    versions.push_back(version->version());
  }
  EXPECT_THAT(versions, ElementsAre(3, 2, 1));
}

TEST(CustomFieldPaginationTest, AFailedPageEndsListAllCustomFieldsWithItsError) {
  auto connection = std::make_shared<mocks::MockCustomFieldConnection>();
  v1::ListCustomFieldsResponse first;
  first.add_fields()->set_key("segment");
  first.set_next_page_token("p1");
  EXPECT_CALL(*connection, ListCustomFields(_))
      .WillOnce(Return(first))
      .WillOnce(Return(absl::PermissionDeniedError("admins only")));
  CustomFieldClient client(connection);

  std::vector<std::string> keys;
  absl::Status last;
  for (const absl::StatusOr<v1::CustomField>& field :
       client.ListAllCustomFields(v1::ListCustomFieldsRequest())) {
    if (!field.ok()) {
      last = field.status();
      break;
    }
    keys.push_back(field->key());
  }
  EXPECT_THAT(keys, ElementsAre("segment"));
  EXPECT_EQ(last.code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace crm::client
