#include "tests/faults/write_load.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/bench_auth.h"
#include "common/core/time_util.h"

namespace crm::faults {
namespace {

constexpr size_t kMaxSamples = 8;
// Tries per unresolved create after the fault; the server answers SERVING by then.
constexpr int kResolveTries = 20;
constexpr absl::Duration kResolvePause = absl::Milliseconds(100);
constexpr absl::Duration kListDeadline = absl::Seconds(60);

void Sample(std::vector<std::string>& samples, std::string what) {
  if (samples.size() < kMaxSamples) samples.push_back(std::move(what));
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // A channel of its own: the drill's channels must not share a connection through gRPC's global
  // subchannel pool with another round's.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

void WriteTally::Add(const WriteTally& other) {
  creates_acked += other.creates_acked;
  updates_acked += other.updates_acked;
  creates_failed += other.creates_failed;
  updates_failed += other.updates_failed;
  create_retries += other.create_retries;
  retries_found_committed += other.retries_found_committed;
  retries_created += other.retries_created;
  bad_responses += other.bad_responses;
  for (const std::string& s : other.bad_response_samples) Sample(bad_response_samples, s);
}

void VerifyResult::Add(const VerifyResult& other) {
  accounts_listed = other.accounts_listed;
  accounts_expected = other.accounts_expected;
  lost_creates += other.lost_creates;
  lost_updates += other.lost_updates;
  wrong_content += other.wrong_content;
  duplicates += other.duplicates;
  unresolved += other.unresolved;
  unknown_updates_applied += other.unknown_updates_applied;
  unknown_updates_not_applied += other.unknown_updates_not_applied;
  for (const std::string& s : other.samples) Sample(samples, s);
}

// One writer: its own accounts, random stream and call log; touched by its thread during the
// load and by the drill's thread between loads.
class WriteLoad::Writer {
 public:
  Writer(int index, const WriteLoadOptions& options)
      : index_(index), options_(options), random_(options.seed * 1000003 + static_cast<uint64_t>(index)) {}

  // One call: a create (the unresolved one again, or a new one) or an update.
  CallRecord Step(crm::v1::AccountService::Stub& stub, const std::string& token) {
    const bool create = acked_.empty() || std::uniform_real_distribution<double>(0, 1)(random_) < options_.create_share;
    if (create) {
      if (!unresolved_.has_value()) unresolved_ = NewAccount();
      return SendCreate(stub, token, *unresolved_);
    }
    const size_t pick = std::uniform_int_distribution<size_t>(0, acked_.size() - 1)(random_);
    return SendUpdate(stub, token, acked_[pick]);
  }

  // The create whose outcome is unknown, if any.
  std::optional<size_t> unresolved() const { return unresolved_; }

  CallRecord SendCreate(crm::v1::AccountService::Stub& stub, const std::string& token, size_t index) {
    LedgerAccount& account = accounts_[index];
    CallRecord record;
    record.kind = account.failed_attempts > 0 ? CallRecord::Kind::kCreateRetry : CallRecord::Kind::kCreate;
    if (account.failed_attempts > 0) ++tally_.create_retries;
    grpc::ClientContext context;
    bench::PrepareCall(context, token, options_.call_deadline);
    crm::v1::Account response;
    record.start = absl::Now();
    const grpc::Status status = stub.CreateAccount(&context, account.create, &response);
    record.end = absl::Now();
    if (!status.ok()) {
      record.code = status.error_code();
      record.message = status.error_message();
      ++account.failed_attempts;
      account.last_failed_attempt_end = record.end;
      ++tally_.creates_failed;
      return record;
    }
    const crm::v1::Account& sent = account.create.account();
    if (response.id().empty() || response.name() != sent.name() || response.region() != sent.region()) {
      // Acknowledged with the wrong content: a broken promise, not an unknown outcome. The
      // account stays unresolved so the verification reports it.
      ++tally_.bad_responses;
      Sample(tally_.bad_response_samples, absl::StrCat("create ", account.create.request_id(), " answered id \"",
                                                       response.id(), "\" name \"", response.name(), "\""));
      return record;
    }
    account.id = response.id();
    account.industry = response.industry();
    acked_.push_back(index);
    unresolved_.reset();
    ++tally_.creates_acked;
    if (account.failed_attempts > 0) {
      // The server stamps create_time before committing: earlier than the end of a failed attempt
      // means that attempt had committed and the request id brought its account back.
      if (TimestampToTime(response.create_time()) < account.last_failed_attempt_end) {
        ++tally_.retries_found_committed;
      } else {
        ++tally_.retries_created;
      }
    }
    return record;
  }

  CallRecord SendUpdate(crm::v1::AccountService::Stub& stub, const std::string& token, size_t index) {
    LedgerAccount& account = accounts_[index];
    const std::string value = absl::StrCat("w", index_, "-u", ++updates_sent_);
    crm::v1::UpdateAccountRequest request;
    request.mutable_account()->set_id(account.id);
    request.mutable_account()->set_industry(value);
    request.mutable_update_mask()->add_paths("industry");
    CallRecord record;
    record.kind = CallRecord::Kind::kUpdate;
    grpc::ClientContext context;
    bench::PrepareCall(context, token, options_.call_deadline);
    crm::v1::Account response;
    record.start = absl::Now();
    const grpc::Status status = stub.UpdateAccount(&context, request, &response);
    record.end = absl::Now();
    if (!status.ok()) {
      record.code = status.error_code();
      record.message = status.error_message();
      account.unknown_industries.push_back(value);
      ++tally_.updates_failed;
      return record;
    }
    if (response.id() != account.id || response.industry() != value) {
      ++tally_.bad_responses;
      Sample(tally_.bad_response_samples, absl::StrCat("update of ", account.id, " to \"", value, "\" answered id \"",
                                                       response.id(), "\" industry \"", response.industry(), "\""));
      account.unknown_industries.push_back(value);
      return record;
    }
    account.industry = value;
    account.unknown_industries.clear();
    ++tally_.updates_acked;
    return record;
  }

  std::vector<LedgerAccount>& accounts() { return accounts_; }
  const std::vector<LedgerAccount>& accounts() const { return accounts_; }
  std::vector<CallRecord>& calls() { return calls_; }
  const WriteTally& tally() const { return tally_; }

 private:
  size_t NewAccount() {
    const int64_t n = static_cast<int64_t>(accounts_.size());
    LedgerAccount account;
    account.create.set_request_id(absl::StrCat(options_.tag, "-w", index_, "-", n));
    crm::v1::Account* a = account.create.mutable_account();
    a->set_name(absl::StrCat("Drill ", options_.tag, " w", index_, " #", n));
    a->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    a->set_region(options_.tag);
    a->set_industry("new");
    const crm::v1::SizeBand bands[] = {crm::v1::SIZE_BAND_SMALL, crm::v1::SIZE_BAND_MEDIUM, crm::v1::SIZE_BAND_LARGE};
    a->set_size_band(bands[std::uniform_int_distribution<int>(0, 2)(random_)]);
    a->set_lifecycle_stage(crm::v1::LIFECYCLE_STAGE_PROSPECT);
    accounts_.push_back(std::move(account));
    return accounts_.size() - 1;
  }

  const int index_;
  const WriteLoadOptions& options_;
  std::mt19937_64 random_;
  std::vector<LedgerAccount> accounts_;
  std::vector<size_t> acked_;  // indexes of accounts with an acknowledged create
  std::optional<size_t> unresolved_;
  int64_t updates_sent_ = 0;
  std::vector<CallRecord> calls_;
  WriteTally tally_;
};

WriteLoad::WriteLoad(WriteLoadOptions options) : options_(std::move(options)) {
  for (int i = 0; i < options_.writers; ++i) writers_.push_back(std::make_unique<Writer>(i, options_));
}

WriteLoad::~WriteLoad() { Stop(); }

void WriteLoad::Start(const std::string& address, const std::string& token) {
  Stop();
  stopping_ = false;
  std::shared_ptr<grpc::Channel> channel = MakeChannel(address);
  for (auto& writer : writers_) {
    threads_.emplace_back([this, channel, token, w = writer.get()] {
      std::unique_ptr<crm::v1::AccountService::Stub> stub = crm::v1::AccountService::NewStub(channel);
      while (!stopping_.load()) {
        CallRecord record = w->Step(*stub, token);
        const bool failed = !record.ok();
        w->calls().push_back(std::move(record));
        if (failed) {
          if (options_.stop_at_failure) return;
          std::this_thread::sleep_for(absl::ToChronoMilliseconds(options_.pause_after_failure));
        }
      }
    });
  }
}

void WriteLoad::Stop() {
  stopping_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

std::vector<CallRecord> WriteLoad::TakeCalls() {
  std::vector<CallRecord> all;
  for (auto& writer : writers_) {
    std::vector<CallRecord>& calls = writer->calls();
    all.insert(all.end(), std::make_move_iterator(calls.begin()), std::make_move_iterator(calls.end()));
    calls.clear();
  }
  return all;
}

absl::Status WriteLoad::ResolveUnknownCreates(const std::string& address, const std::string& token) {
  std::unique_ptr<crm::v1::AccountService::Stub> stub = crm::v1::AccountService::NewStub(MakeChannel(address));
  for (auto& writer : writers_) {
    std::optional<size_t> index = writer->unresolved();
    if (!index.has_value()) continue;
    CallRecord last;
    for (int attempt = 0; attempt < kResolveTries && writer->unresolved().has_value(); ++attempt) {
      if (attempt > 0) absl::SleepFor(kResolvePause);
      last = writer->SendCreate(*stub, token, *index);
    }
    if (writer->unresolved().has_value()) {
      return absl::Status(static_cast<absl::StatusCode>(last.code),
                          absl::StrCat("create ", writer->accounts()[*index].create.request_id(), " was still refused after ",
                                       kResolveTries, " retries: ", last.message));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifyResult> WriteLoad::Verify(const std::string& address, const std::string& token) {
  std::unique_ptr<crm::v1::AccountService::Stub> stub = crm::v1::AccountService::NewStub(MakeChannel(address));
  absl::flat_hash_map<std::string, crm::v1::Account> listed;
  VerifyResult result;
  crm::v1::ListAccountsRequest request;
  request.set_page_size(1000);
  request.mutable_filter()->set_region(options_.tag);
  do {
    grpc::ClientContext context;
    bench::PrepareCall(context, token, kListDeadline);
    crm::v1::ListAccountsResponse page;
    const grpc::Status status = stub->ListAccounts(&context, request, &page);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("ListAccounts: ", status.error_message()));
    }
    for (crm::v1::Account& account : *page.mutable_accounts()) {
      ++result.accounts_listed;
      const std::string id = account.id();
      if (!listed.emplace(id, std::move(account)).second) {
        ++result.duplicates;
        Sample(result.samples, absl::StrCat("account ", id, " listed twice"));
      }
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());

  for (auto& writer : writers_) {
    for (LedgerAccount& account : writer->accounts()) {
      ++result.accounts_expected;
      const crm::v1::Account& sent = account.create.account();
      if (account.id.empty()) {
        ++result.unresolved;
        Sample(result.samples, absl::StrCat("create ", account.create.request_id(), " was never acknowledged"));
        continue;
      }
      auto found = listed.find(account.id);
      if (found == listed.end()) {
        ++result.lost_creates;
        Sample(result.samples, absl::StrCat("acknowledged account ", account.id, " (", sent.name(), ") is missing"));
        continue;
      }
      const crm::v1::Account& got = found->second;
      if (got.name() != sent.name() || got.kind() != sent.kind() || got.region() != sent.region() ||
          got.size_band() != sent.size_band() || got.lifecycle_stage() != sent.lifecycle_stage()) {
        ++result.wrong_content;
        Sample(result.samples, absl::StrCat("account ", account.id, " holds ", got.ShortDebugString(), ", created as ",
                                            sent.ShortDebugString()));
      }
      if (got.industry() == account.industry) {
        result.unknown_updates_not_applied += static_cast<int64_t>(account.unknown_industries.size());
      } else if (std::find(account.unknown_industries.begin(), account.unknown_industries.end(), got.industry()) !=
                 account.unknown_industries.end()) {
        ++result.unknown_updates_applied;
        result.unknown_updates_not_applied += static_cast<int64_t>(account.unknown_industries.size()) - 1;
        account.industry = got.industry();
      } else {
        ++result.lost_updates;
        Sample(result.samples, absl::StrCat("account ", account.id, " has industry \"", got.industry(),
                                            "\"; acknowledged \"", account.industry, "\", unknown outcome: ",
                                            account.unknown_industries.size(), " later update(s)"));
      }
      account.unknown_industries.clear();
      listed.erase(found);
    }
  }
  // Whatever is left was created by the run but is not in the ledger: a create made twice.
  for (const auto& [id, account] : listed) {
    ++result.duplicates;
    Sample(result.samples, absl::StrCat("account ", id, " (", account.name(), ") is not in the ledger: a duplicate"));
  }
  return result;
}

WriteTally WriteLoad::Tally() const {
  WriteTally total;
  for (const auto& writer : writers_) total.Add(writer->tally());
  return total;
}

int64_t WriteLoad::LedgerSize() const {
  int64_t n = 0;
  for (const auto& writer : writers_) n += static_cast<int64_t>(writer->accounts().size());
  return n;
}

}  // namespace crm::faults
