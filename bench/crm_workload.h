// crm-server's side of the load benchmark (bench/crm_load.cc), as operations for the asynchronous
// engine (bench/async_load.h): seed data created through the API, the single-account read, and the
// mixed workload of reads, writes, stage moves, ticket updates, funnel and tier summary. A later
// driver (several servers, a soak) can load any running crm-server with the same operations.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/async_load.h"
#include "bench/load_runner.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"

namespace crm::bench {

// The mixed workload's operations, by name (the names of their RPCs).
const std::vector<std::string>& MixedOperationNames();

// The mixed workload's weights unless a run says otherwise: mostly reads, a fifth single-record
// writes, a fifth analytics.
inline constexpr char kDefaultMix[] =
    "GetAccount=40,ListAccounts=10,CreateAccount=5,UpdateAccount=10,MoveOpportunity=10,UpdateTicket=10,"
    "GetFunnel=10,GetTierSummary=5";

// Weights from "Name=weight,..." text (names from MixedOperationNames(), unnamed ones get 0);
// INVALID_ARGUMENT naming the bad item, or when no weight is positive.
absl::StatusOr<std::map<std::string, double>> ParseMix(const std::string& text);

// True when `operation` may answer `code` under load without failing the run: ABORTED on writes
// (the server's "concurrent change, try again"), and FAILED_PRECONDITION on MoveOpportunity (two
// concurrent moves of one opportunity to the same stage). See crm_workload.cc.
bool IsExpectedError(const std::string& operation, const std::string& code);

// What GetAccount answers for a seeded account, with the fields the server sets: sizes the echo
// server's reply before any crm-server runs.
crm::v1::Account SampleAccount();

struct SeedPlan {
  int accounts = 2000;
  // One opportunity on every n-th account.
  int opportunity_every = 4;
  int tickets = 500;
  // Calls in flight while seeding.
  int in_flight = 32;
  // For the CPU figures of the seed steps; 0 = not measured.
  pid_t server_pid = 0;
};

class CrmWorkload {
 public:
  // `most_slots`: the largest in_flight of any phase that will use these operations (each slot
  // draws its ids from a generator of its own). `tag` makes names and request ids of this run
  // distinct from earlier runs on the same database.
  CrmWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::string token, absl::Duration deadline,
              std::string tag, int most_slots);

  // Finds the default pipeline and its open stages, which MoveOpportunity cycles through.
  absl::Status LoadPipeline();
  // Creates the accounts, then an opportunity on every opportunity_every-th of them, then tickets
  // on random ones, each step closed loop; returns each step's result. Needs LoadPipeline first.
  std::vector<PhaseResult> Seed(const SeedPlan& plan);

  size_t accounts() const { return account_ids_.size(); }
  size_t opportunities() const { return opportunity_ids_.size(); }
  size_t tickets() const { return ticket_ids_.size(); }
  // The size of the first GetAccount response seen (0 before any).
  size_t account_response_bytes() const { return account_response_bytes_.load(); }

  // GetAccount of a random seeded account.
  Operation GetAccount();
  // Every operation of MixedOperationNames(), weighted by `weights` (by name; missing = 0).
  std::vector<Operation> Mixed(const std::map<std::string, double>& weights);

 private:
  // Keeps the id a seed call created in its slot's list (none when `ids` is null).
  struct KeepId {
    std::vector<std::string>* ids;
    CallOutcome operator()(const std::string& id) const;
  };
  using SeedCall = std::function<void(int slot, int64_t seq, KeepId keep, CallDone done)>;

  PhaseResult SeedStep(const std::string& name, const AsyncLoadOptions& options, std::vector<std::string>& ids,
                       const SeedCall& start);
  template <typename Request, typename Response>
  std::unique_ptr<UnaryCall<Request, Response>> NewCall() const;

  // The stubs' callback interfaces ("class": the stubs' async() member hides the class name).
  using AccountsAsync = class crm::v1::AccountService::Stub::async;
  using PipelinesAsync = class crm::v1::PipelineService::Stub::async;
  using DeskAsync = class crm::v1::ServiceDeskService::Stub::async;
  using KamAsync = class crm::v1::KeyAccountService::Stub::async;
  AccountsAsync* Accounts(int slot) { return accounts_[slot % accounts_.size()]->async(); }
  PipelinesAsync* Pipelines(int slot) { return pipelines_[slot % pipelines_.size()]->async(); }
  DeskAsync* Desk(int slot) { return desk_[slot % desk_.size()]->async(); }
  KamAsync* Kam(int slot) { return kam_[slot % kam_.size()]->async(); }
  size_t PickIndex(size_t size, int slot);
  const std::string& PickOf(const std::vector<std::string>& ids, int slot) { return ids[PickIndex(ids.size(), slot)]; }

  void StartCreateAccount(int slot, crm::v1::CreateAccountRequest request, KeepId keep, CallDone done);
  Operation ListAccounts();
  Operation CreateAccount();
  Operation UpdateAccount();
  Operation MoveOpportunity();
  Operation UpdateTicket();
  Operation GetFunnel();
  Operation GetTierSummary();

  const std::string token_;
  const absl::Duration deadline_;
  const std::string tag_;
  std::vector<std::unique_ptr<crm::v1::AccountService::Stub>> accounts_;
  std::vector<std::unique_ptr<crm::v1::PipelineService::Stub>> pipelines_;
  std::vector<std::unique_ptr<crm::v1::ServiceDeskService::Stub>> desk_;
  std::vector<std::unique_ptr<crm::v1::KeyAccountService::Stub>> kam_;
  std::vector<std::mt19937_64> rngs_;  // one per in-flight slot

  std::string pipeline_id_;
  std::vector<std::string> open_stages_;
  std::vector<std::string> account_ids_;
  std::vector<std::string> opportunity_ids_;
  std::unique_ptr<std::atomic<int>[]> opportunity_stage_;  // index into open_stages_, per opportunity
  std::vector<std::string> ticket_ids_;
  std::atomic<size_t> account_response_bytes_{0};
  std::atomic<int64_t> next_create_{0};
};

}  // namespace crm::bench
