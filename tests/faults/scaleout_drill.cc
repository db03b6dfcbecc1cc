#include "tests/faults/scaleout_drill.h"

#include <grpcpp/grpcpp.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/async_load.h"
#include "bench/bench_auth.h"
#include "bench/crm_workload.h"
#include "bench/server_process.h"
#include "clients/gateway/channel.h"
#include "common/auth/first_admin.h"
#include "common/db/database.h"
#include "common/db/sql_error.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "google/protobuf/util/time_util.h"

namespace crm::faults {
namespace {

using bench::PrepareCall;
using google::protobuf::util::TimeUtil;

constexpr char kDrillCategory[] = "scaleout-drill";
constexpr int kChannels = 4;
constexpr size_t kMaxMessages = 4;

double MsBetween(absl::Time from, absl::Time to) { return absl::ToDoubleMilliseconds(to - from); }

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// A channel to one server of its own (not shared with the drill's other channels).
std::shared_ptr<grpc::Channel> DirectChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Follows Subscribe on one server from the first event, on a thread of its own, and keeps every
// sequence received in arrival order.
class Subscriber {
 public:
  Subscriber(int server, const std::string& address, const std::string& token)
      : server_(server), stub_(crm::v1::EventService::NewStub(DirectChannel(address))) {
    // A follower has no deadline; Stop() cancels it.
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    thread_ = std::thread([this] { Follow(); });
  }
  ~Subscriber() { Stop(); }

  // Waits until an event with a sequence of at least `sequence` arrived; false at `deadline` or
  // when the stream ended first.
  bool WaitFor(int64_t sequence, absl::Time deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, absl::ToChronoTime(deadline),
                          [&] { return ended_ || (!received_.empty() && received_.back() >= sequence); }) &&
           !received_.empty() && received_.back() >= sequence;
  }

  void Stop() {
    if (!thread_.joinable()) return;
    context_.TryCancel();
    thread_.join();
  }

  // Compares what arrived with the database's list of event sequences (ascending). Events after
  // the list was read (a background job's) are not judged.
  SubscriberCheck Check(const std::vector<int64_t>& truth) {
    std::lock_guard<std::mutex> lock(mu_);
    SubscriberCheck check;
    check.server = server_;
    check.received = static_cast<int64_t>(received_.size());
    check.end = end_;
    std::set<int64_t> seen;
    int64_t previous = 0;
    for (int64_t sequence : received_) {
      if (!seen.insert(sequence).second) ++check.duplicates;
      if (sequence <= previous) ++check.out_of_order;
      previous = std::max(previous, sequence);
    }
    const std::set<int64_t> expected(truth.begin(), truth.end());
    for (int64_t sequence : expected) {
      if (seen.count(sequence) == 0) ++check.missing;
    }
    const int64_t last = truth.empty() ? 0 : truth.back();
    for (int64_t sequence : seen) {
      if (sequence <= last && expected.count(sequence) == 0) ++check.unknown;
    }
    return check;
  }

 private:
  void Follow() {
    crm::v1::SubscribeRequest request;
    std::unique_ptr<grpc::ClientReader<crm::v1::Event>> reader = stub_->Subscribe(&context_, request);
    crm::v1::Event event;
    while (reader->Read(&event)) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(event.sequence());
      cv_.notify_all();
    }
    const grpc::Status status = reader->Finish();
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    end_ = status.error_code() == grpc::StatusCode::CANCELLED
               ? "cancelled at the end"
               : absl::StrCat("ended early: ", status.error_code(), " ", status.error_message());
    cv_.notify_all();
  }

  const int server_;
  std::unique_ptr<crm::v1::EventService::Stub> stub_;
  grpc::ClientContext context_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> received_;  // guarded by mu_
  bool ended_ = false;             // guarded by mu_
  std::string end_;                // guarded by mu_
  std::thread thread_;
};

