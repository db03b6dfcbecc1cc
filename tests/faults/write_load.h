// The fault drills' write load and its ledger. Writers (one thread each, one call at a time)
// create accounts, each with a request id, and update the industry of accounts they made. The
// ledger keeps every acknowledged write and every call whose outcome is unknown because a fault
// cut it off; afterwards the drill resends the unresolved creates with their request ids and
// checks the server's accounts against the ledger: nothing acknowledged missing, no duplicates.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/v1/account.grpc.pb.h"

namespace crm::faults {

// One call as a writer saw it.
struct CallRecord {
  enum class Kind { kCreate, kCreateRetry, kUpdate };
  Kind kind = Kind::kCreate;
  absl::Time start;
  absl::Time end;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;  // failures only

  bool ok() const { return code == grpc::StatusCode::OK; }
  absl::Duration latency() const { return end - start; }
};

// What the ledger knows about one account a writer set out to create.
struct LedgerAccount {
  // As first sent: a retry sends it again unchanged (the server fingerprints the body).
  crm::v1::CreateAccountRequest create;
  // Empty while no create attempt has been acknowledged.
  std::string id;
  int failed_attempts = 0;
  absl::Time last_failed_attempt_end;
  // The last acknowledged industry, and the values of updates sent since then whose outcome is
  // unknown: the server may hold any of them.
  std::string industry;
  std::vector<std::string> unknown_industries;
};

struct WriteTally {
  int64_t creates_acked = 0;
  int64_t updates_acked = 0;
  int64_t creates_failed = 0;  // attempts that failed: outcome unknown
  int64_t updates_failed = 0;
  int64_t create_retries = 0;  // attempts that resent a create after a failed attempt
  // Creates acknowledged after failed attempts: one of those had committed (the retry got that
  // account back, by its create_time) or none had (the retry created it).
  int64_t retries_found_committed = 0;
  int64_t retries_created = 0;
  int64_t bad_responses = 0;  // OK answers whose content was wrong
  std::vector<std::string> bad_response_samples;

  void Add(const WriteTally& other);
};

// The server's accounts of the run compared with the ledger.
struct VerifyResult {
  int64_t accounts_listed = 0;
  int64_t accounts_expected = 0;
  int64_t lost_creates = 0;      // acknowledged, not on the server
  int64_t lost_updates = 0;      // industry neither the acknowledged value nor an unknown later one
  int64_t wrong_content = 0;     // present but with other content than created
  int64_t duplicates = 0;        // on the server but not in the ledger (a create made twice)
  int64_t unresolved = 0;        // creates still without an acknowledged attempt
  int64_t unknown_updates_applied = 0;
  int64_t unknown_updates_not_applied = 0;
  std::vector<std::string> samples;  // the first few problems

  bool ok() const {
    return lost_creates == 0 && lost_updates == 0 && wrong_content == 0 && duplicates == 0 && unresolved == 0;
  }
  // Over several verifications of one run: the problems add up, the account counts are the
  // latest verification's.
  void Add(const VerifyResult& other);
};

struct WriteLoadOptions {
  int writers = 8;
  // Marks the run: the region of its accounts and the prefix of its request ids.
  std::string tag;
  // Share of calls that are creates (the rest update one of the writer's accounts).
  double create_share = 0.4;
  absl::Duration call_deadline = absl::Seconds(5);
  // Kill drill: a writer stops at its first failed call (the server is gone until the restart).
  // Outage drill: it keeps calling, pausing after a failure so an outage is not a busy loop.
  bool stop_at_failure = true;
  absl::Duration pause_after_failure = absl::Milliseconds(10);
  uint64_t seed = 1;
};

class WriteLoad {
 public:
  explicit WriteLoad(WriteLoadOptions options);
  ~WriteLoad();
  WriteLoad(const WriteLoad&) = delete;
  WriteLoad& operator=(const WriteLoad&) = delete;

  // Starts the writers against the server at `address` (one channel shared by all of them).
  void Start(const std::string& address, const std::string& token);
  // Lets each writer finish its current call, then joins them.
  void Stop();

  // The calls made since the last TakeCalls.
  std::vector<CallRecord> TakeCalls();

  // Sends each create whose outcome is unknown again with its request id (and body) until it is
  // acknowledged; fails when one is still refused after a few tries. These retries count in the
  // tally but not among the calls.
  absl::Status ResolveUnknownCreates(const std::string& address, const std::string& token);

  // Lists the run's accounts and compares them with the ledger. An update whose outcome was
  // unknown becomes known here: the ledger takes the value found.
  absl::StatusOr<VerifyResult> Verify(const std::string& address, const std::string& token);

  WriteTally Tally() const;
  // Accounts the ledger holds (acknowledged or not).
  int64_t LedgerSize() const;

 private:
  class Writer;
  WriteLoadOptions options_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
};

}  // namespace crm::faults
