#include "bench/async_load.h"

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t Nanos(SteadyClock::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

// One phase in progress. Every slot's tallies are written only by whoever holds the slot (the
// thread completing its call, or the pacer starting one), so recording takes no lock.
class PhaseRun {
 public:
  PhaseRun(const AsyncLoadOptions& options, const std::vector<Operation>& operations)
      : options_(options), operations_(operations), slots_(std::max(1, options.in_flight)) {
    std::vector<double> weights;
    for (const Operation& operation : operations) weights.push_back(std::max(0.0, operation.weight));
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      slot.rng.seed(options.seed + i);
      slot.pick = std::discrete_distribution<int>(weights.begin(), weights.end());
      slot.by_operation.resize(operations.size());
    }
  }

  LoadResult Run(const std::string& name) {
    const bool closed_loop = options_.mode == LoadMode::kClosedLoop;
    start_ = SteadyClock::now();
    window_start_ = start_ + absl::ToChronoNanoseconds(options_.warmup);
    window_end_ = window_start_ + absl::ToChronoNanoseconds(options_.measure);

    std::thread pacer;
    if (closed_loop) {
      for (int slot = 0; slot < static_cast<int>(slots_.size()); ++slot) {
        if (!StartNextInLoop(slot)) break;
      }
    } else {
      for (int slot = static_cast<int>(slots_.size()) - 1; slot >= 0; --slot) free_slots_.push_back(slot);
      pacer = std::thread([this] { Pace(); });
    }

    std::this_thread::sleep_until(window_start_);
    const CpuWindow cpu(options_.server_pid);
    SteadyClock::time_point measured_until = window_end_;
    if (closed_loop && options_.call_limit > 0) {
      // The window ends early when the last of the limited calls completes.
      std::unique_lock<std::mutex> lock(mu_);
      all_done_.wait_until(lock, window_end_, [this] { return outstanding_ == 0; });
      measured_until = std::min(SteadyClock::now(), window_end_);
    } else {
      std::this_thread::sleep_until(window_end_);
    }
    LoadResult result;
    cpu.End(result.total);
    if (pacer.joinable()) pacer.join();
    {
      std::unique_lock<std::mutex> lock(mu_);
      all_done_.wait(lock, [this] { return outstanding_ == 0; });
    }
    Collect(name, std::chrono::duration<double>(measured_until - window_start_).count(), result);
    return result;
  }

 private:
  struct Slot {
    std::mt19937_64 rng;
    std::discrete_distribution<int> pick;
    std::vector<PhaseResult> by_operation;
    std::vector<PhaseResult> by_slice;
  };

  // Closed loop: the slot's next call, unless the window is over or the call limit reached.
  bool StartNextInLoop(int slot) {
    const SteadyClock::time_point now = SteadyClock::now();
    if (now >= window_end_) return false;
    const int64_t seq = next_seq_.fetch_add(1);
    if (options_.call_limit > 0 && seq >= options_.call_limit) return false;
    Launch(slot, seq, now);
    return true;
  }

  // Fixed rate: call k is due at start + k / rate. The pacer sleeps until a call is due, takes a
  // free slot (waiting for one if none is free) and starts it; a call that starts late keeps its
  // due time as the start of its latency.
  void Pace() {
    prctl(PR_SET_TIMERSLACK, 1UL);  // wake within microseconds, not the default 50 µs
    const double interval_ns = 1e9 / options_.rate_qps;
    auto due = [&](int64_t k) {
      return start_ +
             std::chrono::nanoseconds(static_cast<int64_t>(std::llround(static_cast<double>(k) * interval_ns)));
    };
    for (int64_t k = 0;; ++k) {
      const SteadyClock::time_point scheduled = due(k);
      if (scheduled >= window_end_) return;
      std::this_thread::sleep_until(scheduled);
      int slot = -1;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (slot_freed_.wait_until(lock, window_end_, [this] { return !free_slots_.empty(); })) {
          slot = free_slots_.back();
          free_slots_.pop_back();
        }
      }
      if (slot < 0) {
        // The window ended with calls still waiting for a slot: they were never sent.
        for (int64_t rest = k; due(rest) < window_end_; ++rest) {
          if (due(rest) >= window_start_) ++unsent_;
        }
        return;
      }
      if (scheduled >= window_start_) {
        const int64_t lag_ns = Nanos(SteadyClock::now() - scheduled);
        if (lag_ns > absl::ToInt64Nanoseconds(kLateStart)) ++late_starts_;
        max_start_lag_ns_ = std::max(max_start_lag_ns_, lag_ns);
      }
      Launch(slot, k, scheduled);
    }
  }

  void Launch(int slot, int64_t seq, SteadyClock::time_point scheduled) {
    const int operation = operations_.size() == 1 ? 0 : slots_[slot].pick(slots_[slot].rng);
    outstanding_.fetch_add(1);
    operations_[operation].start(slot, seq, [this, slot, operation, scheduled](CallOutcome outcome) {
      Completed(slot, operation, scheduled, outcome);
    });
  }

  void Completed(int slot, int operation, SteadyClock::time_point scheduled, const CallOutcome& outcome) {
    const SteadyClock::time_point now = SteadyClock::now();
    const bool measured = scheduled >= window_start_;
    const int64_t latency_ns = Nanos(now - scheduled);
    Slot& state = slots_[slot];
    state.by_operation[operation].Record(outcome, measured, latency_ns);
    if (measured && options_.slice > absl::ZeroDuration()) {
      const size_t index =
          static_cast<size_t>(Nanos(scheduled - window_start_) / absl::ToInt64Nanoseconds(options_.slice));
      if (state.by_slice.size() <= index) state.by_slice.resize(index + 1);
      state.by_slice[index].Record(outcome, true, latency_ns);
    }
    const bool closed_loop = options_.mode == LoadMode::kClosedLoop;
    if (closed_loop) StartNextInLoop(slot);
    // Under the lock, so Run() cannot see the count reach zero (and destroy this object) before
    // this thread is done with it.
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_loop) {
      free_slots_.push_back(slot);
      slot_freed_.notify_one();
    }
    if (outstanding_.fetch_sub(1) == 1) all_done_.notify_all();
  }

  void Collect(const std::string& name, double window_seconds, LoadResult& result) {
    double weight_sum = 0;
    for (const Operation& operation : operations_) weight_sum += std::max(0.0, operation.weight);
    const bool fixed_rate = options_.mode == LoadMode::kFixedRate;
    auto frame = [&](PhaseResult& phase, std::string phase_name) {
      phase.name = std::move(phase_name);
      phase.callers = static_cast<int>(slots_.size());
      phase.window_seconds = window_seconds;
    };
    result.operations.resize(operations_.size());
    for (size_t i = 0; i < operations_.size(); ++i) {
      PhaseResult& phase = result.operations[i];
      for (const Slot& slot : slots_) phase.Merge(slot.by_operation[i]);
      frame(phase, operations_[i].name);
      if (fixed_rate) phase.offered_qps = options_.rate_qps * std::max(0.0, operations_[i].weight) / weight_sum;
    }
    PhaseResult& total = result.total;
    frame(total, name);
    for (PhaseResult& phase : result.operations) {
      total.Merge(phase);
      phase.SortLatencies();
    }
    total.SortLatencies();
    if (fixed_rate) {
      // The pacer's figures belong to the phase, not to an operation.
      total.offered_qps = options_.rate_qps;
      total.late_starts = late_starts_;
      total.max_start_lag_ns = max_start_lag_ns_;
      total.unsent = unsent_;
    }

    size_t slices = 0;
    for (const Slot& slot : slots_) slices = std::max(slices, slot.by_slice.size());
    result.slices.resize(slices);
    const double slice_seconds = absl::ToDoubleSeconds(options_.slice);
    for (size_t i = 0; i < slices; ++i) {
      PhaseResult& slice = result.slices[i];
      for (const Slot& slot : slots_) {
        if (i < slot.by_slice.size()) slice.Merge(slot.by_slice[i]);
      }
      frame(slice, absl::StrFormat("+%gs", slice_seconds * static_cast<double>(i)));
      slice.window_seconds = std::min(slice_seconds, window_seconds - slice_seconds * static_cast<double>(i));
      slice.SortLatencies();
    }
  }

  const AsyncLoadOptions& options_;
  const std::vector<Operation>& operations_;
  std::vector<Slot> slots_;
  SteadyClock::time_point start_, window_start_, window_end_;
  std::atomic<int64_t> next_seq_{0};
  std::atomic<int64_t> outstanding_{0};
  // Written by the pacer, read after it joined.
  int64_t late_starts_ = 0;
  int64_t max_start_lag_ns_ = 0;
  int64_t unsent_ = 0;

  std::mutex mu_;
  std::condition_variable all_done_;
  std::condition_variable slot_freed_;
  std::vector<int> free_slots_;  // fixed rate; guarded by mu_
};

}  // namespace

LoadResult RunLoad(const std::string& name, const AsyncLoadOptions& options, const std::vector<Operation>& operations) {
  const bool any_weight =
      std::any_of(operations.begin(), operations.end(), [](const Operation& op) { return op.weight > 0; });
  const bool rate_ok = options.mode == LoadMode::kClosedLoop || options.rate_qps > 0;
  if (!any_weight || !rate_ok) {
    LoadResult result;
    result.total.name = name;
    result.total.errors["BAD_LOAD_OPTIONS"] = 1;
    result.total.error_samples.push_back(!any_weight ? "no operation has a positive weight"
                                                     : "a fixed-rate phase needs a positive rate");
    return result;
  }
  PhaseRun run(options, operations);
  return run.Run(name);
}

}  // namespace crm::bench
