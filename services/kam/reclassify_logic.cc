#include "services/kam/reclassify_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/audit/audit_log.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "common/db/shared_state.h"
#include "crm/v1/account.pb.h"
#include "services/kam/classification_store.h"
#include "services/kam/facts_store.h"
#include "services/kam/model_logic.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/kam/risk.h"
#include "services/kam/scoring_model.h"

namespace crm::kam {
namespace {

// A run's own record is a change too: it is audited (it has no event) when it starts and ends.
constexpr char kRunEntity[] = "reclassify_run";

absl::Status InsertRun(db::Tx& tx, const RunRecord& run) {
  if (absl::Status s = RunStore::Insert(tx, run); !s.ok()) return s;
  return audit::RecordChange(tx, kRunEntity, run.id, crm::v1::CHANGE_KIND_CREATED,
                             {"model_version", "as_of", "dry_run", "status"}, run.start_time, run.actor);
}

absl::Status FinishRun(db::Tx& tx, const RunRecord& run) {
  if (absl::Status s = RunStore::Finish(tx, run); !s.ok()) return s;
  return audit::RecordChange(tx, kRunEntity, run.id, crm::v1::CHANGE_KIND_UPDATED,
                             {"status", "finish_time", "accounts", "tier_changes"},
                             run.finish_time.value_or(run.start_time), run.actor);
}

using crm::v1::AccountTier;
using crm::v1::ReclassifyProgress;

constexpr char kLease[] = "kam.reclassify";
// Long enough to survive a slow phase between renewals; a crashed run frees it after this.
constexpr absl::Duration kLeaseTtl = absl::Minutes(2);
constexpr absl::Duration kRenewEvery = absl::Seconds(10);
// Held through the write phase, which cannot renew it.
constexpr absl::Duration kWriteLeaseTtl = absl::Minutes(30);
// Progress messages at most this often (the stream coalesces anyway).
constexpr absl::Duration kProgressEvery = absl::Milliseconds(200);
// Tier changes (records, account updates, events) are written this many at a time, so a run that
// changes every account never holds them all in memory.
constexpr size_t kChangeChunk = 10000;
// The orders pass runs in this many account-id ranges at once: one per core of the machines we
// run on (and within the connection pool).
constexpr int kReadPartitions = 2;
// SQLite page cache while writing a run (see db::ScopedPageCache); filled only as far as needed.
constexpr int kWritePageCacheMib = 256;
// Dimensions named in a tier change's reason.
constexpr int kReasonDimensions = 3;

// One account whose tier the run changes; 8 bytes so that a million of them stay small.
struct PendingChange {
  uint32_t index;  // into the accounts
  uint8_t old_tier;
  uint8_t new_tier;
  uint8_t source;  // TierChangeSource
};

std::string Points(double points) { return absl::StrFormat("%.1f", points); }

// "\"ACCOUNT_TIER_KEY\"": the tier as the event's field change carries it (as DiffMessages would).
const std::string& TierJson(AccountTier tier) {
  static const auto* json = [] {
    auto* map = new absl::flat_hash_map<int, std::string>();
    for (int t = crm::v1::AccountTier_MIN; t <= crm::v1::AccountTier_MAX; ++t) {
      crm::v1::Account account;
      account.set_tier(static_cast<AccountTier>(t));
      (*map)[t] = FieldValueJson(account, account.GetDescriptor()->FindFieldByName("tier"));
    }
    return map;
  }();
  return json->at(tier);
}

// Everything the write phase needs from the earlier phases; read-only there, so the write
// transaction can run again after a busy retry.
struct RunState {
  RunRecord run;
  crm::v1::ScoringModel model;
  std::vector<AccountData> accounts;
  std::vector<AccountClassification> results;
  std::vector<double> risk;
  std::string base_currency;
};

// The weights of every model version a previous classification names (to explain movements).
class WeightsByVersion {
 public:
  explicit WeightsByVersion(soci::session& sql) : sql_(sql) {}
  absl::StatusOr<const ScoringModel*> Get(int32_t version) {
    auto it = models_.find(version);
    if (it != models_.end()) return &it->second;
    absl::StatusOr<crm::v1::ScoringModel> model = LoadScoringModel(sql_, version, "model_version");
    if (!model.ok()) return model.status();
    return &models_.emplace(version, ToEngineModel(*model)).first->second;
  }

