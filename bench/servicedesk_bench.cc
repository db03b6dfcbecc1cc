// servicedesk_bench: what SLA targets cost ticket creation, and how long one escalation sweep
// over many open tickets takes.
//
//   1. create: starts crm-server on --db, creates --accounts accounts (tiers spread over the four
//      tiers), a business calendar (Europe/Berlin, Mon–Fri 08:00–18:00, holidays) and two SLA
//      policies with escalation chains, then runs CreateTicket closed-loop (--callers, --seconds):
//      every call picks the policy for the account's tier and the priority and computes the due
//      times in business time, in the ticket's transaction. Every answer is checked for due
//      times.
//   2. sweep: replaces the tickets with --tickets open tickets written straight into the tables
//      (bulk path; SLA columns computed by the same engine the server uses), --breach_percent of
//      them overdue at the sweep instant, then runs one escalation sweep in this process
//      (TicketJobs::RunEscalationSweep, the code the server's background job runs) at that
//      instant, checks that exactly the overdue tickets were escalated, and sweeps again (which
//      must change nothing).
//
// Exit code 0 when every check passed; 1 otherwise; 2 on bad flags. See bench/README.md.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/bulk_insert.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "common/core/clock.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/sql_error.h"
#include "common/events/outbox.h"
#include "common/server/runtime.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "services/servicedesk/sla_resolution.h"
#include "services/servicedesk/ticket_jobs.h"
#include "services/servicedesk/ticket_sla.h"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::string, db, "",
          "Database URL, as crm-server takes it: sqlite:///tmp/servicedesk.db or "
          "mysql://crm:crm@127.0.0.1:33306/servicedesk_bench. Required.");