// Runs of the key-account re-evaluation started by the scheduler (not by a Reclassify call), as
// the database records them.
absl::StatusOr<int64_t> CountScheduledReclassifications(const std::string& db_url) {
  db::DatabaseOptions options;
  options.url = db_url;
  options.pool_size = 1;
  absl::StatusOr<std::unique_ptr<db::Database>> database = db::Database::Open(options);
  if (!database.ok()) return database.status();
  int64_t runs = 0;
  absl::Status read = (*database)->Read([&](soci::session& sql) {
    return db::Guard("count kam runs", [&]() -> absl::Status {
      long long count = 0;
      sql << "SELECT COUNT(*) FROM kam_runs WHERE actor = 'kam.scheduler'", soci::into(count);
      runs = count;
      return absl::OkStatus();
    });
  });
  if (!read.ok()) return read;
  return runs;
}

// Every event in the database, through ListEvents, oldest first.
absl::StatusOr<std::vector<crm::v1::Event>> ListAllEvents(crm::v1::EventService::Stub& events,
                                                         const std::string& token) {
  std::vector<crm::v1::Event> all;
  crm::v1::ListEventsRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    PrepareCall(context, token, absl::Seconds(30));
    crm::v1::ListEventsResponse page;
    const grpc::Status status = events.ListEvents(&context, request, &page);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("ListEvents: ", status.error_code(), " ", status.error_message()));
    }
    if (page.events_size() == 0) return all;
    for (crm::v1::Event& event : *page.mutable_events()) all.push_back(std::move(event));
    request.set_after_sequence(page.last_sequence());
  }
}

// The gateway client's channel over every server: calls go round-robin.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> RoundRobinChannels(const std::string& addresses) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kChannels; ++i) {
    client::ClientOptions options;
    options.address = addresses;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::MakeChannel(addresses, options);
    if (!channel.ok()) return channel.status();
    channels.push_back(*std::move(channel));
  }
  return channels;
}

// The mixed workload for one window, closed loop; unexpected errors are noted.
bench::PhaseResult RunMixed(const std::string& name, const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                            const ScaleoutDrillOptions& options, const std::string& token, uint64_t seed,
                            bench::Failure& failure) {
  bench::CrmWorkload workload(channels, token, options.call_deadline, absl::StrCat("so", seed % 100000, name),
                              options.in_flight);
  if (absl::Status loaded = workload.LoadPipeline(); !loaded.ok()) {
    failure.Note(absl::StrCat(name, ": ", loaded.message()));
    return {};
  }
  bench::SeedPlan plan;
  plan.accounts = options.seed_accounts;
  plan.tickets = options.seed_tickets;
  plan.in_flight = options.in_flight;
  for (const bench::PhaseResult& step : workload.Seed(plan)) {
    if (step.failures() > 0) failure.Note(absl::StrCat(name, ": seeding ", step.name, " had failures"));
  }
  static const auto* mix = new std::map<std::string, double>(*bench::ParseMix(bench::kDefaultMix));
  bench::AsyncLoadOptions load;
  load.in_flight = options.in_flight;
  load.warmup = absl::Seconds(1);
  load.measure = options.load_window;
  load.seed = seed;
  bench::LoadResult result = bench::RunLoad(name, load, workload.Mixed(*mix));
  for (const bench::PhaseResult& op : result.operations) {
    for (const auto& [code, count] : op.errors) {
      if (!bench::IsExpectedError(op.name, code)) {
        failure.Note(absl::StrCat(name, ": ", op.name, " answered ", code, " ", count, " times"));
      }
    }
  }
  result.total.SortLatencies();
  return result.total;
}

// One read-modify-write of the contested account's revenue (+1) under its etag, read again after
// each ABORTED. Returns true once acknowledged.
bool IncrementRevenue(crm::v1::AccountService::Stub& accounts, const std::string& token, const std::string& id,
                      absl::Duration deadline, std::atomic<int64_t>& aborted, std::string* failure_message) {
  for (int attempt = 0; attempt < 10000; ++attempt) {
    crm::v1::GetAccountRequest get;
    get.set_id(id);
    crm::v1::Account current;
    grpc::ClientContext get_context;
    PrepareCall(get_context, token, deadline);
    grpc::Status status = accounts.GetAccount(&get_context, get, &current);
    if (!status.ok()) {
      *failure_message = absl::StrCat("GetAccount ", status.error_code(), " ", status.error_message());
      return false;
    }
    crm::v1::UpdateAccountRequest update;
    update.mutable_account()->set_id(id);
    *update.mutable_account()->mutable_annual_revenue() = current.annual_revenue();
    update.mutable_account()->mutable_annual_revenue()->set_units(current.annual_revenue().units() + 1);
    update.mutable_update_mask()->add_paths("annual_revenue");
    update.set_etag(current.etag());
    crm::v1::Account updated;
    grpc::ClientContext update_context;
    PrepareCall(update_context, token, deadline);
    status = accounts.UpdateAccount(&update_context, update, &updated);
    if (status.ok()) return true;
    if (status.error_code() != grpc::StatusCode::ABORTED) {
      *failure_message = absl::StrCat("UpdateAccount ", status.error_code(), " ", status.error_message());
      return false;
    }
    aborted.fetch_add(1);
  }
  *failure_message = "no update went through in 10000 attempts";
  return false;
}