 private:
  soci::session& sql_;
  absl::flat_hash_map<int32_t, ScoringModel> models_;
};

// READING and SCORING: the facts, the churn risk and the engine's classification of every account.
absl::Status ClassifyAccounts(const server::Runtime& rt_, const server::CallContext& call, RunState& state,
                              const ProgressSink& progress, const std::function<bool()>& is_cancelled,
                              const std::function<absl::Status()>& renew) {
  absl::Time last_progress = absl::InfinitePast();
  absl::Status renew_failure;
  auto on_rows = [&](int64_t rows) {
    if (absl::Now() - last_progress >= kProgressEvery && progress) {
      last_progress = absl::Now();
      ReclassifyProgress p;
      p.set_phase(ReclassifyProgress::PHASE_READING);
      p.set_accounts_done(rows);
      progress(p);
    }
    if (absl::Status s = renew(); !s.ok()) renew_failure = s;
    return renew_failure.ok() && !is_cancelled();
  };
  const FactsWindow window = FactsWindowFor(state.model, state.run.as_of);
  absl::StatusOr<std::vector<AccountData>> accounts =
      FactsStore::ReadAll(*rt_.db, call.deadline, window, on_rows, kReadPartitions);
  if (!renew_failure.ok()) return renew_failure;
  if (!accounts.ok()) return accounts.status();
  state.accounts = *std::move(accounts);
  if (is_cancelled()) return absl::CancelledError("reclassification cancelled; nothing was written");

  if (progress) {
    ReclassifyProgress p;
    p.set_phase(ReclassifyProgress::PHASE_SCORING);
    p.set_accounts_total(static_cast<int64_t>(state.accounts.size()));
    progress(p);
  }
  const size_t n = state.accounts.size();
  state.risk.resize(n);
  for (size_t i = 0; i < n; ++i) state.risk[i] = ChurnRiskScore(state.accounts[i], state.run.as_of);
  // The engine wants the facts contiguous; they move out of the accounts (ids stay in the facts).
  std::vector<AccountFacts> facts;
  facts.reserve(n);
  for (AccountData& a : state.accounts) facts.push_back(std::move(a.facts));
  absl::StatusOr<std::vector<AccountClassification>> results =
      kam::Classify(ToEngineModel(state.model), state.run.as_of, facts);
  // Back where they were, for the write phase.
  for (size_t i = 0; i < n; ++i) state.accounts[i].facts = std::move(facts[i]);
  if (!results.ok()) return results.status();
  state.results = *std::move(results);
  if (is_cancelled()) return absl::CancelledError("reclassification cancelled; nothing was written");
  return renew();
}

// What the tier changes' reasons, records and events are made of besides the previous
// classifications; read-only while the write phase runs.
struct ChangeInputs {
  const RunState& state;
  const ScoringModel& engine;
  const absl::flat_hash_map<std::string, const crm::v1::TierOverride*>& override_of;
  const std::vector<PendingChange>& changes;
  absl::Time now;
  const server::CallContext& call;
};

// The tier changes of one chunk, ready to write.
struct PreparedChunk {
  std::vector<crm::v1::TierChange> records;
  std::vector<std::pair<std::string, AccountTier>> tiers;
  std::vector<crm::v1::Event> events;
};

// Why the account's tier changed: an override's reason, or the three dimensions that moved its
// score most since its previous classification (each side at its own model version's weights),
// or the largest contributions of a first classification.
absl::StatusOr<std::string> ReasonFor(const ChangeInputs& in, const PendingChange& change,
                                      const ClassificationRow* previous, WeightsByVersion& weights) {
  const AccountClassification& after = in.state.results[change.index];
  const std::string& id = in.state.accounts[change.index].facts.account_id;
  if (change.source == crm::v1::TIER_CHANGE_SOURCE_OVERRIDE) {
    const crm::v1::TierOverride& o = *in.override_of.at(id);
    return absl::StrCat("override until ", absl::FormatTime(TimestampToTime(o.expire_time())), ": ", o.reason());
  }
  const std::string prefix =
      change.source == crm::v1::TIER_CHANGE_SOURCE_OVERRIDE_EXPIRED ? "override expired; back to the computed tier; "
                                                                    : "";
  if (previous == nullptr) {
    std::string top;
    const std::vector<Contribution> parts = Contributions(in.engine, after);
    for (int k = 0; k < kReasonDimensions && k < static_cast<int>(parts.size()); ++k) {
      absl::StrAppend(&top, k == 0 ? "" : ", ", ContractDimensionName(parts[k].dimension), " ",
                      Points(parts[k].points));
    }
    return absl::StrCat(prefix, "first classification: score ", Points(after.composite), " (", top, ")");
  }
  absl::StatusOr<const ScoringModel*> before_model = weights.Get(previous->model_version);
  if (!before_model.ok()) return before_model.status();
  std::vector<Contribution> moves;
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dim = static_cast<Dimension>(d);
    const double before_points = 100 * (*before_model)->weights.Get(dim) * FromMicro(previous->dims[d]);
    const double after_points = 100 * in.engine.weights.Get(dim) * after.normalised[d];
    moves.push_back(Contribution{dim, after_points - before_points});
  }
  std::stable_sort(moves.begin(), moves.end(), [](const Contribution& x, const Contribution& y) {
    return std::abs(x.points) > std::abs(y.points);
  });
  std::string top;
  for (int k = 0; k < kReasonDimensions; ++k) {
    if (std::abs(moves[k].points) < 0.05) break;
    absl::StrAppend(&top, k == 0 ? "" : ", ", ContractDimensionName(moves[k].dimension), " ",
                    moves[k].points > 0 ? "+" : "", Points(moves[k].points));
  }
  std::string reason = absl::StrCat(prefix, "score ", Points(FromMicro(previous->composite_micro)), " → ",
                                    Points(after.composite), top.empty() ? "" : ": ", top);
  const int32_t version = in.state.model.version();
  if (previous->model_version != version) {
    absl::StrAppend(&reason, " (model ", previous->model_version, " → ", version, ")");
  }
  return reason;
}

// Changes [start, end): the previous classifications of those accounts from `sql` (when there
// are any), then each change's record, the account's new tier and its event.
absl::Status PrepareChunk(soci::session& sql, const ChangeInputs& in, WeightsByVersion& weights, bool any_previous,
                          size_t start, size_t end, PreparedChunk& out) {
  absl::flat_hash_map<std::string, ClassificationRow> previous;
  if (any_previous) {
    std::vector<std::string> ids;
    for (size_t c = start; c < end; ++c) ids.push_back(in.state.accounts[in.changes[c].index].facts.account_id);
    absl::StatusOr<std::vector<ClassificationRow>> rows = ClassificationStore::FindMany(sql, ids);
    if (!rows.ok()) return rows.status();
    for (ClassificationRow& row : *rows) previous.emplace(row.account_id, std::move(row));
  }
  const RunRecord& run = in.state.run;
  const int32_t version = in.state.model.version();
  out.records.reserve(end - start);
  out.tiers.reserve(end - start);
  out.events.reserve(end - start);
  for (size_t c = start; c < end; ++c) {
    const PendingChange& change = in.changes[c];
    const AccountData& a = in.state.accounts[change.index];
    auto p = previous.find(a.facts.account_id);
    absl::StatusOr<std::string> reason = ReasonFor(in, change, p == previous.end() ? nullptr : &p->second, weights);
    if (!reason.ok()) return reason.status();
    const auto old_tier = static_cast<AccountTier>(change.old_tier);
    const auto new_tier = static_cast<AccountTier>(change.new_tier);
    crm::v1::TierChange& t = out.records.emplace_back();
    t.set_id(NewIdAt("tch", in.now));
    t.set_account_id(a.facts.account_id);
    t.set_old_tier(old_tier);
    t.set_new_tier(new_tier);
    t.set_source(static_cast<crm::v1::TierChangeSource>(change.source));
    t.set_reason(reason->substr(0, 2000));
    t.set_model_version(version);
    t.set_run_id(run.id);
    t.set_actor(in.call.actor);
    *t.mutable_change_time() = TimeToTimestamp(in.now);
    out.tiers.emplace_back(a.facts.account_id, new_tier);
    // The account's manager is the user concerned; the service desk follows the change.
    out.events.push_back(events::Outbox::MakeChange("account.updated", "account", a.facts.account_id,
                                                    crm::v1::CHANGE_KIND_UPDATED,
                                                    {FieldDelta{"tier", TierJson(old_tier), TierJson(new_tier)}},
                                                    a.owner, in.call.actor, in.call.correlation_id, in.now));
  }
  return absl::OkStatus();
}

absl::Status WriteChunk(db::Tx& tx, events::Outbox& outbox, PreparedChunk& chunk, absl::Time now) {
  if (absl::Status s = TierChangeStore::InsertAll(tx, chunk.records); !s.ok()) return s;
  if (absl::Status s = AccountTierStore::SetTiers(tx, chunk.tiers, now); !s.ok()) return s;
  return outbox.AppendBatch(tx, chunk.events);
}

// Prepares the tier changes on a thread of its own while the run's transaction replaces the
// classifications (the two cores both work). It reads the previous classifications through a
// connection of its own: its snapshot is the last committed state, the one before this run's
// transaction, on both backends. It stays at most kPreparedAhead changes ahead of the writer,
// which bounds its memory when every account changes.
class ChangePreparer {
 public:
  ChangePreparer(db::Database& db, absl::Time deadline, const ChangeInputs& in)
      : db_(db), deadline_(deadline), in_(in), thread_([this] { Work(); }) {}
  ~ChangePreparer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ChangePreparer(const ChangePreparer&) = delete;
  ChangePreparer& operator=(const ChangePreparer&) = delete;

