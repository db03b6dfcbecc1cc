#include "services/kam/model_store.h"

#include <google/protobuf/util/json_util.h>
#include <soci/soci.h>

#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "services/kam/scoring_model.h"

namespace crm::kam {
namespace {

constexpr char kSelectColumns[] = "SELECT version, model, created_by, create_time FROM kam_scoring_models";
constexpr char kInsertModel[] =
    "INSERT INTO kam_scoring_models (version, model, created_by, create_time)"
    " VALUES (:version, :model, :created_by, :create_time)";

// The content as JSON without the columns' fields, so the row has one source for each.
std::string ContentJson(const crm::v1::ScoringModel& model) {
  crm::v1::ScoringModel content = model;
  content.clear_version();
  content.clear_created_by();
  content.clear_create_time();
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(content, &json, options);
  return json;
}

crm::v1::ScoringModel FromRow(const db::ScannedRow& row) {
  crm::v1::ScoringModel model;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a field a later release dropped
  (void)google::protobuf::util::JsonStringToMessage(std::string(row.Text(1)), &model, options);
  model.set_version(static_cast<int32_t>(row.Int(0)));
  model.set_created_by(std::string(row.Text(2)));
  *model.mutable_create_time() = MicrosToTimestamp(row.Int(3));
  return model;
}

void InsertRow(soci::session& sql, const crm::v1::ScoringModel& model) {
  const long long version = model.version();
  const std::string content = ContentJson(model);
  const std::string created_by = model.created_by();
  const long long create_time = TimestampToMicros(model.create_time());
  sql << kInsertModel, soci::use(version, "version"), soci::use(content, "model"),
      soci::use(created_by, "created_by"), soci::use(create_time, "create_time");
}

}  // namespace

absl::StatusOr<std::optional<crm::v1::ScoringModel>> ModelStore::Find(soci::session& sql, int32_t version) {
  db::SqlQuery query(kSelectColumns);
  if (version > 0) query.Where("version = ?", version);
  query.Append(" ORDER BY version DESC LIMIT 1");
  absl::StatusOr<std::vector<crm::v1::ScoringModel>> rows =
      db::ScanAll<crm::v1::ScoringModel>(sql, query, "read scoring models", FromRow);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<crm::v1::ScoringModel>();
  return std::optional<crm::v1::ScoringModel>(std::move(rows->front()));
}

absl::StatusOr<std::vector<crm::v1::ScoringModel>> ModelStore::List(soci::session& sql, int32_t before, int limit) {
  db::SqlQuery query(kSelectColumns);
  if (before > 0) query.Where("version < ?", before);
  query.Append(" ORDER BY version DESC LIMIT ?", limit);
  return db::ScanAll<crm::v1::ScoringModel>(sql, query, "read scoring models", FromRow);
}

absl::Status ModelStore::Insert(db::Tx& tx, const crm::v1::ScoringModel& model) {
  return db::Guard("insert scoring model", [&]() -> absl::Status {
    InsertRow(tx.session(), model);
    return absl::OkStatus();
  });
}

void ModelStore::InsertFirst(soci::session& sql) {
  crm::v1::ScoringModel model = DefaultScoringModel();
  *model.mutable_create_time() = MicrosToTimestamp(0);
  InsertRow(sql, model);
}

}  // namespace crm::kam
