#include "tests/fuzz/service_harness.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_interceptor.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/core/ids.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/support/mutation_catalogue.h"

namespace crm::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kUser[] = "fuzz-admin";
// Records with one prefix kept for the placeholders; more adds nothing but corpus churn.
constexpr size_t kIdsPerPrefix = 6;
// A client-streaming input carries at most this many requests.
constexpr int kMaxStreamedRequests = 16;
// A server-streaming call is cancelled after this many responses.
constexpr size_t kMaxStreamedResponses = 64;
constexpr absl::Duration kCallTimeout = absl::Seconds(20);
// Subscribe follows live after the backlog; this is how long it is given to deliver some.
constexpr absl::Duration kSubscribeTimeout = absl::Milliseconds(100);

std::string BufferBytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return bytes;
}

// Keeps every call made on any channel while on; the populating walk's calls become the seed
// corpus and its responses the ids the placeholders resolve to.
struct Recorder {
  std::atomic<bool> on{false};
  std::mutex mu;
  std::vector<RecordedCall> calls;
};
Recorder& TheRecorder() {
  static auto* recorder = new Recorder();
  return *recorder;
}

class RecordingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RecordingInterceptor(grpc::experimental::ClientRpcInfo* info) : recording_(TheRecorder().on.load()) {
    if (recording_) call_.path = info->method();
  }
  ~RecordingInterceptor() override {
    if (!recording_) return;
    std::lock_guard<std::mutex> lock(TheRecorder().mu);
    TheRecorder().calls.push_back(std::move(call_));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (recording_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      call_.requests.push_back(BufferBytes(*methods->GetSerializedSendMessage()));
    }
    if (recording_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // While recording only the catalogue's typed protobuf stubs call, so this is a Message.
      if (void* received = methods->GetRecvMessage(); received != nullptr) {
        const auto* message = static_cast<const Message*>(received);
        std::unique_ptr<Message> copy(message->New());
        copy->CopyFrom(*message);
        call_.responses.push_back(std::move(copy));
      }
    }
    methods->Proceed();
  }

 private:
  const bool recording_;
  RecordedCall call_;
};

class RecordingInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new RecordingInterceptor(info);
  }
};

// One call of any method over a generic bidirectional stream: on the wire a unary or streaming
// call is the same, so one reactor serves every kind.
class RawCallReactor final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawCallReactor(grpc::ClientContext* context, const std::vector<std::string>& requests, bool server_streaming)
      : context_(context), requests_(requests), server_streaming_(server_streaming) {}

  RawResult Run(grpc::GenericStub& stub, const std::string& path) {
    stub.PrepareBidiStreamingCall(context_, path, grpc::StubOptions(), this);
    StartRead(&incoming_);
    WriteNext();
    StartCall();
    done_.get_future().wait();
    return std::move(result_);
  }

  void OnWriteDone(bool ok) override {
    if (ok) WriteNext();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    result_.responses.push_back(BufferBytes(incoming_));
    if (!server_streaming_) return;  // the status follows the one response
    if (result_.responses.size() >= kMaxStreamedResponses) {
      context_->TryCancel();
      return;
    }
    StartRead(&incoming_);
  }
  void OnDone(const grpc::Status& status) override {
    result_.status = status;
    done_.set_value();
  }

 private:
  void WriteNext() {
    if (next_ == requests_.size()) {
      StartWritesDone();
      return;
    }
    grpc::Slice slice(requests_[next_++]);
    outgoing_ = grpc::ByteBuffer(&slice, 1);
    StartWrite(&outgoing_);
  }

  grpc::ClientContext* context_;
  const std::vector<std::string>& requests_;
  const bool server_streaming_;
  size_t next_ = 0;
  grpc::ByteBuffer outgoing_;
  grpc::ByteBuffer incoming_;
  RawResult result_;
  std::promise<void> done_;
};

void ForEachStringFieldAt(Message* message, int depth,
                          const std::function<void(Message*, const FieldDescriptor*, int)>& visit) {
  // Parsing already limits nesting to 100; this only guards self-built messages.
  if (depth > 100) return;
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) visit(message, field, i);
      } else {
        visit(message, field, -1);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          ForEachStringFieldAt(reflection->MutableRepeatedMessage(message, field, i), depth + 1, visit);
        }
      } else {
        ForEachStringFieldAt(reflection->MutableMessage(message, field), depth + 1, visit);
      }
    }
  }
}