  // The next chunk in order; nullopt after the last.
  absl::StatusOr<std::optional<PreparedChunk>> Next() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (!ready_.empty()) {
      PreparedChunk chunk = std::move(ready_.front());
      ready_.pop_front();
      ready_changes_ -= chunk.records.size();
      changed_.notify_all();
      return std::optional<PreparedChunk>(std::move(chunk));
    }
    if (!error_.ok()) return error_;
    return std::optional<PreparedChunk>();
  }

 private:
  static constexpr size_t kPreparedAhead = 8 * kChangeChunk;

  void Work() {
    absl::Status status = db_.Read(
        [&](soci::session& sql) -> absl::Status {
          absl::StatusOr<int64_t> previous_rows = ClassificationStore::Count(sql);
          if (!previous_rows.ok()) return previous_rows.status();
          WeightsByVersion weights(sql);
          for (size_t start = 0; start < in_.changes.size(); start += kChangeChunk) {
            const size_t end = std::min(in_.changes.size(), start + kChangeChunk);
            {
              std::unique_lock<std::mutex> lock(mu_);
              changed_.wait(lock, [this] { return ready_changes_ < kPreparedAhead || stopping_; });
              if (stopping_) return absl::CancelledError("the write phase ended");
            }
            PreparedChunk chunk;
            if (absl::Status s = PrepareChunk(sql, in_, weights, *previous_rows > 0, start, end, chunk); !s.ok()) {
              return s;
            }
            std::lock_guard<std::mutex> lock(mu_);
            ready_changes_ += chunk.records.size();
            ready_.push_back(std::move(chunk));
            changed_.notify_all();
          }
          return absl::OkStatus();
        },
        deadline_);
    std::lock_guard<std::mutex> lock(mu_);
    error_ = status;
    finished_ = true;
    changed_.notify_all();
  }

