#include "common/db/request_replay.h"

#include <openssl/sha.h>
#include <soci/soci.h>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "common/core/errors.h"
#include "common/db/sql_error.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"

namespace crm::db {
namespace {

constexpr char kSelectReplay[] =
    "SELECT resource_id, fingerprint FROM request_replays WHERE scope = :scope AND request_id = :rid";
constexpr char kInsertReplay[] =
    "INSERT INTO request_replays (scope, request_id, fingerprint, resource_id, created_at) "
    "VALUES (:scope, :rid, :fp, :res, :at)";

}  // namespace

absl::StatusOr<std::optional<std::string>> RequestReplay::Find(Tx& tx, absl::string_view scope,
                                                               absl::string_view request_id,
                                                               absl::string_view fingerprint) {
  if (request_id.empty()) return std::optional<std::string>();
  std::string resource_id, stored_fingerprint;
  soci::indicator ind = soci::i_null;
  const std::string scope_s(scope), rid(request_id);
  absl::Status status = Guard("request replay lookup", [&]() -> absl::Status {
    tx.session() << kSelectReplay, soci::use(scope_s), soci::use(rid), soci::into(resource_id, ind),
        soci::into(stored_fingerprint);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (ind != soci::i_ok || !tx.session().got_data()) return std::optional<std::string>();
  if (stored_fingerprint != fingerprint) {
    return AlreadyExistsField("request_id", "was already used for a different request");
  }
  return std::optional<std::string>(resource_id);
}

absl::Status RequestReplay::Record(Tx& tx, absl::string_view scope, absl::string_view request_id,
                                   absl::string_view fingerprint, absl::string_view resource_id) {
  if (request_id.empty()) return absl::OkStatus();
  const std::string scope_s(scope), rid(request_id), fp(fingerprint), res(resource_id);
  long long now = absl::ToUnixMicros(absl::Now());
  absl::Status status = Guard("request replay record", [&]() -> absl::Status {
    tx.session() << kInsertReplay, soci::use(scope_s), soci::use(rid), soci::use(fp), soci::use(res),
        soci::use(now);
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
