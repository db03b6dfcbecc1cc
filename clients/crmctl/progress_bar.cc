#include "clients/crmctl/progress_bar.h"

#include <unistd.h>

#include <ostream>

#include "absl/strings/str_format.h"

namespace crm::crmctl {
namespace {

constexpr int kBarWidth = 30;

}  // namespace

ProgressBar::ProgressBar(std::ostream& out, bool enabled, std::string label)
    : out_(out), enabled_(enabled), label_(std::move(label)) {}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!enabled_ || total <= 0) return;
  const int permille = static_cast<int>(done * 1000 / total);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  const int filled = permille * kBarWidth / 1000;
  out_ << absl::StrFormat("\r%s [%s%s] %5.1f%% %d/%d", label_, std::string(filled, '#'),
                          std::string(kBarWidth - filled, '.'), permille / 10.0, done, total)
       << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (drawn_) out_ << '\n' << std::flush;
  drawn_ = false;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

}  // namespace crm::crmctl