void RunUpdaters(const ScaleoutDrillOptions& options, const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& token, const std::string& account_id, ScaleoutDrillResult& r) {
  std::atomic<int64_t> acked{0}, aborted{0}, failed{0};
  std::mutex messages_mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < options.updaters; ++i) {
    threads.emplace_back([&] {
      auto accounts = crm::v1::AccountService::NewStub(channel);
      for (int n = 0; n < options.increments; ++n) {
        std::string message;
        if (IncrementRevenue(*accounts, token, account_id, options.call_deadline, aborted, &message)) {
          acked.fetch_add(1);
        } else {
          failed.fetch_add(1);
          std::lock_guard<std::mutex> lock(messages_mu);
          if (r.updater_messages.size() < kMaxMessages) r.updater_messages.push_back(message);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  r.increments_acked = acked.load();
  r.increments_aborted = aborted.load();
  r.updater_failures = failed.load();
}

// A calendar that is always open and a policy that escalates the drill's tickets (category
// kDrillCategory) at 1 % of a one-minute first response target: 0.6 s after they are created.
absl::Status CreateEscalatingPolicy(crm::v1::ServiceDeskService::Stub& desk, const std::string& token,
                                    absl::Duration deadline) {
  crm::v1::CreateCalendarRequest calendar_request;
  crm::v1::BusinessCalendar* calendar = calendar_request.mutable_calendar();
  calendar->set_name("Scale-out drill: always open");
  calendar->set_time_zone("UTC");
  for (int day = 1; day <= 7; ++day) {
    crm::v1::WorkingHours* hours = calendar->add_hours();
    hours->set_weekday(day);
    hours->set_start_minute(0);
    hours->set_end_minute(24 * 60);
  }
  crm::v1::BusinessCalendar created_calendar;
  grpc::ClientContext calendar_context;
  PrepareCall(calendar_context, token, deadline);
  grpc::Status status = desk.CreateCalendar(&calendar_context, calendar_request, &created_calendar);
  if (!status.ok()) return absl::InternalError(absl::StrCat("CreateCalendar: ", status.error_message()));

  crm::v1::CreateSlaPolicyRequest policy_request;
  crm::v1::SlaPolicy* policy = policy_request.mutable_policy();
  policy->set_name("Scale-out drill: escalate at once");
  policy->set_precedence(0);
  policy->add_categories(kDrillCategory);
  policy->set_calendar_id(created_calendar.id());
  policy->set_warning_percent(1);
  crm::v1::SlaPriorityTarget* target = policy->add_targets();
  target->set_priority(crm::v1::TICKET_PRIORITY_P1);
  target->set_first_response_minutes(1);
  target->set_resolution_minutes(60);
  crm::v1::EscalationStep* step = policy->add_escalation();
  step->set_level(1);
  step->set_trigger(crm::v1::ESCALATION_TRIGGER_WARNING);
  step->set_assignee_group("scaleout-tier2");
  crm::v1::SlaPolicy created_policy;
  grpc::ClientContext policy_context;
  PrepareCall(policy_context, token, deadline);
  status = desk.CreateSlaPolicy(&policy_context, policy_request, &created_policy);
  if (!status.ok()) return absl::InternalError(absl::StrCat("CreateSlaPolicy: ", status.error_message()));
  return absl::OkStatus();
}

// Creates the tickets and activities the background jobs must each handle once; returns when
// the last of them falls due.
absl::StatusOr<absl::Time> CreateJobWork(const ScaleoutDrillOptions& options,
                                         const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                                         const std::string& account_id, std::vector<std::string>& ticket_ids,
                                         std::vector<std::string>& activity_ids) {
  auto desk = crm::v1::ServiceDeskService::NewStub(channel);
  auto accounts = crm::v1::AccountService::NewStub(channel);
  if (absl::Status s = CreateEscalatingPolicy(*desk, token, options.call_deadline); !s.ok()) return s;
  absl::Time last_due = absl::Now();
  for (int i = 0; i < options.escalating_tickets; ++i) {
    crm::v1::CreateTicketRequest request;
    crm::v1::Ticket* ticket = request.mutable_ticket();
    ticket->set_account_id(account_id);
    ticket->set_subject(absl::StrCat("Scale-out drill ticket ", i));
    ticket->set_priority(crm::v1::TICKET_PRIORITY_P1);
    ticket->set_category(kDrillCategory);
    crm::v1::Ticket created;
    grpc::ClientContext context;
    PrepareCall(context, token, options.call_deadline);
    const grpc::Status status = desk->CreateTicket(&context, request, &created);
    if (!status.ok()) return absl::InternalError(absl::StrCat("CreateTicket: ", status.error_message()));
    if (created.sla_policy_id().empty()) return absl::InternalError("the drill's SLA policy did not apply");
    ticket_ids.push_back(created.id());
    last_due = absl::Now() + absl::Seconds(1);
  }
  for (int i = 0; i < options.reminders; ++i) {
    const absl::Time remind_at = absl::Now() + absl::Seconds(1);
    crm::v1::CreateActivityRequest request;
    crm::v1::Activity* activity = request.mutable_activity();
    activity->set_account_id(account_id);
    activity->set_kind(crm::v1::ACTIVITY_KIND_TASK);
    activity->set_subject(absl::StrCat("Scale-out drill reminder ", i));
    *activity->mutable_due_time() = ToTimestamp(absl::Now() + absl::Hours(24));
    *activity->mutable_reminder_time() = ToTimestamp(remind_at);
    crm::v1::Activity created;
    grpc::ClientContext context;
    PrepareCall(context, token, options.call_deadline);
    const grpc::Status status = accounts->CreateActivity(&context, request, &created);
    if (!status.ok()) return absl::InternalError(absl::StrCat("CreateActivity: ", status.error_message()));
    activity_ids.push_back(created.id());
    last_due = std::max(last_due, remind_at);
  }
  return last_due;
}

// How many tickets are escalated and reminders sent so far.
absl::Status CountJobsDone(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                           const std::vector<std::string>& ticket_ids, const std::vector<std::string>& activity_ids,
                           int64_t* escalated, int64_t* reminded) {
  auto desk = crm::v1::ServiceDeskService::NewStub(channel);
  auto accounts = crm::v1::AccountService::NewStub(channel);
  *escalated = 0;
  *reminded = 0;
  for (const std::string& id : ticket_ids) {
    crm::v1::GetTicketRequest request;
    request.set_id(id);
    crm::v1::Ticket ticket;
    grpc::ClientContext context;
    PrepareCall(context, token, absl::Seconds(10));
    const grpc::Status status = desk->GetTicket(&context, request, &ticket);
    if (!status.ok()) return absl::InternalError(absl::StrCat("GetTicket: ", status.error_message()));
    if (ticket.escalation_level() >= 1) ++*escalated;
  }
  for (const std::string& id : activity_ids) {
    crm::v1::GetActivityRequest request;
    request.set_id(id);
    crm::v1::Activity activity;
    grpc::ClientContext context;
    PrepareCall(context, token, absl::Seconds(10));
    const grpc::Status status = accounts->GetActivity(&context, request, &activity);
    if (!status.ok()) return absl::InternalError(absl::StrCat("GetActivity: ", status.error_message()));
    if (activity.has_reminder_sent_time()) ++*reminded;
  }
  return absl::OkStatus();
}

// CPU seconds each server has used so far (0 for one that cannot be read).
std::vector<double> CpuSeconds(const std::vector<std::unique_ptr<bench::ServerProcess>>& servers) {
  std::vector<double> seconds;
  for (const auto& server : servers) {
    absl::StatusOr<bench::ProcessUsage> usage = bench::ReadProcessUsage(server->pid());
    seconds.push_back(usage.ok() ? usage->cpu_seconds : 0);
  }
  return seconds;
}

}  // namespace

ScaleoutDrillResult RunScaleoutDrill(const ScaleoutDrillOptions& options, uint64_t seed, bench::Failure& failure) {
  ScaleoutDrillResult r;
  r.servers = options.servers;

  // All processes at once on the empty database, as an orchestrator would start them: forked
  // from this thread (which outlives them), then waited for together.
  std::vector<std::unique_ptr<bench::ServerProcess>> servers(options.servers);
  std::vector<std::string> data_dirs;
  std::vector<absl::Status> started(options.servers);
  const absl::Time start = absl::Now();
  for (int i = 0; i < options.servers; ++i) {
    data_dirs.push_back(absl::StrCat(options.dir, "/server", i + 1));
    std::filesystem::create_directories(data_dirs.back());
    bench::ServerOptions server;
    server.binary = options.server_binary;
    server.db_url = options.db_url;
    server.data_dir = data_dirs[i];
    server.extra_flags = options.server_flags;
    server.extra_flags.push_back(absl::StrCat("--job_period_ms=", absl::ToInt64Milliseconds(options.job_period)));
    server.fetch_token = false;
    absl::StatusOr<std::unique_ptr<bench::ServerProcess>> process = bench::ServerProcess::Spawn(server);
    if (process.ok()) {
      servers[i] = *std::move(process);
    } else {
      started[i] = process.status();
    }
  }
  std::vector<std::thread> waiters;
  for (int i = 0; i < options.servers; ++i) {
    if (servers[i] != nullptr) waiters.emplace_back([&, i] { started[i] = servers[i]->WaitUntilReady(); });
  }
  for (std::thread& t : waiters) t.join();
  r.start_ms = MsBetween(start, absl::Now());
  for (int i = 0; i < options.servers; ++i) {
    if (!started[i].ok()) failure.Note(absl::StrCat("server ", i + 1, " did not start: ", started[i].message()));
  }
  if (failure.any) return r;

  // Exactly one process made the first admin, and its token serves every process.
  std::string token_dir;
  for (const std::string& dir : data_dirs) {
    if (std::filesystem::exists(std::filesystem::path(dir) / auth::kAdminTokenFile)) {
      ++r.admin_token_files;
      token_dir = dir;
    }
  }
  if (r.admin_token_files != 1) {
    failure.Note(absl::StrCat(r.admin_token_files, " processes wrote a first admin's token; exactly one must"));
    if (token_dir.empty()) return r;
  }
  absl::StatusOr<std::string> token = bench::ServerToken(token_dir, options.db_url);
  if (!token.ok()) {
    failure.Note(absl::StrCat("the first admin's token: ", token.status().message()));
    return r;
  }
  r.ran = true;

  std::vector<std::string> addresses;
  for (const auto& server : servers) addresses.push_back(server->address());
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  for (int i = 0; i < options.servers; ++i) {
    subscribers.push_back(std::make_unique<Subscriber>(i + 1, addresses[i], *token));
  }
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> round_robin =
      RoundRobinChannels(absl::StrJoin(addresses, ","));
  if (!round_robin.ok()) {
    failure.Note(absl::StrCat("the client's round-robin channel: ", round_robin.status().message()));
    return r;
  }
  const std::shared_ptr<grpc::Channel> any_server = round_robin->front();

  // One account carries the jobs' work; the etag updaters contend for another, whose every
  // update event is theirs.
  std::string account_id, contested_id;
  for (std::string* id : {&account_id, &contested_id}) {
    auto accounts = crm::v1::AccountService::NewStub(any_server);
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(absl::StrCat("Scale-out drill ", seed, id == &account_id ? "" : " contested"));
    request.mutable_account()->mutable_annual_revenue()->set_currency_code("EUR");
    crm::v1::Account created;
    grpc::ClientContext context;
    PrepareCall(context, *token, options.call_deadline);
    const grpc::Status status = accounts->CreateAccount(&context, request, &created);
    if (!status.ok()) {
      failure.Note(absl::StrCat("CreateAccount: ", status.error_code(), " ", status.error_message()));
      return r;
    }
    *id = created.id();
  }

  // The jobs' work falls due during the load that follows.
  std::vector<std::string> ticket_ids, activity_ids;
  absl::StatusOr<absl::Time> last_due =
      CreateJobWork(options, any_server, *token, account_id, ticket_ids, activity_ids);
  if (!last_due.ok()) {
    failure.Note(absl::StrCat("creating the background jobs' work: ", last_due.status().message()));
    return r;
  }

  std::vector<std::shared_ptr<grpc::Channel>> first_only;
  for (int i = 0; i < kChannels; ++i) first_only.push_back(DirectChannel(addresses[0]));
  std::vector<double> cpu_before = CpuSeconds(servers);
  r.one_process = RunMixed("one", first_only, options, *token, seed, failure);
  std::vector<double> cpu_after = CpuSeconds(servers);
  r.cpu_seconds_one = cpu_after[0] - cpu_before[0];

  cpu_before = std::move(cpu_after);
  r.all_processes = RunMixed("all", *round_robin, options, *token, seed, failure);
  cpu_after = CpuSeconds(servers);
  for (int i = 0; i < options.servers; ++i) {
    r.cpu_seconds_all.push_back(cpu_after[i] - cpu_before[i]);
    if (r.cpu_seconds_all.back() < 0.05) {
      failure.Note(absl::StrCat("server ", i + 1, " did next to no work through the round-robin channel"));
    }
  }

  RunUpdaters(options, any_server, *token, contested_id, r);
  if (r.updater_failures > 0) failure.Note(absl::StrCat(r.updater_failures, " etag updates failed"));
  {
    auto accounts = crm::v1::AccountService::NewStub(any_server);
    crm::v1::GetAccountRequest get;
    get.set_id(contested_id);
    crm::v1::Account account;
    grpc::ClientContext context;
    PrepareCall(context, *token, options.call_deadline);
    const grpc::Status status = accounts->GetAccount(&context, get, &account);
    if (!status.ok()) failure.Note(absl::StrCat("GetAccount at the end: ", status.error_message()));
    r.final_value = account.annual_revenue().units();
  }
  if (r.final_value != r.increments_acked) {
    failure.Note(absl::StrCat("lost update: ", r.increments_acked, " increments acknowledged, revenue is ",
                              r.final_value));
  }

  // Background jobs: everything due is done once, and stays so for a few more job periods.
  const absl::Time settle_deadline = std::max(*last_due, absl::Now()) + options.settle_limit;
  while (true) {
    absl::Status counted = CountJobsDone(any_server, *token, ticket_ids, activity_ids, &r.tickets_escalated,
                                         &r.reminders_sent);
    if (!counted.ok()) {
      failure.Note(counted.ToString());
      break;
    }
    if ((r.tickets_escalated == static_cast<int64_t>(ticket_ids.size()) &&
         r.reminders_sent == static_cast<int64_t>(activity_ids.size())) ||
        absl::Now() > settle_deadline) {
      break;
    }
    absl::SleepFor(options.job_period);
  }
  absl::SleepFor(options.job_period * 5);
  if (r.tickets_escalated != static_cast<int64_t>(ticket_ids.size())) {
    failure.Note(absl::StrCat(r.tickets_escalated, " of ", ticket_ids.size(), " due tickets were escalated"));
  }
  if (r.reminders_sent != static_cast<int64_t>(activity_ids.size())) {
    failure.Note(absl::StrCat(r.reminders_sent, " of ", activity_ids.size(), " due reminders were sent"));
  }

  // The scheduled re-evaluation of key accounts is due as soon as the database is new (no run
  // yet): every process's KAM job tries it each period, and its lease lets one run it.
  absl::StatusOr<int64_t> scheduled = CountScheduledReclassifications(options.db_url);
  if (!scheduled.ok()) {
    failure.Note(absl::StrCat("count the scheduled re-evaluations: ", scheduled.status().ToString()));
  } else {
    r.scheduled_reclassifications = *scheduled;
    if (*scheduled != 1) {
      failure.Note(absl::StrCat("the scheduled re-evaluation of key accounts ran ", *scheduled, " times, not once"));
    }
  }

  // Events: the database's list is the truth every subscriber must match.
  const absl::Time writes_ended = absl::Now();
  auto events = crm::v1::EventService::NewStub(any_server);
  absl::StatusOr<std::vector<crm::v1::Event>> all_events = ListAllEvents(*events, *token);
  if (!all_events.ok()) {
    failure.Note(all_events.status().ToString());
    return r;
  }
  std::vector<int64_t> truth;
  std::map<std::string, int64_t> escalations_per_ticket, reminders_per_activity;
  const std::set<std::string> tickets(ticket_ids.begin(), ticket_ids.end());
  const std::set<std::string> activities(activity_ids.begin(), activity_ids.end());
  for (const crm::v1::Event& event : *all_events) {
    truth.push_back(event.sequence());
    ++r.event_types[event.type()];
    const absl::Time event_time = absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(event.time()));
    if (event.type() == "ticket.escalated" && tickets.count(event.entity_id()) > 0) {
      ++escalations_per_ticket[event.entity_id()];
      r.jobs_last_event_ms = std::max(r.jobs_last_event_ms, MsBetween(*last_due, event_time));
    }
    if (event.type() == "activity.reminder_due" && activities.count(event.entity_id()) > 0) {
      ++reminders_per_activity[event.entity_id()];
      r.jobs_last_event_ms = std::max(r.jobs_last_event_ms, MsBetween(*last_due, event_time));
    }
    // Only the updaters change its revenue (a scheduled reclassification may change its tier).
    if (event.type() == "account.updated" && event.entity_id() == contested_id &&
        std::any_of(event.changes().begin(), event.changes().end(),
                    [](const crm::v1::FieldChange& change) { return change.field() == "annual_revenue"; })) {
      ++r.update_events;
    }
  }
  r.events_in_database = static_cast<int64_t>(truth.size());
  for (const auto& [ticket, n] : escalations_per_ticket) {
    r.ticket_escalation_events += n;
    if (n > 1) ++r.tickets_escalated_twice;
  }
  for (const auto& [activity, n] : reminders_per_activity) {
    r.reminder_events += n;
    if (n > 1) ++r.reminders_sent_twice;
  }
  if (r.ticket_escalation_events != r.tickets_escalated || r.tickets_escalated_twice > 0) {
    failure.Note(absl::StrCat(r.ticket_escalation_events, " escalation events for ", r.tickets_escalated,
                              " escalated tickets (", r.tickets_escalated_twice, " escalated more than once)"));
  }
  if (r.reminder_events != r.reminders_sent || r.reminders_sent_twice > 0) {
    failure.Note(absl::StrCat(r.reminder_events, " reminder events for ", r.reminders_sent, " reminders (",
                              r.reminders_sent_twice, " sent more than once)"));
  }
  if (r.update_events != r.increments_acked) {
    failure.Note(absl::StrCat(r.update_events, " account.updated events for ", r.increments_acked,
                              " acknowledged updates of the contested account"));
  }

  const int64_t last_sequence = truth.empty() ? 0 : truth.back();
  const absl::Time subscribers_deadline = absl::Now() + options.settle_limit;
  for (auto& subscriber : subscribers) subscriber->WaitFor(last_sequence, subscribers_deadline);
  r.subscribers_settle_ms = MsBetween(writes_ended, absl::Now());
  for (auto& subscriber : subscribers) {
    subscriber->Stop();
    r.subscribers.push_back(subscriber->Check(truth));
    const SubscriberCheck& check = r.subscribers.back();
    if (!check.ok() || check.end != "cancelled at the end") {
      failure.Note(absl::StrCat("subscriber on server ", check.server, ": ", check.received, " received, ",
                                check.missing, " missing, ", check.duplicates, " duplicates, ", check.out_of_order,
                                " out of order, ", check.unknown, " unknown; ", check.end));
    }
  }

  for (int i = 0; i < options.servers; ++i) {
    absl::StatusOr<absl::Duration> stopped = servers[i]->Stop();
    r.server_stops.push_back(stopped.ok() ? absl::StrCat("exit 0 after ", absl::ToInt64Milliseconds(*stopped), " ms")
                                          : std::string(stopped.status().message()));
    if (!stopped.ok()) failure.Note(absl::StrCat("server ", i + 1, " stop: ", stopped.status().message()));
  }
  return r;
}

}  // namespace crm::faults
