// The scale-out drill: several crm-server processes on one MariaDB database, called through the
// gateway client's round-robin channel (clients/gateway/channel.h), under the mixed workload of
// bench/crm_workload.h. It checks what sharing a database across processes promises:
//   - the processes start together on an empty database: one migrates it and one makes the first
//     admin;
//   - background jobs run once: every ticket its SLA escalates is escalated once, every activity
//     reminder is sent once, whichever process sweeps; the scheduled re-evaluation of key
//     accounts, due on the new database, runs once;
//   - a subscriber on each process sees every event of every process once and in order (checked
//     against the database's own list of events);
//   - etags hold across processes: concurrent read-modify-write updaters of one record, spread
//     over the processes, lose no update;
// and measures the mixed workload's throughput on one process and on all of them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_report.h"
#include "bench/load_runner.h"

namespace crm::faults {

struct ScaleoutDrillOptions {
  std::string server_binary;
  // A MySQL URL naming the database every process shares (created by the first to start).
  std::string db_url;
  // The drill's directory: each server gets a data directory of its own in it.
  std::string dir;
  std::vector<std::string> server_flags;
  int servers = 3;
  // Each throughput window (one process, then every process), closed loop.
  absl::Duration load_window = absl::Seconds(10);
  int in_flight = 32;
  // Seed data for the mixed workload.
  int seed_accounts = 300;
  int seed_tickets = 100;
  // Read-modify-write updaters of one account, each making `increments` acknowledged updates.
  int updaters = 64;
  int increments = 2;
  // Tickets whose SLA escalates them a second after they are created, and activities whose
  // reminder falls due a second after they are created.
  int escalating_tickets = 24;
  int reminders = 24;
  // The servers' --job_period_ms: how often each process tries the escalation sweep and the
  // reminders.
  absl::Duration job_period = absl::Milliseconds(200);
  absl::Duration call_deadline = absl::Seconds(10);
  // How long the jobs and the subscribers get to catch up after the load.
  absl::Duration settle_limit = absl::Seconds(30);
};

// What one subscriber received, compared with the database's list of events.
struct SubscriberCheck {
  int server = 0;  // 1-based
  int64_t received = 0;
  int64_t duplicates = 0;    // a sequence received twice
  int64_t out_of_order = 0;  // a sequence not above the one before it
  int64_t missing = 0;       // in the database's list, never received
  int64_t unknown = 0;       // received, not in the database's list
  std::string end;           // how its stream ended ("cancelled at the end" when all is well)

  bool ok() const { return duplicates == 0 && out_of_order == 0 && missing == 0 && unknown == 0; }
};

struct ScaleoutDrillResult {
  bool ran = false;
  int servers = 0;
  double start_ms = 0;        // all processes forked at once until the last answered SERVING
  int admin_token_files = 0;  // data directories holding a first admin's token: must be 1

  bench::PhaseResult one_process;    // the mixed workload on server 1 alone
  bench::PhaseResult all_processes;  // the same through the round-robin channel over every server
  // CPU seconds each server used during the all-processes window: every one must have worked.
  std::vector<double> cpu_seconds_all;
  double cpu_seconds_one = 0;

  // Etags across processes.
  int64_t increments_acked = 0;
  int64_t increments_aborted = 0;  // ABORTED answers (a concurrent change won), each retried
  int64_t final_value = 0;         // the account's revenue units at the end: must equal acked
  int64_t update_events = 0;       // its account.updated events changing the revenue: must equal acked
  int64_t updater_failures = 0;    // calls that failed otherwise
  std::vector<std::string> updater_messages;

  // Background jobs.
  int64_t tickets_escalated = 0;         // of escalating_tickets, at level 1 at the end
  int64_t ticket_escalation_events = 0;  // ticket.escalated events of those tickets
  int64_t tickets_escalated_twice = 0;   // tickets with more than one such event
  int64_t reminders_sent = 0;            // of reminders, with reminder_sent_time set
  int64_t reminder_events = 0;           // activity.reminder_due events of those activities
  int64_t reminders_sent_twice = 0;
  // The last of those events' time after the last ticket or reminder fell due: how far the
  // jobs lagged under load (about a job period when they kept up).
  double jobs_last_event_ms = -1e9;
  // Key-account re-evaluations the scheduler ran (kam_runs by actor kam.scheduler): must be 1.
  int64_t scheduled_reclassifications = -1;

  // Events.
  int64_t events_in_database = 0;
  std::map<std::string, int64_t> event_types;  // the database's events by type
  std::vector<SubscriberCheck> subscribers;
  double subscribers_settle_ms = 0;  // from the end of the writes until every subscriber had all

  std::vector<std::string> server_stops;
};

// Runs the drill; every broken promise is noted in `failure`.
ScaleoutDrillResult RunScaleoutDrill(const ScaleoutDrillOptions& options, uint64_t seed, bench::Failure& failure);

}  // namespace crm::faults
