// Building absl::Status values that carry field violations (google.rpc.BadRequest-compatible),
// so every layer can report *which* field is wrong without knowing about gRPC.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace crm {

struct FieldViolation {
  std::string field;
  std::string description;
};

// Type URL under which violations are stored in an absl::Status payload and sent on the wire.
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

// INVALID_ARGUMENT naming one field.
absl::Status InvalidField(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming several fields; the message lists them all.
absl::Status InvalidFields(const std::vector<FieldViolation>& violations);

// NOT_FOUND / FAILED_PRECONDITION / ALREADY_EXISTS that also name the field responsible.
absl::Status NotFoundField(absl::string_view field, absl::string_view description);
absl::Status FailedPreconditionField(absl::string_view field, absl::string_view description);
absl::Status AlreadyExistsField(absl::string_view field, absl::string_view description);

// The NOT_FOUND of a lookup by id, naming `field`: no <entity> with id "<id>".
absl::Status NoSuchEntity(absl::string_view field, absl::string_view entity, absl::string_view id);

// The violations attached to a status (empty when none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace crm
