#include "common/core/field_mask.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "nlohmann/json.hpp"

namespace crm {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

bool IsSet(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  if (field->is_repeated()) return reflection->FieldSize(message, field) > 0;
  return reflection->HasField(message, field);
}

nlohmann::json ScalarJson(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = rep ? r->GetRepeatedEnum(message, field, index) : r->GetEnum(message, field);
      return value->name();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      if (!google::protobuf::util::MessageToJsonString(sub, &json, options).ok()) return nullptr;
      return nlohmann::json::parse(json, nullptr, false);
    }
  }
  return nullptr;
}

// A map field's entries by key (string keys only: the only maps the contracts have).
std::map<std::string, const Message*> MapEntries(const Message& message, const FieldDescriptor* field) {
  std::map<std::string, const Message*> entries;
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* key = field->message_type()->map_key();
  for (int i = 0; i < r->FieldSize(message, field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    entries[entry.GetReflection()->GetString(entry, key)] = &entry;
  }
  return entries;
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// JSON text of a map entry's value.
std::string MapValueJson(const Message* entry, const FieldDescriptor* map_field) {
  if (entry == nullptr) return "";
  return Dump(ScalarJson(*entry, map_field->message_type()->map_value(), -1));
}

// For "<map field>.<key>": the map field of `descriptor` and the key; null when `path` is not one.
const FieldDescriptor* MapPath(const google::protobuf::Descriptor* descriptor, absl::string_view path,
                               std::string* key) {
  const size_t dot = path.find('.');
  if (dot == absl::string_view::npos || dot + 1 == path.size()) return nullptr;
  const FieldDescriptor* field = descriptor->FindFieldByName(std::string(path.substr(0, dot)));
  if (field == nullptr || !field->is_map()) return nullptr;
  *key = std::string(path.substr(dot + 1));
  return field;
}

}  // namespace

std::string FieldValueJson(const Message& message, const FieldDescriptor* field) {
  if (!IsSet(message, field)) return "";
  nlohmann::json value;
  if (field->is_map()) {
    // Keyed, in key order: a map's wire order says nothing.
    value = nlohmann::json::object();
    for (const auto& [key, entry] : MapEntries(message, field)) {
      value[key] = ScalarJson(*entry, field->message_type()->map_value(), -1);
    }
  } else if (field->is_repeated()) {
    value = nlohmann::json::array();
    const int n = message.GetReflection()->FieldSize(message, field);
    for (int i = 0; i < n; ++i) value.push_back(ScalarJson(message, field, i));
  } else {
    value = ScalarJson(message, field, -1);
  }
  return Dump(value);
}

absl::StatusOr<std::vector<std::string>> ResolveUpdatePaths(
    const Message& patch, const google::protobuf::FieldMask& mask,
    const absl::flat_hash_set<std::string>& updatable, absl::string_view mask_field) {
  std::vector<std::string> paths;
  const auto* descriptor = patch.GetDescriptor();
  if (mask.paths_size() == 0) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (!updatable.contains(field->name()) || !IsSet(patch, field)) continue;
      if (field->is_map()) {
        // The entries given are set; the others stay.
        for (const auto& entry : MapEntries(patch, field)) paths.push_back(absl::StrCat(field->name(), ".", entry.first));
      } else {
        paths.push_back(field->name());
      }
    }
    if (paths.empty()) {
      return InvalidField(mask_field, "names no field to update and the request sets none");
    }
    return paths;
  }
  std::vector<FieldViolation> violations;
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    const std::string field_name = absl::StrCat(mask_field, ".paths[", i, "]");
    std::string map_key;
    if (const FieldDescriptor* map = MapPath(descriptor, path, &map_key); map != nullptr) {
      if (!updatable.contains(map->name())) {
        violations.push_back({field_name, absl::StrCat("field \"", map->name(), "\" cannot be updated")});
      } else if (seen.insert(path).second) {
        paths.push_back(path);
      }
    } else if (descriptor->FindFieldByName(path) == nullptr) {
      violations.push_back({field_name, absl::StrCat("unknown field \"", path, "\"")});
    } else if (!updatable.contains(path)) {
      violations.push_back({field_name, absl::StrCat("field \"", path, "\" cannot be updated")});
    } else if (seen.insert(path).second) {
      paths.push_back(path);
    }
  }
  if (!violations.empty()) return InvalidFields(violations);
  return paths;
}

