// fault_drill: crm-server under faults, with figures (issue 7, "Faults").
//
//   --drill=kill    kill -9 of crm-server at random moments of write load, --rounds times, each
//                   restart on the same database (--db=sqlite or mysql); see kill_drill.h.
//   --drill=outage  MariaDB stopped for --outage_seconds under load and started again; see
//                   outage_drill.h. Always on a throw-away mariadbd of its own.
//   --drill=galera  a three-node Galera cluster on loopback loses a node to kill -9 under load:
//                   first one the server does not use, then the server's own; see galera_drill.h.
//   --drill=scaleout  --servers crm-server processes on one MariaDB database behind the client's
//                   round-robin: jobs run once, subscribers see every event once and in order,
//                   etags hold across processes, throughput against one process; see
//                   scaleout_drill.h. On --mysql_url (empty: a throw-away mariadbd).
//
// Prints a report and, as its last line, a one-line JSON summary. Exit code: 0 when every promise
// held, 1 when one broke, 77 when the drill cannot run here (no MariaDB URL for --mysql_url=env;
// for the outage and Galera drills no mariadbd or galera-4, or CRM_SKIP_MYSQL=1), 2 for bad flags.
// tests/faults/run.sh runs the full drills; ctest runs short ones.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_report.h"
#include "common/db/database.h"
#include "nlohmann/json.hpp"
#include "tests/faults/galera_drill.h"
#include "tests/faults/kill_drill.h"
#include "tests/faults/outage_drill.h"
#include "tests/faults/scaleout_drill.h"
#include "tests/faults/scratch_galera.h"
#include "tests/faults/scratch_mariadb.h"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif

ABSL_FLAG(std::string, drill, "kill", "kill, outage or galera.");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary.");
ABSL_FLAG(std::string, db, "sqlite", "Kill drill: sqlite or mysql.");
ABSL_FLAG(std::string, mysql_url, "",
          "Kill drill on mysql: a base URL such as mysql://crm:crm@127.0.0.1:3306/ (the drill adds a database of "
          "its own and drops it afterwards); \"env\" takes CRM_TEST_MYSQL_URL (exit 77 when unset, unless "
          "CRM_REQUIRE_MYSQL=1); empty starts a throw-away mariadbd.");
ABSL_FLAG(int, rounds, 20, "Kill drill: kill and restart rounds.");
ABSL_FLAG(int, min_load_ms, 200, "Kill drill: earliest kill, after the round's writers started.");
ABSL_FLAG(int, max_load_ms, 1500, "Kill drill: latest kill, after the round's writers started.");
ABSL_FLAG(int, writers, 8, "Concurrent writers (one thread and one call at a time each).");
ABSL_FLAG(double, outage_seconds, 10, "Outage drill: how long MariaDB stays stopped.");
ABSL_FLAG(double, before_seconds, 3,
          "Outage drill: load before MariaDB is stopped. Galera drill: load before each node kill.");
ABSL_FLAG(double, after_seconds, 5,
          "Outage drill: load after MariaDB accepts connections again. Galera drill: load after the survivors "
          "formed their cluster (a), after the server was restarted on a survivor (b).");
ABSL_FLAG(int, recovery_limit_ms, 2000,
          "Outage drill: health SERVING and calls succeeding within this of MariaDB accepting connections again.");
ABSL_FLAG(bool, idle_outage, false,
          "Outage drill: no calls from a second before the stop until the recovery limit after the restart "
          "(the pool's connections sit idle through the outage); then every call must succeed.");
ABSL_FLAG(int, fail_fast_ms, 1000, "Outage drill: the longest a call may take to fail while MariaDB is down.");
ABSL_FLAG(int, call_deadline_ms, 0,
          "Deadline of every write; 0: 5000, or 15000 in the Galera drill (longer than the 5 s Galera takes to "
          "declare a killed node dead, so that writes stalled meanwhile wait instead of failing).");
ABSL_FLAG(int, pause_after_failure_ms, 10,
          "Outage drill: how long a writer waits after a failed call before its next one.");
ABSL_FLAG(int, failover_delay_ms, 1000,
          "Galera drill (b): how long the server's calls fail on its killed node before it is restarted on a "
          "survivor's URL.");
ABSL_FLAG(int, galera_suspect_timeout_ms, 0,
          "Galera drill: how long a silent node takes to be suspected dead (evs.suspect_timeout, with the keepalive "
          "at a quarter of it), at most 15000; 0 keeps Galera's 5 s.");
ABSL_FLAG(std::string, galera_provider_options, "",
          "Galera drill: appended to every node's wsrep_provider_options, e.g. \"gcs.fc_limit=64\".");
ABSL_FLAG(int, servers, 3, "Scale-out drill: crm-server processes on the one database.");
ABSL_FLAG(double, load_seconds, 10,
          "Scale-out drill: the measured window of the mixed workload, on one process and on all of them.");
