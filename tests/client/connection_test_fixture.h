// What the connection tests of every service share: the default connection over a fake stub with
// a recording policy, the service's RPCs by name from its X-macro list, and the checks that the
// list covers the service, that request ids are where creates are, and that retried kinds are
// retried.
#pragma once

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/client/fake_stubs.h"

// One entry of RpcsByName for a row of a service's X-macro list:
//   new RpcsByName<AdminConnection>{CRM_ADMIN_RPCS(CRM_TEST_RPC_BY_NAME)}
#define CRM_TEST_RPC_BY_NAME(Method, Request, Response, Kind) \
  {#Method, [](auto& connection) { return connection.Method(v1::Request()).status(); }},

namespace crm::client::testing {

// Every RPC of a connection by name, called with an empty request; returns the final status.
template <typename Connection>
using RpcsByName = std::map<std::string, std::function<absl::Status(Connection&)>>;

// A test of `DefaultConnection` over a `FakeStub` (ScriptedUnaryCalls) and RecordingPolicy.
template <typename FakeStub, typename DefaultConnection>
class ConnectionTest : public ::testing::Test {
 protected:
  DefaultConnection Connection() { return DefaultConnection(stub_, policy_); }

  std::shared_ptr<FakeStub> stub_ = std::make_shared<FakeStub>();
  std::vector<absl::Duration> sleeps_;
  int ids_ = 0;
  internal::CallPolicy policy_ = RecordingPolicy(&sleeps_, &ids_);
};

// The service's RPCs are exactly those of `rpcs` plus `by_hand` (streams declared outside the
// list), and each is filed under exactly one of `kinds` (or is in `by_hand`): the kinds a test
// writes out independently of the list, so that a row filed under the wrong kind fails it.
template <typename Connection>
void ExpectCoversTheService(const google::protobuf::ServiceDescriptor& service,
                            const RpcsByName<Connection>& rpcs,
                            const std::vector<const std::set<std::string>*>& kinds,
                            const std::set<std::string>& by_hand = {}) {
  std::set<std::string> in_proto;
  for (int i = 0; i < service.method_count(); ++i) in_proto.insert(service.method(i)->name());
  std::set<std::string> in_client = by_hand;
  for (const auto& [name, call] : rpcs) in_client.insert(name);
  EXPECT_EQ(in_client, in_proto);

  std::set<std::string> classified = by_hand;
  size_t filed = by_hand.size();
  for (const std::set<std::string>* kind : kinds) {
    classified.insert(kind->begin(), kind->end());
    filed += kind->size();
  }
  EXPECT_EQ(classified, in_proto);
  EXPECT_EQ(filed, in_proto.size());  // disjoint
}

// Exactly the RPCs of `creates` take a request_id (which the connection fills in).
inline void ExpectRequestIdsExactlyOn(const google::protobuf::ServiceDescriptor& service,
                                      const std::set<std::string>& creates) {
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service.method(i);
    const bool has_request_id = method.input_type()->FindFieldByName("request_id") != nullptr;
    EXPECT_EQ(has_request_id, creates.count(method.name()) == 1) << method.name();
  }
}

// Each RPC of `names` succeeds on its third attempt after two UNAVAILABLE answers.
template <typename Connection, typename DefaultConnection>
void ExpectRetriedOnUnavailable(ScriptedUnaryCalls& stub, DefaultConnection& connection,
                                const RpcsByName<Connection>& rpcs,
                                const std::set<std::string>& names) {
  for (const std::string& rpc : names) {
    stub.FailNext(rpc, absl::UnavailableError("connection refused"));
    stub.FailNext(rpc, absl::UnavailableError("connection refused"));
    EXPECT_TRUE(rpcs.at(rpc)(connection).ok()) << rpc;
    EXPECT_EQ(stub.CallCount(rpc), 3) << rpc;
  }
}

}  // namespace crm::client::testing
