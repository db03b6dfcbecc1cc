// merge_bench: how long DuplicateService.MergeAccounts takes for an account with many rows, and
// what other callers feel while it runs.
//
// Starts crm-server (SQLite in a scratch directory, or --db=mysql://...), creates a survivor and
// an account to merge into it, and gives the merged account --contacts contacts, --interactions
// interactions, --tickets tickets and --opportunities opportunities through the API. Then it
// merges them in one call with the --merge_timeout_seconds deadline a client would give it, while
// three probes call every --probe_interval_ms:
//   read      GetAccount of the survivor;
//   survivor  CreateContact on the survivor (waits for the merge: it share-locks the account);
//   elsewhere CreateAccount, a write that touches neither account.
// Each probe reports its calls and latencies while the merge ran, and its slowest call.
//
// Afterwards every moved row is counted under the survivor through the list APIs. Prints a table
// and, as its last line, a one-line JSON summary. Exits 1 when the merge fails, a row is not
// where it should be, or a probe call fails. See bench/README.md.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif

ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(std::string, db, "", "crm-server's --db; empty: SQLite in the scratch directory.");
ABSL_FLAG(int, contacts, 1000, "Contacts of the merged account.");
ABSL_FLAG(int, interactions, 10000, "Interactions of the merged account (every tenth names a contact).");
ABSL_FLAG(int, tickets, 2000, "Tickets of the merged account.");
ABSL_FLAG(int, opportunities, 1000, "Opportunities of the merged account.");
ABSL_FLAG(int, seed_callers, 16, "Concurrent callers creating the rows.");
ABSL_FLAG(int, probe_interval_ms, 5, "Pause between one probe call and its next.");
ABSL_FLAG(double, merge_timeout_seconds, 60, "The merge call's deadline.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated.");
ABSL_FLAG(std::string, tmp_dir, "", "Where to make the scratch directory. Empty: $TMPDIR or /tmp.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr absl::Duration kCallTimeout = absl::Seconds(30);

struct Stubs {
  std::unique_ptr<crm::v1::AccountService::Stub> accounts;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk;
  std::unique_ptr<crm::v1::DuplicateService::Stub> duplicates;
};

std::string Described(const grpc::Status& status) {
  return absl::StrCat(StatusCodeName(status.error_code()), ": ", status.error_message());
}

// Runs `create(i)` for i in [0, count) on `callers` threads; the first failure, if any.
absl::Status SeedRows(const std::string& what, int count, int callers, const std::function<grpc::Status(int)>& create) {
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status first_failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < callers; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        const grpc::Status status = create(i);
        if (status.ok()) continue;
        std::lock_guard<std::mutex> lock(mu);
        if (first_failure.ok()) first_failure = absl::InternalError(absl::StrCat(what, " ", i, ": ", Described(status)));
        return;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return first_failure;
}

// One probe: calls `call` every interval from Start until Stop; keeps the latency of calls that
// began while the merge ran.
class Probe {
 public:
  Probe(std::string name, std::function<grpc::Status(int64_t seq)> call) : name_(std::move(name)), call_(std::move(call)) {}

  void Start(absl::Duration interval) {
    thread_ = std::thread([this, interval] {
      for (int64_t seq = 0; !stop_.load(); ++seq) {
        const bool during = merging_.load();
        const Clock::time_point begin = Clock::now();
        const grpc::Status status = call_(seq);
        const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin).count();
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (!status.ok()) {
            ++failures_;
            if (first_failure_.empty()) first_failure_ = Described(status);
            continue;
          }
          ++succeeded_;
          if (during) during_ns_.push_back(ns);
        }
        absl::SleepFor(interval);
      }
    });
  }
  void MergeBegins() { merging_ = true; }
  void MergeEnds() { merging_ = false; }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  const std::string& name() const { return name_; }
  int64_t failures() const { return failures_; }
  int64_t succeeded() const { return succeeded_; }
  const std::string& first_failure() const { return first_failure_; }
  // Latencies of the calls that began during the merge, sorted.
  std::vector<int64_t> DuringMerge() const {
    std::vector<int64_t> sorted = during_ns_;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

 private:
  std::string name_;
  std::function<grpc::Status(int64_t)> call_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> merging_{false};
  std::mutex mu_;
  std::vector<int64_t> during_ns_;
  int64_t failures_ = 0;
  int64_t succeeded_ = 0;
  std::string first_failure_;
};