ABSL_FLAG(int, in_flight, 32, "Scale-out drill: calls in flight of the mixed workload.");
ABSL_FLAG(int, updaters, 64, "Scale-out drill: concurrent read-modify-write updaters of one account, under its etag.");
ABSL_FLAG(int, job_period_ms, 200, "Scale-out drill: the servers' --job_period_ms.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated.");
ABSL_FLAG(uint64_t, seed, 0, "Random seed (kill moments, writers' choices); 0 picks one and prints it.");
ABSL_FLAG(std::string, tmp_dir, "", "Where to make the drill's directory. Empty: $TMPDIR or /tmp.");
ABSL_FLAG(bool, keep_data, false, "Keep the drill's directory (databases, server and MariaDB logs).");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::faults {
namespace {

using nlohmann::json;

constexpr int kSkipped = 77;

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

std::string Joined(const std::vector<double>& values) {
  return absl::StrJoin(values, " ", [](std::string* out, double v) { absl::StrAppendFormat(out, "%.0f", v); });
}

std::string Codes(const std::map<std::string, int64_t>& codes) {
  if (codes.empty()) return "none";
  return absl::StrJoin(codes, ", ",
                       [](std::string* out, const auto& code) { absl::StrAppend(out, code.first, " ", code.second); });
}

// The drill's own directory; the socket of a throw-away MariaDB lives in it, so keep it short.
std::string MakeDrillDir() {
  std::string parent = absl::GetFlag(FLAGS_tmp_dir);
  if (parent.empty()) parent = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
  if (parent.size() > 60) parent = "/tmp";
  std::string dir = absl::StrCat(parent, "/crm-faults-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

void DropDatabase(const std::string& url) {
  absl::StatusOr<db::ConnectionSpec> spec = db::ParseDatabaseUrl(url);
  if (!spec.ok()) return;
  try {
    soci::session admin(soci::mysql, absl::StrCat("user=", spec->user, " password=", spec->password,
                                                  " host=", spec->host, " port=", spec->port));
    admin << "DROP DATABASE IF EXISTS `" + spec->database + "`";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fault_drill: could not drop database %s: %s\n", spec->database.c_str(), e.what());
  }
}

WriteLoadOptions LoadOptions(uint64_t seed) {
  WriteLoadOptions load;
  load.writers = absl::GetFlag(FLAGS_writers);
  load.tag = absl::StrCat("fd", seed % 1000000007);
  int deadline_ms = absl::GetFlag(FLAGS_call_deadline_ms);
  if (deadline_ms <= 0) deadline_ms = absl::GetFlag(FLAGS_drill) == "galera" ? 15000 : 5000;
  load.call_deadline = absl::Milliseconds(deadline_ms);
  load.pause_after_failure = absl::Milliseconds(absl::GetFlag(FLAGS_pause_after_failure_ms));
  return load;
}

json VerifyJson(const VerifyResult& v) {
  return {{"accounts_listed", v.accounts_listed}, {"accounts_in_ledger", v.accounts_expected},
          {"lost_creates", v.lost_creates},       {"lost_updates", v.lost_updates},
          {"wrong_content", v.wrong_content},     {"duplicates", v.duplicates},
          {"unresolved", v.unresolved},           {"unknown_updates_applied", v.unknown_updates_applied},
          {"unknown_updates_not_applied", v.unknown_updates_not_applied}};
}

// The MySQL database of a drill on MySQL (--mysql_url), with the MariaDB server it lives on
// when that is the drill's own.
struct MysqlDatabase {
  std::unique_ptr<ScratchMariadb> mariadb;  // a throw-away server, or null
  std::string url;
  bool drop_after = false;  // on a server that is not the drill's own: leave no database behind
};

// Fills `mysql` from --mysql_url: "env" takes CRM_TEST_MYSQL_URL, empty starts a throw-away
// mariadbd in `dir`. Returns 0, or the drill's exit code when it cannot run (kSkipped, 1).
int PrepareMysqlDatabase(const std::string& dir, uint64_t seed, const char* drill, bench::Failure& failure,
                         MysqlDatabase& mysql) {
  std::string base = absl::GetFlag(FLAGS_mysql_url);
  if (base == "env") {
    const char* env = std::getenv("CRM_TEST_MYSQL_URL");
    if (env == nullptr || *env == '\0') {
      const char* required = std::getenv("CRM_REQUIRE_MYSQL");
      if (required != nullptr && std::string(required) == "1") {
        failure.Note("CRM_REQUIRE_MYSQL=1 but CRM_TEST_MYSQL_URL is not set");
        return 1;
      }
      std::printf("fault_drill: SKIPPED: CRM_TEST_MYSQL_URL is not set\n");
      return kSkipped;
    }
    base = env;
  }
  if (base.empty()) {
    const std::string mariadb_dir = absl::StrCat(dir, "/mariadb");
    std::filesystem::create_directories(mariadb_dir);
    absl::StatusOr<std::unique_ptr<ScratchMariadb>> created = ScratchMariadb::Create(mariadb_dir);
    if (!created.ok()) {
      failure.Note(absl::StrCat("starting a throw-away MariaDB: ", created.status().message()));
      return 1;
    }
    mysql.mariadb = *std::move(created);
    base = mysql.mariadb->base_url();
    std::fprintf(stderr, "%s: throw-away MariaDB on 127.0.0.1:%d\n", drill, mysql.mariadb->port());
  } else {
    mysql.drop_after = true;
  }
  if (base.back() != '/') base += "/";
  mysql.url = absl::StrCat(base, "crm_faults_", getpid(), "_", seed % 100000);
  return 0;
}

int RunKill(const std::string& dir, uint64_t seed, bench::Failure& failure, json& summary) {
  const std::string backend = absl::GetFlag(FLAGS_db);
  if (backend != "sqlite" && backend != "mysql") {
    std::fprintf(stderr, "fault_drill: --db must be sqlite or mysql\n");
    return 2;
  }
  KillDrillOptions options;
  options.server_binary = absl::GetFlag(FLAGS_server);
  options.data_dir = absl::StrCat(dir, "/server");
  std::filesystem::create_directories(options.data_dir);
  options.server_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  options.rounds = absl::GetFlag(FLAGS_rounds);
  options.min_load = absl::Milliseconds(absl::GetFlag(FLAGS_min_load_ms));
  options.max_load = absl::Milliseconds(absl::GetFlag(FLAGS_max_load_ms));
  options.load = LoadOptions(seed);

  MysqlDatabase mysql;  // outlives the drill's servers
  if (backend == "mysql") {
    if (const int skip = PrepareMysqlDatabase(dir, seed, "kill drill", failure, mysql); skip != 0) return skip;
    options.db_url = mysql.url;
  }

  const KillDrillResult r = RunKillDrill(options, seed, failure);
  if (mysql.drop_after) DropDatabase(mysql.url);

  const bench::Spread restart = bench::SpreadOf(r.restart_ms);
  const bench::Spread kill_at = bench::SpreadOf(r.kill_after_ms);
  const int64_t acked = r.tally.creates_acked + r.tally.updates_acked;
  const int64_t lost = r.verify.lost_creates + r.verify.lost_updates + r.verify.wrong_content;
  const std::string db_display = backend == "sqlite" ? "sqlite (one data directory for every start)"
                                                     : bench::DisplayUrl(options.db_url);
  std::printf("crm-server kill -9 drill\n");
  std::printf("  database             %s\n", db_display.c_str());
  std::printf("  rounds               %d of %d: SIGKILL %.0f-%.0f ms (median %.0f) after %d writers started; restart "
              "on the same database\n",
              r.rounds, options.rounds, kill_at.min, kill_at.max, kill_at.median, options.load.writers);
  std::printf("  writes acknowledged  %lld (%lld creates, %lld updates)\n", static_cast<long long>(acked),
              static_cast<long long>(r.tally.creates_acked), static_cast<long long>(r.tally.updates_acked));
  std::printf("  cut-off calls        %lld (%lld creates, %lld updates) in flight at the kill; %lld more refused "
              "after it\n",
              static_cast<long long>(r.cut_off_creates + r.cut_off_updates), static_cast<long long>(r.cut_off_creates),
              static_cast<long long>(r.cut_off_updates), static_cast<long long>(r.refused_after_kill));
  std::printf("  retried creates      %lld, same request id after the restart: %lld had committed before the kill "
              "(the retry returned that account), %lld had not (the retry created it)\n",
              static_cast<long long>(r.tally.create_retries), static_cast<long long>(r.tally.retries_found_committed),
              static_cast<long long>(r.tally.retries_created));
  std::printf("  cut-off updates      %lld found applied, %lld not applied\n",
              static_cast<long long>(r.verify.unknown_updates_applied),
              static_cast<long long>(r.verify.unknown_updates_not_applied));
  std::printf("  lost                 %lld (creates %lld, updates %lld, wrong content %lld)   must be 0\n",
              static_cast<long long>(lost), static_cast<long long>(r.verify.lost_creates),
              static_cast<long long>(r.verify.lost_updates), static_cast<long long>(r.verify.wrong_content));
  std::printf("  duplicates           %lld   must be 0\n", static_cast<long long>(r.verify.duplicates));
  std::printf("  accounts at the end  %lld listed, %lld in the ledger\n",
              static_cast<long long>(r.verify.accounts_listed), static_cast<long long>(r.verify.accounts_expected));
  std::printf("  restart to SERVING   min %.0f ms, median %.0f ms, max %.0f ms   [%s]\n", restart.min, restart.median,
              restart.max, Joined(r.restart_ms).c_str());
  std::printf("  first start          %.0f ms; final stop: %s\n", r.first_start_ms, r.stop_result.c_str());

  summary = {{"drill", "kill"},
             {"db", backend},
             {"rounds", r.rounds},
             {"writers", options.load.writers},
             {"kill_after_ms", {{"min", kill_at.min}, {"median", kill_at.median}, {"max", kill_at.max}}},
             {"creates_acked", r.tally.creates_acked},
             {"updates_acked", r.tally.updates_acked},
             {"cut_off_creates", r.cut_off_creates},
             {"cut_off_updates", r.cut_off_updates},
             {"refused_after_kill", r.refused_after_kill},
             {"failed_before_kill", r.failed_before_kill},
             {"create_retries", r.tally.create_retries},
             {"retries_found_committed", r.tally.retries_found_committed},
             {"retries_created", r.tally.retries_created},
             {"lost", lost},
             {"duplicates", r.verify.duplicates},
             {"verify", VerifyJson(r.verify)},
             {"restart_to_serving_ms",
              {{"samples", r.restart_ms}, {"min", restart.min}, {"median", restart.median}, {"max", restart.max}}},
             {"first_start_ms", r.first_start_ms}};
  if (r.rounds < options.rounds) failure.Note(absl::StrCat("only ", r.rounds, " of ", options.rounds, " rounds ran"));
  return failure.any ? 1 : 0;
}

json PhaseJson(const PhaseCalls& p) {
  json codes = json::object();
  for (const auto& [code, n] : p.codes) codes[code] = n;
  return {{"calls", p.calls},
          {"codes", codes},
          {"failed_ms", {{"p50", Percentile(p.failed_ms, 50)}, {"p99", Percentile(p.failed_ms, 99)},
                         {"max", p.failed_ms.empty() ? 0 : p.failed_ms.back()}}},
          {"messages", p.messages}};
}

void PrintPhase(const char* name, const PhaseCalls& p) {
  std::printf("  %-26s %6lld calls: %s", name, static_cast<long long>(p.calls), Codes(p.codes).c_str());
  if (!p.failed_ms.empty()) {
    std::printf("; failed in p50 %.1f ms, p99 %.1f ms, max %.1f ms", Percentile(p.failed_ms, 50),
                Percentile(p.failed_ms, 99), p.failed_ms.back());
  }
  std::printf("\n");
  for (const std::string& message : p.messages) std::printf("  %26s   \"%s\"\n", "", message.c_str());
}

int RunOutage(const std::string& dir, uint64_t seed, bench::Failure& failure, json& summary) {
  const char* skip_mysql = std::getenv("CRM_SKIP_MYSQL");
  if (skip_mysql != nullptr && std::string(skip_mysql) == "1") {
    std::printf("fault_drill: SKIPPED: CRM_SKIP_MYSQL=1\n");
    return kSkipped;
  }
  if (!ScratchMariadb::Installed()) {
    std::printf("fault_drill: SKIPPED: mariadbd or mariadb-install-db is not on PATH\n");
    return kSkipped;
  }
  OutageDrillOptions options;
  options.server_binary = absl::GetFlag(FLAGS_server);
  options.dir = dir;
  options.server_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  options.load = LoadOptions(seed);
  options.before = absl::Seconds(absl::GetFlag(FLAGS_before_seconds));
  options.outage = absl::Seconds(absl::GetFlag(FLAGS_outage_seconds));
  options.after = absl::Seconds(absl::GetFlag(FLAGS_after_seconds));
  options.recovery_limit = absl::Milliseconds(absl::GetFlag(FLAGS_recovery_limit_ms));
  options.fail_fast_limit = absl::Milliseconds(absl::GetFlag(FLAGS_fail_fast_ms));
  options.idle_outage = absl::GetFlag(FLAGS_idle_outage);

  const OutageDrillResult r = RunOutageDrill(options, seed, failure);
  const int64_t acked = r.tally.creates_acked + r.tally.updates_acked;
  const int64_t lost = r.verify.lost_creates + r.verify.lost_updates + r.verify.wrong_content;
  std::printf("crm-server MariaDB outage drill\n");
  std::printf("  MariaDB              throw-away mariadbd; clean stop (SIGTERM) took %.0f ms, down %.1f s, start "
              "until it accepted connections %.0f ms\n",
              r.mariadb_stop_ms, r.outage_ms / 1000, r.mariadb_start_ms);
  std::printf("  load                 %d writers; call deadline %d ms; a failed writer pauses %lld ms\n",
              options.load.writers, static_cast<int>(absl::ToInt64Milliseconds(options.load.call_deadline)),
              static_cast<long long>(absl::ToInt64Milliseconds(options.load.pause_after_failure)));
  std::printf("  server process       %s\n", r.server_stayed_up ? "stayed up" : "DID NOT stay up");
  std::printf("Calls\n");
  PrintPhase("before the stop", r.before);
  PrintPhase("while MariaDB shut down", r.stopping);
  PrintPhase("MariaDB down", r.outage);
  PrintPhase("restart + recovery limit", r.recovering);
  PrintPhase("after the recovery limit", r.recovered);
  std::printf("  first call OK        %.0f ms after MariaDB accepted connections again (limit %d ms)%s\n",
              r.first_ok_call_ms, absl::GetFlag(FLAGS_recovery_limit_ms),
              options.idle_outage ? "; idle: the writers resumed only at the limit" : "");
  if (!r.last_failed_call_ms.has_value()) {
    std::printf("  last failed call     none after MariaDB was started again\n");
  } else {
    std::printf("  last failed call     ended %.0f ms after MariaDB accepted connections again\n",
                *r.last_failed_call_ms);
  }
  std::printf("Health (grpc.health.v1 Check(\"crm.v1.AccountService\") every %lld ms, %lld answers)\n",
              static_cast<long long>(absl::ToInt64Milliseconds(options.probe_period)),
              static_cast<long long>(r.probes));
  std::printf("  NOT_SERVING          %.0f ms after mariadbd exited; then until the restart: %s\n",
              r.health_not_serving_ms, Codes(r.health_during_outage).c_str());
  std::printf("  SERVING again        %.0f ms after MariaDB accepted connections again (limit %d ms)\n",
              r.health_serving_ms, absl::GetFlag(FLAGS_recovery_limit_ms));
  std::printf("Writes\n");
  std::printf("  acknowledged         %lld (%lld creates, %lld updates); %lld creates and %lld updates failed\n",
              static_cast<long long>(acked), static_cast<long long>(r.tally.creates_acked),
              static_cast<long long>(r.tally.updates_acked), static_cast<long long>(r.tally.creates_failed),
              static_cast<long long>(r.tally.updates_failed));
  std::printf("  retried creates      %lld resends with the same request id: %lld creates had committed in a failed "
              "attempt, %lld were created by a resend\n",
              static_cast<long long>(r.tally.create_retries), static_cast<long long>(r.tally.retries_found_committed),
              static_cast<long long>(r.tally.retries_created));
  std::printf("  lost                 %lld   must be 0\n", static_cast<long long>(lost));
  std::printf("  duplicates           %lld   must be 0\n", static_cast<long long>(r.verify.duplicates));
  std::printf("  accounts at the end  %lld listed, %lld in the ledger\n",
              static_cast<long long>(r.verify.accounts_listed), static_cast<long long>(r.verify.accounts_expected));
  std::printf("  server stop          %s\n", r.stop_result.c_str());

  json health_during = json::object();
  for (const auto& [status, n] : r.health_during_outage) health_during[status] = n;
  summary = {{"drill", "outage"},
             {"ran", r.ran},
             {"writers", options.load.writers},
             {"outage_s", r.outage_ms / 1000},
             {"mariadb_stop_ms", r.mariadb_stop_ms},
             {"mariadb_start_ms", r.mariadb_start_ms},
             {"server_stayed_up", r.server_stayed_up},
             {"calls",
              {{"before", PhaseJson(r.before)},
               {"stopping", PhaseJson(r.stopping)},
               {"outage", PhaseJson(r.outage)},
               {"recovering", PhaseJson(r.recovering)},
               {"recovered", PhaseJson(r.recovered)}}},
             {"idle_outage", options.idle_outage},
             {"first_ok_call_ms", r.first_ok_call_ms},
             {"last_failed_call_ms", r.last_failed_call_ms.has_value() ? json(*r.last_failed_call_ms) : json()},
             {"health_not_serving_ms", r.health_not_serving_ms},
             {"health_during_outage", health_during},
             {"health_serving_ms", r.health_serving_ms},
             {"creates_acked", r.tally.creates_acked},
             {"updates_acked", r.tally.updates_acked},
             {"create_retries", r.tally.create_retries},
             {"retries_found_committed", r.tally.retries_found_committed},
             {"lost", lost},
             {"duplicates", r.verify.duplicates},
             {"verify", VerifyJson(r.verify)}};
  return failure.any ? 1 : 0;
}

json GaleraKillJson(const GaleraKill& k) {
  json sizes_after = json::object();
  for (const auto& [node, size] : k.cluster_size_after) sizes_after[absl::StrCat("node", node)] = size;
  json codes = json::object();
  for (const auto& [code, n] : k.failure_codes) codes[code] = n;
  return {{"ran", k.ran},
          {"killed_node", k.killed_node},
          {"server_node", k.server_node},
          {"failover_node", k.failover_node},
          {"cluster_size_before", k.cluster_size_before},
          {"cluster_size_after", sizes_after},
          {"view_change_ms", k.view_change_ms},
          {"recover_ms", k.recover_ms},
          {"longest_in_flight_ms", k.longest_in_flight_ms},
          {"server_restart_ms", k.server_restart_ms},
          {"calls", k.calls},
          {"creates_acked", k.tally.creates_acked},
          {"updates_acked", k.tally.updates_acked},
          {"cut_off", k.cut_off},
          {"refused", k.refused},
          {"refused_max_ms", k.refused_max_ms},
          {"failed_before_kill", k.failed_before_kill},
          {"failed_after_failover", k.failed_after_failover},
          {"failure_codes", codes},
          {"messages", k.messages},
          {"create_retries", k.tally.create_retries},
          {"retries_found_committed", k.tally.retries_found_committed},
          {"retries_created", k.tally.retries_created},
          {"lost", k.verify.lost_creates + k.verify.lost_updates + k.verify.wrong_content},
          {"duplicates", k.verify.duplicates},
          {"verify", VerifyJson(k.verify)},
          {"old_server_stop", k.old_server_stop}};
}

std::string SizesAfter(const GaleraKill& k) {
  return absl::StrJoin(k.cluster_size_after, ", ", [](std::string* out, const auto& node_size) {
    absl::StrAppend(out, "node ", node_size.first, ": ", node_size.second);
  });
}

// The figures every kill shares.
void PrintGaleraWrites(const GaleraKill& k) {
  const int64_t lost = k.verify.lost_creates + k.verify.lost_updates + k.verify.wrong_content;
  std::printf("  writes acknowledged  %lld (%lld creates, %lld updates) of %lld calls\n",
              static_cast<long long>(k.tally.creates_acked + k.tally.updates_acked),
              static_cast<long long>(k.tally.creates_acked), static_cast<long long>(k.tally.updates_acked),
              static_cast<long long>(k.calls));
  std::printf("  retried creates      %lld resent with their request ids: %lld had committed before the kill, %lld "
              "were created by the resend\n",
              static_cast<long long>(k.tally.create_retries), static_cast<long long>(k.tally.retries_found_committed),
              static_cast<long long>(k.tally.retries_created));
  std::printf("  failed updates       %lld found applied, %lld not applied\n",
              static_cast<long long>(k.verify.unknown_updates_applied),
              static_cast<long long>(k.verify.unknown_updates_not_applied));
  std::printf("  lost                 %lld (creates %lld, updates %lld, wrong content %lld)   must be 0\n",
              static_cast<long long>(lost), static_cast<long long>(k.verify.lost_creates),
              static_cast<long long>(k.verify.lost_updates), static_cast<long long>(k.verify.wrong_content));
  std::printf("  duplicates           %lld   must be 0\n", static_cast<long long>(k.verify.duplicates));
  std::printf("  accounts             %lld listed, %lld in the ledger\n",
              static_cast<long long>(k.verify.accounts_listed), static_cast<long long>(k.verify.accounts_expected));
}

int RunGalera(const std::string& dir, uint64_t seed, bench::Failure& failure, json& summary) {
  const char* skip_mysql = std::getenv("CRM_SKIP_MYSQL");
  if (skip_mysql != nullptr && std::string(skip_mysql) == "1") {
    std::printf("fault_drill: SKIPPED: CRM_SKIP_MYSQL=1\n");
    return kSkipped;
  }
  if (!ScratchGalera::Installed()) {
    std::printf("fault_drill: SKIPPED: mariadbd, mariadb-install-db, galera-4 (libgalera_smm.so), wsrep_sst_rsync "
                "or rsync is missing\n");
    return kSkipped;
  }
  // rsync's state transfer runs as nobody under root (scratch_galera.cc): it must pass through.
  chmod(dir.c_str(), 0711);
  GaleraDrillOptions options;
  options.server_binary = absl::GetFlag(FLAGS_server);
  options.dir = dir;
  options.server_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  options.load = LoadOptions(seed);
  const int suspect_ms = absl::GetFlag(FLAGS_galera_suspect_timeout_ms);
  if (suspect_ms < 0 || suspect_ms > 15000) {
    std::fprintf(stderr, "fault_drill: --galera_suspect_timeout_ms must be within [0, 15000]\n");
    return 2;
  }
  if (suspect_ms > 0) {
    // Galera refuses a keepalive period of a third of the suspect timeout or more.
    options.provider_options = absl::StrCat("evs.keepalive_period=PT", suspect_ms / 4000.0,
                                            "S;evs.suspect_timeout=PT", suspect_ms / 1000.0, "S");
  }
  const std::string extra_provider_options = absl::GetFlag(FLAGS_galera_provider_options);
  if (!extra_provider_options.empty()) {
    options.provider_options =
        options.provider_options.empty() ? extra_provider_options
                                         : absl::StrCat(options.provider_options, ";", extra_provider_options);
  }
  options.before = absl::Seconds(absl::GetFlag(FLAGS_before_seconds));
  options.after = absl::Seconds(absl::GetFlag(FLAGS_after_seconds));
  options.failover_delay = absl::Milliseconds(absl::GetFlag(FLAGS_failover_delay_ms));

  const GaleraDrillResult r = RunGaleraDrill(options, seed, failure);
  const GaleraKill& a = r.spare;
  const GaleraKill& b = r.serving;
  std::printf("crm-server Galera drill: %d nodes on loopback (galera-4), kill -9 of one node under load, twice\n",
              r.nodes);
  const std::string provider_note =
      options.provider_options.empty() ? "" : absl::StrCat("; provider options ", options.provider_options);
  std::printf("  cluster              Synced after %.0f ms (node 0 bootstrapped, the others joined one at a time by "
              "rsync state transfer)%s\n",
              r.cluster_start_ms, provider_note.c_str());
  std::printf("  server               crm-server on node 0, first start (schema made through Galera) %.0f ms\n",
              r.first_start_ms);
  std::printf("  load                 %d writers; call deadline %lld ms; a failed writer pauses %lld ms\n",
              options.load.writers, static_cast<long long>(absl::ToInt64Milliseconds(options.load.call_deadline)),
              static_cast<long long>(absl::ToInt64Milliseconds(options.load.pause_after_failure)));
  if (a.ran) {
    std::printf("(a) kill -9 of node %d, which the server does not use\n", a.killed_node);
    std::printf("  cluster size         %lld before, after: %s\n", static_cast<long long>(a.cluster_size_before),
                SizesAfter(a).c_str());
    std::printf("  view change          %.0f ms after the kill node %d counted one node fewer\n", a.view_change_ms,
                a.server_node);
    std::printf("  writes stalled       the longest call in flight at the kill took %.0f ms\n", a.longest_in_flight_ms);
    std::printf("  recovered            %.0f ms after the kill: the first write sent after it acknowledged\n",
                a.recover_ms);
    std::printf("  failed calls         %lld (%lld in flight at the kill, %lld sent after it)   must be 0: %s\n",
                static_cast<long long>(a.cut_off + a.refused), static_cast<long long>(a.cut_off),
                static_cast<long long>(a.refused), Codes(a.failure_codes).c_str());
    PrintGaleraWrites(a);
  }
  if (r.rejoined) {
    std::printf("rejoin of node %d      position %s recovered from its files; accepting logins after %.0f ms, "
                "Synced after %.0f ms, %s\n",
                a.killed_node, r.rejoin.position.c_str(), absl::ToDoubleMilliseconds(r.rejoin.start),
                absl::ToDoubleMilliseconds(r.rejoin.synced),
                r.rejoin.ist_write_sets >= 0 ? absl::StrCat("IST of ", r.rejoin.ist_write_sets, " write sets").c_str()
                                             : "full state transfer");
  }
  if (b.ran) {
    std::printf("(b) kill -9 of node %d, the server's; the server restarted on node %d %lld ms later\n", b.killed_node,
                b.failover_node, static_cast<long long>(absl::ToInt64Milliseconds(options.failover_delay)));
    std::printf("  cluster size         %lld before, after: %s\n", static_cast<long long>(b.cluster_size_before),
                SizesAfter(b).c_str());
    std::printf("  dead node's calls    %lld cut off in flight, %lld refused after the kill (slowest refusal %.1f ms): "
                "%s\n",
                static_cast<long long>(b.cut_off), static_cast<long long>(b.refused), b.refused_max_ms,
                Codes(b.failure_codes).c_str());
    for (const std::string& message : b.messages) std::printf("  %20s \"%s\"\n", "", message.c_str());
    std::printf("  old server stop      %s\n", b.old_server_stop.c_str());
    std::printf("  restarted server     SERVING %.0f ms after its start on node %d\n", b.server_restart_ms,
                b.failover_node);
    std::printf("  view change          %.0f ms after the kill node %d counted one node fewer\n", b.view_change_ms,
                b.failover_node);
    std::printf("  recovered            %.0f ms after the kill: the first write through the restarted server "
                "acknowledged\n",
                b.recover_ms);
    std::printf("  failed after restart %lld   must be 0\n", static_cast<long long>(b.failed_after_failover));
    PrintGaleraWrites(b);
  }
  if (r.survivor_checked) {
    const int64_t lost =
        r.survivor_verify.lost_creates + r.survivor_verify.lost_updates + r.survivor_verify.wrong_content;
    std::printf("survivor node %d       through a server of its own: %lld accounts listed, %lld lost, %lld "
                "duplicates   must be 0\n",
                r.survivor_node, static_cast<long long>(r.survivor_verify.accounts_listed),
                static_cast<long long>(lost), static_cast<long long>(r.survivor_verify.duplicates));
  }
  const int64_t acked = r.tally.creates_acked + r.tally.updates_acked;
  const int64_t lost = a.verify.lost_creates + a.verify.lost_updates + a.verify.wrong_content + b.verify.lost_creates +
                       b.verify.lost_updates + b.verify.wrong_content;
  const int64_t duplicates = a.verify.duplicates + b.verify.duplicates;
  std::printf("total                  %lld writes acknowledged, %lld cut-off calls, lost %lld, duplicates %lld\n",
              static_cast<long long>(acked), static_cast<long long>(a.cut_off + b.cut_off),
              static_cast<long long>(lost), static_cast<long long>(duplicates));

  summary = {{"drill", "galera"},
             {"ran", r.ran},
             {"nodes", r.nodes},
             {"writers", options.load.writers},
             {"call_deadline_ms", absl::ToInt64Milliseconds(options.load.call_deadline)},
             {"provider_options", options.provider_options},
             {"cluster_start_ms", r.cluster_start_ms},
             {"first_start_ms", r.first_start_ms},
             {"spare_node_kill", GaleraKillJson(a)},
             {"rejoin",
              {{"done", r.rejoined},
               {"position", r.rejoin.position},
               {"ist_write_sets", r.rejoin.ist_write_sets},
               {"start_ms", absl::ToDoubleMilliseconds(r.rejoin.start)},
               {"synced_ms", absl::ToDoubleMilliseconds(r.rejoin.synced)}}},
             {"server_node_kill", GaleraKillJson(b)},
             {"survivor_check",
              {{"done", r.survivor_checked}, {"node", r.survivor_node}, {"verify", VerifyJson(r.survivor_verify)}}},
             {"creates_acked", r.tally.creates_acked},
             {"updates_acked", r.tally.updates_acked},
             {"cut_off", a.cut_off + b.cut_off},
             {"lost", lost},
             {"duplicates", duplicates},
             {"stop", r.stop_result}};
  if (!r.ran || !a.ran || !b.ran || !r.survivor_checked) failure.Note("the drill did not run to its end");
  return failure.any ? 1 : 0;
}

void PrintMixed(const char* name, const bench::PhaseResult& p, double cpu_seconds) {
  std::printf("  %-22s %8.0f QPS  p50 %6.2f ms  p99 %7.2f ms  %lld calls, %lld failed; server CPU %.1f s\n", name,
              p.Qps(), bench::Ms(p.PercentileNs(50)), bench::Ms(p.PercentileNs(99)), static_cast<long long>(p.calls),
              static_cast<long long>(p.failures()), cpu_seconds);
}

int RunScaleout(const std::string& dir, uint64_t seed, bench::Failure& failure, json& summary) {
  ScaleoutDrillOptions options;
  options.server_binary = absl::GetFlag(FLAGS_server);
  options.dir = dir;
  options.server_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  options.servers = absl::GetFlag(FLAGS_servers);
  options.load_window = absl::Seconds(absl::GetFlag(FLAGS_load_seconds));
  options.in_flight = absl::GetFlag(FLAGS_in_flight);
  options.updaters = absl::GetFlag(FLAGS_updaters);
  options.job_period = absl::Milliseconds(absl::GetFlag(FLAGS_job_period_ms));
  if (options.servers < 2 || options.in_flight < 1 || options.updaters < 1 || options.job_period <= absl::ZeroDuration()) {
    std::fprintf(stderr, "fault_drill: --servers must be at least 2; --in_flight, --updaters, --job_period_ms "
                         "at least 1\n");
    return 2;
  }
  MysqlDatabase mysql;  // outlives the drill's servers
  if (const int skip = PrepareMysqlDatabase(dir, seed, "scale-out drill", failure, mysql); skip != 0) return skip;
  options.db_url = mysql.url;

  const ScaleoutDrillResult r = RunScaleoutDrill(options, seed, failure);
  if (mysql.drop_after) DropDatabase(mysql.url);

  const double one_qps = r.one_process.Qps();
  const double all_qps = r.all_processes.Qps();
  std::printf("crm-server scale-out drill: %d processes on one MariaDB database\n", r.servers);
  std::printf("  database             %s\n", bench::DisplayUrl(options.db_url).c_str());
  std::printf("  start                all forked at once on the empty database, all SERVING after %.0f ms; first "
              "admin's token written by %d process(es)   must be 1\n",
              r.start_ms, r.admin_token_files);
  std::printf("Mixed workload, closed loop, %d in flight, %.0f s each (the machine's %d cores serve every process "
              "and this generator: a ratio below 1 is the cost of more processes, not a lack of scaling)\n",
              options.in_flight, absl::ToDoubleSeconds(options.load_window),
              static_cast<int>(std::thread::hardware_concurrency()));
  PrintMixed("one process", r.one_process, r.cpu_seconds_one);
  double all_cpu = 0;
  for (double cpu : r.cpu_seconds_all) all_cpu += cpu;
  PrintMixed("round-robin over all", r.all_processes, all_cpu);
  std::printf("  per process CPU      %s s (round-robin window)\n",
              absl::StrJoin(r.cpu_seconds_all, " / ", [](std::string* out, double v) {
                absl::StrAppendFormat(out, "%.1f", v);
              }).c_str());
  std::printf("  all / one            %.2f\n", one_qps > 0 ? all_qps / one_qps : 0.0);
  std::printf("Etags across processes: %d updaters of one account, round-robin\n", options.updaters);
  std::printf("  acknowledged         %lld increments (%lld ABORTED answers retried, %lld failed)\n",
              static_cast<long long>(r.increments_acked), static_cast<long long>(r.increments_aborted),
              static_cast<long long>(r.updater_failures));
  std::printf("  final revenue        %lld   must equal the acknowledged increments\n",
              static_cast<long long>(r.final_value));
  std::printf("  update events        %lld   must equal them too\n", static_cast<long long>(r.update_events));
  for (const std::string& message : r.updater_messages) std::printf("  %20s \"%s\"\n", "", message.c_str());
  std::printf("Background jobs (job period %lld ms in every process)\n",
              static_cast<long long>(absl::ToInt64Milliseconds(options.job_period)));
  std::printf("  SLA escalation       %lld of %d tickets escalated, %lld escalation events, %lld escalated twice   "
              "must be all, one each, 0\n",
              static_cast<long long>(r.tickets_escalated), options.escalating_tickets,
              static_cast<long long>(r.ticket_escalation_events), static_cast<long long>(r.tickets_escalated_twice));
  std::printf("  activity reminders   %lld of %d sent, %lld reminder events, %lld sent twice   must be all, one "
              "each, 0\n",
              static_cast<long long>(r.reminders_sent), options.reminders, static_cast<long long>(r.reminder_events),
              static_cast<long long>(r.reminders_sent_twice));
  std::printf("  lag                  the last of these events came %.0f ms after the last work fell due\n",
              r.jobs_last_event_ms);
  std::printf("  KAM re-evaluation    %lld scheduled runs   must be 1 (due on the new database, every process tries)\n",
              static_cast<long long>(r.scheduled_reclassifications));
  std::printf("Events: %lld in the database\n", static_cast<long long>(r.events_in_database));
  for (const SubscriberCheck& c : r.subscribers) {
    std::printf("  subscriber on %d     %lld received, %lld missing, %lld duplicates, %lld out of order, %lld "
                "unknown; %s\n",
                c.server, static_cast<long long>(c.received), static_cast<long long>(c.missing),
                static_cast<long long>(c.duplicates), static_cast<long long>(c.out_of_order),
                static_cast<long long>(c.unknown), c.end.c_str());
  }
  std::printf("  caught up            %.0f ms after the last write\n", r.subscribers_settle_ms);
  std::printf("  server stops         %s\n", absl::StrJoin(r.server_stops, "; ").c_str());

  json subscribers = json::array();
  for (const SubscriberCheck& c : r.subscribers) {
    subscribers.push_back({{"server", c.server}, {"received", c.received}, {"missing", c.missing},
                           {"duplicates", c.duplicates}, {"out_of_order", c.out_of_order}, {"unknown", c.unknown},
                           {"end", c.end}});
  }
  summary = {{"drill", "scaleout"},
             {"ran", r.ran},
             {"servers", r.servers},
             {"start_ms", r.start_ms},
             {"admin_token_files", r.admin_token_files},
             {"one_process", bench::PhaseJson(r.one_process)},
             {"all_processes", bench::PhaseJson(r.all_processes)},
             {"all_over_one", one_qps > 0 ? all_qps / one_qps : 0.0},
             {"cpu_seconds_one", r.cpu_seconds_one},
             {"cpu_seconds_all", r.cpu_seconds_all},
             {"increments_acked", r.increments_acked},
             {"increments_aborted", r.increments_aborted},
             {"final_value", r.final_value},
             {"update_events", r.update_events},
             {"tickets_escalated", r.tickets_escalated},
             {"ticket_escalation_events", r.ticket_escalation_events},
             {"tickets_escalated_twice", r.tickets_escalated_twice},
             {"reminders_sent", r.reminders_sent},
             {"reminder_events", r.reminder_events},
             {"reminders_sent_twice", r.reminders_sent_twice},
             {"jobs_last_event_ms", r.jobs_last_event_ms},
             {"scheduled_reclassifications", r.scheduled_reclassifications},
             {"events_in_database", r.events_in_database},
             {"subscribers", subscribers},
             {"server_stops", r.server_stops}};
  if (!r.ran) failure.Note("the drill did not run to its end");
  return failure.any ? 1 : 0;
}

int Main() {
  bench::Failure failure("fault_drill");
  const std::string drill = absl::GetFlag(FLAGS_drill);
  if (drill != "kill" && drill != "outage" && drill != "galera" && drill != "scaleout") {
    std::fprintf(stderr, "fault_drill: --drill must be kill, outage, galera or scaleout\n");
    return 2;
  }
  if (access(absl::GetFlag(FLAGS_server).c_str(), X_OK) != 0) {
    std::fprintf(stderr, "fault_drill: --server=%s is not an executable\n", absl::GetFlag(FLAGS_server).c_str());
    return 2;
  }
  if (absl::GetFlag(FLAGS_rounds) < 1 || absl::GetFlag(FLAGS_writers) < 1 ||
      absl::GetFlag(FLAGS_min_load_ms) > absl::GetFlag(FLAGS_max_load_ms)) {
    std::fprintf(stderr, "fault_drill: --rounds and --writers must be at least 1, --min_load_ms <= --max_load_ms\n");
    return 2;
  }
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed == 0) seed = std::random_device()() | 1;
  const std::string dir = MakeDrillDir();
  if (dir.empty()) {
    std::fprintf(stderr, "fault_drill: cannot create the drill's directory\n");
    return 2;
  }
  std::fprintf(stderr, "fault_drill: %s drill, seed %llu, files in %s\n", drill.c_str(),
               static_cast<unsigned long long>(seed), dir.c_str());

  json summary;
  const int code = drill == "kill"     ? RunKill(dir, seed, failure, summary)
                   : drill == "outage" ? RunOutage(dir, seed, failure, summary)
                   : drill == "galera" ? RunGalera(dir, seed, failure, summary)
                                       : RunScaleout(dir, seed, failure, summary);
  if (code == 0 || code == 1) {
    std::printf("%s\n", failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok, every promise held");
    summary["ok"] = !failure.any;
    summary["seed"] = seed;
    summary["failures"] = failure.notes;
    bench::EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  }
  if (absl::GetFlag(FLAGS_keep_data)) {
    std::fprintf(stderr, "fault_drill: kept %s\n", dir.c_str());
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return failure.any ? 1 : code;
}

}  // namespace
}  // namespace crm::faults

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(argc, argv,
                                  "Fault drills for crm-server: kill -9 under write load (--drill=kill), a MariaDB "
                                  "outage under load (--drill=outage) and a Galera node killed under load "
                                  "(--drill=galera), and several servers on one database (--drill=scaleout). See tests/faults/run.sh.",
                                  crm::faults::Main);
}
