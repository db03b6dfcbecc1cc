// Pieces every benchmark's report shares: the machine's load, a database URL fit for output, and
// a closed-loop load phase as a table row and as JSON.
#pragma once

#include <cstdint>
#include <string>

#include "bench/load_runner.h"
#include "nlohmann/json.hpp"

namespace crm::bench {

// The 1, 5 and 15 minute load averages from /proc/loadavg, e.g. "1.25 1.16 1.63".
std::string LoadAverage();

// The URL with its password replaced by ***.
std::string DisplayUrl(const std::string& url);

inline double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Calls, errors, QPS, latency percentiles (ms) and CPU cores busy of one phase.
nlohmann::json PhaseJson(const PhaseResult& phase);

// Prints the run's summary as the last line of stdout (one line of JSON), and also writes it to
// `json_out` unless that is empty.
void EmitSummary(const nlohmann::json& summary, const std::string& json_out);

}  // namespace crm::bench
