// Writes the seed corpus of service_requests_fuzzer, which is generated rather than committed
// because an input names its method by index and the index follows the contract:
//   - every call the mutation catalogue's walk makes (a valid request of every mutating method
//     and of the calls that set its records up), ids turned into placeholders;
//   - for every method, an empty request and one whose id fields name existing records;
//   - for list methods, a one-row page and the page after it ("@token");
//   - the committed text seeds (regression inputs among them): files whose first line is the
//     method path and the rest the request in protobuf text format.
//
//   make_service_seeds <out-dir> [text-seed-dir]
//   make_service_seeds --describe <input-file>...   prints an input (a crash file) as a text seed
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "tests/fuzz/service_harness.h"

namespace crm::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Calls of one method kept from the walk; more are mostly the same request again.
constexpr int kWalkSeedsPerMethod = 4;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "sla_policy" -> "SlaPolicy".
std::string Camel(const std::string& snake) {
  std::string camel;
  const std::vector<std::string> parts = absl::StrSplit(snake, '_', absl::SkipEmpty());
  for (const std::string& part : parts) {
    camel += absl::AsciiStrToUpper(part.substr(0, 1)) + part.substr(1);
  }
  return camel;
}

// "GetAccountPlan" -> "AccountPlan": the method name without its verb.
std::string EntityOf(const std::string& method_name) {
  for (size_t i = 1; i < method_name.size(); ++i) {
    if (absl::ascii_isupper(static_cast<unsigned char>(method_name[i]))) return method_name.substr(i);
  }
  return "";
}

class SeedWriter {
 public:
  SeedWriter(FuzzServer& server, std::filesystem::path out) : server_(server), out_(std::move(out)) {
    for (size_t i = 0; i < server_.methods().size(); ++i) index_[server_.methods()[i].path] = i;
    // Which id prefix an entity's ids carry, learnt from the walk's creates ("Account" -> "acc").
    for (const RecordedCall& call : server_.walk_calls()) {
      const std::string name = call.path.substr(call.path.rfind('/') + 1);
      if (!absl::StartsWith(name, "Create") || call.responses.empty()) continue;
      const Message& response = *call.responses.front();
      const FieldDescriptor* id = response.GetDescriptor()->FindFieldByName("id");
      if (id == nullptr || id->cpp_type() != FieldDescriptor::CPPTYPE_STRING || id->is_repeated()) continue;
      const std::string prefix = IdPrefixOf(response.GetReflection()->GetString(response, id));
      if (!prefix.empty()) prefix_of_entity_[name.substr(6)] = prefix;
    }
  }

  void FromWalk() {
    std::map<std::string, int> kept;
    for (const RecordedCall& call : server_.walk_calls()) {
      auto found = index_.find(call.path);
      if (found == index_.end() || kept[call.path] >= kWalkSeedsPerMethod) continue;
      const RpcMethod& method = server_.methods()[found->second];
      std::vector<std::string> requests;
      for (const std::string& bytes : call.requests) {
        std::unique_ptr<Message> request(method.request_prototype->New());
        if (!request->ParseFromString(bytes)) continue;
        Placeholderize(request.get());
        requests.push_back(request->SerializeAsString());
      }
      if (requests.empty()) continue;
      if (Write(found->second, requests)) ++kept[call.path];
    }
  }

  void Heuristic() {
    for (size_t i = 0; i < server_.methods().size(); ++i) {
      const RpcMethod& method = server_.methods()[i];
      std::unique_ptr<Message> request(method.request_prototype->New());
      Write(i, {request->SerializeAsString()});
      const std::string entity = EntityOf(method.descriptor->name());
      if (FillIds(request.get(), entity, 0)) Write(i, {request->SerializeAsString()});
      const google::protobuf::Descriptor* type = request->GetDescriptor();
      const FieldDescriptor* page_size = type->FindFieldByName("page_size");
      const FieldDescriptor* page_token = type->FindFieldByName("page_token");
      if (page_size != nullptr && page_size->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        request->GetReflection()->SetInt32(request.get(), page_size, 1);
        Write(i, {request->SerializeAsString()});
        if (page_token != nullptr && page_token->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          request->GetReflection()->SetString(request.get(), page_token, "@token");
          Write(i, {request->SerializeAsString()});
        }
      }
    }
  }

