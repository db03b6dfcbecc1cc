#include "services/pipeline/pipelines_store.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace crm::pipeline::internal {

// A pipeline_stages row: the stage and where it belongs.
struct StageRow {
  std::string pipeline_id;
  int64_t sort_order = 0;
  crm::v1::Stage stage;
};

}  // namespace crm::pipeline::internal

namespace soci {

// The one mapping between a pipelines row and crm.v1.Pipeline (stages come from their own rows).
template <>
struct type_conversion<crm::v1::Pipeline> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Pipeline& p) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    p.Clear();
    p.set_id(GetString(v, "id"));
    p.set_name(GetString(v, "name"));
    p.set_is_default(!crm::db::IsNull(v, "default_flag"));
    *p.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *p.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    p.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Pipeline& p, Values& v, indicator& ind) {
    v.set("id", p.id());
    v.set("name", p.name());
    v.set("default_flag", 1LL, p.is_default() ? i_ok : i_null);
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(p.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(p.update_time())));
    ind = i_ok;
  }
};

// The one mapping between a pipeline_stages row and crm.v1.Stage.
template <>
struct type_conversion<crm::pipeline::internal::StageRow> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::pipeline::internal::StageRow& r) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    r.pipeline_id = GetString(v, "pipeline_id");
    r.sort_order = GetInt64(v, "sort_order");
    crm::v1::Stage& s = r.stage;
    s.Clear();
    s.set_id(GetString(v, "id"));
    s.set_name(GetString(v, "name"));
    s.set_probability(static_cast<int32_t>(GetInt64(v, "probability")));
    s.set_kind(static_cast<crm::v1::StageKind>(GetInt64(v, "kind")));
    s.set_expected_days(static_cast<int32_t>(GetInt64(v, "expected_days")));
    s.set_retired(GetInt64(v, "retired") != 0);
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::pipeline::internal::StageRow& r, Values& v, indicator& ind) {
    v.set("id", r.stage.id());
    v.set("pipeline_id", r.pipeline_id);
    v.set("sort_order", static_cast<long long>(r.sort_order));
    v.set("name", r.stage.name());
    v.set("probability", static_cast<long long>(r.stage.probability()));
    v.set("kind", static_cast<long long>(r.stage.kind()));
    v.set("expected_days", static_cast<long long>(r.stage.expected_days()));
    v.set("retired", r.stage.retired() ? 1LL : 0LL);
    ind = i_ok;
  }
};

