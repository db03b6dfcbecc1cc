// Pieces every benchmark's report shares: the machine's load, a database URL fit for output, a
// closed-loop load phase as a table row and as JSON, the checks that failed, and main().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load_runner.h"
#include "nlohmann/json.hpp"

namespace crm::bench {

// The 1, 5 and 15 minute load averages from /proc/loadavg, e.g. "1.25 1.16 1.63".
std::string LoadAverage();

// The URL with its password replaced by ***.
std::string DisplayUrl(const std::string& url);

inline double SecondsSince(absl::Time start) { return absl::ToDoubleSeconds(absl::Now() - start); }

inline double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// The smallest, median and largest of a few samples (e.g. start-up times); zeros when none.
struct Spread {
  double min = 0, median = 0, max = 0;
};
Spread SpreadOf(std::vector<double> values);

// Calls, errors, QPS, latency percentiles (ms) and CPU cores busy of one phase.
nlohmann::json PhaseJson(const PhaseResult& phase);

// Prints the run's summary as the last line of stdout (one line of JSON), and also writes it to
// `json_out` unless that is empty.
void EmitSummary(const nlohmann::json& summary, const std::string& json_out);

// The checks of a run that failed: each is printed to stderr as "<program>: FAIL: <what>" when
// noted, kept for the JSON summary, and makes the run exit 1.
struct Failure {
  explicit Failure(std::string program_name) : program(std::move(program_name)) {}
  void Note(const std::string& what);

  std::string program;
  bool any = false;
  std::vector<std::string> notes;
};

// The fields every benchmark's JSON summary starts with: which benchmark, whether it passed (and
// what failed), the database (password hidden; "sqlite" for an empty URL) and server binary it
// ran against, the build, and the machine's CPUs and load at the start and end of the run. A
// benchmark adds its own fields with update().
nlohmann::json SummaryHead(const std::string& bench, const Failure& failure, const std::string& db_url,
                           const std::string& server_binary, const std::string& load_average_start,
                           const std::string& load_average_end);

// A directory of the benchmark's own for data and logs: made under `parent` (empty: $TMPDIR, else
// /tmp) as <prefix>-XXXXXX, and removed with everything in it when destroyed unless `keep` (then
// its path is printed to stderr).
class ScratchDir {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Make(std::string parent, const std::string& prefix, bool keep);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  ScratchDir(std::string path, bool keep) : path_(std::move(path)), keep_(keep) {}

  const std::string path_;
  const bool keep_;
};

// main() of a benchmark: parses the flags (with `usage` for --help), then runs `run` with gRPC
// initialised for the whole run (else gRPC shuts down whenever the last channel goes away, and
// every timed server start would also pay for the benchmark's own gRPC start-up).
int RunBenchmark(int argc, char** argv, const char* usage, absl::FunctionRef<int()> run);

}  // namespace crm::bench
