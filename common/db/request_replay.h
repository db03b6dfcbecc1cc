// Request-id replay for creates: inside the create's transaction, a request id seen before
// returns the resource it created; a new one is recorded with the resource, atomically with it.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/database.h"

namespace google::protobuf {
class Message;
}

namespace crm::db {

class RequestReplay {
 public:
  // `scope` names the create method, e.g. "accounts.create".
  // Returns the id of the resource an earlier request with this id created, if any. A request
  // id reused with a different request body → ALREADY_EXISTS naming `request_id`.
  static absl::StatusOr<std::optional<std::string>> Find(Tx& tx, absl::string_view scope,
                                                         absl::string_view request_id,
                                                         absl::string_view fingerprint);
  // Records that this request created `resource_id`. Call in the same transaction.
  static absl::Status Record(Tx& tx, absl::string_view scope, absl::string_view request_id,
                             absl::string_view fingerprint, absl::string_view resource_id);

  // A stable digest of the request body (hex SHA-256 of its deterministic serialization).
  static std::string Fingerprint(const google::protobuf::Message& request);
};

}  // namespace crm::db
