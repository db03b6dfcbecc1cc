#include "common/duplicates/merge_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "common/duplicates/record_keys.h"
#include "google/protobuf/util/json_util.h"

namespace crm::duplicates {
namespace {

constexpr char kSelectMerge[] = "SELECT record FROM merges";

absl::StatusOr<crm::v1::Merge> MergeFromJson(absl::string_view json) {
  crm::v1::Merge merge;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // written by a newer server
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &merge, options).ok()) {
    return absl::DataLossError("a stored merge record does not parse");
  }
  return merge;
}

}  // namespace

absl::Status MergeStore::Insert(db::Tx& tx, const crm::v1::Merge& merge) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(merge, &json).ok()) {
    return absl::InternalError("the merge record does not serialise");
  }
  const std::string entity(EntityName(merge.entity()));
  const long long merge_time = TimestampToMicros(merge.merge_time());
  return db::Guard("write merge record", [&]() -> absl::Status {
    db::SqlQuery insert("INSERT INTO merges (id, entity_type, survivor_id, merge_time, record) VALUES");
    insert.Append(" (?, ?, ?, ?, ?)", merge.id(), entity, merge.survivor_id(), merge_time, json);
    db::Execute(tx.session(), insert);
    std::vector<std::string> merged_ids;
    for (const crm::v1::Account& a : merge.merged_accounts()) merged_ids.push_back(a.id());
    for (const crm::v1::Contact& c : merge.merged_contacts()) merged_ids.push_back(c.id());
    db::SqlQuery tombstones(
        "INSERT INTO merged_records (entity_id, entity_type, survivor_id, merge_id, merge_time) VALUES");
    const char* separator = " ";
    for (const std::string& id : merged_ids) {
      tombstones.Append(absl::StrCat(separator, "(?, ?, ?, ?, ?)"), id, entity, merge.survivor_id(), merge.id(),
                        merge_time);
      separator = ", ";
    }
    if (!merged_ids.empty()) db::Execute(tx.session(), tombstones);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<crm::v1::Merge>> MergeStore::Find(soci::session& sql, const std::string& id) {
  db::SqlQuery q(kSelectMerge);
  q.Where("id = ?", id);
  std::optional<std::string> json;
  absl::Status status = db::ScanRows(sql, q, "read merge record", [&](const db::ScannedRow& row) {
    json = std::string(row.Text(0));
    return false;
  });
  if (!status.ok()) return status;
  if (!json) return std::optional<crm::v1::Merge>();
  absl::StatusOr<crm::v1::Merge> merge = MergeFromJson(*json);
  if (!merge.ok()) return merge.status();
  return std::optional<crm::v1::Merge>(*std::move(merge));
}

absl::StatusOr<std::optional<crm::v1::MergedInto>> MergeStore::FindTombstone(soci::session& sql,
                                                                            crm::v1::DuplicateEntity entity,
                                                                            const std::string& id) {
  db::SqlQuery q("SELECT survivor_id, merge_id, merge_time FROM merged_records");
  q.Where("entity_id = ?", id).Where("entity_type = ?", std::string(EntityName(entity)));
  return db::ScanOne<crm::v1::MergedInto>(sql, q, "read merge tombstone", [&](const db::ScannedRow& row) {
    crm::v1::MergedInto into;
    into.set_entity(entity);
    into.set_id(id);
    into.set_survivor_id(std::string(row.Text(0)));
    into.set_merge_id(std::string(row.Text(1)));
    *into.mutable_merge_time() = MicrosToTimestamp(row.Int(2));
    return into;
  });
}

absl::StatusOr<std::vector<crm::v1::Merge>> MergeStore::List(soci::session& sql, const MergeListQuery& query) {
  db::SqlQuery q(kSelectMerge);
  if (query.entity != crm::v1::DUPLICATE_ENTITY_UNSPECIFIED) {
    q.Where("entity_type = ?", std::string(EntityName(query.entity)));
  }
  if (!query.survivor_id.empty()) q.Where("survivor_id = ?", query.survivor_id);
  if (!query.merged_id.empty()) {
    q.Where("id IN (SELECT merge_id FROM merged_records WHERE entity_id = ?)", query.merged_id);
  }
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));
  std::vector<crm::v1::Merge> merges;
  absl::Status parse_error;
  absl::Status status = db::ScanRows(sql, q, "list merge records", [&](const db::ScannedRow& row) {
    absl::StatusOr<crm::v1::Merge> merge = MergeFromJson(row.Text(0));
    if (!merge.ok()) {
      parse_error = merge.status();
      return false;
    }
    merges.push_back(*std::move(merge));
    return true;
  });
  if (!status.ok()) return status;
  if (!parse_error.ok()) return parse_error;
  return merges;
}

}  // namespace crm::duplicates
