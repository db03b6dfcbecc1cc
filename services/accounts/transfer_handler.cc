// The streaming edge of AccountService: ImportAccounts (client streaming) and ExportAccounts
// (server streaming). Each call is a callback reactor; its reactions only move messages and
// state, and every blocking step (database work) runs on the worker pool.
//
// Lifetime, as in services/events/subscription.cc: gRPC calls OnDone once the call is over, but
// a worker task may still hold the reactor then. `pending_` counts those tasks; whichever of
// OnDone and the last task comes second deletes the reactor. A task checks `finished_` under
// `mu_` before it touches the call, and gRPC operations are started under `mu_` and never after
// Finish, so a client that cancels mid-stream cannot make a task use a freed call or reactor.
// Nothing here lets an exception reach gRPC (it would turn into UNIMPLEMENTED).
#include <grpcpp/grpcpp.h>

#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/server/call_context.h"
#include "common/server/failed_stream.h"
#include "common/server/grpc_status.h"
#include "common/server/unary.h"
#include "services/accounts/account_handler.h"

namespace crm::accounts {
namespace {

using crm::v1::Account;
using server::FailedStream;

grpc::Status FromException() { return server::ToGrpcStatus(server::StatusFromException()); }

// ImportAccounts. Reads rows ahead while the previous batch is written, at most
// kMaxImportBatch of them: reading pauses when that many are queued, so a fast client is held
// back by flow control and memory stays bounded. One batch is in the worker pool at a time, so
// rows are applied in stream order. Only counts and the first kMaxReportedImportErrors errors
// are kept. Rows arrive as bytes and are parsed here, so that one that does not parse fails as
// a row (account_handler.h).
class ImportStream final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  ImportStream(const server::Runtime& runtime, const AccountTransferLogic& logic, grpc::CallbackServerContext* context,
               server::CallContext call, grpc::ByteBuffer* response_bytes)
      : rt_(runtime), logic_(logic), context_(context), call_(std::move(call)), response_bytes_(response_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    ReadNextLocked();
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    reading_ = false;
    if (finished_) return;
    try {
      if (!ok) {
        // Either the client closed its side (the import is complete once the queue drains) or
        // the call broke.
        if (context_->IsCancelled()) {
          FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled"));
          return;
        }
        input_done_ = true;
        if (!working_) FinishLocked(grpc::Status::OK);
        return;
      }
      ImportRow row;
      row.index = response_.received();
      crm::v1::ImportAccountsRequest request;
      // Deserialize empties incoming_ for the next read, whether the row parses or not.
      if (grpc::SerializationTraits<crm::v1::ImportAccountsRequest>::Deserialize(&incoming_, &request).ok()) {
        row.account = std::move(*request.mutable_account());
        row.confirm_duplicate = request.confirm_duplicate();
      } else {
        row.unparsable = true;
      }
      response_.set_received(response_.received() + 1);
      queued_.push_back(std::move(row));
      if (!working_) ScheduleBatchLocked();
      if (queued_.size() < static_cast<size_t>(kMaxImportBatch)) ReadNextLocked();
    } catch (...) {
      FinishLocked(FromException());
    }
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled"));
  }

  void OnDone() override {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      last = pending_ == 0;
    }
    if (last) delete this;
  }

 private:
  void ReadNextLocked() {
    reading_ = true;
    StartRead(&incoming_);
  }

  // Hands the queued rows to the worker pool as the next batch.
  void ScheduleBatchLocked() {
    working_ = true;
    batch_.swap(queued_);
    queued_.clear();
    ++pending_;
    rt_.workers->Submit([this] { RunBatch(); });
  }

  void RunBatch() {
    bool run;
    {
      std::lock_guard<std::mutex> lock(mu_);
      run = !finished_;
    }
    // batch_ belongs to this task until it sets working_ back to false.
    absl::StatusOr<std::vector<ImportRowResult>> results = absl::CancelledError("import cancelled");
    if (run) {
      try {
        const ScopedCurrentCall current(server::CurrentCallOf(call_));
        results = logic_.ImportBatch(call_, batch_);
      } catch (...) {
        results = server::StatusFromException();
      }
    }
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      working_ = false;
      try {
        AfterBatchLocked(results);
      } catch (...) {
        FinishLocked(FromException());
      }
      last = ReleaseLocked();
    }
    if (last) delete this;
  }

  void AfterBatchLocked(const absl::StatusOr<std::vector<ImportRowResult>>& results) {
    batch_.clear();
    if (finished_) return;
    if (!results.ok()) {
      FinishLocked(server::ToGrpcStatus(results.status()));
      return;
    }
    for (const ImportRowResult& result : *results) TallyImportRow(result, &response_);
    if (!queued_.empty()) {
      ScheduleBatchLocked();
    } else if (input_done_) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    // Reading paused while the queue was full; it has just been emptied.
    if (!reading_ && !input_done_) ReadNextLocked();
  }

  // A worker task has ended; true when the reactor may now be deleted.
  bool ReleaseLocked() {
    --pending_;
    return done_ && pending_ == 0;
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    if (status.ok()) {
      const std::string bytes = response_.SerializeAsString();
      grpc::Slice slice(bytes);
      *response_bytes_ = grpc::ByteBuffer(&slice, 1);
    }
    Finish(status);
  }

  const server::Runtime& rt_;
  const AccountTransferLogic& logic_;
  grpc::CallbackServerContext* const context_;  // used in reactions only
  const server::CallContext call_;
  grpc::ByteBuffer* const response_bytes_;  // set under mu_ by FinishLocked only

  std::mutex mu_;
  crm::v1::ImportAccountsResponse response_;
  grpc::ByteBuffer incoming_;
  std::vector<ImportRow> queued_;  // read, waiting for the next batch
  std::vector<ImportRow> batch_;   // being written by the worker task
  bool reading_ = false;
  bool working_ = false;
  bool input_done_ = false;
  bool finished_ = false;
  int pending_ = 0;
  bool done_ = false;
};