std::string GetString(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* reflection = message.GetReflection();
  return index < 0 ? reflection->GetString(message, field) : reflection->GetRepeatedString(message, field, index);
}

void SetString(Message* message, const FieldDescriptor* field, int index, std::string value) {
  const Reflection* reflection = message->GetReflection();
  if (index < 0) {
    reflection->SetString(message, field, std::move(value));
  } else {
    reflection->SetRepeatedString(message, field, index, std::move(value));
  }
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "service fuzz harness: %s\n", why.c_str());
  std::abort();
}

}  // namespace

std::string IdPrefixOf(const std::string& value) {
  const size_t underscore = value.find('_');
  if (underscore == std::string::npos || underscore == 0) return "";
  std::string prefix = value.substr(0, underscore);
  return HasIdShape(value, prefix) ? prefix : "";
}

void ForEachStringField(Message* message, const std::function<void(Message*, const FieldDescriptor*, int)>& visit) {
  ForEachStringFieldAt(message, 0, visit);
}

FuzzServer& FuzzServer::Get(bool keep_calls) {
  static FuzzServer* server = [keep_calls] {
    auto* started = new FuzzServer();
    started->Start(keep_calls);
    std::atexit([] { Get().Stop(); });
    return started;
  }();
  return *server;
}

void FuzzServer::Start(bool keep_calls) {
  // Protobuf logs every fuzz input that is no valid message (invalid UTF-8 and the like); the
  // target just skips those, so the log would only slow it down.
  google::protobuf::SetLogHandler(nullptr);
  static RecordingInterceptorFactory factory;
  grpc::experimental::RegisterGlobalClientInterceptorFactory(&factory);

  database_ = std::make_unique<testing::TestDatabase>("sqlite");
  if (!database_->available()) Die("cannot create a SQLite database");
  server_ = std::make_unique<testing::TestServer>(*database_);
  if (!server_->ok()) Die("cannot start the server: " + server_->status().ToString());
  token_ = server_->TokenFor(kUser, crm::v1::ROLE_ADMIN);
  if (token_.empty()) Die("cannot issue an admin token");

  // Every kind of record the API can make, through the real API.
  TheRecorder().on = true;
  int failed_steps = 0;
  testing::WalkEveryMutation(*server_, kUser, [&](const testing::MutationResult& result) {
    if (!result.status.ok()) {
      ++failed_steps;
      std::fprintf(stderr, "service fuzz harness: populating step %s failed: %s\n", result.method.c_str(),
                   result.status.error_message().c_str());
    }
  });
  TheRecorder().on = false;
  {
    std::lock_guard<std::mutex> lock(TheRecorder().mu);
    walk_calls_ = std::move(TheRecorder().calls);
    TheRecorder().calls.clear();
  }
  for (RecordedCall& call : walk_calls_) {
    for (std::unique_ptr<Message>& response : call.responses) {
      ForEachStringField(response.get(), [&](Message* message, const FieldDescriptor* field, int index) {
        const std::string value = GetString(*message, field, index);
        const std::string prefix = IdPrefixOf(value);
        if (prefix.empty()) return;
        std::vector<std::string>& known = ids_[prefix];
        if (known.size() < kIdsPerPrefix && std::find(known.begin(), known.end(), value) == known.end()) {
          known.push_back(value);
        }
      });
    }
  }
  if (!keep_calls) walk_calls_.clear();

  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  google::protobuf::MessageFactory* factory_of_messages = google::protobuf::MessageFactory::generated_factory();
  for (const std::string& name : server_->host().ServiceNames()) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) Die("no descriptor for service " + name);
    for (int i = 0; i < service->method_count(); ++i) {
      RpcMethod method;
      method.descriptor = service->method(i);
      method.path = "/" + service->full_name() + "/" + method.descriptor->name();
      method.request_prototype = factory_of_messages->GetPrototype(method.descriptor->input_type());
      method.response_prototype = factory_of_messages->GetPrototype(method.descriptor->output_type());
      methods_.push_back(method);
    }
  }
  std::sort(methods_.begin(), methods_.end(),
            [](const RpcMethod& a, const RpcMethod& b) { return a.path < b.path; });
  if (methods_.size() > 256) Die("more than 256 methods: the input's first byte cannot reach them all");
  stub_ = std::make_unique<grpc::GenericStub>(server_->channel());
  std::fprintf(stderr, "service fuzz harness: %zu methods, %zu id prefixes, %d populating steps failed\n",
               methods_.size(), ids_.size(), failed_steps);
}

