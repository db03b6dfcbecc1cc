// SQL of duplicate management: the index of match keys (one row per key of every account,
// contact and lead, written in the record's own transaction) and the duplicate settings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/db/bulk_insert.h"
#include "common/db/database.h"
#include "common/db/dialect.h"
#include "common/db/row_scan.h"
#include "common/db/migrations.h"
#include "common/db/query.h"
#include "common/duplicates/record_keys.h"
#include "crm/v1/duplicate_service.pb.h"

namespace soci {
class session;
}

namespace crm::duplicates {

// The "duplicates" migration set: every server applies it (HostMigrations).
db::MigrationSet DuplicateMigrations();

// One index row that shares a key with a subject.
struct KeyHit {
  crm::v1::DuplicateEntity entity;
  std::string id;
  std::string display_name;
  MatchKey key;
};

class DuplicateIndex {
 public:
  // The record's rows become `keys` (none: the record leaves the index).
  static absl::Status Replace(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                              const RecordKeys& keys);
  // The rows of a record just created.
  static absl::Status Insert(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                             const RecordKeys& keys);
  // Replace, skipped when nothing the index holds changed (most updates touch no key).
  static absl::Status ReplaceIfChanged(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                                       const RecordKeys& before, const RecordKeys& after);
  // What a stored record is indexed under; nullopt when it has no rows.
  static absl::StatusOr<std::optional<RecordKeys>> Find(soci::session& sql, crm::v1::DuplicateEntity entity,
                                                        const std::string& id);
  // Records of `among` holding `key`, at most `limit` of them (in id order); each lookup is
  // one range of the primary key.
  static absl::StatusOr<std::vector<KeyHit>> Lookup(soci::session& sql, const MatchKey& key,
                                                    crm::v1::DuplicateEntity among, int limit);
  // The statement Lookup runs (for EXPLAIN in bench/duplicate_bench.cc).
  static db::SqlQuery LookupStatement(const MatchKey& key, crm::v1::DuplicateEntity among, int limit);
  // Holds, until the transaction ends, the locks of `keys` of `entity`: a create that checks for
  // duplicates takes them before its lookup, so a create racing it with a shared key waits and
  // then sees its keys. On MySQL these are row locks on duplicate_key_locks, one row per bucket
  // of keys (a key that does not exist yet has no row to lock); SQLite has one writer at a time
  // and needs none.
  static absl::Status LockKeys(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::vector<MatchKey>& keys);
};

// The bucket of duplicate_key_locks that `key` of `entity` locks: the same in every process.
int64_t KeyLockBucket(crm::v1::DuplicateEntity entity, const MatchKey& key);
inline constexpr int64_t kKeyLockBuckets = 4096;

// For writers of many records at once (a migration indexing the records stored before it, the
// benchmarks' loaders): the index rows of each record, written a few hundred per statement.
class KeyRowsWriter {
 public:
  explicit KeyRowsWriter(db::Backend backend);
  ~KeyRowsWriter();
  // Runs `add_records` (which calls Add per record) and writes every row they make.
  absl::Status Run(soci::session& sql, absl::FunctionRef<void()> add_records);
  void Add(crm::v1::DuplicateEntity entity, const std::string& id, const RecordKeys& keys);

 private:
  std::unique_ptr<db::BulkInsert> insert_;
};

// A migration's data step: indexes every row `select` reads (the id first, no ORDER BY or LIMIT),
// made into keys by `keys_of`. Reads in id order a batch at a time, so that a million records
// never sit in memory at once.
void IndexStoredRecords(soci::session& sql, const db::Dialect& dialect, crm::v1::DuplicateEntity entity,
                        const db::SqlQuery& select, absl::FunctionRef<RecordKeys(const db::ScannedRow&)> keys_of);

class DuplicateSettingsStore {
 public:
  // The settings with their etag (the migration seeds the row).
  static absl::StatusOr<crm::v1::DuplicateSettings> Load(soci::session& sql);
  // Like Load, locking the row for the rest of the write transaction.
  static absl::StatusOr<crm::v1::DuplicateSettings> LoadForUpdate(db::Tx& tx);
  // Writes the actions and update time when the stored revision is still `expected_revision`;
  // false when not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::DuplicateSettings& settings,
                                   int64_t expected_revision);
};

}  // namespace crm::duplicates
