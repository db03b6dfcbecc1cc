#include "common/server/grpc_status.h"

#include "absl/strings/cord.h"
#include "common/core/errors.h"
#include "crm/v1/common.pb.h"

namespace crm::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  absl::optional<absl::Cord> violations = status.GetPayload(kBadRequestTypeUrl);
  if (!violations.has_value()) return grpc::Status(code, message);
  crm::v1::RpcStatus details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(std::string(kBadRequestTypeUrl));
  any->set_value(std::string(*violations));
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (status.error_details().empty()) return result;
  crm::v1::RpcStatus details;
  if (!details.ParseFromString(status.error_details())) return result;
  for (const auto& any : details.details()) {
    if (any.type_url() == kBadRequestTypeUrl) result.SetPayload(kBadRequestTypeUrl, absl::Cord(any.value()));
  }
  return result;
}

}  // namespace crm::server
