#include "bench/bench_report.h"

#include <grpc/grpc.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"

namespace crm::bench {

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
}

std::string DisplayUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
}

Spread SpreadOf(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return s;
}

nlohmann::json PhaseJson(const PhaseResult& p) {
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [code, count] : p.errors) errors[code] = count;
  const double cpu_window = p.cpu_window_seconds > 0 ? p.cpu_window_seconds : 1;
  nlohmann::json phase = {{"name", p.name},
                          {"calls", p.calls},
                          {"ok", p.ok},
                          {"errors", errors},
                          {"warmup_calls", p.warmup_calls},
                          {"qps", p.Qps()},
                          {"p50_ms", Ms(p.PercentileNs(50))},
                          {"p90_ms", Ms(p.PercentileNs(90))},
                          {"p99_ms", Ms(p.PercentileNs(99))},
                          {"p999_ms", Ms(p.PercentileNs(99.9))},
                          {"max_ms", Ms(p.latencies_ns.empty() ? 0 : p.latencies_ns.back())},
                          {"server_cpu_cores", p.server_cpu_seconds / cpu_window},
                          {"bench_cpu_cores", p.bench_cpu_seconds / cpu_window}};
  if (p.offered_qps > 0) {
    phase["offered_qps"] = p.offered_qps;
    phase["late_starts"] = p.late_starts;
    phase["max_start_lag_ms"] = Ms(p.max_start_lag_ns);
    phase["unsent"] = p.unsent;
  }
  return phase;
}

void EmitSummary(const nlohmann::json& summary, const std::string& json_out) {
  const std::string line = summary.dump();
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (!json_out.empty()) std::ofstream(json_out) << line << "\n";
}

void Failure::Note(const std::string& what) {
  any = true;
  notes.push_back(what);
  std::fprintf(stderr, "%s: FAIL: %s\n", program.c_str(), what.c_str());
}

absl::StatusOr<std::unique_ptr<ScratchDir>> ScratchDir::Make(std::string parent, const std::string& prefix,
                                                            bool keep) {
  if (parent.empty()) parent = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
  std::string path = absl::StrCat(parent, "/", prefix, "-XXXXXX");
  if (mkdtemp(path.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create a directory under ", parent, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<ScratchDir>(new ScratchDir(std::move(path), keep));
}

ScratchDir::~ScratchDir() {
  if (keep_) {
    std::fprintf(stderr, "kept %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

nlohmann::json SummaryHead(const std::string& bench, const Failure& failure, const std::string& db_url,
                           const std::string& server_binary, const std::string& load_average_start,
                           const std::string& load_average_end) {
  return {{"bench", bench},
          {"ok", !failure.any},
          {"failures", failure.notes},
          {"db", db_url.empty() ? "sqlite" : DisplayUrl(db_url)},
          {"server", server_binary},
          {"build_type", CRM_BUILD_TYPE},
          {"cpus", std::thread::hardware_concurrency()},
          {"load_average_start", load_average_start},
          {"load_average_end", load_average_end}};
}

int RunBenchmark(int argc, char** argv, const char* usage, absl::FunctionRef<int()> run) {
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
  grpc_init();
  const int code = run();
  grpc_shutdown();
  return code;
}

}  // namespace crm::bench
