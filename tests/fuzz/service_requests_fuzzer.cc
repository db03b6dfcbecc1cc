// Fuzz target: any request of any RPC method of every service, through a real in-process server
// (handler, logic, store, SQLite) as an admin. Input format: tests/fuzz/service_harness.h.
//
// A bug is a crash, a sanitizer report, or a status that says the server, not the request, is
// at fault: INTERNAL, UNKNOWN, DATA_LOSS, or UNIMPLEMENTED (every method is implemented; an
// exception escaping a callback handler shows up as UNIMPLEMENTED). Bad input must get
// INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION and the like.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "tests/fuzz/service_harness.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

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

// ---- a structure-aware mutator: byte mutations of serialized protobuf mostly break its framing,
// so half of the mutations instead change one field of the decoded request to a value that
// matters to a service (edge numbers, ids of real records, the last page token, odd text).

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Rng = std::minstd_rand;

template <typename T>
T Pick(Rng& rng, std::initializer_list<T> values) {
  return values.begin()[rng() % values.size()];
}

int64_t InterestingInt(Rng& rng, int64_t current) {
  switch (rng() % 6) {
    case 0: return current + 1;
    case 1: return current - 1;
    case 2: return static_cast<int64_t>(rng() % 200) - 100;
    case 3: return Pick<int64_t>(rng, {0, 1, -1, 7, 12, 13, 24, 59, 60, 100, 101, 1000, 1001, 1440, 9999, 10000});
    case 4: return Pick<int64_t>(rng, {INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 999999999, 1000000000,
                                       999999999999, 1000000000000, 253402300799, 253402300800, -62135596800,
                                       -62135596801, 1767225600});
    default: return static_cast<int64_t>((static_cast<uint64_t>(rng()) << 32) ^ rng());
  }
}

std::string InterestingString(Rng& rng, const std::string& current) {
  const auto& ids = crm::fuzz::FuzzServer::Get().ids();
  switch (rng() % 7) {
    case 0: {
      if (ids.empty()) return "";
      auto it = ids.begin();
      std::advance(it, rng() % ids.size());
      return "@" + it->first + std::to_string(rng() % 4);
    }
    case 1: return "@token";
    case 2: return Pick<std::string>(rng, {"", " ", "fuzz-admin", "admin", "EUR", "USD", "XXX", "eur",
                                           "Europe/Berlin", "Mars/Olympus", "UTC", "2026-01-01", "1.0825", "0",
                                           "-1", "1e308", "\"r1\"", "\"r0\"", "r1", "a.b", "name", "%", "_",
                                           "'; DROP TABLE accounts; --", "\t", "line\nbreak", "ü", "\xF0\x9F\x98\x80"});
    case 3: return std::string(Pick<size_t>(rng, {65, 201, 257, 1001, 20001}), 'x');
    case 4: return current + static_cast<char>(' ' + rng() % 95);
    case 5: return current.empty() ? current : current.substr(0, rng() % current.size());
    default: {
      std::string text(rng() % 12, ' ');
      for (char& c : text) c = static_cast<char>(' ' + rng() % 95);
      return text;
    }
  }
}

void MutateMessage(Message* message, Rng& rng, int depth);

