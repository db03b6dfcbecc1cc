#include "common/db/request_replay.h"

#include <openssl/sha.h>
#include <soci/soci.h>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "common/core/errors.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"

namespace crm::db {
namespace {

constexpr char kSelectReplay[] = "SELECT resource_id, fingerprint FROM request_replays";
constexpr char kInsertReplay[] =
    "INSERT INTO request_replays (scope, request_id, fingerprint, resource_id, created_at)";

}  // namespace

absl::StatusOr<std::optional<std::string>> RequestReplay::Find(Tx& tx, absl::string_view scope,
                                                               absl::string_view request_id,
                                                               absl::string_view fingerprint) {
  if (request_id.empty()) return std::optional<std::string>();
  SqlQuery q(kSelectReplay);
  q.Where("scope = ?", scope).Where("request_id = ?", request_id);
  std::optional<std::string> resource_id;
  std::string stored_fingerprint;
  absl::Status status = ScanRows(tx.session(), q, "request replay lookup", [&](const ScannedRow& row) {
    if (!row.IsNull(0)) resource_id = std::string(row.Text(0));
    stored_fingerprint = std::string(row.Text(1));
    return false;
  });
  if (!status.ok()) return status;
  if (!resource_id.has_value()) return std::optional<std::string>();
  if (stored_fingerprint != fingerprint) {
    return AlreadyExistsField("request_id", "was already used for a different request");
  }
  return std::optional<std::string>(resource_id);
}

absl::Status RequestReplay::Record(Tx& tx, absl::string_view scope, absl::string_view request_id,
                                   absl::string_view fingerprint, absl::string_view resource_id) {
  if (request_id.empty()) return absl::OkStatus();
  SqlQuery insert(kInsertReplay);
  insert.Append(" VALUES (?, ?, ?, ?, ?)", scope, request_id, fingerprint, resource_id,
                static_cast<long long>(absl::ToUnixMicros(absl::Now())));
  absl::Status status = Guard("request replay record", [&]() -> absl::Status {
    Execute(tx.session(), insert);
    return absl::OkStatus();
  });
  // A concurrent twin committed first: run the whole create again so Find returns its result.
  if (absl::IsAlreadyExists(status)) {
    return RetryTransaction("request replay");
  }
  return status;
}

std::string RequestReplay::Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

}  // namespace crm::db
