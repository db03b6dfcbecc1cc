// Fuzz target: any request of any RPC method of every service, through a real in-process server
// (handler, logic, store, SQLite) as an admin. Input format: tests/fuzz/service_harness.h.
//
// A bug is a crash, a sanitizer report, or a status that says the server, not the request, is
// at fault: INTERNAL, UNKNOWN, DATA_LOSS, or UNIMPLEMENTED (every method is implemented; an
// exception escaping a callback handler shows up as UNIMPLEMENTED). Bad input must get
// INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION and the like.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/fuzz/service_harness.h"

namespace {

bool BlamesTheServer(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    default: return "other";
  }
}

// Status codes seen per method, printed at exit when CRM_FUZZ_STATUS_REPORT is set (and every
// call's status with CRM_FUZZ_TRACE): shows which methods the corpus gets past validation (OK)
// and which it only ever gets refused by.
std::map<std::string, std::map<int, long>>& StatusCounts() {
  static auto* counts = new std::map<std::string, std::map<int, long>>();
  return *counts;
}

void PrintStatusCounts() {
  for (const auto& [path, codes] : StatusCounts()) {
    std::string line;
    for (const auto& [code, count] : codes) line += " " + std::to_string(code) + ":" + std::to_string(count);
    std::fprintf(stderr, "status %s%s\n", path.c_str(), line.c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  crm::fuzz::FuzzServer::Get();
  if (std::getenv("CRM_FUZZ_STATUS_REPORT") != nullptr) std::atexit(PrintStatusCounts);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crm::fuzz::FuzzServer& server = crm::fuzz::FuzzServer::Get();
  size_t method_index = 0;
  std::vector<std::unique_ptr<google::protobuf::Message>> requests;
  // Bytes that are no request never reach the server (gRPC itself would answer INTERNAL).
  if (!crm::fuzz::DecodeInput(data, size, server.methods(), &method_index, &requests)) return -1;
  const crm::fuzz::RpcMethod& method = server.methods()[method_index];

  std::vector<std::string> serialized;
  for (const std::unique_ptr<google::protobuf::Message>& request : requests) {
    server.Resolve(method, request.get());
    serialized.push_back(request->SerializeAsString());
  }
  const crm::fuzz::RawResult result = server.Call(method, serialized);
  ++StatusCounts()[method.path][static_cast<int>(result.status.error_code())];
  static const bool trace = std::getenv("CRM_FUZZ_TRACE") != nullptr;
  if (trace) {
    std::fprintf(stderr, "trace %s %d %s\n", method.path.c_str(), static_cast<int>(result.status.error_code()),
                 result.status.error_message().c_str());
  }
  if (BlamesTheServer(result.status.error_code())) {
    std::fprintf(stderr, "service fuzz: %s answered %s: %s\n", method.path.c_str(),
                 CodeName(result.status.error_code()), result.status.error_message().c_str());
    for (const std::unique_ptr<google::protobuf::Message>& request : requests) {
      std::fprintf(stderr, "request: %s\n", request->ShortDebugString().substr(0, 4000).c_str());
    }
    std::abort();
  }
  if (result.status.ok() && !method.server_streaming() && !result.responses.empty()) {
    std::unique_ptr<google::protobuf::Message> response(method.response_prototype->New());
    if (response->ParseFromString(result.responses.front())) server.NotePageToken(method, *response);
  }
  return 0;
}
