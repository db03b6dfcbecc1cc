// Fuzz target: field-mask updates and change descriptions (ResolveUpdatePaths, ApplyPaths,
// DiffMessages, FieldValueJson) on the entities Update methods patch.
//
// Besides "never crash", it checks: a resolved mask names only updatable fields, each once; after
// ApplyPaths every applied field reads as in the patch; DiffMessages then reports none of them.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/core/field_mask.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/keyaccount.pb.h"
#include "crm/v1/pipeline.pb.h"
#include "crm/v1/servicedesk.pb.h"
#include "google/protobuf/descriptor.h"

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

void Check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "field mask fuzz: %s\n", what.c_str());
  std::abort();
}

const std::vector<const Message*>& Entities() {
  static const auto* entities = new std::vector<const Message*>{
      &crm::v1::Account::default_instance(),   &crm::v1::Contact::default_instance(),
      &crm::v1::Activity::default_instance(),  &crm::v1::Opportunity::default_instance(),
      &crm::v1::Lead::default_instance(),      &crm::v1::Order::default_instance(),
      &crm::v1::Campaign::default_instance(),  &crm::v1::Pipeline::default_instance(),
      &crm::v1::Ticket::default_instance(),    &crm::v1::SlaPolicy::default_instance(),
      &crm::v1::BusinessCalendar::default_instance(), &crm::v1::AccountPlan::default_instance(),
  };
  return *entities;
}

// ApplyPaths copies these repeated element types; others are not updatable anywhere.
bool CopiedByApplyPaths(const FieldDescriptor* field) {
  if (!field->is_repeated()) return true;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_MESSAGE:
    case FieldDescriptor::CPPTYPE_ENUM:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_INT32:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const Message& prototype = *Entities()[input.ConsumeIntegralInRange<size_t>(0, Entities().size() - 1)];
  const google::protobuf::Descriptor* type = prototype.GetDescriptor();

  absl::flat_hash_set<std::string> updatable;
  for (int i = 0; i < type->field_count(); ++i) {
    if (input.ConsumeBool() && CopiedByApplyPaths(type->field(i))) updatable.insert(type->field(i)->name());
  }
  google::protobuf::FieldMask mask;
  const int paths = input.ConsumeIntegralInRange(0, 6);
  for (int i = 0; i < paths; ++i) {
    if (input.ConsumeBool()) {
      mask.add_paths(type->field(input.ConsumeIntegralInRange(0, type->field_count() - 1))->name());
    } else {
      mask.add_paths(input.ConsumeRandomLengthString(24));
    }
  }
  std::unique_ptr<Message> original(prototype.New());
  std::unique_ptr<Message> patch(prototype.New());
  if (!original->ParseFromString(input.ConsumeRandomLengthString(1024))) original->Clear();
  if (!patch->ParseFromString(input.ConsumeRemainingBytesAsString())) patch->Clear();

  for (int i = 0; i < type->field_count(); ++i) (void)crm::FieldValueJson(*patch, type->field(i));
  (void)crm::DiffMessages(nullptr, *patch);

  absl::StatusOr<std::vector<std::string>> resolved = crm::ResolveUpdatePaths(*patch, mask, updatable);
  if (!resolved.ok()) {
    Check(resolved.status().code() == absl::StatusCode::kInvalidArgument,
          "ResolveUpdatePaths failed with " + resolved.status().ToString());
    return 0;
  }
  std::set<std::string> seen;
  for (const std::string& path : *resolved) {
    // A map entry's path is "<map field>.<key>" (any bytes after the first dot).
    const std::string field_name = path.substr(0, path.find('.'));
    Check(updatable.contains(field_name), "resolved a path that is not updatable: " + path);
    if (field_name != path) {
      const FieldDescriptor* map = type->FindFieldByName(field_name);
      Check(map != nullptr && map->is_map(), "resolved a keyed path on a field that is not a map: " + path);
    }
    Check(seen.insert(path).second, "resolved a path twice: " + path);
  }

  std::unique_ptr<Message> target(original->New());
  target->CopyFrom(*original);
  crm::ApplyPaths(*patch, *resolved, target.get());
  for (const std::string& path : *resolved) {
    // A map entry's path changes one entry, so the map as a whole need not equal the patch's.
    if (path.find('.') != std::string::npos) continue;
    const FieldDescriptor* field = type->FindFieldByName(path);
    Check(crm::FieldValueJson(*target, field) == crm::FieldValueJson(*patch, field),
          "after ApplyPaths " + path + " differs from the patch");
  }
  const std::vector<crm::FieldDelta> left = crm::DiffMessages(target.get(), *patch, crm::BookkeepingFields());
  for (const crm::FieldDelta& delta : left) {
    Check(!seen.count(delta.field), "DiffMessages reports an applied field as changed: " + delta.field);
  }
  (void)crm::DiffMessages(original.get(), *target, crm::BookkeepingFields());
  return 0;
}
