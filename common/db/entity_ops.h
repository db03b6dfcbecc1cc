// The shapes every entity's logic shares, written once:
//  - ReadValue / ReadEntity: a read on a pooled session; one entity by id or NOT_FOUND;
//  - CreateOnce: a create that runs once per request id (a retry returns the first result);
//  - ChangeVersioned: a change to one stored entity under its etag (stale → ABORTED, nothing
//    written; no effective change → no write, same etag);
//  - DeleteVersioned: a hard delete under the same etag rules.
// T is a generated message with `id` and `etag` fields; the store sets etags from revisions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/db/database.h"
#include "common/db/request_replay.h"

namespace crm::db {

template <typename T>
using LoadFn = std::function<absl::StatusOr<std::optional<T>>(Tx&, const std::string& id)>;
template <typename T>
using FindFn = std::function<absl::StatusOr<std::optional<T>>(soci::session&, const std::string& id)>;

// Runs `read(session)` (returning absl::StatusOr<R>) in one read and returns its value.
template <typename ReadFn,
          typename R = typename std::invoke_result_t<ReadFn&, soci::session&>::value_type>
absl::StatusOr<R> ReadValue(Database& db, absl::Time deadline, ReadFn&& read) {
  std::optional<R> value;
  absl::Status status = db.Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<R> result = read(sql);
        if (!result.ok()) return result.status();
        value = *std::move(result);
        return absl::OkStatus();
      },
      deadline);
  if (!status.ok()) return status;
  return *std::move(value);
}

// The `entity_name` with id `id` through `find` (a store's Find); NOT_FOUND naming `id_field`
// when there is none.
template <typename T>
absl::StatusOr<T> ReadEntity(Database& db, absl::Time deadline, const FindFn<T>& find, const std::string& id,
                             absl::string_view entity_name, absl::string_view id_field = "id") {
  absl::StatusOr<std::optional<T>> found =
      ReadValue(db, deadline, [&](soci::session& sql) { return find(sql, id); });
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NoSuchEntity(id_field, entity_name, id);
  return **std::move(found);
}

// Inside one write transaction: a request id seen before returns the entity it created (through
// `find`, a store's Find); otherwise `create` writes a new one and the request id is recorded
// against its id.
template <typename T>
absl::StatusOr<T> CreateOnce(Database& db, absl::Time deadline, absl::string_view scope, const std::string& request_id,
                             const google::protobuf::Message& request, const FindFn<T>& find,
                             const std::function<absl::StatusOr<T>(Tx&)>& create) {
  const std::string fingerprint = RequestReplay::Fingerprint(request);
  T result;
  absl::Status status = db.Write(
      [&](Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> earlier = RequestReplay::Find(tx, scope, request_id, fingerprint);
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          absl::StatusOr<std::optional<T>> first = find(tx.session(), **earlier);
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
  // a status (FAILED_PRECONDITION for an illegal transition, INVALID_ARGUMENT for bad input), and
  // may read related rows in the transaction (a referenced row that must exist).
  std::function<absl::StatusOr<std::optional<T>>(Tx&, const T& before)> change;
  // Writes `after` if the stored revision still is `expected_revision`; false when it is not.
  // Takes the record as loaded too, so a store rewrites secondary indexes (custom values,
  // duplicate keys) only when what they hold changed; StoreOf adapts a store that needs only
  // `after`.
  std::function<absl::StatusOr<bool>(Tx&, const T& before, const T& after, int64_t expected_revision)> store;
  // After a successful write, in the same transaction (events, audit).
  std::function<absl::Status(Tx&, const T& before, const T& after)> after_write;
};

// VersionedChange::store for a store whose Update writes the new state alone.
template <typename T>
std::function<absl::StatusOr<bool>(Tx&, const T&, const T&, int64_t)> StoreOf(
    absl::StatusOr<bool> (*update)(Tx&, const T& after, int64_t expected_revision)) {
  return [update](Tx& tx, const T&, const T& after, int64_t revision) { return update(tx, after, revision); };
}

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
        absl::StatusOr<std::optional<T>> after = op.change(tx, before);
        if (!after.ok()) return after.status();
        if (!after->has_value()) {
          result = before;
          return absl::OkStatus();
        }
        absl::StatusOr<bool> written = op.store(tx, before, **after, revision);
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

template <typename T>
struct VersionedDelete {
  // As in VersionedChange.
  LoadFn<T> load;
  std::function<absl::Status()> not_found;
  // Removes the row if its revision still is `expected_revision`; false when it is not.
  std::function<absl::StatusOr<bool>(Tx&, const std::string& id, int64_t expected_revision)> remove;
  // After a successful delete, in the same transaction, with the state that was removed.
  std::function<absl::Status(Tx&, const T& before)> after_delete;
};

// Deletes entity `id` when `etag` (optional) still matches. A delete is a change whose write
// removes the row, so the load / etag / stale rules are ChangeVersioned's.
template <typename T>
absl::Status DeleteVersioned(Database& db, absl::Time deadline, const std::string& id, const std::string& etag,
                             absl::string_view etag_field, absl::string_view entity_name,
                             const VersionedDelete<T>& op) {
  VersionedChange<T> change;
  change.load = op.load;
  change.not_found = op.not_found;
  change.change = [](Tx&, const T& before) -> absl::StatusOr<std::optional<T>> { return std::optional<T>(before); };
  change.store = [&](Tx& tx, const T& before, const T&, int64_t revision) {
    return op.remove(tx, before.id(), revision);
  };
  if (op.after_delete) {
    change.after_write = [&](Tx& tx, const T& before, const T&) { return op.after_delete(tx, before); };
  }
  return ChangeVersioned(db, deadline, id, etag, etag_field, entity_name, change).status();
}

}  // namespace crm::db
