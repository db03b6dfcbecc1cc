// A one-line progress bar on stderr for long streams (imports), drawn only on a terminal so
// that logs and pipes get no carriage-return noise.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace crm::crmctl {

class ProgressBar {
 public:
  // `enabled` false makes every call a no-op (see StderrIsTerminal).
  ProgressBar(std::ostream& out, bool enabled, std::string label);

  // Redraws only when the drawn bar would change, so a million rows cost a few hundred writes.
  void Update(int64_t done, int64_t total);
  // Ends the bar's line; later output starts on a fresh one.
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  std::string label_;
  int last_permille_ = -1;
  bool drawn_ = false;
};

bool StderrIsTerminal();

}  // namespace crm::crmctl
