// The gateway client's channel: how an address becomes a gRPC target, and calls spread
// round-robin over several servers named in one address list.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/gateway/channel.h"
#include "crm/v1/account.grpc.pb.h"

namespace crm::client {
namespace {

TEST(ChannelTargetTest, OneAddressStaysAsItIs) {
  EXPECT_EQ(*ChannelTarget("127.0.0.1:50051"), "127.0.0.1:50051");
  EXPECT_EQ(*ChannelTarget("dns:///crm.internal:50051"), "dns:///crm.internal:50051");
  EXPECT_EQ(*ChannelTarget("crm.internal:50051"), "crm.internal:50051");
}

TEST(ChannelTargetTest, AListOfIpAddressesBecomesOneTargetNamingThemAll) {
  EXPECT_EQ(*ChannelTarget("127.0.0.1:5001,127.0.0.1:5002, 10.1.2.3:5003"),
            "ipv4:127.0.0.1:5001,127.0.0.1:5002,10.1.2.3:5003");
  EXPECT_EQ(*ChannelTarget("[::1]:5001,[fe80::1]:5002"), "ipv6:[::1]:5001,[fe80::1]:5002");
}

TEST(ChannelTargetTest, AListWithAHostNameOrMixedFamiliesIsRefusedNamingTheEntry) {
  absl::StatusOr<std::string> named = ChannelTarget("127.0.0.1:5001,crm-2.internal:5002");
  ASSERT_EQ(named.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(named.status().message().find("crm-2.internal:5002"), std::string::npos) << named.status();
  EXPECT_EQ(ChannelTarget("127.0.0.1:5001,[::1]:5002").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChannelTarget("127.0.0.1,127.0.0.2").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MakeChannelTest, AMalformedListFailsBeforeAnyCall) {
  EXPECT_EQ(MakeChannel("127.0.0.1:1,not an address", ClientOptions()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Answers GetAccount with its own name as the account's name.
class NamedAccountService final : public crm::v1::AccountService::CallbackService {
 public:
  explicit NamedAccountService(std::string name) : name_(std::move(name)) {}
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context, const crm::v1::GetAccountRequest*,
                                       crm::v1::Account* response) override {
    response->set_name(name_);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  std::string name_;
};

struct NamedServer {
  explicit NamedServer(const std::string& name) : service(name) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
  }
  NamedAccountService service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

std::map<std::string, int> CallsPerServer(crm::v1::AccountService::Stub& stub, int calls) {
  std::map<std::string, int> seen;
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    context.set_wait_for_ready(true);
    crm::v1::Account account;
    const grpc::Status status = stub.GetAccount(&context, crm::v1::GetAccountRequest(), &account);
    ++seen[status.ok() ? account.name() : absl::StrCat("error ", status.error_code())];
  }
  return seen;
}

TEST(MakeChannelTest, CallsGoRoundRobinOverTheServersOfAList) {
  auto first = std::make_unique<NamedServer>("first");
  NamedServer second("second"), third("third");
  ASSERT_TRUE(first->server && second.server && third.server);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(absl::StrCat("127.0.0.1:", first->port, ",127.0.0.1:", second.port, ",127.0.0.1:", third.port),
                  ClientOptions());
  ASSERT_TRUE(channel.ok()) << channel.status();
  std::unique_ptr<crm::v1::AccountService::Stub> stub = crm::v1::AccountService::NewStub(*channel);
  // Wait until the channel has connected to all three, so that the count below is exact.
  ASSERT_TRUE((*channel)->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
  for (int i = 0; i < 50; ++i) {
    if (CallsPerServer(*stub, 3).size() == 3) break;
  }
  EXPECT_EQ(CallsPerServer(*stub, 30), (std::map<std::string, int>{{"first", 10}, {"second", 10}, {"third", 10}}));

  // A server that goes away is skipped: the calls go to the other two.
  first->server->Shutdown();
  first.reset();
  CallsPerServer(*stub, 4);  // lets the channel notice
  const std::map<std::string, int> after = CallsPerServer(*stub, 20);
  EXPECT_EQ(after.count("first"), 0u);
  int served_by_others = 0;
  for (const auto& [name, calls] : after) served_by_others += (name == "second" || name == "third") ? calls : 0;
  EXPECT_EQ(served_by_others, 20);
  EXPECT_EQ(after.count("second") + after.count("third"), 2u) << "one server took every call";
}

}  // namespace
}  // namespace crm::client