  db::Database& db_;
  const absl::Time deadline_;
  const ChangeInputs& in_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<PreparedChunk> ready_;
  size_t ready_changes_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  absl::Status error_;
  std::thread thread_;  // last: starts once the rest is ready
};

// WRITING, in one transaction: see the header.
absl::Status WriteRun(const server::Runtime& rt_, const server::CallContext& call, RunState& state,
                      const ProgressSink& progress) {
  RunRecord& run = state.run;
  const crm::v1::ScoringModel& model = state.model;
  const ScoringModel engine = ToEngineModel(model);
  const size_t n = state.accounts.size();
  const absl::Time now = rt_.clock->Now();

  absl::Time last_progress = absl::InfinitePast();
  auto report = [&](int64_t done, bool force) {
    if (!progress || (!force && absl::Now() - last_progress < kProgressEvery)) return;
    last_progress = absl::Now();
    ReclassifyProgress p;
    p.set_phase(ReclassifyProgress::PHASE_WRITING);
    p.set_accounts_done(done);
    p.set_accounts_total(static_cast<int64_t>(n));
    progress(p);
  };
  report(0, true);

  return rt_.db->WriteBulk(
      [&](db::Tx& tx) -> absl::Status {
        // Room for the pages a run rewrites (classifications, accounts, their indexes).
        db::ScopedPageCache cache(tx, kWritePageCacheMib);
        soci::session& sql = tx.session();
        absl::StatusOr<pipeline::SalesConfig> config = pipeline::LoadSalesConfig(sql);
        if (!config.ok()) return config.status();

        // Overrides as they are now: one set or cleared while the run was reading still counts.
        absl::StatusOr<std::vector<crm::v1::TierOverride>> overrides = OverrideStore::All(sql);
        if (!overrides.ok()) return overrides.status();
        absl::flat_hash_map<std::string, const crm::v1::TierOverride*> override_of;
        for (const crm::v1::TierOverride& o : *overrides) override_of[o.account_id()] = &o;
        // Only overrides change an account's tier outside a run: the current tier of accounts
        // with one (or whose override was cleared meanwhile) is read again under the lock.
        absl::flat_hash_map<std::string, AccountTier> current_tier;
        std::vector<std::string> expired;
        for (const crm::v1::TierOverride& o : *overrides) {
          absl::StatusOr<std::optional<AccountTierRow>> row = AccountTierStore::FindForUpdate(tx, o.account_id());
          if (!row.ok()) return row.status();
          if (row->has_value()) current_tier[o.account_id()] = (*row)->tier;
          const absl::Time expiry = TimestampToTime(o.expire_time());
          if (expiry <= run.as_of && expiry <= now) expired.push_back(o.account_id());
        }

        // Decide every account's tier.
        std::vector<PendingChange> changes;
        run.overridden = 0;
        std::vector<AccountTier> tier_of(n);
        for (size_t i = 0; i < n; ++i) {
          const AccountData& a = state.accounts[i];
          const AccountTier computed = TierAt(model, state.results[i].tier);
          AccountTier tier = computed;
          crm::v1::TierChangeSource source = crm::v1::TIER_CHANGE_SOURCE_RECLASSIFICATION;
          auto o = override_of.find(a.facts.account_id);
          if (o != override_of.end()) {
            if (TimestampToTime(o->second->expire_time()) > run.as_of) {
              tier = o->second->tier();
              source = crm::v1::TIER_CHANGE_SOURCE_OVERRIDE;
              ++run.overridden;
            } else {
              source = crm::v1::TIER_CHANGE_SOURCE_OVERRIDE_EXPIRED;
            }
          }
          tier_of[i] = tier;
          auto current = current_tier.find(a.facts.account_id);
          const AccountTier old_tier = current != current_tier.end() ? current->second : a.tier;
          if (tier != old_tier) {
            changes.push_back(PendingChange{static_cast<uint32_t>(i), static_cast<uint8_t>(old_tier),
                                            static_cast<uint8_t>(tier), static_cast<uint8_t>(source)});
          }
        }
        run.accounts = static_cast<int64_t>(n);
        run.tier_changes = static_cast<int64_t>(changes.size());
        run.status = RunStatus::kDone;
        run.finish_time = rt_.clock->Now();
        if (run.dry_run) return FinishRun(tx, run);

        // The tier changes (records, the accounts' tiers, events) are prepared a chunk at a time:
        // on a thread of their own while the classifications are replaced below, or, with a
        // single pooled connection, here and before that (their reasons compare with the
        // previous classifications).
        const ChangeInputs inputs{state, engine, override_of, changes, now, call};
        std::optional<ChangePreparer> preparer;
        if (rt_.db->pool_size() >= 2) {
          preparer.emplace(*rt_.db, call.deadline, inputs);
        } else {
          absl::StatusOr<int64_t> previous_rows = ClassificationStore::Count(sql);
          if (!previous_rows.ok()) return previous_rows.status();
          WeightsByVersion weights(sql);
          for (size_t start = 0; start < changes.size(); start += kChangeChunk) {
            PreparedChunk chunk;
            const size_t end = std::min(changes.size(), start + kChangeChunk);
            if (absl::Status s = PrepareChunk(sql, inputs, weights, *previous_rows > 0, start, end, chunk); !s.ok()) {
              return s;
            }
            if (absl::Status s = WriteChunk(tx, *rt_.outbox, chunk, now); !s.ok()) return s;
          }
        }

        // The classifications, replacing the previous run's.
        ClassificationRow row;
        row.run_id = run.id;
        row.model_version = model.version();
        row.as_of = run.as_of;
        row.currency = config->base_currency();
        int64_t written = 0;
        absl::Status replaced = ClassificationStore::ReplaceAll(tx, [&](auto add) {
          for (size_t i = 0; i < n; ++i) {
            const AccountClassification& r = state.results[i];
            row.account_id = state.accounts[i].facts.account_id;
            row.abc = ToProto(r.abc);
            row.recency_score = r.r;
            row.frequency_score = r.f;
            row.monetary_score = r.m;
            row.segment = ToProto(r.segment);
            row.lifecycle = ToProto(r.lifecycle);
            row.composite_micro = ToMicro(r.composite);
            row.computed_tier = TierAt(model, r.tier);
            row.tier = tier_of[i];
            row.revenue_micros = state.accounts[i].facts.revenue_minor;
            row.churn_risk_micro = ChurnRiskMicros(state.risk[i]);
            for (int d = 0; d < kDimensionCount; ++d) row.dims[d] = ToMicro(r.normalised[d]);
            add(row);
            if (++written % 10000 == 0) report(written, false);
          }
        });
        if (!replaced.ok()) return replaced;
        if (preparer) {
          for (;;) {
            absl::StatusOr<std::optional<PreparedChunk>> chunk = preparer->Next();
            if (!chunk.ok()) return chunk.status();
            if (!chunk->has_value()) break;
            if (absl::Status s = WriteChunk(tx, *rt_.outbox, **chunk, now); !s.ok()) return s;
          }
        }

        for (const std::string& account_id : expired) {
          if (absl::Status s = OverrideStore::Delete(tx, account_id); !s.ok()) return s;
        }
        report(static_cast<int64_t>(n), true);
        return FinishRun(tx, run);
      },
      call.deadline);
}