ABSL_FLAG(bool, replace, true, "Start from an empty database: delete the SQLite file, or drop the MySQL database.");
ABSL_FLAG(std::vector<std::string>, phases, std::vector<std::string>({"create", "sweep"}), "Phases to run, in order.");
ABSL_FLAG(int, accounts, 1000, "Accounts the tickets are spread over.");
ABSL_FLAG(int, callers, 16, "Concurrent CreateTicket callers (closed loop).");
ABSL_FLAG(double, seconds, 10, "Measured seconds of the create phase.");
ABSL_FLAG(double, warmup_seconds, 2, "Warm-up seconds before the create phase (not counted).");
ABSL_FLAG(int64_t, tickets, 100000, "Open tickets the sweep phase loads.");
ABSL_FLAG(double, breach_percent, 5, "Percentage of those tickets overdue at the sweep instant.");
ABSL_FLAG(int, rows_per_statement, 500, "Rows per multi-row INSERT of the sweep phase's load.");
ABSL_FLAG(int, rows_per_transaction, 20000, "Rows per load transaction.");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated (e.g. \"--db_pool_size=16\").");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the random choices.");
ABSL_FLAG(std::string, label, "", "A name for this run in the report.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

// A call's context with the server's token (ServerProcess::token()).
std::unique_ptr<grpc::ClientContext> Call(const std::string& token, absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  PrepareCall(*context, token, timeout);
  return context;
}

// The setup every phase shares: the calendar and the two policies, created through the server.
struct SlaSetup {
  std::string calendar_id;
  std::string key_policy_id;       // tiers STRATEGIC and KEY: tighter targets
  std::string standard_policy_id;  // every other tier
};

crm::v1::BusinessCalendar BerlinCalendar() {
  crm::v1::BusinessCalendar calendar;
  calendar.set_name("Berlin office");
  calendar.set_time_zone("Europe/Berlin");
  for (int weekday = 1; weekday <= 5; ++weekday) {
    crm::v1::WorkingHours* hours = calendar.add_hours();
    hours->set_weekday(weekday);
    hours->set_start_minute(8 * 60);
    hours->set_end_minute(18 * 60);
  }
  const int holidays[][3] = {{2026, 12, 24}, {2026, 12, 25}, {2026, 12, 26}, {2026, 12, 31}, {2027, 1, 1},
                             {2027, 3, 26},  {2027, 3, 29},  {2027, 5, 1},   {2027, 5, 6},   {2027, 10, 3}};
  for (const auto& day : holidays) {
    crm::v1::CalendarHoliday* holiday = calendar.add_holidays();
    holiday->mutable_date()->set_year(day[0]);
    holiday->mutable_date()->set_month(day[1]);
    holiday->mutable_date()->set_day(day[2]);
    holiday->set_name("holiday");
  }
  return calendar;
}

crm::v1::SlaPolicy Policy(const std::string& name, int precedence, std::vector<crm::v1::AccountTier> tiers,
                          const std::string& calendar_id, int64_t scale) {
  crm::v1::SlaPolicy policy;
  policy.set_name(name);
  policy.set_precedence(precedence);
  for (crm::v1::AccountTier tier : tiers) policy.add_tiers(tier);
  policy.set_calendar_id(calendar_id);
  const int64_t first_response[] = {30, 60, 240, 480}, resolution[] = {240, 480, 960, 2400};
  for (int p = 0; p < 4; ++p) {
    crm::v1::SlaPriorityTarget* target = policy.add_targets();
    target->set_priority(static_cast<crm::v1::TicketPriority>(p + 1));
    target->set_first_response_minutes(first_response[p] * scale);
    target->set_resolution_minutes(resolution[p] * scale);
  }
  policy.set_warning_percent(80);
  crm::v1::EscalationStep* warn = policy.add_escalation();
  warn->set_level(1);
  warn->set_trigger(crm::v1::ESCALATION_TRIGGER_WARNING);
  warn->set_assignee_group("tier2");
  crm::v1::EscalationStep* breach = policy.add_escalation();
  breach->set_level(2);
  breach->set_trigger(crm::v1::ESCALATION_TRIGGER_BREACH);
  breach->set_assignee_group("service-managers");
  breach->set_assignee("duty-manager");
  return policy;
}

absl::StatusOr<SlaSetup> CreateSla(crm::v1::ServiceDeskService::Stub& desk, const std::string& token) {
  SlaSetup setup;
  crm::v1::CreateCalendarRequest calendar_request;
  *calendar_request.mutable_calendar() = BerlinCalendar();
  crm::v1::BusinessCalendar calendar;
  if (grpc::Status s = desk.CreateCalendar(Call(token).get(), calendar_request, &calendar); !s.ok()) {
    return absl::InternalError(absl::StrCat("CreateCalendar: ", s.error_message()));
  }
  setup.calendar_id = calendar.id();
  struct {
    std::string name;
    int precedence;
    std::vector<crm::v1::AccountTier> tiers;
    int64_t scale;
    std::string* id;
  } policies[] = {
      {"Key accounts", 1, {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY}, 1, &setup.key_policy_id},
      {"Standard", 10, {}, 2, &setup.standard_policy_id},
  };
  for (auto& p : policies) {
    crm::v1::CreateSlaPolicyRequest request;
    *request.mutable_policy() = Policy(p.name, p.precedence, p.tiers, setup.calendar_id, p.scale);
    crm::v1::SlaPolicy created;
    if (grpc::Status s = desk.CreateSlaPolicy(Call(token).get(), request, &created); !s.ok()) {
      return absl::InternalError(absl::StrCat("CreateSlaPolicy: ", s.error_message()));
    }
    *p.id = created.id();
  }
  return setup;
}

// Accounts through the server, then their tiers straight in the table (key-account management
// owns the tier; the account service does not set it).
absl::StatusOr<std::vector<std::string>> CreateAccounts(crm::v1::AccountService::Stub& accounts,
                                                        const std::string& token, db::Database& db, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(absl::StrCat("Servicedesk bench customer ", i));
    request.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    crm::v1::Account account;
    if (grpc::Status s = accounts.CreateAccount(Call(token).get(), request, &account); !s.ok()) {
      return absl::InternalError(absl::StrCat("CreateAccount: ", s.error_message()));
    }
    ids.push_back(account.id());
  }
  absl::Status status = db.Write([&](db::Tx& tx) {
    return db::Guard("set tiers", [&]() -> absl::Status {
      for (size_t i = 0; i < ids.size(); ++i) {
        // 5 % strategic, 15 % key, 50 % standard, 30 % potential.
        const size_t bucket = i % 20;
        const long long tier = bucket == 0 ? 1 : bucket < 4 ? 2 : bucket < 14 ? 3 : 4;
        tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(tier), soci::use(ids[i]);
      }
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return ids;
}

PhaseResult RunCreates(crm::v1::ServiceDeskService::Stub& desk, const std::string& token,
                       const std::vector<std::string>& accounts, pid_t server_pid, std::atomic<int64_t>* unchecked) {
  LoadOptions options;
  options.callers = absl::GetFlag(FLAGS_callers);
  options.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  options.measure = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  options.server_pid = server_pid;
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  return RunClosedLoop("CreateTicket", options, [&](int caller, int64_t seq) {
    std::mt19937_64 random(seed * 1000003 + static_cast<uint64_t>(caller) * 7919 + static_cast<uint64_t>(seq));
    crm::v1::CreateTicketRequest request;
    crm::v1::Ticket* ticket = request.mutable_ticket();
    ticket->set_account_id(accounts[random() % accounts.size()]);
    ticket->set_priority(static_cast<crm::v1::TicketPriority>(1 + random() % 4));
    ticket->set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
    ticket->set_category("billing");
    ticket->set_subject(absl::StrCat("Invoice question ", caller, "-", seq));
    ticket->set_description("The customer asks why the last invoice differs from the order.");
    request.set_request_id(absl::StrCat("bench-", seed, "-", caller, "-", seq));
    crm::v1::Ticket created;
    grpc::Status status = desk.CreateTicket(Call(token).get(), request, &created);
    if (!status.ok()) return CallOutcome::FromStatus(status);
    // Every ticket falls under a policy: both targets must carry a due time.
    if (created.sla_policy_id().empty() || !created.first_response().has_due_time() ||
        !created.resolution().has_due_time()) {
      unchecked->fetch_add(1);
      return CallOutcome::BadResponse("ticket without SLA due times");
    }
    return CallOutcome::Ok();
  });
}

// The sweep instant: the next Wednesday 11:00 in Berlin after `after`, inside working hours, so
// "overdue" and "not yet due" are decided by the creation times alone.
absl::Time SweepInstant(absl::Time after) {
  absl::TimeZone berlin;
  absl::LoadTimeZone("Europe/Berlin", &berlin);
  absl::CivilDay day = absl::ToCivilDay(after, berlin) + 1;
  while (absl::GetWeekday(day) != absl::Weekday::wednesday) ++day;
  return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 11, 0, 0), berlin);
}

struct SweepLoad {
  int64_t tickets = 0;
  int64_t overdue = 0;
  double seconds = 0;
};

// Writes `count` open P3 tickets of the standard policy: the overdue ones created ten days
// before `now` (both targets breached), the rest ten minutes before (far from the warning).
absl::StatusOr<SweepLoad> LoadOpenTickets(db::Database& db, const std::vector<std::string>& accounts,
                                          const SlaSetup& sla, absl::Time now, int64_t count,
                                          double breach_percent) {
  SweepLoad load;
  absl::Time t0 = absl::Now();
  absl::StatusOr<servicedesk::BusinessCalendar> calendar = absl::InternalError("unset");
  absl::StatusOr<crm::v1::SlaPolicy> policy = absl::InternalError("unset");
  absl::Status status = db.Write([&](db::Tx& tx) {
    return db::Guard("clear tickets", [&]() -> absl::Status {
      for (const char* table : {"tickets", "ticket_pauses", "ticket_comments", "ticket_history"}) {
        tx.session() << "DELETE FROM " << table;
      }
      calendar = servicedesk::LoadBusinessCalendar(tx.session(), sla.calendar_id);
      policy = servicedesk::LoadSlaPolicy(tx.session(), sla.standard_policy_id);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (!calendar.ok()) return calendar.status();
  if (!policy.ok()) return policy.status();

  servicedesk::SlaSnapshot snapshot;
  snapshot.policy_id = policy->id();
  snapshot.calendar_id = policy->calendar_id();
  snapshot.warning_percent = policy->warning_percent();
  for (const crm::v1::SlaPriorityTarget& target : policy->targets()) {
    if (target.priority() != crm::v1::TICKET_PRIORITY_P3) continue;
    snapshot.first_response_minutes = target.first_response_minutes();
    snapshot.resolution_minutes = target.resolution_minutes();
  }
  snapshot.escalation.assign(policy->escalation().begin(), policy->escalation().end());

  // Both creation instants give the same SLA state for every ticket created then.
  auto state_at = [&](absl::Time created) {
    servicedesk::TicketTimeline timeline;
    timeline.created = created;
    return servicedesk::ComputeSla(*calendar, snapshot, timeline, now);
  };
  const absl::Time overdue_created = now - absl::Hours(24 * 10), fresh_created = now - absl::Minutes(10);
  const servicedesk::SlaState overdue_state = state_at(overdue_created), fresh_state = state_at(fresh_created);
  if (!overdue_state.next_escalation_time.has_value() || *overdue_state.next_escalation_time > now) {
    return absl::InternalError("an overdue ticket would not be due for escalation");
  }
  if (!fresh_state.next_escalation_time.has_value() || *fresh_state.next_escalation_time <= now) {
    return absl::InternalError("a fresh ticket would already be due for escalation");
  }

  auto micros = [](const std::optional<absl::Time>& t) -> std::optional<int64_t> {
    if (!t.has_value()) return std::nullopt;
    return absl::ToUnixMicros(*t);
  };
  BulkInsert insert(db.backend(), "tickets", TicketColumns(),
                    absl::GetFlag(FLAGS_rows_per_statement));
  std::mt19937_64 random(absl::GetFlag(FLAGS_seed));
  const int64_t per_transaction = absl::GetFlag(FLAGS_rows_per_transaction);
  const double breach_share = breach_percent / 100.0;
  int64_t written = 0;
  while (written < count) {
    const int64_t batch = std::min(per_transaction, count - written);
    absl::Status wrote = db.Write([&](db::Tx& tx) {
      return insert.Run(tx.session(), [&] {
        for (int64_t i = 0; i < batch; ++i) {
          const int64_t n = written + i;
          // Every k-th ticket is overdue, so the share is exact and spread over the id order.
          const bool overdue = static_cast<int64_t>((n + 1) * breach_share) > static_cast<int64_t>(n * breach_share);
          const absl::Time created = overdue ? overdue_created : fresh_created;
          const servicedesk::SlaState& state = overdue ? overdue_state : fresh_state;
          load.overdue += overdue ? 1 : 0;
          insert.Row()
              .Text(NewIdAt("tkt", created + absl::Microseconds(n)))
              .Text(accounts[random() % accounts.size()])
              .Text("")
              .Int(crm::v1::TICKET_CHANNEL_EMAIL)
              .Text("billing")
              .Int(crm::v1::TICKET_PRIORITY_P3)
              .Text(absl::StrCat("Bulk ticket ", n))
              .Text("Loaded by servicedesk_bench.")
              .Int(crm::v1::TICKET_STATUS_OPEN)
              .Text("")
              .Text("tier1")
              .Int(0)
              .Int(crm::v1::ACCOUNT_TIER_STANDARD)
              .Text(snapshot.policy_id)
              .Text(snapshot.calendar_id)
              .Int(snapshot.warning_percent)
              .Int(snapshot.first_response_minutes)
              .Int(snapshot.resolution_minutes)
              .NullableInt(micros(state.first_response.due))
              .NullableInt(micros(state.first_response.warning))
              .NullableInt(micros(state.resolution.due))
              .NullableInt(micros(state.resolution.warning))
              .Int(0)
              .Int(0)
              .NullableInt(micros(state.next_escalation_time))
              .Text("bench")
              .Int(absl::ToUnixMicros(created))
              .Int(absl::ToUnixMicros(created))
              .NullableInt(std::nullopt)
              .NullableInt(std::nullopt)
              .NullableInt(std::nullopt)
              .Int(1);
        }
      });
    });
    if (!wrote.ok()) return wrote;
    written += batch;
  }
  load.tickets = written;
  load.seconds = SecondsSince(t0);
  return load;
}

struct SweepResult {
  int escalated = 0;
  double seconds = 0;
};

absl::StatusOr<SweepResult> Sweep(servicedesk::TicketJobs& jobs) {
  absl::Time t0 = absl::Now();
  absl::StatusOr<int> escalated = jobs.RunEscalationSweep();
  if (!escalated.ok()) return escalated.status();
  return SweepResult{*escalated, SecondsSince(t0)};
}

absl::StatusOr<int64_t> Count(db::Database& db, const std::string& query) {
  long long n = 0;
  absl::Status status = db.WithSession([&](soci::session& sql) {
    return db::Guard("count", [&]() -> absl::Status {
      sql << query, soci::into(n);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return n;
}

int Main() {
  Failure failure("servicedesk_bench");
  const std::string db_url = absl::GetFlag(FLAGS_db);
  if (db_url.empty()) {
    std::fprintf(stderr, "servicedesk_bench: --db is required\n");
    return 2;
  }
  const std::vector<std::string> phases = absl::GetFlag(FLAGS_phases);
  auto wants = [&](const char* phase) { return std::find(phases.begin(), phases.end(), phase) != phases.end(); };
  const std::string load_average_start = LoadAverage();
  std::fprintf(stderr, "servicedesk_bench: %s, load average %s\n", DisplayUrl(db_url).c_str(),
               load_average_start.c_str());

  if (absl::GetFlag(FLAGS_replace)) {
    if (absl::Status s = Replace(db_url); !s.ok()) {
      failure.Note(absl::StrCat("--replace: ", s.ToString()));
      return 1;
    }
  }
  absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenDatabase(db_url);
  if (!opened.ok()) {
    failure.Note(absl::StrCat("open ", DisplayUrl(db_url), ": ", opened.status().ToString()));
    return 1;
  }
  db::Database& db = **opened;
  if (absl::Status s = db::ApplyMigrations(db, ServerMigrations()); !s.ok()) {
    failure.Note(absl::StrCat("migrations: ", s.ToString()));
    return 1;
  }

  // 1. Accounts, SLA configuration and CreateTicket throughput, through a crm-server process.
  std::string data_dir = "/tmp/crm-servicedesk-bench-XXXXXX";
  if (mkdtemp(data_dir.data()) == nullptr) {
    failure.Note("cannot create the server's data directory");
    return 1;
  }
  ServerOptions server_options;
  server_options.binary = absl::GetFlag(FLAGS_server);
  server_options.db_url = db_url;
  server_options.data_dir = data_dir;
  server_options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  server_options.health_service = "crm.v1.ServiceDeskService";
  std::vector<std::string> accounts;
  SlaSetup sla;
  std::vector<PhaseResult> load_phases;
  std::atomic<int64_t> unchecked{0};
  {
    absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(absl::StrCat("server start: ", started.status().message()));
      return 1;
    }
    std::unique_ptr<ServerProcess> server = *std::move(started);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
    auto account_stub = crm::v1::AccountService::NewStub(channel);
    auto desk = crm::v1::ServiceDeskService::NewStub(channel);
    absl::Time t0 = absl::Now();
    absl::StatusOr<std::vector<std::string>> created = CreateAccounts(*account_stub, server->token(), db, absl::GetFlag(FLAGS_accounts));
    absl::StatusOr<SlaSetup> setup = created.ok() ? CreateSla(*desk, server->token()) : absl::StatusOr<SlaSetup>(created.status());
    if (!setup.ok()) {
      failure.Note(absl::StrCat("setup: ", setup.status().ToString()));
    } else {
      accounts = *std::move(created);
      sla = *std::move(setup);
      std::fprintf(stderr, "servicedesk_bench: %zu accounts, calendar and policies in %.1f s\n", accounts.size(),
                   SecondsSince(t0));
      if (wants("create")) {
        std::fprintf(stderr, "servicedesk_bench: CreateTicket, %d callers\n", absl::GetFlag(FLAGS_callers));
        load_phases.push_back(RunCreates(*desk, server->token(), accounts, server->pid(), &unchecked));
        if (load_phases.back().failures() > 0) {
          failure.Note(absl::StrCat(load_phases.back().failures(), " CreateTicket calls failed",
                                    load_phases.back().error_samples.empty()
                                        ? ""
                                        : absl::StrCat(": ", load_phases.back().error_samples.front())));
        }
      }
    }
    if (absl::StatusOr<absl::Duration> stopped = server->Stop(); !stopped.ok()) {
      failure.Note(absl::StrCat("server stop: ", stopped.status().ToString(), "\n", server->LogTail()));
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir, ignored);

  // 2. One sweep over the open tickets, in this process, at a fixed instant.
  json sweep_json = json::object();
  if (wants("sweep") && !failure.any) {
    const absl::Time now = SweepInstant(absl::Now());
    std::fprintf(stderr, "servicedesk_bench: loading %lld open tickets\n",
                 static_cast<long long>(absl::GetFlag(FLAGS_tickets)));
    absl::StatusOr<SweepLoad> loaded = LoadOpenTickets(db, accounts, sla, now, absl::GetFlag(FLAGS_tickets),
                                                       absl::GetFlag(FLAGS_breach_percent));
    if (!loaded.ok()) {
      failure.Note(absl::StrCat("load: ", loaded.status().ToString()));
    } else {
      FakeClock clock(now);
      events::Outbox outbox(nullptr);
      server::Runtime runtime;
      runtime.db = &db;
      runtime.outbox = &outbox;
      runtime.clock = &clock;
      runtime.instance_id = "servicedesk-bench";
      servicedesk::TicketJobs jobs(runtime);
      std::fprintf(stderr, "servicedesk_bench: sweeping\n");
      absl::StatusOr<SweepResult> first = Sweep(jobs);
      absl::StatusOr<SweepResult> second = first.ok() ? Sweep(jobs) : first;
      absl::StatusOr<int64_t> escalated_rows =
          Count(db, "SELECT COUNT(*) FROM tickets WHERE escalation_level > 0");
      absl::StatusOr<int64_t> to_level_two = Count(
          db, "SELECT COUNT(*) FROM tickets WHERE escalation_level = 2 AND assignee = 'duty-manager'");
      absl::StatusOr<int64_t> events = Count(db, "SELECT COUNT(*) FROM events WHERE type = 'ticket.escalated'");
      if (!first.ok() || !second.ok()) {
        failure.Note(absl::StrCat("sweep: ", (first.ok() ? second : first).status().ToString()));
      } else if (!escalated_rows.ok() || !to_level_two.ok() || !events.ok()) {
        failure.Note("could not count the escalated tickets");
      } else {
        if (first->escalated != loaded->overdue || *escalated_rows != loaded->overdue ||
            *to_level_two != loaded->overdue || *events != loaded->overdue) {
          failure.Note(absl::StrCat("expected ", loaded->overdue, " escalations; the sweep reported ",
                                    first->escalated, ", the table holds ", *escalated_rows, " (", *to_level_two,
                                    " at level 2 with the duty manager), events ", *events));
        }
        if (second->escalated != 0) {
          failure.Note(absl::StrCat("the second sweep escalated ", second->escalated, " tickets"));
        }
        sweep_json = {{"open_tickets", loaded->tickets},
                      {"overdue", loaded->overdue},
                      {"load_seconds", loaded->seconds},
                      {"sweep_seconds", first->seconds},
                      {"escalated", first->escalated},
                      {"escalations_per_s", first->seconds > 0 ? first->escalated / first->seconds : 0},
                      {"second_sweep_seconds", second->seconds},
                      {"second_sweep_escalated", second->escalated}};
      }
    }
  }

  const std::string load_average_end = LoadAverage();
  std::printf("\nservicedesk_bench on %s (%s build, %u CPUs), load average %s at start\n", DisplayUrl(db_url).c_str(),
              CRM_BUILD_TYPE, std::thread::hardware_concurrency(), load_average_start.c_str());
  for (const PhaseResult& p : load_phases) {
    const double window = p.cpu_window_seconds > 0 ? p.cpu_window_seconds : 1;
    std::printf("  %s: %lld calls, %lld failed, %.1f QPS, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, "
                "server CPU %.2f cores\n",
                p.name.c_str(), static_cast<long long>(p.calls), static_cast<long long>(p.failures()), p.Qps(),
                Ms(p.PercentileNs(50)), Ms(p.PercentileNs(90)), Ms(p.PercentileNs(99)),
                Ms(p.latencies_ns.empty() ? 0 : p.latencies_ns.back()), p.server_cpu_seconds / window);
  }
  if (!sweep_json.empty()) {
    std::printf("  sweep: %lld open tickets (%lld overdue) loaded in %.1f s; first sweep escalated %d in %.2f s; "
                "second sweep escalated %d in %.3f s\n",
                static_cast<long long>(sweep_json["open_tickets"].get<int64_t>()),
                static_cast<long long>(sweep_json["overdue"].get<int64_t>()), sweep_json["load_seconds"].get<double>(),
                sweep_json["escalated"].get<int>(), sweep_json["sweep_seconds"].get<double>(),
                sweep_json["second_sweep_escalated"].get<int>(), sweep_json["second_sweep_seconds"].get<double>());
  }
  std::printf("load average %s at end\n%s\n\n", load_average_end.c_str(),
              failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");

  json phases_json = json::array();
  for (const PhaseResult& p : load_phases) phases_json.push_back(PhaseJson(p));
  json summary = SummaryHead("servicedesk", failure, db_url, server_options.binary, load_average_start, load_average_end);
  summary.update({{"label", absl::GetFlag(FLAGS_label)},
                  {"accounts", accounts.size()},
                  {"phases", phases_json},
                  {"sweep", sweep_json}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(
      argc, argv,
      "Measures CreateTicket throughput with SLA targets against crm-server, and one escalation sweep over "
      "many open tickets. See bench/README.md.",
      crm::bench::Main);
}
