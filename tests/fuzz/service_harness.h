// The machinery of the service-request fuzz target and its seed generator: a real crm-server with
// every module in-process on a SQLite file, populated by one walk of the mutation catalogue; the
// table of every RPC method it hosts; the fuzz input format; and a raw call of any method.
//
// Fuzz input: byte 0 picks a method (index into AllMethods, modulo its size); the rest is the
// serialized request (for a client-streaming method, a sequence of varint-length-prefixed
// requests). String fields may carry placeholders that Resolve replaces before the call:
//   "@<prefix>[digit]"  an id of an existing record with that id prefix ("@acc", "@opp1"),
//   "@token"            the last next_page_token a response of the same method carried,
// so that gets, updates and moves reach real rows and a corpus stays valid across processes.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "tests/support/test_backends.h"
#include "tests/support/test_server.h"

namespace crm::fuzz {

struct RpcMethod {
  std::string path;  // "/crm.v1.AccountService/CreateAccount"
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  const google::protobuf::Message* request_prototype = nullptr;
  const google::protobuf::Message* response_prototype = nullptr;
  bool client_streaming() const { return descriptor->client_streaming(); }
  bool server_streaming() const { return descriptor->server_streaming(); }
};

// One call seen by the recorder: the request messages sent and the responses received.
struct RecordedCall {
  std::string path;
  std::vector<std::string> requests;  // serialized
  std::vector<std::unique_ptr<google::protobuf::Message>> responses;
};

// The outcome of a raw call.
struct RawResult {
  grpc::Status status;
  std::vector<std::string> responses;  // serialized
};

// A running server over a fresh SQLite database with the catalogue's records in it, and an admin
// principal to call it as.
class FuzzServer {
 public:
  // Starts everything, or aborts with the reason (a fuzz target cannot run without it).
  // `keep_calls`: keep every call of the populating walk (the seed generator needs them).
  static FuzzServer& Get(bool keep_calls = false);

  const std::vector<RpcMethod>& methods() const { return methods_; }
  // Ids of the records the walk left, by id prefix ("acc" -> ids), at most a few each.
  const std::map<std::string, std::vector<std::string>>& ids() const { return ids_; }
  // The walk's calls, in order (empty unless kept).
  const std::vector<RecordedCall>& walk_calls() const { return walk_calls_; }

  // Replaces the placeholders in every string field of `request`, for a call of `method`.
  void Resolve(const RpcMethod& method, google::protobuf::Message* request);
  // Calls `method` with already serialized requests as the admin principal. Server-streaming
  // calls stop after a few responses or a short deadline (Subscribe follows live forever).
  RawResult Call(const RpcMethod& method, const std::vector<std::string>& requests);
  // Remembers the response's next_page_token for "@token".
  void NotePageToken(const RpcMethod& method, const google::protobuf::Message& response);

  // Stops the server and removes the database (at exit).
  void Stop();

 private:
  FuzzServer() = default;
  void Start(bool keep_calls);

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::string token_;
  std::vector<RpcMethod> methods_;
  std::map<std::string, std::vector<std::string>> ids_;
  std::vector<RecordedCall> walk_calls_;
  std::mutex page_tokens_mu_;
  std::map<std::string, std::string> page_tokens_;  // method path -> last next_page_token
};

// The id prefix of a server-assigned id ("acc_01J..." -> "acc"), or "" when `value` is none.
std::string IdPrefixOf(const std::string& value);

// Calls `visit(message, field, index)` for every string field value in `message`, nested
// messages included (index -1 for a singular field).
void ForEachStringField(google::protobuf::Message* message,
                        const std::function<void(google::protobuf::Message*, const google::protobuf::FieldDescriptor*,
                                                 int)>& visit);

// Encodes / decodes one fuzz input (see the top of this file). Decode returns false for bytes
// that are no request of the chosen method.
std::string EncodeInput(size_t method_index, const RpcMethod& method, const std::vector<std::string>& requests);
bool DecodeInput(const uint8_t* data, size_t size, const std::vector<RpcMethod>& methods, size_t* method_index,
                 std::vector<std::unique_ptr<google::protobuf::Message>>* requests);

}  // namespace crm::fuzz