void FuzzServer::Stop() {
  if (server_) server_->Stop();
  stub_.reset();
  server_.reset();
  database_.reset();
}

void FuzzServer::Resolve(const RpcMethod& method, Message* request) {
  std::string page_token;
  {
    std::lock_guard<std::mutex> lock(page_tokens_mu_);
    auto found = page_tokens_.find(method.path);
    if (found != page_tokens_.end()) page_token = found->second;
  }
  ForEachStringField(request, [&](Message* message, const FieldDescriptor* field, int index) {
    const std::string value = GetString(*message, field, index);
    if (value.size() < 2 || value[0] != '@') return;
    if (value == "@token") {
      SetString(message, field, index, page_token);
      return;
    }
    size_t digits = value.size();
    while (digits > 1 && absl::ascii_isdigit(static_cast<unsigned char>(value[digits - 1]))) --digits;
    auto known = ids_.find(value.substr(1, digits - 1));
    if (known == ids_.end() || known->second.empty()) return;
    uint32_t which = 0;
    if (digits < value.size() && !absl::SimpleAtoi(value.substr(digits), &which)) which = 0;
    SetString(message, field, index, known->second[which % known->second.size()]);
  });
}

RawResult FuzzServer::Call(const RpcMethod& method, const std::vector<std::string>& requests) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token_);
  const bool follows_live = method.path == "/crm.v1.EventService/Subscribe";
  context.set_deadline(absl::ToChronoTime(absl::Now() + (follows_live ? kSubscribeTimeout : kCallTimeout)));
  RawCallReactor reactor(&context, requests, method.server_streaming());
  return reactor.Run(*stub_, method.path);
}

void FuzzServer::NotePageToken(const RpcMethod& method, const Message& response) {
  const FieldDescriptor* field = response.GetDescriptor()->FindFieldByName("next_page_token");
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_STRING || field->is_repeated()) return;
  std::string token = response.GetReflection()->GetString(response, field);
  if (token.empty()) return;
  std::lock_guard<std::mutex> lock(page_tokens_mu_);
  page_tokens_[method.path] = std::move(token);
}

std::string EncodeInput(size_t method_index, const RpcMethod& method, const std::vector<std::string>& requests) {
  std::string input(1, static_cast<char>(method_index));
  if (!method.client_streaming()) {
    if (!requests.empty()) input += requests.front();
    return input;
  }
  for (const std::string& request : requests) {
    std::string length;
    {
      google::protobuf::io::StringOutputStream stream(&length);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.WriteVarint32(static_cast<uint32_t>(request.size()));
    }
    input += length;
    input += request;
  }
  return input;
}

bool DecodeInput(const uint8_t* data, size_t size, const std::vector<RpcMethod>& methods, size_t* method_index,
                 std::vector<std::unique_ptr<Message>>* requests) {
  if (size == 0 || methods.empty()) return false;
  *method_index = data[0] % methods.size();
  const RpcMethod& method = methods[*method_index];
  requests->clear();
  if (!method.client_streaming()) {
    std::unique_ptr<Message> request(method.request_prototype->New());
    if (!request->ParseFromArray(data + 1, static_cast<int>(size - 1))) return false;
    requests->push_back(std::move(request));
    return true;
  }
  google::protobuf::io::CodedInputStream stream(data + 1, static_cast<int>(size - 1));
  while (!stream.ExpectAtEnd()) {
    if (static_cast<int>(requests->size()) == kMaxStreamedRequests) return false;
    uint32_t length = 0;
    std::string bytes;
    if (!stream.ReadVarint32(&length) || !stream.ReadString(&bytes, static_cast<int>(length))) return false;
    std::unique_ptr<Message> request(method.request_prototype->New());
    if (!request->ParseFromString(bytes)) return false;
    requests->push_back(std::move(request));
  }
  return true;
}

}  // namespace crm::fuzz

// The server's and gRPC's threads hold allocations across inputs and past exit (the server is
// never torn down mid-run), so leak checks would only report them; every other report stays on.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