namespace {

// Sets `target`'s entry `key` of `map` to patch's, or removes it when patch has none.
void ApplyMapEntry(const Message& patch, const FieldDescriptor* map, const std::string& key, Message* target) {
  const Reflection* reflection = target->GetReflection();
  const FieldDescriptor* key_field = map->message_type()->map_key();
  const int size = reflection->FieldSize(*target, map);
  for (int i = 0; i < size; ++i) {
    const Message& entry = reflection->GetRepeatedMessage(*target, map, i);
    if (entry.GetReflection()->GetString(entry, key_field) != key) continue;
    reflection->SwapElements(target, map, i, size - 1);
    reflection->RemoveLast(target, map);
    break;
  }
  const auto entries = MapEntries(patch, map);
  if (auto it = entries.find(key); it != entries.end()) reflection->AddMessage(target, map)->CopyFrom(*it->second);
}

}  // namespace

void ApplyPaths(const Message& patch, const std::vector<std::string>& paths, Message* target) {
  const auto* descriptor = target->GetDescriptor();
  const Reflection* reflection = target->GetReflection();
  for (const std::string& path : paths) {
    std::string map_key;
    if (const FieldDescriptor* map = MapPath(descriptor, path, &map_key); map != nullptr) {
      ApplyMapEntry(patch, map, map_key, target);
      continue;
    }
    const FieldDescriptor* field = descriptor->FindFieldByName(path);
    if (field == nullptr) continue;
    reflection->ClearField(target, field);
    if (!IsSet(patch, field)) continue;
    if (field->is_repeated()) {
      const int n = patch.GetReflection()->FieldSize(patch, field);
      for (int i = 0; i < n; ++i) {
        switch (field->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING:
            reflection->AddString(target, field, patch.GetReflection()->GetRepeatedString(patch, field, i));
            break;
          case FieldDescriptor::CPPTYPE_MESSAGE:
            reflection->AddMessage(target, field)->CopyFrom(
                patch.GetReflection()->GetRepeatedMessage(patch, field, i));
            break;
          case FieldDescriptor::CPPTYPE_ENUM:
            reflection->AddEnumValue(target, field, patch.GetReflection()->GetRepeatedEnumValue(patch, field, i));
            break;
          case FieldDescriptor::CPPTYPE_INT64:
            reflection->AddInt64(target, field, patch.GetReflection()->GetRepeatedInt64(patch, field, i));
            break;
          case FieldDescriptor::CPPTYPE_INT32:
            reflection->AddInt32(target, field, patch.GetReflection()->GetRepeatedInt32(patch, field, i));
            break;
          default:
            break;  // no other repeated types are updatable today
        }
      }
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        reflection->MutableMessage(target, field)->CopyFrom(patch.GetReflection()->GetMessage(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(target, field, patch.GetReflection()->GetString(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnumValue(target, field, patch.GetReflection()->GetEnumValue(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(target, field, patch.GetReflection()->GetInt32(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(target, field, patch.GetReflection()->GetInt64(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        reflection->SetUInt32(target, field, patch.GetReflection()->GetUInt32(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        reflection->SetUInt64(target, field, patch.GetReflection()->GetUInt64(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(target, field, patch.GetReflection()->GetDouble(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        reflection->SetFloat(target, field, patch.GetReflection()->GetFloat(patch, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(target, field, patch.GetReflection()->GetBool(patch, field));
        break;
    }
  }
}

std::vector<FieldDelta> DiffMessages(const Message* before, const Message& after,
                                     const absl::flat_hash_set<std::string>& ignored) {
  std::vector<FieldDelta> deltas;
  const auto* descriptor = after.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (ignored.contains(field->name())) continue;
    if (field->is_map()) {
      // One change per entry, named "<field>.<key>", as an update mask names it.
      std::map<std::string, const Message*> old_entries;
      if (before != nullptr) old_entries = MapEntries(*before, field);
      std::map<std::string, const Message*> new_entries = MapEntries(after, field);
      std::set<std::string> keys;
      for (const auto& e : old_entries) keys.insert(e.first);
      for (const auto& e : new_entries) keys.insert(e.first);
      for (const std::string& key : keys) {
        auto old_it = old_entries.find(key);
        auto new_it = new_entries.find(key);
        std::string old_value = MapValueJson(old_it == old_entries.end() ? nullptr : old_it->second, field);
        std::string new_value = MapValueJson(new_it == new_entries.end() ? nullptr : new_it->second, field);
        if (old_value != new_value) {
          deltas.push_back({absl::StrCat(field->name(), ".", key), std::move(old_value), std::move(new_value)});
        }
      }
      continue;
    }
    std::string old_value = before ? FieldValueJson(*before, field) : "";
    std::string new_value = FieldValueJson(after, field);
    if (old_value != new_value) deltas.push_back({field->name(), std::move(old_value), std::move(new_value)});
  }
  return deltas;
}

const absl::flat_hash_set<std::string>& BookkeepingFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"etag", "update_time"};
  return *fields;
}

}  // namespace crm
