// Field-mask updates and change descriptions, shared by every Update method and the event log.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace crm {

// One changed field, values as JSON text ("" when unset).
struct FieldDelta {
  std::string field;
  std::string before;
  std::string after;
};

// The top-level fields an update touches. An explicit mask must name only `updatable` fields
// (else INVALID_ARGUMENT on "<mask_field>.paths[i]"); an empty mask means every updatable field
// that is set (non-default) in `patch`. A map field (custom_fields) may also be named one entry
// at a time, "<field>.<key>"; an empty mask names each entry `patch` sets that way, so the
// entries it does not give are kept.
absl::StatusOr<std::vector<std::string>> ResolveUpdatePaths(
    const google::protobuf::Message& patch, const google::protobuf::FieldMask& mask,
    const absl::flat_hash_set<std::string>& updatable, absl::string_view mask_field = "update_mask");

// Copies the named top-level fields from `patch` onto `target` (clearing those unset in patch);
// "<map>.<key>" sets that entry from patch, or removes it when patch has none.
void ApplyPaths(const google::protobuf::Message& patch, const std::vector<std::string>& paths,
                google::protobuf::Message* target);

// Fields whose values differ between two messages of one type, skipping `ignored`. A map field
// differs entry by entry, each named "<field>.<key>".
// `before` may be null (a creation: every set field is a change).
std::vector<FieldDelta> DiffMessages(const google::protobuf::Message* before,
                                     const google::protobuf::Message& after,
                                     const absl::flat_hash_set<std::string>& ignored = {});
// What DiffMessages should skip for a versioned entity: etag and update_time change on every
// write and say nothing about what changed.
const absl::flat_hash_set<std::string>& BookkeepingFields();

// JSON text of one field's value ("" when unset).
std::string FieldValueJson(const google::protobuf::Message& message,
                           const google::protobuf::FieldDescriptor* field);

}  // namespace crm
