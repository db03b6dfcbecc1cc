#include "common/core/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "crm/v1/common.pb.h"

namespace crm {
namespace {

absl::Status WithViolations(absl::StatusCode code, const std::vector<FieldViolation>& violations) {
  std::string message;
  for (const FieldViolation& v : violations) {
    if (!message.empty()) message += "; ";
    absl::StrAppend(&message, v.field, ": ", v.description);
  }
  absl::Status status(code, message);
  crm::v1::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  return WithViolations(absl::StatusCode::kInvalidArgument,
                        {{std::string(field), std::string(description)}});
}

absl::Status InvalidFields(const std::vector<FieldViolation>& violations) {
  return WithViolations(absl::StatusCode::kInvalidArgument, violations);
}

absl::Status NotFoundField(absl::string_view field, absl::string_view description) {
  return WithViolations(absl::StatusCode::kNotFound, {{std::string(field), std::string(description)}});
}

absl::Status NoSuchEntity(absl::string_view field, absl::string_view entity, absl::string_view id) {
  return NotFoundField(field, absl::StrCat("no ", entity, " with id \"", id, "\""));
}

absl::Status FailedPreconditionField(absl::string_view field, absl::string_view description) {
  return WithViolations(absl::StatusCode::kFailedPrecondition,
                        {{std::string(field), std::string(description)}});
}

absl::Status AlreadyExistsField(absl::string_view field, absl::string_view description) {
  return WithViolations(absl::StatusCode::kAlreadyExists,
                        {{std::string(field), std::string(description)}});
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> result;
  absl::optional<absl::Cord> payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return result;
  crm::v1::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return result;
  for (const auto& v : bad_request.field_violations()) {
    result.push_back({v.field(), v.description()});
  }
  return result;
}

}  // namespace crm