  // Converts the committed text seeds; false when one does not parse.
  bool FromText(const std::filesystem::path& directory) {
    bool ok = true;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
      if (entry.path().extension() != ".txtpb") continue;
      const std::string text = ReadFile(entry.path());
      const size_t newline = text.find('\n');
      const std::string path(absl::StripAsciiWhitespace(text.substr(0, newline)));
      auto found = index_.find(path);
      if (found == index_.end()) {
        std::cerr << entry.path() << ": no method " << path << "\n";
        ok = false;
        continue;
      }
      const RpcMethod& method = server_.methods()[found->second];
      std::unique_ptr<Message> request(method.request_prototype->New());
      const std::string body = newline == std::string::npos ? "" : text.substr(newline + 1);
      if (!google::protobuf::TextFormat::ParseFromString(body, request.get())) {
        std::cerr << entry.path() << ": not a " << method.descriptor->input_type()->full_name() << "\n";
        ok = false;
        continue;
      }
      Write(found->second, {request->SerializeAsString()});
    }
    return ok;
  }

  int written() const { return static_cast<int>(written_.size()); }

 private:
  // Ids of the walk's records become placeholders; request ids are dropped so that a create is
  // carried out instead of replayed, and etags so that an update is not refused as stale (the
  // record's revision differs in the fuzzing process).
  void Placeholderize(Message* request) {
    const FieldDescriptor* request_id = request->GetDescriptor()->FindFieldByName("request_id");
    if (request_id != nullptr) request->GetReflection()->ClearField(request, request_id);
    const auto& ids = server_.ids();
    ForEachStringField(request, [&](Message* message, const FieldDescriptor* field, int index) {
      const auto* reflection = message->GetReflection();
      if (field->name() == "etag" && index < 0) {
        reflection->ClearField(message, field);
        return;
      }
      const std::string value =
          index < 0 ? reflection->GetString(*message, field) : reflection->GetRepeatedString(*message, field, index);
      const std::string prefix = IdPrefixOf(value);
      if (prefix.empty()) return;
      std::string placeholder = "@" + prefix;
      if (auto known = ids.find(prefix); known != ids.end()) {
        for (size_t k = 0; k < known->second.size(); ++k) {
          if (known->second[k] == value) placeholder += std::to_string(k);
        }
      }
      if (index < 0) {
        reflection->SetString(message, field, placeholder);
      } else {
        reflection->SetRepeatedString(message, field, index, placeholder);
      }
    });
  }

  // Sets "id" (of `entity`) and every "<entity>_id" string field, descending into a "filter"
  // message; true when any was set.
  bool FillIds(Message* message, const std::string& entity, int depth) {
    bool any = false;
    const google::protobuf::Descriptor* type = message->GetDescriptor();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated() && depth == 0 &&
          field->name() == "filter") {
        any |= FillIds(message->GetReflection()->MutableMessage(message, field), "", depth + 1);
        continue;
      }
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING || field->is_repeated()) continue;
      std::string of;
      if (field->name() == "id") {
        of = entity;
      } else if (absl::EndsWith(field->name(), "_id")) {
        of = Camel(field->name().substr(0, field->name().size() - 3));
      }
      auto prefix = prefix_of_entity_.find(of);
      if (of.empty() || prefix == prefix_of_entity_.end()) continue;
      message->GetReflection()->SetString(message, field, "@" + prefix->second);
      any = true;
    }
    return any;
  }

  bool Write(size_t method_index, const std::vector<std::string>& requests) {
    const RpcMethod& method = server_.methods()[method_index];
    const std::string input = EncodeInput(method_index, method, requests);
    if (!written_.insert(input).second) return false;
    const std::string name = method.path.substr(std::string("/crm.v1.").size());
    const std::string file = absl::StrCat(absl::StrReplaceAll(name, {{"/", "."}}), ".", written_.size());
    std::ofstream(out_ / file, std::ios::binary) << input;
    return true;
  }

  FuzzServer& server_;
  std::filesystem::path out_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> prefix_of_entity_;
  std::set<std::string> written_;
};

int Describe(int argc, char** argv) {
  FuzzServer& server = FuzzServer::Get();
  for (int i = 2; i < argc; ++i) {
    const std::string input = ReadFile(argv[i]);
    size_t index = 0;
    std::vector<std::unique_ptr<Message>> requests;
    if (!DecodeInput(reinterpret_cast<const uint8_t*>(input.data()), input.size(), server.methods(), &index,
                     &requests)) {
      std::cerr << argv[i] << ": not an input of the target\n";
      continue;
    }
    std::cout << server.methods()[index].path << "\n# from " << argv[i] << "\n";
    for (const auto& request : requests) {
      std::string text;
      google::protobuf::TextFormat::PrintToString(*request, &text);
      std::cout << text;
    }
  }
  return 0;
}

}  // namespace
}  // namespace crm::fuzz

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--describe") return crm::fuzz::Describe(argc, argv);
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: " << argv[0] << " <out-dir> [text-seed-dir] | --describe <input-file>...\n";
    return 2;
  }
  // Seeds of an older method table would call the wrong methods.
  std::filesystem::remove_all(argv[1]);
  std::filesystem::create_directories(argv[1]);
  crm::fuzz::FuzzServer& server = crm::fuzz::FuzzServer::Get(/*keep_calls=*/true);
  crm::fuzz::SeedWriter writer(server, argv[1]);
  writer.FromWalk();
  writer.Heuristic();
  bool ok = true;
  if (argc == 3) ok = writer.FromText(argv[2]);
  std::cerr << "make_service_seeds: " << writer.written() << " seeds in " << argv[1] << "\n";
  return ok ? 0 : 1;
}
