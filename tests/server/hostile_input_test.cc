// Hostile input on every method of every hosted service: SQL metacharacters, huge strings,
// control characters, invalid UTF-8, and repeated fields by the thousand, put into every string
// field of every request (found by reflection, so a new method or field is covered without
// touching this file). Each call must end in a clean status (never UNKNOWN, INTERNAL or
// DATA_LOSS), the server must stay up, and what was stored before must still be there.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "crm/v1/account.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

struct Hostile {
  std::string name;
  std::string value;
  // Copies put into each repeated field.
  int repeats = 2;
};

std::vector<Hostile> HostileValues() {
  return {
      {"sql quote", "x'); DROP TABLE accounts; --"},
      {"sql or", "\" OR '1'='1' --"},
      {"like wildcards", "%_%\\"},
      {"statement stacking", "1; DELETE FROM events WHERE 1=1; SELECT '"},
      {"control characters", std::string("a\x01\x02\x1b[31m\r\nb")},
      {"nul byte", std::string("before\0after", 12)},
      {"invalid utf-8", std::string("\xff\xfe\xc3\x28 bad")},
      {"huge", std::string(1 << 20, 'x')},
      {"many repeats", "r", 10000},
  };
}

// Sets every string field of `message` (and of nested messages, a few levels down) to `value`.
void FillStrings(Message& message, const Hostile& hostile, int depth) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->containing_oneof() != nullptr && reflection->HasOneof(message, field->containing_oneof())) continue;
    if (field->type() == FieldDescriptor::TYPE_STRING || field->type() == FieldDescriptor::TYPE_BYTES) {
      if (field->is_repeated()) {
        for (int r = 0; r < hostile.repeats; ++r) reflection->AddString(&message, field, hostile.value);
      } else {
        reflection->SetString(&message, field, hostile.value);
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 4 && !field->is_map()) {
      // Timestamps and the like keep their defaults; only messages with text are filled.
      if (field->message_type()->file()->package() != "crm.v1") continue;
      Message* child = field->is_repeated() ? reflection->AddMessage(&message, field)
                                            : reflection->MutableMessage(&message, field);
      FillStrings(*child, hostile, depth + 1);
    }
  }
}

class HostileInputTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_P(HostileInputTest, EveryStringFieldOfEveryMethodTakesHostileInputCleanly) {
  auto accounts = crm::v1::AccountService::NewStub(server_->channel());
  crm::v1::CreateAccountRequest create;
  create.mutable_account()->set_name("Canary GmbH");
  create.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  crm::v1::Account canary;
  ASSERT_TRUE(accounts->CreateAccount(testing::CallAs("admin-caller").get(), create, &canary).ok());

  const std::string token = server_->TokenFor("admin-caller");
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  grpc::GenericStub stub(server_->channel());
  int calls = 0;
  for (const std::string& service_name : server_->host().ServiceNames()) {
    const auto* service = pool->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr);
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      const bool streams = method->server_streaming() || method->client_streaming();
      for (const Hostile& hostile : HostileValues()) {
        std::unique_ptr<Message> request(factory->GetPrototype(method->input_type())->New());
        FillStrings(*request, hostile, 0);
        std::string bytes;
        request->SerializePartialToString(&bytes);
        grpc::Slice slice(bytes);
        grpc::ByteBuffer request_buffer(&slice, 1), response;
        auto context = testing::CallWithToken(token, streams ? absl::Milliseconds(200) : absl::Seconds(20));
        std::promise<grpc::Status> done;
        stub.UnaryCall(context.get(), absl::StrCat("/", service_name, "/", method->name()), grpc::StubOptions(),
                       &request_buffer, &response, [&done](grpc::Status s) { done.set_value(s); });
        const grpc::Status status = done.get_future().get();
        ++calls;
        // A string that is not UTF-8 makes the whole request unparsable (proto3 strings are UTF-8).
        if (hostile.name == "invalid utf-8" && !method->client_streaming() &&
            bytes.find(hostile.value) != std::string::npos) {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
              << service_name << "/" << method->name() << ": " << status.error_message();
        }
        // An error never quotes a huge value back: it would not fit the response's headers.
        EXPECT_LT(status.error_message().size(), 2048u) << service_name << "/" << method->name();
        for (grpc::StatusCode bad : {grpc::StatusCode::UNKNOWN, grpc::StatusCode::INTERNAL, grpc::StatusCode::DATA_LOSS,
                                     grpc::StatusCode::UNAVAILABLE}) {
          EXPECT_NE(status.error_code(), bad)
              << service_name << "/" << method->name() << " with " << hostile.name << ": " << status.error_message();
        }
      }
    }
  }
  EXPECT_GT(calls, 1000);

  // Text full of SQL is stored and read back as it was sent.
  for (const Hostile& hostile : HostileValues()) {
    if (hostile.name.rfind("sql", 0) != 0 && hostile.name != "statement stacking" && hostile.name != "like wildcards") {
      continue;
    }
    crm::v1::CreateAccountRequest named = create;
    named.mutable_account()->set_name(hostile.value);
    crm::v1::Account stored, read_back;
    ASSERT_TRUE(accounts->CreateAccount(testing::CallAs("admin-caller").get(), named, &stored).ok()) << hostile.name;
    crm::v1::GetAccountRequest get_stored;
    get_stored.set_id(stored.id());
    ASSERT_TRUE(accounts->GetAccount(testing::CallAs("admin-caller").get(), get_stored, &read_back).ok());
    EXPECT_EQ(read_back.name(), hostile.value);
  }

  // Still serving, and nothing was dropped or deleted behind the validation.
  auto health = grpc::health::v1::Health::NewStub(server_->channel());
  grpc::health::v1::HealthCheckResponse answer;
  grpc::ClientContext plain;
  ASSERT_TRUE(health->Check(&plain, grpc::health::v1::HealthCheckRequest(), &answer).ok());
  EXPECT_EQ(answer.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  crm::v1::GetAccountRequest get;
  get.set_id(canary.id());
  crm::v1::Account again;
  grpc::Status read = accounts->GetAccount(testing::CallAs("admin-caller").get(), get, &again);
  ASSERT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(again.name(), "Canary GmbH");
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileInputTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
