// Ctrl-C and SIGTERM for a program whose blocking calls live in gRPC: a signal handler may not
// cancel a gRPC call, so the signals are blocked in every thread and one watcher thread receives
// them with sigwait, where anything may be done.
#pragma once

#include <functional>

namespace crm::crmctl {

// Call first thing in main, before gRPC starts threads (they inherit the blocked mask). With no
// InterruptScope active an interrupt ends the process with exit code 130, as an unhandled Ctrl-C
// would.
void StartInterruptWatcher();

// While alive, an interrupt calls `on_interrupt` instead (e.g. to cancel a Subscribe); a
// second interrupt still ends the process.
class InterruptScope {
 public:
  explicit InterruptScope(std::function<void()> on_interrupt);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

}  // namespace crm::crmctl