// The settings row (rates come from their own rows).
template <>
struct type_conversion<crm::v1::SalesSettings> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::SalesSettings& s) {
    s.Clear();
    s.set_base_currency(crm::db::GetString(v, "base_currency"));
    if (!crm::db::IsNull(v, "threshold_currency")) {
      *s.mutable_large_deal_threshold() =
          crm::MoneyFromMicros(crm::db::GetString(v, "threshold_currency"), crm::db::GetInt64(v, "threshold_micros"));
    }
    s.set_etag(crm::FormatEtag(crm::db::GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::SalesSettings& s, Values& v, indicator& ind) {
    const bool has_threshold = s.has_large_deal_threshold();
    const crm::v1::Money& t = s.large_deal_threshold();
    v.set("base_currency", s.base_currency());
    v.set("threshold_currency", t.currency_code(), has_threshold ? i_ok : i_null);
    v.set("threshold_micros", static_cast<long long>(t.units() * crm::kMicrosPerUnit + t.nanos() / 1000),
          has_threshold ? i_ok : i_null);
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

using internal::StageRow;

constexpr char kPipelineColumns[] = "id, name, default_flag, create_time, update_time, revision";
const std::string kSelectPipeline = absl::StrCat("SELECT ", kPipelineColumns, " FROM pipelines");
const std::string kSelectPipelineById = kSelectPipeline + " WHERE id = :id";
const std::string kSelectDefaultPipeline = kSelectPipeline + " WHERE default_flag = 1";
constexpr char kInsertPipeline[] =
    "INSERT INTO pipelines (id, name, default_flag, create_time, update_time, revision)"
    " VALUES (:id, :name, :default_flag, :create_time, :update_time, 1)";
// create_time never changes after the insert.
constexpr char kUpdatePipeline[] =
    "UPDATE pipelines SET name = :name, default_flag = :default_flag, update_time = :update_time,"
    " revision = revision + 1 WHERE id = :id AND revision = :expected_revision";

constexpr char kStageColumns[] = "id, pipeline_id, sort_order, name, probability, kind, expected_days, retired";
const std::string kSelectStage = absl::StrCat("SELECT ", kStageColumns, " FROM pipeline_stages");
constexpr char kSelectPipelineIdOfStage[] = "SELECT pipeline_id FROM pipeline_stages WHERE id = :id";
constexpr char kSelectStageIds[] = "SELECT id FROM pipeline_stages WHERE pipeline_id = :pipeline_id";
constexpr char kInsertStage[] =
    "INSERT INTO pipeline_stages (id, pipeline_id, sort_order, name, probability, kind, expected_days, retired)"
    " VALUES (:id, :pipeline_id, :sort_order, :name, :probability, :kind, :expected_days, :retired)";
// A stage never moves to another pipeline.
constexpr char kUpdateStage[] =
    "UPDATE pipeline_stages SET sort_order = :sort_order, name = :name, probability = :probability,"
    " kind = :kind, expected_days = :expected_days, retired = :retired WHERE id = :id";

constexpr char kSelectSettings[] =
    "SELECT base_currency, threshold_currency, threshold_micros, revision FROM sales_settings WHERE id = 1";
constexpr char kSelectRates[] = "SELECT currency_code, rate FROM sales_rates ORDER BY currency_code";
constexpr char kUpdateSettings[] =
    "UPDATE sales_settings SET base_currency = :base_currency, threshold_currency = :threshold_currency,"
    " threshold_micros = :threshold_micros, revision = revision + 1"
    " WHERE id = 1 AND revision = :expected_revision";
constexpr char kDeleteRates[] = "DELETE FROM sales_rates";
constexpr char kInsertRate[] = "INSERT INTO sales_rates (currency_code, rate) VALUES (:currency_code, :rate)";

std::vector<StageRow> StageRowsOf(const crm::v1::Pipeline& pipeline) {
  std::vector<StageRow> rows;
  for (int i = 0; i < pipeline.stages_size(); ++i) rows.push_back(StageRow{pipeline.id(), i, pipeline.stages(i)});
  return rows;
}

// Attaches each pipeline's stages (rows ordered by pipeline_id, sort_order).
void AttachStages(const std::vector<StageRow>& stages, std::vector<crm::v1::Pipeline>& pipelines) {
  size_t next = 0;
  for (crm::v1::Pipeline& p : pipelines) {
    while (next < stages.size() && stages[next].pipeline_id < p.id()) ++next;
    while (next < stages.size() && stages[next].pipeline_id == p.id()) *p.add_stages() = stages[next++].stage;
  }
}

absl::StatusOr<std::optional<crm::v1::Pipeline>> WithStages(soci::session& sql,
                                                            absl::StatusOr<std::optional<crm::v1::Pipeline>> found) {
  if (!found.ok() || !found->has_value()) return found;
  db::SqlQuery q(kSelectStage);
  q.Where("pipeline_id = ?", (*found)->id());
  q.Append(" ORDER BY sort_order");
  absl::StatusOr<std::vector<StageRow>> stages = db::QueryAll<StageRow>(sql, q, "read stages");
  if (!stages.ok()) return stages.status();
  for (const StageRow& row : *stages) *(*found)->add_stages() = row.stage;
  return found;
}

absl::Status PipelineNameTaken(const absl::Status& status) {
  if (absl::IsAlreadyExists(status)) return AlreadyExistsField("pipeline.name", "another pipeline has this name");
  return status;
}

}  // namespace

absl::StatusOr<std::optional<crm::v1::Pipeline>> PipelinesStore::Find(soci::session& sql, const std::string& id) {
  return WithStages(sql, db::QueryOne<crm::v1::Pipeline>(sql, kSelectPipelineById, id, "read pipeline"));
}

absl::StatusOr<std::optional<crm::v1::Pipeline>> PipelinesStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return WithStages(tx.session(),
                    db::QueryOne<crm::v1::Pipeline>(tx.session(), kSelectPipelineById + tx.dialect().ForUpdate(), id,
                                                    "read pipeline"));
}

absl::StatusOr<std::optional<crm::v1::Pipeline>> PipelinesStore::FindDefault(soci::session& sql) {
  db::SqlQuery q(kSelectDefaultPipeline);
  absl::StatusOr<std::vector<crm::v1::Pipeline>> rows =
      db::QueryAll<crm::v1::Pipeline>(sql, q, "read default pipeline");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<crm::v1::Pipeline>();
  return WithStages(sql, std::optional<crm::v1::Pipeline>(std::move(rows->front())));
}

absl::StatusOr<std::optional<std::string>> PipelinesStore::PipelineIdOfStage(soci::session& sql,
                                                                             const std::string& stage_id) {
  std::string pipeline_id;
  bool found = false;
  absl::Status status = db::Guard("read stage", [&]() -> absl::Status {
    sql << kSelectPipelineIdOfStage, soci::use(stage_id), soci::into(pipeline_id);
    found = sql.got_data();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(pipeline_id);
}

void PipelinesStore::InsertRows(soci::session& sql, const crm::v1::Pipeline& pipeline) {
  db::ExecuteRow(sql, kInsertPipeline, pipeline);
  for (const StageRow& row : StageRowsOf(pipeline)) db::ExecuteRow(sql, kInsertStage, row);
}

absl::Status PipelinesStore::Insert(db::Tx& tx, const crm::v1::Pipeline& pipeline) {
  return PipelineNameTaken(db::Guard("insert pipeline", [&]() -> absl::Status {
    InsertRows(tx.session(), pipeline);
    return absl::OkStatus();
  }));
}

absl::StatusOr<bool> PipelinesStore::Update(db::Tx& tx, const crm::v1::Pipeline& pipeline, int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdatePipeline, pipeline, expected_revision, "update pipeline");
  if (!updated.ok()) return PipelineNameTaken(updated.status());
  if (!*updated) return false;
  absl::Status stages = db::Guard("update stages", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    absl::flat_hash_set<std::string> stored;
    soci::rowset<std::string> ids = (sql.prepare << kSelectStageIds, soci::use(pipeline.id(), "pipeline_id"));
    for (const std::string& id : ids) stored.insert(id);
    for (const StageRow& row : StageRowsOf(pipeline)) {
      if (stored.contains(row.stage.id())) {
        db::ExecuteRow(sql, kUpdateStage, row);
      } else {
        db::ExecuteRow(sql, kInsertStage, row);
      }
    }
    return absl::OkStatus();
  });
  if (!stages.ok()) return stages;
  return true;
}

absl::StatusOr<std::vector<crm::v1::Pipeline>> PipelinesStore::List(soci::session& sql, const std::string& after_id,
                                                                    int limit) {
  db::SqlQuery q(kSelectPipeline);
  if (!after_id.empty()) q.Where("id > ?", after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(limit));
  absl::StatusOr<std::vector<crm::v1::Pipeline>> pipelines = db::QueryAll<crm::v1::Pipeline>(sql, q, "list pipelines");
  if (!pipelines.ok() || pipelines->empty()) return pipelines;
  // One query for the stages of the whole page: its ids form one contiguous range.
  db::SqlQuery stages_query(kSelectStage);
  stages_query.Where("pipeline_id >= ?", pipelines->front().id());
  stages_query.Where("pipeline_id <= ?", pipelines->back().id());
  stages_query.Append(" ORDER BY pipeline_id, sort_order");
  absl::StatusOr<std::vector<StageRow>> stages = db::QueryAll<StageRow>(sql, stages_query, "list stages");
  if (!stages.ok()) return stages.status();
  AttachStages(*stages, *pipelines);
  return pipelines;
}

namespace {

absl::StatusOr<crm::v1::SalesSettings> LoadSettings(soci::session& sql, const std::string& select) {
  crm::v1::SalesSettings settings;
  absl::Status status = db::Guard("read sales settings", [&]() -> absl::Status {
    sql << select, soci::into(settings);
    if (!sql.got_data()) return absl::InternalError("the sales settings row is missing");
    soci::rowset<soci::row> rates = (sql.prepare << kSelectRates);
    for (const soci::row& row : rates) {
      crm::v1::ExchangeRate* rate = settings.add_rates();
      rate->set_currency_code(db::GetString(row, 0));
      rate->set_rate(db::GetString(row, 1));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return settings;
}

}  // namespace

absl::StatusOr<crm::v1::SalesSettings> SalesSettingsStore::Load(soci::session& sql) {
  return LoadSettings(sql, kSelectSettings);
}

absl::StatusOr<crm::v1::SalesSettings> SalesSettingsStore::LoadForUpdate(db::Tx& tx) {
  return LoadSettings(tx.session(), std::string(kSelectSettings) + tx.dialect().ForUpdate());
}

absl::StatusOr<bool> SalesSettingsStore::Update(db::Tx& tx, const crm::v1::SalesSettings& settings,
                                                int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateSettings, settings, expected_revision, "update sales settings");
  if (!updated.ok() || !*updated) return updated;
  absl::Status rates = db::Guard("update exchange rates", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    sql << kDeleteRates;
    for (const crm::v1::ExchangeRate& rate : settings.rates()) {
      sql << kInsertRate, soci::use(rate.currency_code(), "currency_code"), soci::use(rate.rate(), "rate");
    }
    return absl::OkStatus();
  });
  if (!rates.ok()) return rates;
  return true;
}

}  // namespace crm::pipeline