void MutateScalar(Message* message, const FieldDescriptor* field, int index, Rng& rng) {
  const Reflection* r = message->GetReflection();
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const auto v = static_cast<int32_t>(InterestingInt(rng, rep ? r->GetRepeatedInt32(*message, field, index) : r->GetInt32(*message, field)));
      rep ? r->SetRepeatedInt32(message, field, index, v) : r->SetInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = InterestingInt(rng, rep ? r->GetRepeatedInt64(*message, field, index) : r->GetInt64(*message, field));
      rep ? r->SetRepeatedInt64(message, field, index, v) : r->SetInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const auto v = static_cast<uint32_t>(InterestingInt(rng, 0));
      rep ? r->SetRepeatedUInt32(message, field, index, v) : r->SetUInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const auto v = static_cast<uint64_t>(InterestingInt(rng, 0));
      rep ? r->SetRepeatedUInt64(message, field, index, v) : r->SetUInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const double v = Pick<double>(rng, {0.0, -1.0, 0.5, 1.0, 100.0, 1e308, -1e308, std::nan(""),
                                          std::numeric_limits<double>::infinity(), 1e-300,
                                          static_cast<double>(InterestingInt(rng, 0))});
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        rep ? r->SetRepeatedDouble(message, field, index, v) : r->SetDouble(message, field, v);
      } else {
        const auto f = static_cast<float>(v);
        rep ? r->SetRepeatedFloat(message, field, index, f) : r->SetFloat(message, field, f);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool v = rng() % 2 == 0;
      rep ? r->SetRepeatedBool(message, field, index, v) : r->SetBool(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int count = field->enum_type()->value_count();
      const int v = static_cast<int>(rng() % (count + 2)) - 1;  // known values, and one either side
      rep ? r->SetRepeatedEnumValue(message, field, index, v) : r->SetEnumValue(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string v = InterestingString(rng, rep ? r->GetRepeatedString(*message, field, index) : r->GetString(*message, field));
      rep ? r->SetRepeatedString(message, field, index, v) : r->SetString(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      MutateMessage(rep ? r->MutableRepeatedMessage(message, field, index) : r->MutableMessage(message, field), rng,
                    1);
      break;
  }
}

void AddElement(Message* message, const FieldDescriptor* field, Rng& rng) {
  const Reflection* r = message->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: r->AddInt32(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_INT64: r->AddInt64(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_UINT32: r->AddUInt32(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_UINT64: r->AddUInt64(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_DOUBLE: r->AddDouble(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_FLOAT: r->AddFloat(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_BOOL: r->AddBool(message, field, false); break;
    case FieldDescriptor::CPPTYPE_ENUM: r->AddEnumValue(message, field, 0); break;
    case FieldDescriptor::CPPTYPE_STRING: r->AddString(message, field, ""); break;
    case FieldDescriptor::CPPTYPE_MESSAGE: r->AddMessage(message, field); break;
  }
  MutateScalar(message, field, r->FieldSize(*message, field) - 1, rng);
}

void MutateMessage(Message* message, Rng& rng, int depth) {
  const google::protobuf::Descriptor* type = message->GetDescriptor();
  if (type->field_count() == 0 || depth > 8) return;
  const Reflection* r = message->GetReflection();
  const FieldDescriptor* field = type->field(static_cast<int>(rng() % type->field_count()));
  if (rng() % 10 == 0) {
    r->ClearField(message, field);
    return;
  }
  if (!field->is_repeated()) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      MutateMessage(r->MutableMessage(message, field), rng, depth + 1);
    } else {
      MutateScalar(message, field, -1, rng);
    }
    return;
  }
  const int size = r->FieldSize(*message, field);
  if (size == 0 || (rng() % 3 == 0 && size < 64)) {
    AddElement(message, field, rng);
  } else if (rng() % 4 == 0) {
    r->RemoveLast(message, field);
  } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    MutateMessage(r->MutableRepeatedMessage(message, field, static_cast<int>(rng() % size)), rng, depth + 1);
  } else {
    MutateScalar(message, field, static_cast<int>(rng() % size), rng);
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  Rng rng(seed);
  const auto& methods = crm::fuzz::FuzzServer::Get().methods();
  size_t method_index = 0;
  std::vector<std::unique_ptr<Message>> requests;
  if (rng() % 2 == 0 || !crm::fuzz::DecodeInput(data, size, methods, &method_index, &requests)) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const crm::fuzz::RpcMethod& method = methods[method_index];
  if (requests.empty()) requests.emplace_back(method.request_prototype->New());
  const int rounds = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < rounds; ++i) MutateMessage(requests[rng() % requests.size()].get(), rng, 0);
  std::vector<std::string> serialized;
  for (const auto& request : requests) serialized.push_back(request->SerializeAsString());
  const std::string input = crm::fuzz::EncodeInput(method_index, method, serialized);
  if (input.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, input.data(), input.size());
  return input.size();
}

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
