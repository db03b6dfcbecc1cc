// KeyAccountService.Reclassify: the progress stream. The run takes seconds to minutes, so it
// runs on its own thread rather than holding a worker of the pool; progress is coalesced (a
// slow reader sees the latest figures, not a backlog) and the summary is always the last message.
#include <mutex>
#include <optional>
#include <thread>

#include "common/server/failed_stream.h"
#include "common/server/grpc_status.h"
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {
namespace {

using crm::v1::ReclassifyProgress;

class ReclassifyStream final : public grpc::ServerWriteReactor<ReclassifyProgress> {
 public:
  ReclassifyStream(ReclassifyLogic& logic, const server::CallContext& call, const crm::v1::ReclassifyRequest& request)
      : logic_(logic), call_(call), request_(request) {
    std::thread([this] { Work(); }).detach();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      // The reader is gone: stop the run if it has not started writing.
      cancelled_ = true;
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "reclassify stream closed"));
      return;
    }
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "reclassify cancelled"));
  }

  void OnDone() override {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      last = work_finished_;
    }
    if (last) delete this;
  }

 private:
  void Work() {
    absl::StatusOr<crm::v1::ReclassifySummary> summary = absl::InternalError("reclassify did not run");
    try {
      const ScopedCurrentCall current(server::CurrentCallOf(call_));
      summary = logic_.Run(
          call_, request_,
          [this](const ReclassifyProgress& progress) {
            std::lock_guard<std::mutex> lock(mu_);
            latest_ = progress;
            PumpLocked();
          },
          &cancelled_);
    } catch (...) {
      summary = server::StatusFromException();
    }
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (summary.ok()) {
        ReclassifyProgress done;
        done.set_phase(ReclassifyProgress::PHASE_DONE);
        done.set_accounts_done(summary->accounts());
        done.set_accounts_total(summary->accounts());
        *done.mutable_summary() = *summary;
        final_ = std::move(done);
      } else {
        failure_ = server::ToGrpcStatus(summary.status());
      }
      work_finished_ = true;
      PumpLocked();
      last = done_;
    }
    if (last) delete this;
  }

  // Writes the latest progress, then the summary, then finishes; one write in flight at a time.
  void PumpLocked() {
    if (finished_ || writing_) return;
    if (latest_.has_value()) {
      in_flight_ = std::move(*latest_);
      latest_.reset();
      writing_ = true;
      StartWrite(&in_flight_);
      return;
    }
    if (!work_finished_) return;
    if (final_.has_value()) {
      in_flight_ = std::move(*final_);
      final_.reset();
      writing_ = true;
      StartWrite(&in_flight_);
      return;
    }
    FinishLocked(failure_.value_or(grpc::Status::OK));
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  ReclassifyLogic& logic_;
  const server::CallContext call_;
  const crm::v1::ReclassifyRequest request_;  // a copy: the call's request dies with the call
  std::atomic<bool> cancelled_{false};

  std::mutex mu_;
  std::optional<ReclassifyProgress> latest_;
  std::optional<ReclassifyProgress> final_;
  std::optional<grpc::Status> failure_;
  ReclassifyProgress in_flight_;
  bool writing_ = false;
  bool work_finished_ = false;
  bool finished_ = false;
  bool done_ = false;
};

}  // namespace

grpc::ServerWriteReactor<ReclassifyProgress>* KeyAccountHandler::Reclassify(Context* context,
                                                                          const crm::v1::ReclassifyRequest* request) {
  using Failed = server::FailedStream<grpc::ServerWriteReactor<ReclassifyProgress>>;
  try {
    absl::StatusOr<server::CallContext> call = server::MakeCallContext(*context, server::StartingCall());
    if (!call.ok()) return new Failed(server::ToGrpcStatus(call.status()));
    if (absl::Status valid = reclassify_.Validate(*request); !valid.ok()) {
      return new Failed(server::ToGrpcStatus(valid));
    }
    return new ReclassifyStream(reclassify_, *std::move(call), *request);
  } catch (...) {
    return new Failed(server::ToGrpcStatus(server::StatusFromException()));
  }
}

}  // namespace crm::kam
