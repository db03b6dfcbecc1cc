// Server reflection answers, so tools like grpcurl can discover and call every service.
// Debian's gRPC ships no generated reflection stubs, so the test speaks the protocol with a
// generic stub: ServerReflectionRequest{list_services: "*"} is the bytes 0x3A 0x01 '*'.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "tests/support/test_server.h"

namespace crm {
namespace {

std::string Call(grpc::Channel* channel, const std::string& request_bytes) {
  grpc::GenericStub stub(channel->shared_from_this());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  auto step = [&](int expected) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(tag, reinterpret_cast<void*>(static_cast<intptr_t>(expected)));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  std::string out;
  if (step(3)) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return out;
}

TEST(ReflectionTest, ListsEveryServiceAndServesTheirDescriptors) {
  testing::TestDatabase database("sqlite");
  testing::TestServer server(database);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string services = Call(server.channel().get(), std::string("\x3A\x01*", 3));
  EXPECT_NE(services.find("crm.v1.AccountService"), std::string::npos);
  EXPECT_NE(services.find("crm.v1.EventService"), std::string::npos);
  EXPECT_NE(services.find("grpc.health.v1.Health"), std::string::npos);

  // file_containing_symbol (field 4) returns the FileDescriptorProto of account.proto.
  const std::string symbol = "crm.v1.AccountService";
  std::string request("\x22", 1);
  request.push_back(static_cast<char>(symbol.size()));
  request += symbol;
  const std::string file = Call(server.channel().get(), request);
  EXPECT_NE(file.find("crm/v1/account.proto"), std::string::npos);
  EXPECT_NE(file.find("CreateAccount"), std::string::npos);
}

}  // namespace
}  // namespace crm