// Whether the scheduled re-evaluation is due at `now`: the model in force re-evaluates every
// reevaluate_every_days (0 = never), counted from the start of the last applied run.
absl::StatusOr<bool> ScheduleIsDue(soci::session& sql, absl::Time now) {
  absl::StatusOr<crm::v1::ScoringModel> model = LoadScoringModel(sql, 0, "model_version");
  if (!model.ok()) return model.status();
  const int every_days = model->reevaluate_every_days();
  if (every_days <= 0) return false;
  absl::StatusOr<std::optional<RunRecord>> last = RunStore::LastApplied(sql);
  if (!last.ok()) return last.status();
  return !last->has_value() || now - (*last)->start_time >= absl::Hours(24) * every_days;
}

}  // namespace

absl::Status ReclassifyLogic::Validate(const crm::v1::ReclassifyRequest& request) const {
  Validator v;
  v.OptionalTimestamp(request.as_of(), request.has_as_of(), "as_of");
  v.Check(request.model_version() >= 0, "model_version", "must not be negative (0 = the version in force)");
  return v.status();
}

absl::StatusOr<crm::v1::ReclassifySummary> ReclassifyLogic::Run(const server::CallContext& call,
                                                                const crm::v1::ReclassifyRequest& request,
                                                                const ProgressSink& progress,
                                                                const std::atomic<bool>* cancelled) {
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> summary =
      RunUnderLease(call, request, progress, cancelled, /*only_if_due=*/false);
  if (!summary.ok()) return summary.status();
  return **std::move(summary);
}

absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> ReclassifyLogic::RunUnderLease(
    const server::CallContext& call, const crm::v1::ReclassifyRequest& request, const ProgressSink& progress,
    const std::atomic<bool>* cancelled, bool only_if_due) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  const absl::Time started = absl::Now();  // wall time, for the summary's seconds
  const absl::Time now = rt_.clock->Now();
  auto is_cancelled = [&] { return cancelled != nullptr && cancelled->load(); };

  RunState state;
  RunRecord& run = state.run;
  run.id = NewIdAt("rcl", now);
  run.as_of = request.has_as_of() ? TimestampToTime(request.as_of()) : now;
  run.dry_run = request.dry_run();
  run.actor = call.actor;
  run.start_time = now;

  // One run at a time, across processes.
  absl::StatusOr<bool> held = db::TryAcquireLease(*rt_.db, kLease, run.id, now, kLeaseTtl);
  if (!held.ok()) return held.status();
  if (!*held) {
    absl::StatusOr<std::optional<RunRecord>> running =
        db::ReadValue(*rt_.db, call.deadline, [](soci::session& sql) { return RunStore::FindRunning(sql); });
    std::string which = "another reclassification is running";
    if (running.ok() && running->has_value()) {
      which = absl::StrCat("reclassification ", (*running)->id, " (started ", absl::FormatTime((*running)->start_time),
                           " by ", (*running)->actor.empty() ? "the scheduler" : (*running)->actor, ") is running");
    }
    return absl::FailedPreconditionError(absl::StrCat(which, "; wait for it to finish"));
  }
  if (only_if_due) {
    absl::StatusOr<bool> due = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
      return ScheduleIsDue(sql, now);
    });
    if (!due.ok() || !*due) {
      (void)db::ReleaseLease(*rt_.db, kLease, run.id);
      if (!due.ok()) return due.status();
      return std::optional<crm::v1::ReclassifySummary>();
    }
  }
  absl::Time last_renewal = absl::Now();
  auto renew = [&]() -> absl::Status {
    if (absl::Now() - last_renewal < kRenewEvery) return absl::OkStatus();
    last_renewal = absl::Now();
    absl::StatusOr<bool> still = db::TryAcquireLease(*rt_.db, kLease, run.id, rt_.clock->Now(), kLeaseTtl);
    if (!still.ok()) return still.status();
    if (!*still) return absl::AbortedError("the reclassification lease was lost; another run took over");
    return absl::OkStatus();
  };

  absl::StatusOr<crm::v1::ReclassifySummary> result = [&]() -> absl::StatusOr<crm::v1::ReclassifySummary> {
    absl::StatusOr<crm::v1::ScoringModel> model = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
      return LoadScoringModel(sql, request.model_version(), "model_version");
    });
    if (!model.ok()) return model.status();
    state.model = *std::move(model);
    run.model_version = state.model.version();
    absl::Status recorded = rt_.db->Write([&](db::Tx& tx) { return InsertRun(tx, run); }, call.deadline);
    if (!recorded.ok()) return recorded;

    absl::Status status = ClassifyAccounts(rt_, call, state, progress, is_cancelled, renew);
    if (status.ok()) {
      // The lease cannot be renewed from inside the write transaction (on SQLite the renewal
      // would wait for that very transaction), so it is taken for long enough beforehand.
      absl::StatusOr<bool> still = db::TryAcquireLease(*rt_.db, kLease, run.id, rt_.clock->Now(), kWriteLeaseTtl);
      if (!still.ok()) {
        status = still.status();
      } else if (!*still) {
        status = absl::AbortedError("the reclassification lease was lost; another run took over");
      }
    }
    if (status.ok()) status = WriteRun(rt_, call, state, progress);
    if (!status.ok()) {
      run.status = RunStatus::kFailed;
      run.error = std::string(status.message()).substr(0, 2000);
      run.finish_time = rt_.clock->Now();
      (void)rt_.db->Write([&](db::Tx& tx) { return FinishRun(tx, run); });
      return status;
    }
    crm::v1::ReclassifySummary summary;
    summary.set_run_id(run.id);
    summary.set_model_version(run.model_version);
    *summary.mutable_as_of() = TimeToTimestamp(run.as_of);
    summary.set_accounts(run.accounts);
    summary.set_tier_changes(run.tier_changes);
    summary.set_overridden(run.overridden);
    summary.set_seconds(absl::ToDoubleSeconds(absl::Now() - started));
    return summary;
  }();
  (void)db::ReleaseLease(*rt_.db, kLease, run.id);
  if (!result.ok()) return result.status();
  return std::optional<crm::v1::ReclassifySummary>(*std::move(result));
}

absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> ReclassifyLogic::RunScheduledIfDue() {
  const absl::Time now = rt_.clock->Now();
  // A look without the lease first, so that an idle period writes nothing; asked again under it.
  absl::StatusOr<bool> due = db::ReadValue(*rt_.db, absl::Now() + absl::Seconds(30),
                                           [&](soci::session& sql) { return ScheduleIsDue(sql, now); });
  if (!due.ok()) return due.status();
  if (!*due) return std::optional<crm::v1::ReclassifySummary>();
  server::CallContext call;
  call.actor = "kam.scheduler";
  call.deadline = absl::InfiniteFuture();
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> summary =
      RunUnderLease(call, crm::v1::ReclassifyRequest(), ProgressSink(), nullptr, /*only_if_due=*/true);
  // Another process running one is not a failure of this round.
  if (absl::IsFailedPrecondition(summary.status())) return std::optional<crm::v1::ReclassifySummary>();
  return summary;
}

}  // namespace crm::kam
