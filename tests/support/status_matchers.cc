#include "tests/support/status_matchers.h"

#include "absl/strings/str_join.h"
#include "common/core/errors.h"
#include "common/server/grpc_status.h"

namespace crm::testing {

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  return ViolatedFields(server::FromGrpcStatus(status));
}

::testing::AssertionResult HasCodeAndField(const absl::Status& status, absl::StatusCode code,
                                           const std::string& field) {
  if (status.code() != code) {
    return ::testing::AssertionFailure() << "expected code " << absl::StatusCodeToString(code) << ", got "
                                         << status.ToString();
  }
  if (field.empty()) return ::testing::AssertionSuccess();
  const std::vector<std::string> fields = ViolatedFields(status);
  for (const std::string& f : fields) {
    if (f == field) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected field \"" << field << "\" among violations ["
                                       << absl::StrJoin(fields, ", ") << "] of " << status.ToString();
}

::testing::AssertionResult HasCodeAndField(const grpc::Status& status, grpc::StatusCode code,
                                           const std::string& field) {
  return HasCodeAndField(server::FromGrpcStatus(status), static_cast<absl::StatusCode>(code), field);
}

}  // namespace crm::testing
