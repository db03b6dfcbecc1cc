#include "clients/gateway/cancellation.h"

namespace crm::client {

CancellationToken::CancellationToken() : state_(std::make_shared<State>()) {}

void CancellationToken::Cancel() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->cancelled) return;
  state_->cancelled = true;
  // Called under the lock so that ClearCanceller can guarantee the stream is no longer touched
  // once it returns; TryCancel does not block, so holding the lock here is cheap.
  if (state_->on_cancel) state_->on_cancel();
  state_->cancelled_cv.notify_all();
}

bool CancellationToken::IsCancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->cancelled;
}

bool CancellationToken::SetCanceller(std::function<void()> on_cancel) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->cancelled) return false;
  state_->on_cancel = std::move(on_cancel);
  return true;
}

void CancellationToken::ClearCanceller() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->on_cancel = nullptr;
}

bool CancellationToken::WaitForCancel(absl::Duration duration) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cancelled_cv.wait_for(lock, absl::ToChronoNanoseconds(duration),
                                       [this] { return state_->cancelled; });
}

}  // namespace crm::client
