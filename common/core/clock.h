// An injectable clock: services read time only through it, so SLA, reminder and escalation
// tests run in simulated time.
#pragma once

#include <atomic>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace crm {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance.
  static const Clock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  // std::mutex rather than absl::Mutex: tests advance the clock while server threads read it, and
  // ThreadSanitizer cannot see Debian's uninstrumented absl::Mutex (tests/sanitize.sh).
  mutable std::mutex mu_;
  absl::Time now_;  // guarded by mu_
};

}  // namespace crm