double PercentileMs(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  return Ms(sorted[index]);
}

// The rows a list RPC answers over all its pages; `request` carries the filter.
template <typename Stub, typename Request, typename Response, typename SizeOf>
absl::StatusOr<int64_t> CountEveryPage(const std::string& token, Stub& stub,
                                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                       Request request, SizeOf size_of) {
  int64_t total = 0;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    PrepareCall(context, token, kCallTimeout);
    Response response;
    const grpc::Status status = (stub.*method)(&context, request, &response);
    if (!status.ok()) return absl::UnavailableError(Described(status));
    total += size_of(response);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return total;
}

int Main() {
  Failure failure("merge_bench");
  const std::string load_average_start = LoadAverage();
  const int contacts = absl::GetFlag(FLAGS_contacts), interactions = absl::GetFlag(FLAGS_interactions),
            tickets = absl::GetFlag(FLAGS_tickets), opportunities = absl::GetFlag(FLAGS_opportunities);
  if (contacts < 1 || interactions < 0 || tickets < 0 || opportunities < 0 || absl::GetFlag(FLAGS_seed_callers) < 1 ||
      absl::GetFlag(FLAGS_probe_interval_ms) < 0 || absl::GetFlag(FLAGS_merge_timeout_seconds) <= 0) {
    std::fprintf(stderr,
                 "merge_bench: --contacts must be at least 1, the other counts not negative, --seed_callers at least 1, "
                 "--merge_timeout_seconds positive\n");
    return 2;
  }
  if (access(absl::GetFlag(FLAGS_server).c_str(), X_OK) != 0) {
    std::fprintf(stderr, "merge_bench: --server=%s is not an executable\n", absl::GetFlag(FLAGS_server).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch =
      ScratchDir::Make(absl::GetFlag(FLAGS_tmp_dir), "crm-merge-bench", /*keep=*/false);
  if (!scratch.ok()) {
    std::fprintf(stderr, "merge_bench: %s\n", std::string(scratch.status().message()).c_str());
    return 2;
  }
  ServerOptions options;
  options.binary = absl::GetFlag(FLAGS_server);
  options.db_url = absl::GetFlag(FLAGS_db);
  options.data_dir = (*scratch)->path() + "/server";
  options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  std::filesystem::create_directories(options.data_dir);
  absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(options);
  if (!started.ok()) {
    std::fprintf(stderr, "merge_bench: server did not start: %s\n", std::string(started.status().message()).c_str());
    return 1;
  }
  ServerProcess& server = **started;
  const std::string token = server.token();
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels = ConnectChannels(server.address(), 1, absl::Seconds(10));
  if (!channels.ok()) {
    std::fprintf(stderr, "merge_bench: %s\n", std::string(channels.status().message()).c_str());
    return 1;
  }
  Stubs stubs{crm::v1::AccountService::NewStub(channels->front()), crm::v1::PipelineService::NewStub(channels->front()),
              crm::v1::ServiceDeskService::NewStub(channels->front()),
              crm::v1::DuplicateService::NewStub(channels->front())};
  // Runs one unary call with the token and the usual deadline.
  const auto call = [&token](auto& stub, auto method, const auto& request, auto* response,
                             absl::Duration timeout = kCallTimeout) {
    grpc::ClientContext context;
    PrepareCall(context, token, timeout);
    return ((*stub).*method)(&context, request, response);
  };
  // A run on a reused MySQL database needs names of its own.
  const std::string tag = absl::StrCat(absl::ToUnixMillis(absl::Now()));

  const auto create_account = [&](const std::string& name, crm::v1::Account* out) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    request.set_confirm_duplicate(true);
    return call(stubs.accounts, &crm::v1::AccountService::Stub::CreateAccount, request, out);
  };
  crm::v1::Account survivor, merged;
  if (grpc::Status s = create_account("Survivor Holdings " + tag, &survivor); !s.ok()) failure.Note(Described(s));
  if (grpc::Status s = create_account("Merged Trading " + tag, &merged); !s.ok()) failure.Note(Described(s));

  // The default pipeline's first stage, for the opportunities.
  std::string pipeline_id, stage_id;
  {
    crm::v1::ListPipelinesRequest request;
    crm::v1::ListPipelinesResponse response;
    grpc::Status s = call(stubs.pipelines, &crm::v1::PipelineService::Stub::ListPipelines, request, &response);
    if (!s.ok() || response.pipelines().empty() || response.pipelines(0).stages().empty()) {
      failure.Note(absl::StrCat("ListPipelines: ", Described(s)));
    } else {
      for (const crm::v1::Pipeline& pipeline : response.pipelines()) {
        if (pipeline.is_default() || pipeline_id.empty()) {
          pipeline_id = pipeline.id();
          stage_id = pipeline.stages(0).id();
        }
      }
    }
  }

  // Seeding.
  const int callers = absl::GetFlag(FLAGS_seed_callers);
  const Clock::time_point seed_begin = Clock::now();
  std::vector<std::string> contact_ids(contacts);
  if (!failure.any) {
    absl::Status seeded = SeedRows("CreateContact", contacts, callers, [&](int i) {
      crm::v1::CreateContactRequest request;
      request.mutable_contact()->set_account_id(merged.id());
      request.mutable_contact()->set_full_name(absl::StrCat("Person ", tag, " ", i));
      request.mutable_contact()->set_email(absl::StrCat("person", i, "@merged-", tag, ".example"));
      request.set_confirm_duplicate(true);
      crm::v1::Contact contact;
      grpc::Status s = call(stubs.accounts, &crm::v1::AccountService::Stub::CreateContact, request, &contact);
      contact_ids[i] = contact.id();
      return s;
    });
    if (!seeded.ok()) failure.Note(std::string(seeded.message()));
  }
  if (!failure.any) {
    absl::Status seeded = SeedRows("LogInteraction", interactions, callers, [&](int i) {
      crm::v1::LogInteractionRequest request;
      crm::v1::Interaction* interaction = request.mutable_interaction();
      interaction->set_account_id(merged.id());
      if (i % 10 == 0) interaction->set_contact_id(contact_ids[static_cast<size_t>(i / 10) % contact_ids.size()]);
      interaction->set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
      interaction->set_subject(absl::StrCat("Call ", i));
      crm::v1::Interaction out;
      return call(stubs.accounts, &crm::v1::AccountService::Stub::LogInteraction, request, &out);
    });
    if (!seeded.ok()) failure.Note(std::string(seeded.message()));
  }
  if (!failure.any) {
    absl::Status seeded = SeedRows("CreateTicket", tickets, callers, [&](int i) {
      crm::v1::CreateTicketRequest request;
      crm::v1::Ticket* ticket = request.mutable_ticket();
      ticket->set_account_id(merged.id());
      ticket->set_priority(static_cast<crm::v1::TicketPriority>(1 + i % 4));
      ticket->set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
      ticket->set_subject(absl::StrCat("Question ", i));
      ticket->set_description("Why does the invoice differ from the order?");
      crm::v1::Ticket out;
      return call(stubs.desk, &crm::v1::ServiceDeskService::Stub::CreateTicket, request, &out);
    });
    if (!seeded.ok()) failure.Note(std::string(seeded.message()));
  }
  if (!failure.any) {
    absl::Status seeded = SeedRows("CreateOpportunity", opportunities, callers, [&](int i) {
      crm::v1::CreateOpportunityRequest request;
      crm::v1::Opportunity* opportunity = request.mutable_opportunity();
      opportunity->set_account_id(merged.id());
      opportunity->set_name(absl::StrCat("Deal ", i));
      opportunity->set_pipeline_id(pipeline_id);
      opportunity->set_stage_id(stage_id);
      opportunity->mutable_amount()->set_currency_code("EUR");
      opportunity->mutable_amount()->set_units(1000 + i);
      crm::v1::Opportunity out;
      return call(stubs.pipelines, &crm::v1::PipelineService::Stub::CreateOpportunity, request, &out);
    });
    if (!seeded.ok()) failure.Note(std::string(seeded.message()));
  }
  const double seed_seconds = std::chrono::duration<double>(Clock::now() - seed_begin).count();

  // The merge, with the probes running.
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::make_unique<Probe>("read: GetAccount of the survivor", [&](int64_t) {
    crm::v1::GetAccountRequest request;
    request.set_id(survivor.id());
    crm::v1::Account out;
    return call(stubs.accounts, &crm::v1::AccountService::Stub::GetAccount, request, &out);
  }));
  probes.push_back(std::make_unique<Probe>("survivor: CreateContact on it", [&](int64_t seq) {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(survivor.id());
    request.mutable_contact()->set_full_name(absl::StrCat("Prober ", tag, " ", seq));
    request.set_confirm_duplicate(true);
    crm::v1::Contact out;
    return call(stubs.accounts, &crm::v1::AccountService::Stub::CreateContact, request, &out);
  }));
  probes.push_back(std::make_unique<Probe>("elsewhere: CreateAccount", [&](int64_t seq) {
    crm::v1::Account out;
    return create_account(absl::StrCat("Bystander ", tag, " ", seq), &out);
  }));

  crm::v1::MergeAccountsResponse merge;
  double merge_ms = 0;
  if (!failure.any) {
    for (auto& probe : probes) probe->Start(absl::Milliseconds(absl::GetFlag(FLAGS_probe_interval_ms)));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the probes' first calls, before the merge
    crm::v1::MergeAccountsRequest request;
    request.set_survivor_id(survivor.id());
    request.add_merged()->set_id(merged.id());
    request.set_request_id("merge-bench-" + tag);
    for (auto& probe : probes) probe->MergeBegins();
    const Clock::time_point begin = Clock::now();
    const grpc::Status s = call(stubs.duplicates, &crm::v1::DuplicateService::Stub::MergeAccounts, request, &merge,
                                absl::Seconds(absl::GetFlag(FLAGS_merge_timeout_seconds)));
    merge_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    for (auto& probe : probes) probe->MergeEnds();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (auto& probe : probes) probe->Stop();
    if (!s.ok()) failure.Note(absl::StrCat("MergeAccounts: ", Described(s)));
    for (const auto& probe : probes) {
      if (probe->failures() > 0) {
        failure.Note(absl::StrCat(probe->name(), ": ", probe->failures(), " calls failed, e.g. ", probe->first_failure()));
      }
    }
  }

  // Everything seeded is under the survivor now, as the merge record says.
  const std::map<std::string, int64_t> seeded = {
      {"contacts", contacts}, {"interactions", interactions}, {"tickets", tickets}, {"opportunities", opportunities}};
  std::map<std::string, int64_t> listed;
  if (!failure.any) {
    for (const auto& [table, count] : seeded) {
      const int64_t moved = merge.merge().moved().count(table) ? merge.merge().moved().at(table) : 0;
      if (moved != count) failure.Note(absl::StrCat("the merge record moved ", moved, " ", table, ", not ", count));
    }
    const auto count_of = [&](const std::string& table) -> absl::StatusOr<int64_t> {
      if (table == "contacts") {
        crm::v1::ListContactsRequest request;
        request.set_account_id(survivor.id());
        return CountEveryPage(token, *stubs.accounts, &crm::v1::AccountService::Stub::ListContacts, request,
                              [](const crm::v1::ListContactsResponse& r) { return r.contacts_size(); });
      }
      if (table == "interactions") {
        crm::v1::ListInteractionsRequest request;
        request.set_account_id(survivor.id());
        return CountEveryPage(token, *stubs.accounts, &crm::v1::AccountService::Stub::ListInteractions, request,
                              [](const crm::v1::ListInteractionsResponse& r) { return r.interactions_size(); });
      }
      if (table == "tickets") {
        crm::v1::ListTicketsRequest request;
        request.mutable_filter()->set_account_id(survivor.id());
        return CountEveryPage(token, *stubs.desk, &crm::v1::ServiceDeskService::Stub::ListTickets, request,
                              [](const crm::v1::ListTicketsResponse& r) { return r.tickets_size(); });
      }
      crm::v1::ListOpportunitiesRequest request;
      request.set_account_id(survivor.id());
      return CountEveryPage(token, *stubs.pipelines, &crm::v1::PipelineService::Stub::ListOpportunities, request,
                            [](const crm::v1::ListOpportunitiesResponse& r) { return r.opportunities_size(); });
    };
    for (const auto& [table, count] : seeded) {
      absl::StatusOr<int64_t> found = count_of(table);
      if (!found.ok()) {
        failure.Note(absl::StrCat("list ", table, ": ", found.status().message()));
        continue;
      }
      listed[table] = *found;
      // The survivor probe's contacts are the survivor's too.
      const int64_t expected = count + (table == "contacts" ? probes[1]->succeeded() : 0);
      if (*found != expected) failure.Note(absl::StrCat("the survivor lists ", *found, " ", table, ", not ", expected));
    }
  }
  if (absl::StatusOr<absl::Duration> stopped = server.Stop(); !stopped.ok()) {
    failure.Note(absl::StrCat("stop: ", stopped.status().message()));
  }

  std::printf("crm-server MergeAccounts of one account with many rows (%s)\n",
              absl::GetFlag(FLAGS_db).empty() ? "SQLite" : "MySQL");
  std::printf("  seeded %d contacts, %d interactions, %d tickets, %d opportunities in %.1f s (%d callers)\n", contacts,
              interactions, tickets, opportunities, seed_seconds, callers);
  const std::string load_average_end = LoadAverage();
  std::printf("  machine: %u CPUs; load average %s at start, %s at end\n\n", std::thread::hardware_concurrency(),
              load_average_start.c_str(), load_average_end.c_str());
  std::printf("merge: %.1f ms (deadline %.0f s); listed: the survivor's rows afterwards (contacts: with the probe's)\n", merge_ms, absl::GetFlag(FLAGS_merge_timeout_seconds));
  std::printf("%-22s %10s %10s\n", "table", "moved", "listed");
  for (const auto& [table, count] : merge.merge().moved()) {
    std::printf("%-22s %10lld %10s\n", table.c_str(), static_cast<long long>(count),
                listed.count(table) ? std::to_string(listed.at(table)).c_str() : "-");
  }
  std::printf("\nprobes while the merge ran (one call, then %d ms pause)\n", absl::GetFlag(FLAGS_probe_interval_ms));
  std::printf("%-34s %7s %9s %9s %9s\n", "probe", "calls", "p50 ms", "p99 ms", "max ms");
  json probes_json = json::array();
  for (const auto& probe : probes) {
    const std::vector<int64_t> during = probe->DuringMerge();
    const double max_ms = during.empty() ? 0 : Ms(during.back());
    std::printf("%-34s %7zu %9.2f %9.2f %9.1f\n", probe->name().c_str(), during.size(), PercentileMs(during, 50),
                PercentileMs(during, 99), max_ms);
    probes_json.push_back({{"name", probe->name()},
                           {"calls", during.size()},
                           {"p50_ms", PercentileMs(during, 50)},
                           {"p99_ms", PercentileMs(during, 99)},
                           {"max_ms", max_ms},
                           {"failures", probe->failures()}});
  }
  std::printf("%s\n\n", failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");
  json moved_json = json::object();
  for (const auto& [table, count] : merge.merge().moved()) moved_json[table] = count;
  json summary = SummaryHead("merge", failure, absl::GetFlag(FLAGS_db), absl::GetFlag(FLAGS_server), load_average_start,
                             load_average_end);
  summary.update({{"merge_ms", merge_ms}, {"seed_seconds", seed_seconds}, {"moved", moved_json}, {"probes", probes_json}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(argc, argv,
                                  "MergeAccounts of an account with many rows: its duration, and the latency of "
                                  "reads and writes beside it. See bench/README.md.",
                                  crm::bench::Main);
}
