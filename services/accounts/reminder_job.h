// The background job that turns each due activity reminder into exactly one event.
#pragma once

#include "common/server/runtime.h"

namespace crm::accounts {

class ReminderJob {
 public:
  explicit ReminderJob(const server::Runtime& runtime) : rt_(runtime) {}
  void Start() {}
  void Stop() {}

 private:
  [[maybe_unused]] const server::Runtime& rt_;
};

}  // namespace crm::accounts
