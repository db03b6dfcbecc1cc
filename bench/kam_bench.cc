// kam_bench: KeyAccountService.Reclassify on a million accounts with ten million orders.
//
//   1. data: applies the server's migrations to the database, then reuses the customer base an
//      earlier run generated with the same sizes, seed and as-of (bench/kam_data.h), or generates
//      and loads it (--regenerate always does); rows/s per table. Then takes the database back to
//      "never classified" (every tier 0, no classification, tier change, run or event);
//   2. runs, each on a freshly started crm-server (so its peak RSS is that run's):
//        first    Reclassify at --as_of: every account gets its first tier (all change);
//        same     Reclassify at --as_of again: nothing may change (tier_changes 0);
//        dry_run  Reclassify at --as_of + --later_days with dry_run: reports, writes no tier;
//        later    Reclassify at --as_of + --later_days: some accounts move, exactly as many as
//                 the dry run predicted.
//      Each run streams progress (phases and their times are printed), and is measured by the
//      wall time of the call and the server's peak RSS (VmHWM, read after the call). Then the
//      same server stays up until its event consumers have followed every event the run wrote
//      (printed: events and seconds), so the next run does not share the machine with that
//      backlog. The tier distribution is read from the accounts table after every run.
//
// Promises (exit code 1 when one breaks): on SQLite with at least 1,000,000 accounts and
// 10,000,000 orders every run takes at most --max_seconds (15) and peaks at most --max_rss_mib
// (1024); on any backend and size the second run at the same as-of changes nothing. The other
// checks (first run changes every account, the dry run writes nothing and predicts the later
// run) fail the run as well. Exit code 2 on bad flags. The last line of stdout is a JSON summary.
// See bench/README.md.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <soci/soci.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_database.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/kam_data.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/db/sql_error.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::string, backend, "sqlite", "sqlite or mysql (picks the default --db).");
ABSL_FLAG(std::string, db, "",
          "Database URL; default sqlite:///tmp/kb/kam_bench.db or mysql://crm:crm@127.0.0.1:33306/kam_bench.");
ABSL_FLAG(int64_t, accounts, 1000000, "Accounts to generate.");
ABSL_FLAG(int64_t, orders, 10000000, "Orders to generate.");
ABSL_FLAG(int, owners, 300, "Account managers.");
ABSL_FLAG(int, days, 1095, "Orders spread over this many days before --as_of.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the generator.");
ABSL_FLAG(std::string, as_of, "2026-11-01T00:00:00Z",
          "The as-of instant of the first runs (RFC 3339); the data ends just before it.");
ABSL_FLAG(int, later_days, 30, "The dry and the later run classify this many days after --as_of.");
ABSL_FLAG(bool, regenerate, false, "Generate the data again even when the database holds the same data set.");
ABSL_FLAG(bool, defer_order_indexes, true,
          "Drop the orders' secondary indexes for the load and recreate them after (MariaDB keeps the one its "
          "foreign key needs).");
ABSL_FLAG(int, rows_per_statement, 500, "Rows per multi-row INSERT of the load.");
ABSL_FLAG(int, rows_per_transaction, 50000, "Rows per load transaction.");
ABSL_FLAG(int, sqlite_cache_mib, 1024, "Page cache of the loader's SQLite connection (the server keeps its own).");
ABSL_FLAG(std::vector<std::string>, runs, std::vector<std::string>({"first", "same", "dry_run", "later"}),
          "Runs, in order: first, same, dry_run, later (empty: load only).");
ABSL_FLAG(double, max_seconds, 15, "Promise on SQLite at full size: the longest a run may take.");
ABSL_FLAG(double, max_rss_mib, 1024, "Promise on SQLite at full size: the server's largest peak RSS.");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
// Background jobs (the scheduled re-evaluation among them) would otherwise start a
// reclassification of their own within the first job period and race the measured one.
ABSL_FLAG(std::string, server_flags, "--job_period_ms=86400000",
          "crm-server flags, space-separated. The default keeps background jobs out of the runs.");
ABSL_FLAG(std::string, health_service, "crm.v1.KeyAccountService",
          "The health-check service that must answer SERVING before a run.");
