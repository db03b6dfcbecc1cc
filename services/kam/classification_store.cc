#include "services/kam/classification_store.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "services/kam/kam_schema.h"

namespace crm::kam {
namespace {

// Rows per multi-row INSERT: amortises the statement, stays well inside MySQL's packet limit.
constexpr int kRowsPerInsert = 200;
// Ids per IN (...) list.
constexpr size_t kIdsPerQuery = 500;

constexpr char kRunColumns[] =
    "SELECT id, model_version, as_of, dry_run, actor, status, start_time, finish_time, accounts, tier_changes,"
    " overridden, error FROM kam_runs";

constexpr char kClassificationColumns[] =
    "SELECT c.account_id, c.run_id, c.model_version, c.as_of, c.abc, c.recency_score, c.frequency_score,"
    " c.monetary_score, c.segment, c.lifecycle, c.composite_micro, c.computed_tier, c.tier, c.currency,"
    " c.revenue_micros, c.churn_risk_micro, c.dim_revenue_contribution, c.dim_profit, c.dim_purchase_frequency,"
    " c.dim_recency, c.dim_tenure, c.dim_payment_behaviour, c.dim_satisfaction, c.dim_industry_influence,"
    " c.dim_cooperation_potential FROM kam_classifications c";

constexpr char kTierChangeColumns[] =
    "SELECT id, account_id, old_tier, new_tier, source, reason, model_version, run_id, actor, change_time"
    " FROM kam_tier_changes";

constexpr char kOverrideColumns[] =
    "SELECT account_id, tier, reason, expire_time, set_by, create_time FROM kam_tier_overrides";

long long Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

RunRecord RunFromRow(const db::ScannedRow& r) {
  RunRecord run;
  run.id = std::string(r.Text(0));
  run.model_version = static_cast<int32_t>(r.Int(1));
  run.as_of = FromMicros(r.Int(2));
  run.dry_run = r.Int(3) != 0;
  run.actor = std::string(r.Text(4));
  run.status = static_cast<RunStatus>(r.Int(5));
  run.start_time = FromMicros(r.Int(6));
  if (!r.IsNull(7)) run.finish_time = FromMicros(r.Int(7));
  run.accounts = r.Int(8);
  run.tier_changes = r.Int(9);
  run.overridden = r.Int(10);
  run.error = std::string(r.Text(11));
  return run;
}

ClassificationRow ClassificationFromRow(const db::ScannedRow& r) {
  ClassificationRow c;
  c.account_id = std::string(r.Text(0));
  c.run_id = std::string(r.Text(1));
  c.model_version = static_cast<int32_t>(r.Int(2));
  c.as_of = FromMicros(r.Int(3));
  c.abc = static_cast<crm::v1::AbcClass>(r.Int(4));
  c.recency_score = static_cast<int>(r.Int(5));
  c.frequency_score = static_cast<int>(r.Int(6));
  c.monetary_score = static_cast<int>(r.Int(7));
  c.segment = static_cast<crm::v1::RfmSegment>(r.Int(8));
  c.lifecycle = static_cast<crm::v1::LifecycleStage>(r.Int(9));
  c.composite_micro = r.Int(10);
  c.computed_tier = static_cast<crm::v1::AccountTier>(r.Int(11));
  c.tier = static_cast<crm::v1::AccountTier>(r.Int(12));
  c.currency = std::string(r.Text(13));
  c.revenue_micros = r.Int(14);
  c.churn_risk_micro = r.Int(15);
  for (int d = 0; d < kDimensionCount; ++d) c.dims[d] = r.Int(16 + d);
  return c;
}

crm::v1::TierChange TierChangeFromRow(const db::ScannedRow& r) {
  crm::v1::TierChange t;
  t.set_id(std::string(r.Text(0)));
  t.set_account_id(std::string(r.Text(1)));
  t.set_old_tier(static_cast<crm::v1::AccountTier>(r.Int(2)));
  t.set_new_tier(static_cast<crm::v1::AccountTier>(r.Int(3)));
  t.set_source(static_cast<crm::v1::TierChangeSource>(r.Int(4)));
  t.set_reason(std::string(r.Text(5)));
  t.set_model_version(static_cast<int32_t>(r.Int(6)));
  t.set_run_id(std::string(r.Text(7)));
  t.set_actor(std::string(r.Text(8)));
  *t.mutable_change_time() = MicrosToTimestamp(r.Int(9));
  return t;
}

crm::v1::TierOverride OverrideFromRow(const db::ScannedRow& r) {
  crm::v1::TierOverride o;
  o.set_account_id(std::string(r.Text(0)));
  o.set_tier(static_cast<crm::v1::AccountTier>(r.Int(1)));
  o.set_reason(std::string(r.Text(2)));
  *o.mutable_expire_time() = MicrosToTimestamp(r.Int(3));
  o.set_set_by(std::string(r.Text(4)));
  *o.mutable_create_time() = MicrosToTimestamp(r.Int(5));
  return o;
}


}  // namespace

int64_t ToMicro(double value) { return std::llround(value * 1e6); }
double FromMicro(int64_t micro) { return static_cast<double>(micro) / 1e6; }

// Runs.

absl::Status RunStore::Insert(db::Tx& tx, const RunRecord& run) {
  return db::Guard("insert reclassification run", [&]() -> absl::Status {
    long long version = run.model_version, as_of = Micros(run.as_of), dry = run.dry_run ? 1 : 0,
              status = static_cast<int>(run.status), start = Micros(run.start_time);
    tx.session() << "INSERT INTO kam_runs (id, model_version, as_of, dry_run, actor, status, start_time, finish_time,"
                    " accounts, tier_changes, overridden, error) VALUES (:id, :version, :as_of, :dry, :actor,"
                    " :status, :start, NULL, 0, 0, 0, '')",
        soci::use(run.id, "id"), soci::use(version, "version"), soci::use(as_of, "as_of"), soci::use(dry, "dry"),
        soci::use(run.actor, "actor"), soci::use(status, "status"), soci::use(start, "start");
    return absl::OkStatus();
  });
}

absl::Status RunStore::Finish(db::Tx& tx, const RunRecord& run) {
  return db::Guard("finish reclassification run", [&]() -> absl::Status {
    long long status = static_cast<int>(run.status), finish = Micros(run.finish_time.value_or(run.start_time)),
              accounts = run.accounts, changes = run.tier_changes, overridden = run.overridden;
    tx.session() << "UPDATE kam_runs SET status = :status, finish_time = :finish, accounts = :accounts,"
                    " tier_changes = :changes, overridden = :overridden, error = :error WHERE id = :id",
        soci::use(status, "status"), soci::use(finish, "finish"), soci::use(accounts, "accounts"),
        soci::use(changes, "changes"), soci::use(overridden, "overridden"), soci::use(run.error, "error"),
        soci::use(run.id, "id");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<RunRecord>> RunStore::FindRunning(soci::session& sql) {
  db::SqlQuery q(kRunColumns);
  q.Where("status = ?", static_cast<int>(RunStatus::kRunning)).Append(" ORDER BY start_time DESC, id DESC LIMIT 1");
  return db::ScanOne<RunRecord>(sql, q, "read running reclassification", RunFromRow);
}

absl::StatusOr<std::optional<RunRecord>> RunStore::LastApplied(soci::session& sql) {
  db::SqlQuery q(kRunColumns);
  q.Where("status = ?", static_cast<int>(RunStatus::kDone)).Where("dry_run = 0");
  q.Append(" ORDER BY start_time DESC, id DESC LIMIT 1");
  return db::ScanOne<RunRecord>(sql, q, "read last reclassification", RunFromRow);
}

// Classifications.

absl::Status ClassificationStore::ReplaceAll(
    db::Tx& tx, absl::FunctionRef<void(absl::FunctionRef<void(const ClassificationRow&)> add)> add_rows) {
  using B = db::BulkInsert;
  B insert(tx.dialect().backend(), "kam_classifications",
           {{"account_id", B::kText},       {"run_id", B::kText},
            {"model_version", B::kInt},     {"as_of", B::kInt},
            {"abc", B::kInt},               {"recency_score", B::kInt},
            {"frequency_score", B::kInt},   {"monetary_score", B::kInt},
            {"segment", B::kInt},           {"lifecycle", B::kInt},
            {"composite_micro", B::kInt},   {"computed_tier", B::kInt},
            {"tier", B::kInt},              {"currency", B::kText},
            {"revenue_micros", B::kInt},    {"churn_risk_micro", B::kInt},
            {"dim_revenue_contribution", B::kInt}, {"dim_profit", B::kInt},
            {"dim_purchase_frequency", B::kInt},   {"dim_recency", B::kInt},
            {"dim_tenure", B::kInt},               {"dim_payment_behaviour", B::kInt},
            {"dim_satisfaction", B::kInt},         {"dim_industry_influence", B::kInt},
            {"dim_cooperation_potential", B::kInt}},
           kRowsPerInsert);
  // SQLite rebuilds the indexes after the rows are in (inside the transaction: readers keep the
  // old table and indexes until commit). MySQL would commit at the first DDL, so it keeps them.
  const bool rebuild_indexes = tx.dialect().backend() == db::Backend::kSqlite;
  absl::Status cleared = db::Guard("clear classifications", [&]() -> absl::Status {
    if (rebuild_indexes) {
      for (const IndexDefinition& index : ClassificationIndexes()) {
        tx.session() << tx.dialect().DropIndex("kam_classifications", index.name);
      }
    }
    tx.session() << "DELETE FROM kam_classifications";
    return absl::OkStatus();
  });
  if (!cleared.ok()) return cleared;
  absl::Status inserted = insert.Run(tx.session(), [&] {
    add_rows([&](const ClassificationRow& c) {
      insert.Row()
          .Text(c.account_id)
          .Text(c.run_id)
          .Int(c.model_version)
          .Int(Micros(c.as_of))
          .Int(c.abc)
          .Int(c.recency_score)
          .Int(c.frequency_score)
          .Int(c.monetary_score)
          .Int(c.segment)
          .Int(c.lifecycle)
          .Int(c.composite_micro)
          .Int(c.computed_tier)
          .Int(c.tier)
          .Text(c.currency)
          .Int(c.revenue_micros)
          .Int(c.churn_risk_micro);
      for (int64_t d : c.dims) insert.Int(d);
    });
  });
  if (!inserted.ok() || !rebuild_indexes) return inserted;
  return db::Guard("index classifications", [&]() -> absl::Status {
    for (const IndexDefinition& index : ClassificationIndexes()) tx.session() << index.create;
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<ClassificationRow>> ClassificationStore::Find(soci::session& sql,
                                                                           const std::string& account_id) {
  db::SqlQuery q(kClassificationColumns);
  q.Where("c.account_id = ?", account_id);
  return db::ScanOne<ClassificationRow>(sql, q, "read classification", ClassificationFromRow);
}

absl::StatusOr<std::vector<ClassificationRow>> ClassificationStore::List(soci::session& sql,
                                                                         const ClassificationQuery& query) {
  auto select = [&](std::optional<crm::v1::AccountTier> tier) {
    db::SqlQuery q(kClassificationColumns);
    if (!query.owner.empty()) {
      q.Append(" JOIN accounts a ON a.id = c.account_id");
      q.Where("a.owner = ?", query.owner);
    }
    if (tier) q.Where("c.tier = ?", static_cast<int>(*tier));
    if (query.abc != crm::v1::ABC_CLASS_UNSPECIFIED) q.Where("c.abc = ?", static_cast<int>(query.abc));
    if (query.segment != crm::v1::RFM_SEGMENT_UNSPECIFIED) q.Where("c.segment = ?", static_cast<int>(query.segment));
    if (query.lifecycle != crm::v1::LIFECYCLE_STAGE_UNSPECIFIED) {
      q.Where("c.lifecycle = ?", static_cast<int>(query.lifecycle));
    }
    if (query.by_score) {
      if (query.after_score) {
        q.Where("(c.composite_micro < ? OR (c.composite_micro = ? AND c.account_id < ?))",
                static_cast<long long>(*query.after_score), static_cast<long long>(*query.after_score),
                query.after_account);
      }
      q.Append(" ORDER BY c.composite_micro DESC, c.account_id DESC LIMIT ?", query.limit);
    } else {
      if (!query.after_account.empty()) q.Where("c.account_id > ?", query.after_account);
      q.Append(" ORDER BY c.account_id LIMIT ?", query.limit);
    }
    return db::ScanAll<ClassificationRow>(sql, q, "list classifications", ClassificationFromRow);
  };
  if (query.tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED) return select(query.tier);
  // An owner's accounts come through the accounts' owner index; and account id order is the
  // table's own.
  if (!query.by_score || !query.owner.empty()) return select(std::nullopt);

  // Score order across tiers: the first page-full of each tier (from the tier index), merged.
  std::vector<ClassificationRow> merged;
  const google::protobuf::EnumDescriptor* tiers = crm::v1::AccountTier_descriptor();
  for (int i = 0; i < tiers->value_count(); ++i) {
    absl::StatusOr<std::vector<ClassificationRow>> rows =
        select(static_cast<crm::v1::AccountTier>(tiers->value(i)->number()));
    if (!rows.ok()) return rows.status();
    std::move(rows->begin(), rows->end(), std::back_inserter(merged));
  }
  std::sort(merged.begin(), merged.end(), [](const ClassificationRow& a, const ClassificationRow& b) {
    return std::tie(a.composite_micro, a.account_id) > std::tie(b.composite_micro, b.account_id);
  });
  if (merged.size() > static_cast<size_t>(query.limit)) merged.resize(static_cast<size_t>(query.limit));
  return merged;
}

absl::StatusOr<std::vector<ClassificationRow>> ClassificationStore::FindMany(
    soci::session& sql, const std::vector<std::string>& account_ids) {
  std::vector<ClassificationRow> rows;
  for (size_t start = 0; start < account_ids.size(); start += kIdsPerQuery) {
    const size_t end = std::min(account_ids.size(), start + kIdsPerQuery);
    db::SqlQuery q(kClassificationColumns);
    q.WhereIn("c.account_id", std::vector<std::string>(account_ids.begin() + start, account_ids.begin() + end));
    absl::StatusOr<std::vector<ClassificationRow>> part =
        db::ScanAll<ClassificationRow>(sql, q, "read classifications", ClassificationFromRow);
    if (!part.ok()) return part.status();
    for (ClassificationRow& row : *part) rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusOr<int64_t> ClassificationStore::Count(soci::session& sql) {
  int64_t count = 0;
  absl::Status status = db::Guard("count classifications", [&]() -> absl::Status {
    count = db::QueryInt64(sql, db::SqlQuery("SELECT COUNT(*) FROM kam_classifications"));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

absl::Status ClassificationStore::SetTier(db::Tx& tx, const std::string& account_id, crm::v1::AccountTier tier) {
  return db::Guard("set classification tier", [&]() -> absl::Status {
    long long value = tier;
    tx.session() << "UPDATE kam_classifications SET tier = :tier WHERE account_id = :id", soci::use(value, "tier"),
        soci::use(account_id, "id");
    return absl::OkStatus();
  });
}

// Tier changes.

absl::Status TierChangeStore::InsertAll(db::Tx& tx, const std::vector<crm::v1::TierChange>& changes) {
  using B = db::BulkInsert;
  B insert(tx.dialect().backend(), "kam_tier_changes",
           {{"id", B::kText}, {"account_id", B::kText}, {"old_tier", B::kInt}, {"new_tier", B::kInt},
            {"source", B::kInt}, {"reason", B::kText}, {"model_version", B::kInt}, {"run_id", B::kText},
            {"actor", B::kText}, {"change_time", B::kInt}},
           kRowsPerInsert);
  return insert.Run(tx.session(), [&] {
    for (const crm::v1::TierChange& t : changes) {
      insert.Row()
          .Text(t.id())
          .Text(t.account_id())
          .Int(t.old_tier())
          .Int(t.new_tier())
          .Int(t.source())
          .Text(t.reason())
          .Int(t.model_version())
          .Text(t.run_id())
          .Text(t.actor())
          .Int(TimestampToMicros(t.change_time()));
    }
  });
}

absl::StatusOr<std::vector<crm::v1::TierChange>> TierChangeStore::List(soci::session& sql,
                                                                       const TierChangeQuery& query) {
  db::SqlQuery q(kTierChangeColumns);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (query.new_tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED) q.Where("new_tier = ?", static_cast<int>(query.new_tier));
  if (query.since) q.Where("change_time >= ?", Micros(*query.since));
  if (query.until) q.Where("change_time < ?", Micros(*query.until));
  if (query.after_time) {
    q.Where("(change_time < ? OR (change_time = ? AND id < ?))", static_cast<long long>(*query.after_time),
            static_cast<long long>(*query.after_time), query.after_id);
  }
  q.Append(" ORDER BY change_time DESC, id DESC LIMIT ?", query.limit);
  return db::ScanAll<crm::v1::TierChange>(sql, q, "list tier changes", TierChangeFromRow);
}

// Overrides.

absl::StatusOr<std::vector<crm::v1::TierOverride>> OverrideStore::All(soci::session& sql) {
  db::SqlQuery q(kOverrideColumns);
  q.Append(" ORDER BY account_id");
  return db::ScanAll<crm::v1::TierOverride>(sql, q, "read tier overrides", OverrideFromRow);
}

absl::StatusOr<std::optional<crm::v1::TierOverride>> OverrideStore::Find(soci::session& sql,
                                                                         const std::string& account_id) {
  db::SqlQuery q(kOverrideColumns);
  q.Where("account_id = ?", account_id);
  return db::ScanOne<crm::v1::TierOverride>(sql, q, "read tier override", OverrideFromRow);
}

absl::Status OverrideStore::Put(db::Tx& tx, const crm::v1::TierOverride& o) {
  return db::Guard("write tier override", [&]() -> absl::Status {
    long long tier = o.tier(), expire = TimestampToMicros(o.expire_time()), created = TimestampToMicros(o.create_time());
    tx.session() << "DELETE FROM kam_tier_overrides WHERE account_id = :id", soci::use(o.account_id(), "id");
    tx.session() << "INSERT INTO kam_tier_overrides (account_id, tier, reason, expire_time, set_by, create_time)"
                    " VALUES (:id, :tier, :reason, :expire, :set_by, :created)",
        soci::use(o.account_id(), "id"), soci::use(tier, "tier"), soci::use(o.reason(), "reason"),
        soci::use(expire, "expire"), soci::use(o.set_by(), "set_by"), soci::use(created, "created");
    return absl::OkStatus();
  });
}

absl::Status OverrideStore::Delete(db::Tx& tx, const std::string& account_id) {
  return db::Guard("delete tier override", [&]() -> absl::Status {
    tx.session() << "DELETE FROM kam_tier_overrides WHERE account_id = :id", soci::use(account_id, "id");
    return absl::OkStatus();
  });
}

// Qualitative inputs.

absl::StatusOr<std::optional<crm::v1::QualitativeInputs>> QualitativeStore::Find(soci::session& sql,
                                                                                 const std::string& account_id) {
  db::SqlQuery q("SELECT account_id, industry_influence, cooperation_potential, assessed_by, update_time"
                 " FROM kam_qualitative_inputs");
  q.Where("account_id = ?", account_id);
  return db::ScanOne<crm::v1::QualitativeInputs>(sql, q, "read qualitative inputs",
                                                       [](const db::ScannedRow& r) {
    crm::v1::QualitativeInputs in;
    in.set_account_id(std::string(r.Text(0)));
    in.set_industry_influence(static_cast<int32_t>(r.Int(1)));
    in.set_cooperation_potential(static_cast<int32_t>(r.Int(2)));
    in.set_assessed_by(std::string(r.Text(3)));
    *in.mutable_update_time() = MicrosToTimestamp(r.Int(4));
    return in;
  });
}

absl::Status QualitativeStore::Put(db::Tx& tx, const crm::v1::QualitativeInputs& in) {
  return db::Guard("write qualitative inputs", [&]() -> absl::Status {
    long long influence = in.industry_influence(), cooperation = in.cooperation_potential(),
              updated = TimestampToMicros(in.update_time());
    tx.session() << "DELETE FROM kam_qualitative_inputs WHERE account_id = :id", soci::use(in.account_id(), "id");
    tx.session() << "INSERT INTO kam_qualitative_inputs (account_id, industry_influence, cooperation_potential,"
                    " assessed_by, update_time) VALUES (:id, :influence, :cooperation, :by, :updated)",
        soci::use(in.account_id(), "id"), soci::use(influence, "influence"), soci::use(cooperation, "cooperation"),
        soci::use(in.assessed_by(), "by"), soci::use(updated, "updated");
    return absl::OkStatus();
  });
}

// Account tiers.

absl::StatusOr<std::optional<AccountTierRow>> AccountTierStore::FindForUpdate(db::Tx& tx,
                                                                              const std::string& account_id) {
  db::SqlQuery q("SELECT id, owner, tier FROM accounts");
  q.Where("id = ?", account_id).Where("delete_time IS NULL");
  q.Append(tx.dialect().ForUpdate());
  return db::ScanOne<AccountTierRow>(tx.session(), q, "read account tier", [](const db::ScannedRow& r) {
    AccountTierRow a;
    a.id = std::string(r.Text(0));
    a.owner = std::string(r.Text(1));
    a.tier = static_cast<crm::v1::AccountTier>(r.Int(2));
    return a;
  });
}

absl::Status AccountTierStore::SetTiers(db::Tx& tx,
                                        const std::vector<std::pair<std::string, crm::v1::AccountTier>>& tiers,
                                        absl::Time now) {
  if (tiers.empty()) return absl::OkStatus();
  return db::Guard("set account tiers", [&]() -> absl::Status {
    std::string id;
    long long tier = 0, update_time = Micros(now);
    // One prepared statement for every account.
    soci::statement update = (tx.session().prepare << "UPDATE accounts SET tier = :tier, update_time = :now,"
                                                      " revision = revision + 1 WHERE id = :id",
                              soci::use(tier, "tier"), soci::use(update_time, "now"), soci::use(id, "id"));
    for (const auto& [account_id, new_tier] : tiers) {
      id = account_id;
      tier = new_tier;
      update.execute(true);
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::kam
