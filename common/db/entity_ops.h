// The two write shapes every entity shares, written once:
//  - CreateOnce: a create that runs once per request id (a retry returns the first result);
//  - ChangeVersioned: a change to one stored entity under its etag (stale → ABORTED, nothing
//    written; no effective change → no write, same etag).
// T is a generated message with `id` and `etag` fields; the store sets etags from revisions.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/core/etag.h"
#include "common/db/database.h"
#include "common/db/request_replay.h"

namespace crm::db {

template <typename T>
using LoadFn = std::function<absl::StatusOr<std::optional<T>>(Tx&, const std::string& id)>;

// Inside one write transaction: a request id seen before returns the entity it created (through
// `load`); otherwise `create` writes a new one and the request id is recorded against its id.
template <typename T>
absl::StatusOr<T> CreateOnce(Database& db, absl::Time deadline, absl::string_view scope, const std::string& request_id,
                             const google::protobuf::Message& request, const LoadFn<T>& load,
                             const std::function<absl::StatusOr<T>(Tx&)>& create) {
  const std::string fingerprint = RequestReplay::Fingerprint(request);
  T result;
  absl::Status status = db.Write(
      [&](Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> earlier = RequestReplay::Find(tx, scope, request_id, fingerprint);
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          absl::StatusOr<std::optional<T>> first = load(tx, **earlier);
          if (!first.ok()) return first.status();
          if (!first->has_value()) return absl::InternalError("the resource of a replayed request is gone");
          result = **std::move(first);
          return absl::OkStatus();
        }
        absl::StatusOr<T> created = create(tx);
        if (!created.ok()) return created.status();
        result = *std::move(created);
        return RequestReplay::Record(tx, scope, request_id, fingerprint, result.id());
      },
      deadline);
  if (!status.ok()) return status;
  return result;
}

template <typename T>
struct VersionedChange {
  // Loads the entity locked for the rest of the transaction.
  LoadFn<T> load;
  // The status when `load` finds nothing (NOT_FOUND naming the id field).
  std::function<absl::Status()> not_found;
  // From the current state, the new state; nullopt when nothing would change. May refuse with
  // a status (FAILED_PRECONDITION for an illegal transition, INVALID_ARGUMENT for bad input).
  std::function<absl::StatusOr<std::optional<T>>(const T& before)> change;
  // Writes `after` if the stored revision still is `expected_revision`; false when it is not.
  std::function<absl::StatusOr<bool>(Tx&, const T& after, int64_t expected_revision)> store;
  // After a successful write, in the same transaction (events, audit).
  std::function<absl::Status(Tx&, const T& before, const T& after)> after_write;
};

// The revision behind an entity's etag (0 when it has none).
template <typename T>
int64_t RevisionOf(const T& entity) {
  absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(entity.etag());
  return revision.ok() && revision->has_value() ? **revision : 0;
}

// Applies `op` to entity `id` when `etag` (optional) still matches. Returns the new state with
// its new etag, or the unchanged state when `change` found nothing to do.
template <typename T>
absl::StatusOr<T> ChangeVersioned(Database& db, absl::Time deadline, const std::string& id, const std::string& etag,
                                  absl::string_view etag_field, absl::string_view entity_name,
                                  const VersionedChange<T>& op) {
  absl::StatusOr<std::optional<int64_t>> wanted = ParseEtag(etag, etag_field);
  if (!wanted.ok()) return wanted.status();
  T result;
  absl::Status status = db.Write(
      [&](Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<T>> current = op.load(tx, id);
        if (!current.ok()) return current.status();
        if (!current->has_value()) return op.not_found();
        const T& before = **current;
        const int64_t revision = RevisionOf(before);
        if (wanted->has_value() && **wanted != revision) return StaleEtag(entity_name);
        absl::StatusOr<std::optional<T>> after = op.change(before);
        if (!after.ok()) return after.status();
        if (!after->has_value()) {
          result = before;
          return absl::OkStatus();
        }
        absl::StatusOr<bool> written = op.store(tx, **after, revision);
        if (!written.ok()) return written.status();
        if (!*written) return StaleEtag(entity_name);
        result = **std::move(after);
        result.set_etag(FormatEtag(revision + 1));
        return op.after_write ? op.after_write(tx, before, result) : absl::OkStatus();
      },
      deadline);
  if (!status.ok()) return status;
  return result;
}

}  // namespace crm::db