// ExportAccounts. Reads keyset pages of kExportBatchSize in id order on the worker pool and
// writes the accounts one at a time, each after the previous write completed (flow control).
// The next page is fetched while the last half of the current one is being written.
class ExportStream final : public grpc::ServerWriteReactor<Account> {
 public:
  ExportStream(const server::Runtime& runtime, const AccountTransferLogic& logic, const server::CallContext& call,
               const crm::v1::ExportAccountsRequest& request)
      : rt_(runtime), logic_(logic), call_(call), request_(request) {
    std::lock_guard<std::mutex> lock(mu_);
    ScheduleFetchLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "export stream closed"));
      return;
    }
    try {
      PumpLocked();
    } catch (...) {
      FinishLocked(FromException());
    }
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "export cancelled"));
  }

  void OnDone() override {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      last = pending_ == 0;
    }
    if (last) delete this;
  }

 private:
  void ScheduleFetchLocked() {
    fetching_ = true;
    ++pending_;
    rt_.workers->Submit([this] { Fetch(); });
  }

  void Fetch() {
    std::string after;
    bool run;
    {
      std::lock_guard<std::mutex> lock(mu_);
      run = !finished_;
      after = cursor_;
    }
    absl::StatusOr<std::vector<Account>> page = absl::CancelledError("export cancelled");
    if (run) {
      try {
        page = logic_.ExportPage(call_, request_, after, kExportBatchSize);
      } catch (...) {
        page = server::StatusFromException();
      }
    }
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fetching_ = false;
      if (!finished_) {
        try {
          if (!page.ok()) {
            failure_ = server::ToGrpcStatus(page.status());
          } else {
            more_ = static_cast<int>(page->size()) == kExportBatchSize;
            if (!page->empty()) cursor_ = page->back().id();
            for (Account& a : *page) buffer_.push_back(std::move(a));
          }
          PumpLocked();
        } catch (...) {
          FinishLocked(FromException());
        }
      }
      last = ReleaseLocked();
    }
    if (last) delete this;
  }

  // Writes the next buffered account, fetches ahead when the buffer runs low, and finishes once
  // everything is written or a fetch failed (after the write in flight, if any, completed).
  void PumpLocked() {
    if (finished_ || writing_) return;
    if (failure_.has_value()) {
      FinishLocked(*failure_);
      return;
    }
    if (more_ && !fetching_ && buffer_.size() <= static_cast<size_t>(kExportBatchSize / 2)) ScheduleFetchLocked();
    if (!buffer_.empty()) {
      in_flight_ = std::move(buffer_.front());
      buffer_.pop_front();
      writing_ = true;
      StartWrite(&in_flight_);
      return;
    }
    if (!fetching_) FinishLocked(grpc::Status::OK);
  }

  bool ReleaseLocked() {
    --pending_;
    return done_ && pending_ == 0;
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    buffer_.clear();
    Finish(status);
  }

  const server::Runtime& rt_;
  const AccountTransferLogic& logic_;
  const server::CallContext call_;
  // A copy: the call's request object is gone after OnDone, while a task may still run.
  const crm::v1::ExportAccountsRequest request_;

  std::mutex mu_;
  std::string cursor_;  // id of the last account fetched
  std::deque<Account> buffer_;
  Account in_flight_;
  bool writing_ = false;
  bool fetching_ = false;
  bool more_ = false;
  std::optional<grpc::Status> failure_;
  bool finished_ = false;
  int pending_ = 0;
  bool done_ = false;
};

}  // namespace

grpc::ServerReadReactor<grpc::ByteBuffer>* AccountHandler::ImportAccounts(Context* context,
                                                                          grpc::ByteBuffer* response) {
  try {
    absl::StatusOr<server::CallContext> call = server::MakeCallContext(*context, server::StartingCall());
    if (!call.ok()) {
      return new FailedStream<grpc::ServerReadReactor<grpc::ByteBuffer>>(server::ToGrpcStatus(call.status()));
    }
    return new ImportStream(rt_, transfer_, context, *std::move(call), response);
  } catch (...) {
    return new FailedStream<grpc::ServerReadReactor<grpc::ByteBuffer>>(FromException());
  }
}

grpc::ServerWriteReactor<Account>* AccountHandler::ExportAccounts(Context* context,
                                                                  const crm::v1::ExportAccountsRequest* request) {
  try {
    absl::StatusOr<server::CallContext> call = server::MakeCallContext(*context, server::StartingCall());
    if (!call.ok()) return new FailedStream<grpc::ServerWriteReactor<Account>>(server::ToGrpcStatus(call.status()));
    if (absl::Status valid = transfer_.ValidateExport(*request); !valid.ok()) {
      return new FailedStream<grpc::ServerWriteReactor<Account>>(server::ToGrpcStatus(valid));
    }
    return new ExportStream(rt_, transfer_, *std::move(call), *request);
  } catch (...) {
    return new FailedStream<grpc::ServerWriteReactor<Account>>(FromException());
  }
}

}  // namespace crm::accounts
