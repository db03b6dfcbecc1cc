#include "common/duplicates/duplicate_store.h"

#include <soci/soci.h>

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"

namespace crm::duplicates {
namespace {

std::optional<KeyKind> KindFromName(absl::string_view name) {
  for (KeyKind kind : {KeyKind::kOrganisationName, KeyKind::kPersonName, KeyKind::kEmail, KeyKind::kPhone,
                       KeyKind::kDomain}) {
    if (KeyKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

crm::v1::DuplicateAction ActionFromColumn(int64_t value) {
  return crm::v1::DuplicateAction_IsValid(static_cast<int>(value)) && value != 0
             ? static_cast<crm::v1::DuplicateAction>(value)
             : crm::v1::DUPLICATE_ACTION_WARN;
}

}  // namespace

db::MigrationSet DuplicateMigrations() {
  return db::MigrationSet{
      "duplicates",
      {
          {1,
           "duplicate match keys and settings",
           {
               // A lookup is one range of the primary key: every record with one key, by kind.
               // display_name is the record's as of its last write, so candidates are named
               // without reading three tables.
               "CREATE TABLE IF NOT EXISTS duplicate_keys ("
               " key_kind VARCHAR(16) NOT NULL,"
               " match_key VARCHAR(200) NOT NULL,"
               " entity_type VARCHAR(16) NOT NULL,"
               " entity_id VARCHAR(64) NOT NULL,"
               " display_name {{LONG_TEXT}} NOT NULL,"
               " PRIMARY KEY (key_kind, match_key, entity_type, entity_id)){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS duplicate_keys_by_record ON duplicate_keys (entity_type, entity_id)",
               // One row (id 1); actions are DuplicateAction numbers.
               "CREATE TABLE IF NOT EXISTS duplicate_settings ("
               " id BIGINT NOT NULL PRIMARY KEY,"
               " account_action BIGINT NOT NULL,"
               " contact_action BIGINT NOT NULL,"
               " lead_action BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "{{INSERT_IGNORE}} INTO duplicate_settings (id, account_action, contact_action, lead_action,"
               " update_time, revision) VALUES (1, 1, 1, 1, 0, 1)",
           }},
          {2,
           "merge records and tombstones",
           {
               // One row per merge: the crm.v1.Merge as JSON (the merged records as they were),
               // listed by survivor in id order.
               "CREATE TABLE IF NOT EXISTS merges ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " entity_type VARCHAR(16) NOT NULL,"
               " survivor_id VARCHAR(64) NOT NULL,"
               " merge_time BIGINT NOT NULL,"
               " record {{LONG_TEXT}} NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS merges_by_survivor ON merges (survivor_id, id)",
               // Where each merged record went: a Get of a merged contact (whose row is gone)
               // says so, and ListMerges finds a record's merge.
               "CREATE TABLE IF NOT EXISTS merged_records ("
               " entity_id VARCHAR(64) NOT NULL,"
               " entity_type VARCHAR(16) NOT NULL,"
               " survivor_id VARCHAR(64) NOT NULL,"
               " merge_id VARCHAR(64) NOT NULL,"
               " merge_time BIGINT NOT NULL,"
               " PRIMARY KEY (entity_id, entity_type)){{KEYED_TABLE_OPTIONS}}",
           }},
          {3,
           "duplicate key locks",
           {
               // Rows that creates checking for duplicates lock on MySQL (DuplicateIndex::LockKeys).
               "CREATE TABLE IF NOT EXISTS duplicate_key_locks ("
               " bucket BIGINT NOT NULL PRIMARY KEY){{TABLE_OPTIONS}}",
           },
           [](soci::session& sql, const db::Dialect&) {
             // MySQL runs a migration without a transaction: a second attempt starts over.
             db::Execute(sql, db::SqlQuery("DELETE FROM duplicate_key_locks"));
             constexpr int64_t kRowsPerStatement = 512;
             for (int64_t first = 0; first < kKeyLockBuckets; first += kRowsPerStatement) {
               db::SqlQuery insert("INSERT INTO duplicate_key_locks (bucket) VALUES");
               for (int64_t bucket = first; bucket < first + kRowsPerStatement; ++bucket) {
                 insert.Append(bucket == first ? " (?)" : ", (?)", bucket);
               }
               db::Execute(sql, insert);
             }
           }},
      }};
}

int64_t KeyLockBucket(crm::v1::DuplicateEntity entity, const MatchKey& key) {
  // FNV-1a: a hash every process computes alike (absl::Hash is seeded per process).
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](absl::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    hash ^= 0x1f;
    hash *= 1099511628211ull;
  };
  mix(EntityName(entity));
  mix(KeyKindName(key.kind));
  mix(key.key);
  return static_cast<int64_t>(hash % static_cast<uint64_t>(kKeyLockBuckets));
}

absl::Status DuplicateIndex::LockKeys(db::Tx& tx, crm::v1::DuplicateEntity entity,
                                      const std::vector<MatchKey>& keys) {
  if (tx.dialect().backend() == db::Backend::kSqlite || keys.empty()) return absl::OkStatus();
  std::vector<int64_t> buckets;
  for (const MatchKey& key : keys) buckets.push_back(KeyLockBucket(entity, key));
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  // One statement in bucket order: two creates lock their common buckets in the same order.
  db::SqlQuery lock("SELECT bucket FROM duplicate_key_locks WHERE bucket IN (");
  for (size_t i = 0; i < buckets.size(); ++i) lock.Append(i == 0 ? "?" : ", ?", buckets[i]);
  lock.Append(") ORDER BY bucket");
  lock.Append(tx.dialect().ForUpdate());
  size_t locked = 0;
  absl::Status status = db::ScanRows(tx.session(), lock, "lock duplicate keys", [&](const db::ScannedRow&) {
    ++locked;
    return true;
  });
  if (!status.ok()) return status;
  if (locked != buckets.size()) {
    return absl::InternalError("duplicate_key_locks lacks rows: migrations not applied");
  }
  return absl::OkStatus();
}

absl::Status DuplicateIndex::Insert(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                                    const RecordKeys& keys) {
  if (keys.keys.empty()) return absl::OkStatus();
  const std::string entity_name(EntityName(entity));
  return db::Guard("index duplicate keys", [&]() -> absl::Status {
    db::SqlQuery insert("INSERT INTO duplicate_keys (key_kind, match_key, entity_type, entity_id, display_name) VALUES");
    const char* separator = " ";
    for (const MatchKey& key : keys.keys) {
      insert.Append(absl::StrCat(separator, "(?, ?, ?, ?, ?)"), KeyKindName(key.kind), key.key, entity_name, id,
                    keys.display_name);
      separator = ", ";
    }
    db::Execute(tx.session(), insert);
    return absl::OkStatus();
  });
}

absl::Status DuplicateIndex::Replace(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                                     const RecordKeys& keys) {
  absl::Status removed = db::Guard("index duplicate keys", [&]() -> absl::Status {
    db::SqlQuery remove("DELETE FROM duplicate_keys");
    remove.Where("entity_type = ?", std::string(EntityName(entity))).Where("entity_id = ?", id);
    db::Execute(tx.session(), remove);
    return absl::OkStatus();
  });
  if (!removed.ok()) return removed;
  return Insert(tx, entity, id, keys);
}

absl::Status DuplicateIndex::ReplaceIfChanged(db::Tx& tx, crm::v1::DuplicateEntity entity, const std::string& id,
                                              const RecordKeys& before, const RecordKeys& after) {
  if (before == after) return absl::OkStatus();
  return Replace(tx, entity, id, after);
}

absl::StatusOr<std::optional<RecordKeys>> DuplicateIndex::Find(soci::session& sql, crm::v1::DuplicateEntity entity,
                                                               const std::string& id) {
  db::SqlQuery q("SELECT key_kind, match_key, display_name FROM duplicate_keys");
  q.Where("entity_type = ?", std::string(EntityName(entity))).Where("entity_id = ?", id);
  std::optional<RecordKeys> record;
  absl::Status status = db::ScanRows(sql, q, "read duplicate keys", [&](const db::ScannedRow& row) {
    if (!record) record.emplace().display_name = std::string(row.Text(2));
    if (std::optional<KeyKind> kind = KindFromName(row.Text(0))) {
      record->keys.push_back({*kind, std::string(row.Text(1))});
    }
    return true;
  });
  if (!status.ok()) return status;
  return record;
}

db::SqlQuery DuplicateIndex::LookupStatement(const MatchKey& key, crm::v1::DuplicateEntity among, int limit) {
  db::SqlQuery q("SELECT entity_id, display_name FROM duplicate_keys");
  q.Where("key_kind = ?", KeyKindName(key.kind))
      .Where("match_key = ?", key.key)
      .Where("entity_type = ?", std::string(EntityName(among)));
  q.Append(" ORDER BY entity_id LIMIT ?", limit);
  return q;
}

absl::StatusOr<std::vector<KeyHit>> DuplicateIndex::Lookup(soci::session& sql, const MatchKey& key,
                                                           crm::v1::DuplicateEntity among, int limit) {
  return db::ScanAll<KeyHit>(sql, LookupStatement(key, among, limit), "find duplicate keys", [&](const db::ScannedRow& row) {
    return KeyHit{among, std::string(row.Text(0)), std::string(row.Text(1)), key};
  });
}

namespace {

absl::StatusOr<crm::v1::DuplicateSettings> LoadSettings(soci::session& sql, const char* lock) {
  db::SqlQuery q(
      "SELECT account_action, contact_action, lead_action, update_time, revision FROM duplicate_settings WHERE id = 1");
  q.Append(lock);
  absl::StatusOr<std::optional<crm::v1::DuplicateSettings>> row =
      db::ScanOne<crm::v1::DuplicateSettings>(sql, q, "read duplicate settings", [](const db::ScannedRow& r) {
        crm::v1::DuplicateSettings settings;
        settings.set_accounts(ActionFromColumn(r.Int(0)));
        settings.set_contacts(ActionFromColumn(r.Int(1)));
        settings.set_leads(ActionFromColumn(r.Int(2)));
        if (r.Int(3) != 0) *settings.mutable_update_time() = MicrosToTimestamp(r.Int(3));
        settings.set_etag(FormatEtag(r.Int(4)));
        return settings;
      });
  if (!row.ok()) return row.status();
  if (!row->has_value()) return absl::InternalError("duplicate_settings has no row: migrations not applied");
  return **row;
}

}  // namespace

KeyRowsWriter::KeyRowsWriter(db::Backend backend)
    : insert_(std::make_unique<db::BulkInsert>(backend, "duplicate_keys",
                                               std::vector<db::BulkInsert::Column>{
                                                   {"key_kind", db::BulkInsert::kText},
                                                   {"match_key", db::BulkInsert::kText},
                                                   {"entity_type", db::BulkInsert::kText},
                                                   {"entity_id", db::BulkInsert::kText},
                                                   {"display_name", db::BulkInsert::kText}},
                                               400)) {}

KeyRowsWriter::~KeyRowsWriter() = default;

absl::Status KeyRowsWriter::Run(soci::session& sql, absl::FunctionRef<void()> add_records) {
  return insert_->Run(sql, add_records);
}

void KeyRowsWriter::Add(crm::v1::DuplicateEntity entity, const std::string& id, const RecordKeys& keys) {
  for (const MatchKey& key : keys.keys) {
    insert_->Row()
        .Text(std::string(KeyKindName(key.kind)))
        .Text(key.key)
        .Text(std::string(EntityName(entity)))
        .Text(id)
        .Text(keys.display_name);
  }
}

void IndexStoredRecords(soci::session& sql, const db::Dialect& dialect, crm::v1::DuplicateEntity entity,
                        const db::SqlQuery& select, absl::FunctionRef<RecordKeys(const db::ScannedRow&)> keys_of) {
  constexpr long long kBatch = 20000;
  // MySQL runs a migration without a transaction: a second attempt starts over.
  db::SqlQuery clear("DELETE FROM duplicate_keys");
  clear.Where("entity_type = ?", std::string(EntityName(entity)));
  db::Execute(sql, clear);
  KeyRowsWriter writer(dialect.backend());
  std::string after_id;
  while (true) {
    // Read a batch, then write it: SQLite cannot insert into a table while a statement steps.
    std::vector<std::pair<std::string, RecordKeys>> records;
    db::SqlQuery batch = select;
    batch.Where("id > ?", after_id).Append(" ORDER BY id LIMIT ?", kBatch);
    absl::Status read = db::ScanRows(sql, batch, "read records to index", [&](const db::ScannedRow& row) {
      records.emplace_back(std::string(row.Text(0)), keys_of(row));
      return true;
    });
    if (!read.ok()) throw std::runtime_error(std::string(read.message()));
    absl::Status written = writer.Run(sql, [&] {
      for (const auto& [id, keys] : records) writer.Add(entity, id, keys);
    });
    if (!written.ok()) throw std::runtime_error(std::string(written.message()));
    if (static_cast<long long>(records.size()) < kBatch) return;
    after_id = records.back().first;
  }
}

absl::StatusOr<crm::v1::DuplicateSettings> DuplicateSettingsStore::Load(soci::session& sql) {
  return LoadSettings(sql, "");
}

absl::StatusOr<crm::v1::DuplicateSettings> DuplicateSettingsStore::LoadForUpdate(db::Tx& tx) {
  return LoadSettings(tx.session(), tx.dialect().ForUpdate());
}

absl::StatusOr<bool> DuplicateSettingsStore::Update(db::Tx& tx, const crm::v1::DuplicateSettings& settings,
                                                  int64_t expected_revision) {
  long long changed = 0;
  absl::Status status = db::Guard("write duplicate settings", [&]() -> absl::Status {
    db::SqlQuery q("");
    q.Append("UPDATE duplicate_settings SET account_action = ?, contact_action = ?, lead_action = ?,"
             " update_time = ?, revision = revision + 1",
             static_cast<long long>(settings.accounts()), static_cast<long long>(settings.contacts()),
             static_cast<long long>(settings.leads()),
             static_cast<long long>(TimestampToMicros(settings.update_time())));
    q.Where("id = 1").Where("revision = ?", static_cast<long long>(expected_revision));
    changed = db::Execute(tx.session(), q);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed == 1;
}

}  // namespace crm::duplicates
