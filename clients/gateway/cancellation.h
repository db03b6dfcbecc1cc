// A cancellation token for long-running streams (Subscribe): one thread follows the stream, any
// other thread (or a signal-handling thread) calls Cancel() to end it promptly.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/time/time.h"

namespace crm::client {

// Copies share one state, so the caller keeps a copy and hands another to the call.
class CancellationToken {
 public:
  CancellationToken();

  // Idempotent; safe from any thread.
  void Cancel();
  bool IsCancelled() const;

  // For the client library: runs `on_cancel` when Cancel() is called while it is installed
  // (the active stream's TryCancel). Returns false, installing nothing, if already cancelled.
  // After ClearCanceller returns, `on_cancel` is never called again.
  bool SetCanceller(std::function<void()> on_cancel);
  void ClearCanceller();
  // Sleeps up to `duration`; returns early, with true, once cancelled.
  bool WaitForCancel(absl::Duration duration) const;

 private:
  // std::mutex rather than absl::Mutex: ThreadSanitizer sees through it (Debian's Abseil is not
  // instrumented), and this is the one piece of the client that is used across threads.
  struct State {
    std::mutex mu;
    std::condition_variable cancelled_cv;
    bool cancelled = false;           // guarded by mu
    std::function<void()> on_cancel;  // guarded by mu
  };
  std::shared_ptr<State> state_;
};

}  // namespace crm::client
