#include "clients/crmctl/interrupt.h"

#include <signal.h>

#include <cstdlib>
#include <mutex>
#include <thread>

namespace crm::crmctl {
namespace {

constexpr int kInterruptedExitCode = 130;  // 128 + SIGINT, what shells expect

struct Watcher {
  std::mutex mu;
  std::function<void()> on_interrupt;  // guarded by mu
  bool interrupted = false;            // guarded by mu
};

// Leaked on purpose: the watcher thread may still use it while static destructors run.
Watcher& TheWatcher() {
  static Watcher* const watcher = new Watcher();
  return *watcher;
}

sigset_t InterruptSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

void WatchSignals() {
  const sigset_t signals = InterruptSignals();
  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    Watcher& watcher = TheWatcher();
    std::lock_guard<std::mutex> lock(watcher.mu);
    if (watcher.interrupted || !watcher.on_interrupt) std::_Exit(kInterruptedExitCode);
    watcher.interrupted = true;
    watcher.on_interrupt();
  }
}

}  // namespace

void StartInterruptWatcher() {
  // A closed stdout (crmctl ... | head) must show up as a failed write, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  const sigset_t signals = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Detached: it lives as long as the process, blocked in sigwait.
  std::thread(WatchSignals).detach();
}

InterruptScope::InterruptScope(std::function<void()> on_interrupt) {
  Watcher& watcher = TheWatcher();
  std::lock_guard<std::mutex> lock(watcher.mu);
  watcher.on_interrupt = std::move(on_interrupt);
}

InterruptScope::~InterruptScope() {
  Watcher& watcher = TheWatcher();
  std::lock_guard<std::mutex> lock(watcher.mu);
  watcher.on_interrupt = nullptr;
}

}  // namespace crm::crmctl