ABSL_FLAG(int, call_deadline_s, 600, "Deadline of every Reclassify call.");
ABSL_FLAG(int, follow_deadline_s, 1800,
          "After each run, the longest wait for the event consumers to follow the run's events.");
ABSL_FLAG(std::string, label, "", "A name for this run in the report.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

std::string PhaseName(crm::v1::ReclassifyProgress::Phase phase) {
  std::string name = crm::v1::ReclassifyProgress::Phase_Name(phase);
  return absl::StartsWith(name, "PHASE_") ? name.substr(6) : name;
}

struct PhaseTime {
  std::string phase;
  double started = 0;   // seconds after the call began, at its first progress message
  double seconds = 0;   // until the next phase's first message (or the call's end)
  int64_t messages = 0;
  int64_t accounts_done = 0;  // at its last message
  int64_t accounts_total = 0;
};

struct Run {
  std::string name;
  absl::Time as_of;
  bool dry_run = false;
  bool ok = false;
  std::string error;
  double start_to_serving_seconds = 0;
  double wall_seconds = 0;
  std::vector<PhaseTime> phases;
  bool has_summary = false;
  crm::v1::ReclassifySummary summary;
  int64_t idle_rss_kib = 0;  // VmHWM once SERVING, before the call
  int64_t peak_rss_kib = 0;  // VmHWM after the call
  double server_cpu_seconds = 0;
  // After the call, on the same server: the event consumers (the service desk's tiers, the
  // funnel's accounts) catching up with the events the run wrote, so the next run starts on a
  // settled database rather than competing with that backlog.
  int64_t followed_events = 0;
  double follow_seconds = 0;
  bool followed = false;
  std::map<int, int64_t> tiers_after;  // crm.v1.AccountTier -> accounts
};

// Accounts per tier, from the accounts table.
absl::StatusOr<std::map<int, int64_t>> TierCounts(const std::string& url) {
  absl::StatusOr<std::unique_ptr<db::Database>> db = OpenDatabase(url);
  if (!db.ok()) return db.status();
  std::map<int, int64_t> counts;
  absl::Status status = (*db)->Read([&](soci::session& sql) {
    return db::Guard("count tiers", [&]() -> absl::Status {
      long long tier = 0, count = 0;
      soci::statement st =
          (sql.prepare << "SELECT tier, COUNT(*) FROM accounts GROUP BY tier", soci::into(tier), soci::into(count));
      st.execute();
      while (st.fetch()) counts[static_cast<int>(tier)] = count;
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return counts;
}

// The run's events (account.updated) that some consumer has not handled yet. Consumers move
// their cursor only over the types they follow, so events of other types (such as those the
// consumers write themselves) never count as a backlog.
absl::StatusOr<int64_t> UnfollowedEvents(db::Database& database) {
  long long unfollowed = 0;
  absl::Status status = database.Read([&](soci::session& sql) {
    return db::Guard("count unfollowed events", [&]() -> absl::Status {
      sql << "SELECT COUNT(*) FROM events WHERE type = 'account.updated' AND sequence > "
             "(SELECT COALESCE(MIN(sequence), 0) FROM event_cursors)",
          soci::into(unfollowed);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return static_cast<int64_t>(unfollowed);
}

// Waits until every consumer has followed the run's events, polling the database.
absl::Status WaitForConsumers(const std::string& url, Run& run) {
  absl::StatusOr<std::unique_ptr<db::Database>> database = OpenDatabase(url);
  if (!database.ok()) return database.status();
  const absl::Time started = absl::Now();
  const absl::Time deadline = started + absl::Seconds(absl::GetFlag(FLAGS_follow_deadline_s));
  std::optional<int64_t> backlog;
  while (true) {
    absl::StatusOr<int64_t> unfollowed = UnfollowedEvents(**database);
    if (!unfollowed.ok()) return unfollowed.status();
    if (!backlog) backlog = *unfollowed;
    if (*unfollowed == 0) break;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("event consumers still ", *unfollowed, " events behind after ",
                                                      absl::GetFlag(FLAGS_follow_deadline_s), " s"));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  run.followed = true;
  run.followed_events = *backlog;
  run.follow_seconds = SecondsSince(started);
  return absl::OkStatus();
}

// Starts a server, calls Reclassify once, drains the stream, reads the server's peak RSS, waits
// for the event consumers to follow the run's events, stops it.
Run Reclassify(const ServerOptions& server_options, const std::string& name, absl::Time as_of, bool dry_run) {
  Run run;
  run.name = name;
  run.as_of = as_of;
  run.dry_run = dry_run;
  absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(server_options);
  if (!started.ok()) {
    run.error = absl::StrCat("server start: ", started.status().message());
    return run;
  }
  std::unique_ptr<ServerProcess> server = *std::move(started);
  run.start_to_serving_seconds = absl::ToDoubleSeconds(server->start_to_serving());
  absl::StatusOr<ProcessUsage> before = ReadProcessUsage(server->pid());
  if (before.ok()) run.idle_rss_kib = before->hwm_kib;

  auto stub = crm::v1::KeyAccountService::NewStub(
      grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  crm::v1::ReclassifyRequest request;
  *request.mutable_as_of() = TimeToTimestamp(as_of);
  request.set_dry_run(dry_run);
  grpc::ClientContext context;
  PrepareCall(context, server->token(), absl::Seconds(absl::GetFlag(FLAGS_call_deadline_s)));

  std::fprintf(stderr, "kam_bench: %s: Reclassify as of %s%s (server pid %d, SERVING after %.1f s)\n", name.c_str(),
               absl::FormatTime(absl::RFC3339_sec, as_of, absl::UTCTimeZone()).c_str(), dry_run ? ", dry run" : "",
               static_cast<int>(server->pid()), run.start_to_serving_seconds);
  const absl::Time called = absl::Now();
  std::unique_ptr<grpc::ClientReader<crm::v1::ReclassifyProgress>> reader = stub->Reclassify(&context, request);
  crm::v1::ReclassifyProgress progress;
  while (reader->Read(&progress)) {
    const double at = SecondsSince(called);
    const std::string phase = PhaseName(progress.phase());
    if (run.phases.empty() || run.phases.back().phase != phase) {
      if (!run.phases.empty()) run.phases.back().seconds = at - run.phases.back().started;
      run.phases.push_back({phase, at});
      std::fprintf(stderr, "kam_bench:   %7.2f s  %-8s %lld / %lld accounts\n", at, phase.c_str(),
                   static_cast<long long>(progress.accounts_done()), static_cast<long long>(progress.accounts_total()));
    }
    PhaseTime& current = run.phases.back();
    ++current.messages;
    current.accounts_done = progress.accounts_done();
    current.accounts_total = progress.accounts_total();
    if (progress.has_summary()) {
      run.has_summary = true;
      run.summary = progress.summary();
    }
  }
  const grpc::Status status = reader->Finish();
  run.wall_seconds = SecondsSince(called);
  if (!run.phases.empty()) run.phases.back().seconds = run.wall_seconds - run.phases.back().started;

  absl::StatusOr<ProcessUsage> after = ReadProcessUsage(server->pid());
  if (after.ok()) {
    run.peak_rss_kib = after->hwm_kib;
    if (before.ok()) run.server_cpu_seconds = after->cpu_seconds - before->cpu_seconds;
  }
  if (!status.ok()) {
    run.error = absl::StrCat("Reclassify: ", StatusCodeName(status.error_code()), " ", status.error_message());
  } else if (!run.has_summary) {
    run.error = "Reclassify ended without a summary";
  } else {
    run.ok = true;
  }
  std::fprintf(stderr, "kam_bench:   %7.2f s  %s; peak RSS %.0f MiB\n", run.wall_seconds,
               run.ok ? "done" : run.error.c_str(), run.peak_rss_kib / 1024.0);
  if (run.ok) {
    if (absl::Status followed = WaitForConsumers(server_options.db_url, run); !followed.ok()) {
      run.error = absl::StrCat("following the run's events: ", followed.message());
      run.ok = false;
    } else {
      std::fprintf(stderr, "kam_bench:   consumers followed %lld events in %.1f s\n",
                   static_cast<long long>(run.followed_events), run.follow_seconds);
    }
  }
  if (absl::StatusOr<absl::Duration> stopped = server->Stop(); !stopped.ok()) {
    const std::string problem = absl::StrCat("server stop: ", stopped.status().message());
    run.error = run.error.empty() ? problem : absl::StrCat(run.error, "; ", problem);
    run.ok = false;
  }
  if (!run.ok) std::fprintf(stderr, "kam_bench: server log tail:\n%s\n", server->LogTail(20).c_str());
  return run;
}

json RunJson(const Run& run) {
  json phases = json::array();
  for (const PhaseTime& p : run.phases) {
    phases.push_back({{"phase", p.phase},
                      {"started_s", p.started},
                      {"seconds", p.seconds},
                      {"messages", p.messages},
                      {"accounts_done", p.accounts_done},
                      {"accounts_total", p.accounts_total}});
  }
  json tiers = json::object();
  for (const auto& [tier, count] : run.tiers_after) {
    tiers[crm::v1::AccountTier_Name(static_cast<crm::v1::AccountTier>(tier))] = count;
  }
  json summary = nullptr;
  if (run.has_summary) {
    summary = {{"run_id", run.summary.run_id()},
               {"model_version", run.summary.model_version()},
               {"as_of", absl::FormatTime(absl::RFC3339_full, TimestampToTime(run.summary.as_of()), absl::UTCTimeZone())},
               {"accounts", run.summary.accounts()},
               {"tier_changes", run.summary.tier_changes()},
               {"overridden", run.summary.overridden()},
               {"seconds", run.summary.seconds()}};
  }
  return {{"name", run.name},
          {"as_of", absl::FormatTime(absl::RFC3339_sec, run.as_of, absl::UTCTimeZone())},
          {"dry_run", run.dry_run},
          {"ok", run.ok},
          {"error", run.error},
          {"wall_seconds", run.wall_seconds},
          {"start_to_serving_seconds", run.start_to_serving_seconds},
          {"phases", phases},
          {"summary", summary},
          {"idle_rss_mib", run.idle_rss_kib / 1024.0},
          {"peak_rss_mib", run.peak_rss_kib / 1024.0},
          {"server_cpu_seconds", run.server_cpu_seconds},
          {"followed_events", run.followed_events},
          {"follow_seconds", run.follow_seconds},
          {"tiers_after", tiers}};
}

std::string TierLine(const std::map<int, int64_t>& tiers) {
  std::vector<std::string> parts;
  for (const auto& [tier, count] : tiers) {
    std::string name = crm::v1::AccountTier_Name(static_cast<crm::v1::AccountTier>(tier));
    if (absl::StartsWith(name, "ACCOUNT_TIER_")) name = name.substr(13);
    parts.push_back(absl::StrCat(name, " ", count));
  }
  return absl::StrJoin(parts, ", ");
}

int Main() {
  Failure failure("kam_bench");
  const std::string backend = absl::GetFlag(FLAGS_backend);
  if (backend != "sqlite" && backend != "mysql") {
    std::fprintf(stderr, "kam_bench: --backend is sqlite or mysql\n");
    return 2;
  }
  std::string db_url = absl::GetFlag(FLAGS_db);
  if (db_url.empty()) {
    db_url = backend == "sqlite" ? "sqlite:///tmp/kb/kam_bench.db" : "mysql://crm:crm@127.0.0.1:33306/kam_bench";
  }
  absl::Time as_of;
  std::string parse_error;
  if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_as_of), &as_of, &parse_error)) {
    std::fprintf(stderr, "kam_bench: --as_of: %s\n", parse_error.c_str());
    return 2;
  }
  const std::vector<std::string> run_names = absl::GetFlag(FLAGS_runs);
  for (const std::string& r : run_names) {
    if (r != "first" && r != "same" && r != "dry_run" && r != "later") {
      std::fprintf(stderr, "kam_bench: unknown run \"%s\"\n", r.c_str());
      return 2;
    }
  }
  const std::string server_binary = absl::GetFlag(FLAGS_server);
  if (!run_names.empty() && access(server_binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "kam_bench: --server=%s is not an executable\n", server_binary.c_str());
    return 2;
  }
  KamDataOptions data_options;
  data_options.accounts = absl::GetFlag(FLAGS_accounts);
  data_options.orders = absl::GetFlag(FLAGS_orders);
  data_options.owners = absl::GetFlag(FLAGS_owners);
  data_options.days = absl::GetFlag(FLAGS_days);
  data_options.as_of = as_of;
  data_options.seed = absl::GetFlag(FLAGS_seed);
  data_options.rows_per_statement = absl::GetFlag(FLAGS_rows_per_statement);
  data_options.rows_per_transaction = absl::GetFlag(FLAGS_rows_per_transaction);
  const bool sqlite = absl::StartsWith(db_url, "sqlite://");
  data_options.defer_order_indexes = absl::GetFlag(FLAGS_defer_order_indexes);
  const bool full_size = data_options.accounts >= 1000000 && data_options.orders >= 10000000;

  const std::string load_average_start = LoadAverage();
  std::fprintf(stderr, "kam_bench: %s, load average %s\n", DisplayUrl(db_url).c_str(), load_average_start.c_str());
  if (sqlite) {
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(db_url.substr(9)).parent_path(), ignored);
  }

  // 1. The data: reused, or generated and loaded; then back to "never classified".
  json data_json = json::object();
  std::optional<KamLoadReport> load;
  std::optional<KamDataSet> data_set;
  double migrate_seconds = 0, reset_seconds = 0;
  int64_t classified_before = 0, database_bytes = 0;
  {
    absl::StatusOr<LoaderDatabase> loader = OpenLoaderDatabase(
        db_url, absl::GetFlag(FLAGS_regenerate), absl::GetFlag(FLAGS_sqlite_cache_mib), 2,
        [&](db::Database& existing) -> absl::StatusOr<bool> {
          absl::StatusOr<std::optional<KamDataSet>> found = FindKamDataSet(existing);
          if (!found.ok()) return found.status();
          if (!found->has_value() || !(*found)->Matches(data_options)) return false;
          data_set = **found;
          return true;
        });
    if (!loader.ok()) {
      failure.Note(absl::StrCat(DisplayUrl(db_url), ": ", loader.status().ToString()));
      return 1;
    }
    db::Database& db = *loader->db;
    const bool reuse = loader->reused;
    migrate_seconds = loader->migrate_seconds;
    if (reuse) {
      std::fprintf(stderr, "kam_bench: reusing the data set in %s (seed %llu, %lld accounts, %lld orders)\n",
                   DisplayUrl(db_url).c_str(), static_cast<unsigned long long>(data_set->seed),
                   static_cast<long long>(data_set->accounts), static_cast<long long>(data_set->orders));
    } else {
      std::fprintf(stderr, "kam_bench: generating %lld accounts and %lld orders (seed %llu)\n",
                   static_cast<long long>(data_options.accounts), static_cast<long long>(data_options.orders),
                   static_cast<unsigned long long>(data_options.seed));
      absl::StatusOr<KamLoadReport> loaded = GenerateAndLoadKamData(db, data_options);
      if (!loaded.ok()) {
        failure.Note(absl::StrCat("load: ", loaded.status().ToString()));
        return 1;
      }
      load = *std::move(loaded);
      data_set = load->data;
    }
    const absl::Time t0 = absl::Now();
    absl::StatusOr<int64_t> forgotten = ForgetClassifications(db);
    if (!forgotten.ok()) {
      failure.Note(absl::StrCat("forget earlier classifications: ", forgotten.status().ToString()));
      return 1;
    }
    classified_before = *forgotten;
    reset_seconds = SecondsSince(t0);
    if (reuse) {
      std::fprintf(stderr, "kam_bench: %lld accounts had a tier from an earlier run; reset in %.1f s\n",
                   static_cast<long long>(classified_before), reset_seconds);
    }
    database_bytes = DatabaseBytes(db);
  }  // The loader's connection closes before the server opens the database.

  // 2. The runs. The load's and the reset's writes reach the disk first (the operating system
  // would otherwise write them back during the first run and bill it for that I/O).
  ::sync();
  std::vector<Run> runs;
  if (!run_names.empty()) {
    std::string data_dir = "/tmp/kb/server-XXXXXX";
    std::error_code ignored;
    std::filesystem::create_directories("/tmp/kb", ignored);
    if (mkdtemp(data_dir.data()) == nullptr) {
      failure.Note("cannot create the server's data directory");
      return 1;
    }
    ServerOptions server_options;
    server_options.binary = server_binary;
    server_options.db_url = db_url;
    server_options.data_dir = data_dir;
    server_options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
    server_options.health_service = absl::GetFlag(FLAGS_health_service);
    server_options.start_timeout = absl::Seconds(300);
    const absl::Time later = as_of + absl::Hours(24) * absl::GetFlag(FLAGS_later_days);
    for (const std::string& name : run_names) {
      const bool is_later = name == "dry_run" || name == "later";
      Run run = Reclassify(server_options, name, is_later ? later : as_of, name == "dry_run");
      absl::StatusOr<std::map<int, int64_t>> tiers = TierCounts(db_url);
      if (tiers.ok()) {
        run.tiers_after = *std::move(tiers);
        std::fprintf(stderr, "kam_bench:   tiers after: %s\n", TierLine(run.tiers_after).c_str());
      }
      runs.push_back(std::move(run));
      if (!runs.back().ok) {
        failure.Note(absl::StrCat(name, ": ", runs.back().error));
        break;  // the later runs depend on this one
      }
    }
    std::filesystem::remove_all(data_dir, ignored);
  }

  // 3. Checks.
  const int64_t accounts = data_set.has_value() ? data_set->accounts : 0;
  json promises = json::array();
  auto promise = [&](const std::string& what, bool kept, const std::string& figure) {
    promises.push_back({{"promise", what}, {"kept", kept}, {"figure", figure}});
    if (!kept) failure.Note(absl::StrCat("promise broken: ", what, " (", figure, ")"));
  };
  const Run* dry = nullptr;
  const Run* previous = nullptr;
  for (const Run& run : runs) {
    if (!run.ok) continue;
    const int64_t changes = run.summary.tier_changes();
    if (run.summary.accounts() != accounts) {
      failure.Note(absl::StrCat(run.name, ": the summary counts ", run.summary.accounts(), " accounts, the data ",
                                accounts));
    }
    if (run.name == "first") {
      if (changes != accounts) {
        failure.Note(absl::StrCat("first: ", changes, " tier changes; every one of the ", accounts,
                                  " accounts should have got its first tier"));
      }
      if (run.tiers_after.count(0) > 0) {
        failure.Note(absl::StrCat("first: ", run.tiers_after.at(0), " accounts still have no tier"));
      }
    }
    if (run.name == "same") {
      promise("a second run at the same as_of changes no tier", changes == 0, absl::StrCat(changes, " tier changes"));
    }
    if (run.name == "dry_run") {
      dry = &run;
      if (previous != nullptr && run.tiers_after != previous->tiers_after) {
        failure.Note("dry_run: the tier distribution changed");
      }
    }
    if (run.name == "later") {
      if (changes == 0) std::fprintf(stderr, "kam_bench: note: the later run moved no account\n");
      if (dry != nullptr && dry->summary.as_of().seconds() == run.summary.as_of().seconds() &&
          dry->summary.tier_changes() != changes) {
        failure.Note(absl::StrCat("later: ", changes, " tier changes, the dry run at the same as_of predicted ",
                                  dry->summary.tier_changes()));
      }
    }
    if (sqlite && full_size) {
      promise(absl::StrCat(run.name, ": at most ", absl::GetFlag(FLAGS_max_seconds), " s on SQLite"),
              run.wall_seconds <= absl::GetFlag(FLAGS_max_seconds), absl::StrFormat("%.2f s", run.wall_seconds));
      promise(absl::StrCat(run.name, ": peak RSS at most ", absl::GetFlag(FLAGS_max_rss_mib), " MiB on SQLite"),
              run.peak_rss_kib <= absl::GetFlag(FLAGS_max_rss_mib) * 1024,
              absl::StrFormat("%.0f MiB", run.peak_rss_kib / 1024.0));
    }
    previous = &run;
  }

  // 4. Report.
  const std::string load_average_end = LoadAverage();
  std::printf("\nkam_bench%s: KeyAccountService.Reclassify\n",
              absl::GetFlag(FLAGS_label).empty() ? "" : absl::StrCat(" (", absl::GetFlag(FLAGS_label), ")").c_str());
  std::printf("  database   %s, %.2f GiB\n", DisplayUrl(db_url).c_str(), static_cast<double>(database_bytes) / (1 << 30));
  std::printf("  server     %s (bench built as %s)\n", server_binary.c_str(), CRM_BUILD_TYPE);
  std::printf("  machine    %u CPUs shared by server, database and benchmark; load average %s at start\n",
              std::thread::hardware_concurrency(), load_average_start.c_str());
  if (data_set.has_value()) {
    std::printf("  data       %lld accounts, %lld orders, %lld interactions, %lld tickets, %lld surveys (seed %llu)\n",
                static_cast<long long>(data_set->accounts), static_cast<long long>(data_set->orders),
                static_cast<long long>(data_set->interactions), static_cast<long long>(data_set->tickets),
                static_cast<long long>(data_set->surveys), static_cast<unsigned long long>(data_set->seed));
  }
  json tables = json::array();
  if (load.has_value()) {
    std::printf("\nLoad (schema %.1f s; orders drawn and sorted in %.1f s)\n", migrate_seconds, load->draw_seconds);
    std::printf("  %-22s %12s %9s %12s\n", "table", "rows", "seconds", "rows/s");
    for (const KamTableLoad& t : load->tables) {
      std::printf("  %-22s %12lld %9.1f %12.0f\n", t.table.c_str(), static_cast<long long>(t.rows), t.seconds,
                  t.seconds > 0 ? t.rows / t.seconds : 0.0);
      tables.push_back({{"table", t.table}, {"rows", t.rows}, {"seconds", t.seconds}});
    }
    std::printf("  %-22s %12lld %9.1f %12.0f\n", "total", static_cast<long long>(load->rows()), load->seconds,
                load->seconds > 0 ? load->rows() / load->seconds : 0.0);
    if (!load->deferred_indexes.empty()) {
      std::printf("  orders' secondary indexes dropped for the load (%.1f s) and recreated after (%.1f s): %s\n",
                  load->drop_index_seconds, load->create_index_seconds,
                  absl::StrJoin(load->deferred_indexes, ", ").c_str());
    }
    const KamDataShape& s = load->shape;
    std::printf("  shape: %lld accounts without owner, %lld without orders, %lld recent starters, %lld stopped,"
                " %lld declining, %lld growing, %lld in USD;\n"
                "         orders %lld paid, %lld open (%lld overdue), %lld cancelled; at most %lld per account;\n"
                "         top 1 %% of accounts bring %.1f %% of revenue, top 20 %% bring %.1f %%; %lld open P1 tickets\n",
                static_cast<long long>(s.accounts_without_owner), static_cast<long long>(s.accounts_without_orders),
                static_cast<long long>(s.recent_starters), static_cast<long long>(s.stopped),
                static_cast<long long>(s.declining), static_cast<long long>(s.growing),
                static_cast<long long>(s.second_currency_accounts), static_cast<long long>(s.paid_orders),
                static_cast<long long>(s.open_orders), static_cast<long long>(s.overdue_orders),
                static_cast<long long>(s.cancelled_orders), static_cast<long long>(s.max_orders_per_account),
                100 * s.top1_revenue_share, 100 * s.top20_revenue_share, static_cast<long long>(s.open_p1_tickets));
    data_json = {{"reused", false},
                 {"tables", tables},
                 {"rows", load->rows()},
                 {"seconds", load->seconds},
                 {"rows_per_s", load->seconds > 0 ? load->rows() / load->seconds : 0},
                 {"draw_seconds", load->draw_seconds},
                 {"deferred_indexes", load->deferred_indexes},
                 {"drop_index_seconds", load->drop_index_seconds},
                 {"create_index_seconds", load->create_index_seconds},
                 {"shape",
                  {{"accounts_without_owner", s.accounts_without_owner},
                   {"accounts_without_orders", s.accounts_without_orders},
                   {"recent_starters", s.recent_starters},
                   {"stopped", s.stopped},
                   {"declining", s.declining},
                   {"growing", s.growing},
                   {"second_currency_accounts", s.second_currency_accounts},
                   {"paid_orders", s.paid_orders},
                   {"open_orders", s.open_orders},
                   {"overdue_orders", s.overdue_orders},
                   {"cancelled_orders", s.cancelled_orders},
                   {"max_orders_per_account", s.max_orders_per_account},
                   {"top1_revenue_share", s.top1_revenue_share},
                   {"top20_revenue_share", s.top20_revenue_share},
                   {"open_p1_tickets", s.open_p1_tickets}}}};
  } else {
    std::printf("\nLoad: reused the data set already in the database (schema %.1f s)\n", migrate_seconds);
    data_json = {{"reused", true}};
  }
  std::printf("  reset to never classified: %.1f s (%lld accounts had a tier)\n", reset_seconds,
              static_cast<long long>(classified_before));
  data_json["migrate_seconds"] = migrate_seconds;
  data_json["reset_seconds"] = reset_seconds;
  data_json["classified_before"] = classified_before;
  data_json["database_bytes"] = database_bytes;

  if (!runs.empty()) {
    std::printf("\nReclassify, each run on a fresh crm-server (wall time of the call; peak RSS = server VmHWM)\n");
    std::printf("  %-8s %-20s %9s %9s %12s %9s %9s %9s  %s\n", "run", "as_of", "wall s", "server s", "tier changes",
                "accounts", "peak MiB", "CPU s", "phases");
    for (const Run& run : runs) {
      std::vector<std::string> phases;
      for (const PhaseTime& p : run.phases) phases.push_back(absl::StrFormat("%s %.2f", p.phase, p.seconds));
      std::printf("  %-8s %-20s %9.2f %9.2f %12s %9s %9.0f %9.1f  %s\n", run.name.c_str(),
                  absl::FormatTime(absl::RFC3339_sec, run.as_of, absl::UTCTimeZone()).c_str(), run.wall_seconds,
                  run.has_summary ? run.summary.seconds() : 0.0,
                  run.has_summary ? absl::StrCat(run.summary.tier_changes()).c_str() : "-",
                  run.has_summary ? absl::StrCat(run.summary.accounts()).c_str() : "-", run.peak_rss_kib / 1024.0,
                  run.server_cpu_seconds, run.ok ? absl::StrJoin(phases, ", ").c_str() : run.error.c_str());
    }
    for (const Run& run : runs) {
      if (!run.has_summary) continue;
      std::printf("  %-8s summary: run %s, model version %d, %lld accounts, %lld tier changes, %lld overridden, "
                  "%.2f s; tiers after: %s\n",
                  run.name.c_str(), run.summary.run_id().c_str(), run.summary.model_version(),
                  static_cast<long long>(run.summary.accounts()), static_cast<long long>(run.summary.tier_changes()),
                  static_cast<long long>(run.summary.overridden()), run.summary.seconds(),
                  TierLine(run.tiers_after).c_str());
    }
    for (const Run& run : runs) {
      if (!run.followed || run.followed_events == 0) continue;
      std::printf("  %-8s events: the consumers followed %lld events in %.1f s (%.0f events/s) before the server stopped\n",
                  run.name.c_str(), static_cast<long long>(run.followed_events), run.follow_seconds,
                  run.followed_events / std::max(run.follow_seconds, 1e-3));
    }
  }
  if (!promises.empty()) {
    std::printf("\nPromises\n");
    for (const json& p : promises) {
      std::printf("  %-4s %s: %s\n", p["kept"].get<bool>() ? "ok" : "FAIL", p["promise"].get<std::string>().c_str(),
                  p["figure"].get<std::string>().c_str());
    }
  }
  std::printf("load average %s at end\n%s\n\n", load_average_end.c_str(),
              failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");

  json runs_json = json::array();
  for (const Run& run : runs) runs_json.push_back(RunJson(run));
  json summary = SummaryHead("kam", failure, db_url, server_binary, load_average_start, load_average_end);
  summary.update({{"label", absl::GetFlag(FLAGS_label)},
                  {"seed", data_options.seed},
                  {"accounts", accounts},
                  {"orders", data_set.has_value() ? data_set->orders : 0},
                  {"as_of", absl::GetFlag(FLAGS_as_of)},
                  {"later_days", absl::GetFlag(FLAGS_later_days)},
                  {"data", data_json},
                  {"runs", runs_json},
                  {"promises", promises}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(
      argc, argv,
      "Generates (or reuses) a million accounts with ten million orders and times "
      "KeyAccountService.Reclassify on them through crm-server. See bench/README.md.",
      crm::bench::Main);
}
