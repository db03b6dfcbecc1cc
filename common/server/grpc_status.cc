#include "common/server/grpc_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "crm/v1/common.pb.h"

namespace crm::server {

namespace {

// An error travels in the response's headers, which clients cap (gRPC: 8 KiB soft, 16 KiB hard,
// past the soft cap refused at random). A message or detail that quotes a huge request value
// would make the error itself fail as RESOURCE_EXHAUSTED, so both are bounded here.
constexpr size_t kMaxMessageBytes = 1024;
constexpr size_t kMaxDetailsBytes = 4096;

std::string BoundedMessage(absl::string_view message) {
  if (message.size() <= kMaxMessageBytes) return std::string(message);
  size_t end = kMaxMessageBytes;
  // Cut at a character boundary: never in the middle of a UTF-8 sequence.
  while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(message.substr(0, end), "… (", message.size() - end, " more bytes)");
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message = BoundedMessage(status.message());
  crm::v1::RpcStatus details;
  size_t details_bytes = 0;
  // Every payload is a packed message under its type URL (field violations, duplicate
  // candidates, ...); internal markers (no type URL) stay inside, and one that would push the
  // details past the bound is left out.
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (!absl::StartsWith(type_url, "type.googleapis.com/")) return;
    if (details_bytes + payload.size() > kMaxDetailsBytes) return;
    details_bytes += payload.size();
    auto* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  if (details.details().empty()) return grpc::Status(code, message);
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (status.error_details().empty()) return result;
  crm::v1::RpcStatus details;
  if (!details.ParseFromString(status.error_details())) return result;
  for (const auto& any : details.details()) result.SetPayload(any.type_url(), absl::Cord(any.value()));
  return result;
}

}  // namespace crm::server
