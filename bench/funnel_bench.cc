// funnel_bench: GetFunnel on a million opportunities, and stage moves while the funnel is kept.
//
//   1. load: applies the server's migrations to --db, then generates accounts, campaigns,
//      opportunities and their stage history (bench/funnel_data.h) and writes them with
//      multi-row INSERTs in large transactions; rows/s per table. Then rebuilds the funnel
//      aggregates from what was loaded (the bulk path bypasses their live maintenance);
//   2. funnel: starts crm-server on that database and calls GetFunnel, one call at a time, for
//      a set of filters (none, a quarter, an owner, a team, a region, an industry, a source
//      channel, quarter + owner, region + industry, team + region, 90 days + channel + industry,
//      quarter + owner + region, team + region + industry, team + region + industry + channel,
//      region + industry + channel):
//      p50 / p90 / p99 / max per filter. Every answer is checked against the counts the
//      benchmark predicts from what it loaded;
//   3. moves: --callers concurrent callers, closed loop, move open opportunities to another open
//      stage with MoveOpportunity; then CreateOpportunity the same way, for comparison;
//   4. check: every filter once more, against the predictions updated with the moves and
//      creates, so aggregates kept up while moving are checked too.
//
// Prints tables and, as its last line, a one-line JSON summary. Exits 1 when any call failed,
// an answer disagreed with the prediction, or the server did not start or stop cleanly; 2 on
// bad flags. See bench/README.md.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <soci/soci.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/funnel_data.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "common/core/date_util.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "services/pipeline/funnel_aggregates.h"
#include "services/server/all_modules.h"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::string, db, "",
          "Database URL, as crm-server takes it: sqlite:///tmp/funnel.db or "
          "mysql://crm:crm@127.0.0.1:33306/funnel_bench. Required.");
ABSL_FLAG(bool, replace, false, "Start from an empty database: delete the SQLite file, or drop the MySQL database.");
ABSL_FLAG(bool, skip_load, false, "Reuse a database loaded by an earlier run (its facts are read back).");
ABSL_FLAG(std::string, rebuild_aggregates, "auto",
          "Rebuild the funnel aggregates from the loaded rows: auto (after a load, not with --skip_load), yes, no.");
ABSL_FLAG(int64_t, opportunities, 1000000, "Opportunities to generate.");
ABSL_FLAG(double, changes_per_opportunity, 5, "stage_changes rows per opportunity on average (creation included).");
ABSL_FLAG(int, accounts, 50000, "Accounts to generate.");
ABSL_FLAG(int, owners, 100, "Distinct opportunity owners.");
ABSL_FLAG(int, campaigns, 150, "Campaigns to generate.");
ABSL_FLAG(int, days, 1095, "Creation dates spread over this many days before today (UTC).");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the generator (and of the moves' choices).");
ABSL_FLAG(int, rows_per_statement, 500, "Rows per multi-row INSERT.");
ABSL_FLAG(int, rows_per_transaction, 50000, "Rows per load transaction.");
ABSL_FLAG(int, sqlite_cache_mib, 256,
          "Page cache of the loader's SQLite connection (the server keeps SQLite's default).");
ABSL_FLAG(std::vector<std::string>, phases, std::vector<std::string>({"funnel", "move", "create", "check"}),
          "What to run against the server after the load: funnel, move, create, check (empty: load only).");
ABSL_FLAG(std::vector<std::string>, filters,
          std::vector<std::string>({"none", "period", "owner", "team", "region", "industry", "channel", "period+owner",
                                    "region+industry", "team+region", "span+channel+industry", "period+owner+region",
                                    "team+region+industry", "team+region+industry+channel", "region+industry+channel"}),
          "The GetFunnel filters to measure and check.");
ABSL_FLAG(int, calls, 200, "Measured GetFunnel calls per filter (fewer when --max_filter_seconds runs out).");
ABSL_FLAG(int, warmup_calls, 10, "GetFunnel calls per filter before the measured ones (within the time budget).");
ABSL_FLAG(int, min_calls, 3, "Measured GetFunnel calls per filter even past --max_filter_seconds.");
ABSL_FLAG(double, max_filter_seconds, 60, "Time budget per filter, warm-up included.");
ABSL_FLAG(int, callers, 16, "Concurrent callers of the move and create phases (closed loop).");
ABSL_FLAG(double, seconds, 10, "Measured seconds of the move and create phases.");
ABSL_FLAG(double, warmup_seconds, 2, "Warm-up seconds before each of those phases (not counted).");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated (e.g. \"--db_pool_size=16\").");
ABSL_FLAG(int, call_deadline_ms, 10000, "Deadline of every move and create call.");
ABSL_FLAG(int, funnel_deadline_ms, 600000, "Deadline of every GetFunnel call.");
ABSL_FLAG(std::string, label, "", "A name for this run in the report (e.g. \"raw\" or \"aggregates\").");
ABSL_FLAG(bool, keep_data, false, "Keep the server's data directory (with its log).");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The database before the server: schema, load, aggregates, facts.

// ---------------------------------------------------------------------------------------------
// Predicting funnels.

using Predicate = std::function<bool(const OpportunityFacts&)>;

struct FilterCase {
  std::string key;  // as --filters names it
  std::string name;
  crm::v1::AnalyticsFilter filter;
  Predicate matches;
};

struct ExpectedFunnel {
  int64_t matching = 0;
  std::vector<int64_t> entered, current;  // per pipeline stage
  int64_t won = 0, lost = 0;
};

ExpectedFunnel Predict(const DataSet& data, const Predicate& matches) {
  ExpectedFunnel e;
  const int stages = data.pipeline.stages_size();
  e.entered.assign(stages, 0);
  e.current.assign(stages, 0);
  for (const OpportunityFacts& f : data.opportunities) {
    if (!matches(f)) continue;
    ++e.matching;
    ++e.current[f.stage];
    for (int i = 0; i < stages; ++i) {
      if (f.entered_mask & (1u << i)) ++e.entered[i];
    }
    if (f.status == crm::v1::OPPORTUNITY_STATUS_WON) ++e.won;
    if (f.status == crm::v1::OPPORTUNITY_STATUS_LOST) ++e.lost;
  }
  return e;
}

// "" when `funnel` shows the predicted counts; otherwise what differs.
std::string Compare(const DataSet& data, const ExpectedFunnel& expected, const crm::v1::Funnel& funnel) {
  std::vector<std::string> problems;
  if (funnel.pipeline_id() != data.pipeline.id()) {
    problems.push_back(absl::StrCat("pipeline_id \"", funnel.pipeline_id(), "\""));
  }
  for (int i = 0; i < data.pipeline.stages_size(); ++i) {
    const crm::v1::Stage& stage = data.pipeline.stages(i);
    const crm::v1::FunnelStage* got = nullptr;
    for (const crm::v1::FunnelStage& s : funnel.stages()) {
      if (s.stage_id() == stage.id()) got = &s;
    }
    if (got == nullptr) {
      if (!stage.retired()) problems.push_back(absl::StrCat("stage \"", stage.name(), "\" missing"));
      continue;
    }
    if (got->entered() != expected.entered[i] || got->current_count() != expected.current[i]) {
      problems.push_back(absl::StrCat("\"", stage.name(), "\" entered ", got->entered(), " current ",
                                      got->current_count(), ", expected ", expected.entered[i], " / ",
                                      expected.current[i]));
    }
    if (got->conversion_to_next() < 0 || got->conversion_to_next() > 1) {
      problems.push_back(absl::StrCat("\"", stage.name(), "\" conversion ", got->conversion_to_next()));
    }
  }
  if (funnel.won() != expected.won || funnel.lost() != expected.lost) {
    problems.push_back(absl::StrCat("won / lost ", funnel.won(), " / ", funnel.lost(), ", expected ", expected.won,
                                    " / ", expected.lost));
  }
  return absl::StrJoin(problems, "; ");
}

// The filters measured, their values picked from the data: the median owner, a team of ten
// owners across the range, the region, industry and channel with the most opportunities, and
// the last whole calendar quarter before the newest opportunity.
std::vector<FilterCase> MakeFilters(const DataSet& data, const std::string& team_id,
                                    std::vector<std::string>* team_members) {
  std::vector<int64_t> per_owner(data.owners.size()), per_region(data.regions.size()),
      per_industry(data.industries.size()), per_channel(32);
  int64_t newest = 0;
  for (const OpportunityFacts& f : data.opportunities) {
    ++per_owner[f.owner];
    ++per_region[data.accounts[f.account].region];
    ++per_industry[data.accounts[f.account].industry];
    if (f.channel > 0 && f.channel < per_channel.size()) ++per_channel[f.channel];
    newest = std::max(newest, f.create_micros);
  }
  auto argmax = [](const std::vector<int64_t>& counts) {
    return static_cast<uint32_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  };
  std::vector<uint32_t> ranked(data.owners.size());
  std::iota(ranked.begin(), ranked.end(), 0);
  std::stable_sort(ranked.begin(), ranked.end(), [&](uint32_t a, uint32_t b) { return per_owner[a] > per_owner[b]; });
  const uint32_t owner = ranked[ranked.size() / 2];
  absl::flat_hash_set<uint32_t> team;
  const size_t team_size = std::min<size_t>(10, ranked.size());
  for (size_t k = 0; k < team_size; ++k) team.insert(ranked[k * ranked.size() / team_size]);
  team_members->clear();
  for (uint32_t member : team) team_members->push_back(data.owners[member]);
  std::sort(team_members->begin(), team_members->end());
  const uint32_t region = argmax(per_region), industry = argmax(per_industry);
  const uint8_t channel = static_cast<uint8_t>(argmax(per_channel));

  const int64_t this_quarter = QuarterStart(DayNumberOf(FromMicros(newest)));
  const int64_t from_day = QuarterStart(this_quarter - 1), to_day = this_quarter - 1;
  const int64_t from_micros = ToMicros(StartOfDay(from_day)), to_micros = ToMicros(StartOfDay(to_day + 1));
  auto in_period = [=](const OpportunityFacts& f) {
    return f.create_micros >= from_micros && f.create_micros < to_micros;
  };
  auto set_period = [&](crm::v1::AnalyticsFilter& filter) {
    *filter.mutable_period_start() = DateFromDayNumber(from_day);
    *filter.mutable_period_end() = DateFromDayNumber(to_day);
  };
  const std::string quarter = absl::StrFormat("%04d-%02d-%02d..%04d-%02d-%02d", DateFromDayNumber(from_day).year(),
                                              DateFromDayNumber(from_day).month(), DateFromDayNumber(from_day).day(),
                                              DateFromDayNumber(to_day).year(), DateFromDayNumber(to_day).month(),
                                              DateFromDayNumber(to_day).day());
  const std::string region_name = data.regions[region], industry_name = data.industries[industry];
  const std::string owner_name = data.owners[owner];

  std::vector<FilterCase> cases;
  auto add = [&](std::string key, std::string name, Predicate matches,
                 const std::function<void(crm::v1::AnalyticsFilter&)>& set) {
    FilterCase c;
    c.key = std::move(key);
    c.name = std::move(name);
    set(c.filter);
    c.matches = std::move(matches);
    cases.push_back(std::move(c));
  };
  add("none", "none", [](const OpportunityFacts&) { return true; }, [](crm::v1::AnalyticsFilter&) {});
  add("period", absl::StrCat("period ", quarter), in_period, set_period);
  add("owner", absl::StrCat("owner ", owner_name), [owner](const OpportunityFacts& f) { return f.owner == owner; },
      [&](crm::v1::AnalyticsFilter& filter) { filter.set_owner(owner_name); });
  add("team", absl::StrCat("team of ", team.size()), [team](const OpportunityFacts& f) { return team.contains(f.owner); },
      [&](crm::v1::AnalyticsFilter& filter) { filter.set_team_id(team_id); });
  add("region", absl::StrCat("region ", region_name),
      [&data, region](const OpportunityFacts& f) { return data.accounts[f.account].region == region; },
      [&](crm::v1::AnalyticsFilter& filter) { filter.set_region(region_name); });
  add("industry", absl::StrCat("industry ", industry_name),
      [&data, industry](const OpportunityFacts& f) { return data.accounts[f.account].industry == industry; },
      [&](crm::v1::AnalyticsFilter& filter) { filter.set_industry(industry_name); });
  add("channel", absl::StrCat("channel ", crm::v1::LeadChannel_Name(static_cast<crm::v1::LeadChannel>(channel))),
      [channel](const OpportunityFacts& f) { return f.channel == channel; },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_source_channel(static_cast<crm::v1::LeadChannel>(channel));
      });
  add(
      "period+owner", "period + owner", [=](const OpportunityFacts& f) { return in_period(f) && f.owner == owner; },
      [&](crm::v1::AnalyticsFilter& filter) {
        set_period(filter);
        filter.set_owner(owner_name);
      });
  add(
      "region+industry", "region + industry",
      [&data, region, industry](const OpportunityFacts& f) {
        return data.accounts[f.account].region == region && data.accounts[f.account].industry == industry;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_region(region_name);
        filter.set_industry(industry_name);
      });
  add(
      "team+region", "team + region",
      [&data, team, region](const OpportunityFacts& f) {
        return team.contains(f.owner) && data.accounts[f.account].region == region;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_team_id(team_id);
        filter.set_region(region_name);
      });
  // Two filters over 90 days from the middle of a month: whole months from the pair's rows, the
  // days around them from the facts.
  const int64_t span_from = MonthStart(DayNumberOf(FromMicros(newest)) - 120) + 14, span_to = span_from + 89;
  const int64_t span_from_micros = ToMicros(StartOfDay(span_from)), span_to_micros = ToMicros(StartOfDay(span_to + 1));
  add(
      "span+channel+industry", "90 days + channel + industry",
      [=, &data](const OpportunityFacts& f) {
        return f.create_micros >= span_from_micros && f.create_micros < span_to_micros && f.channel == channel &&
               data.accounts[f.account].industry == industry;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        *filter.mutable_period_start() = DateFromDayNumber(span_from);
        *filter.mutable_period_end() = DateFromDayNumber(span_to);
        filter.set_source_channel(static_cast<crm::v1::LeadChannel>(channel));
        filter.set_industry(industry_name);
      });
  // Three filters: the per-opportunity facts.
  add(
      "period+owner+region", "period + owner + region",
      [=, &data](const OpportunityFacts& f) {
        return in_period(f) && f.owner == owner && data.accounts[f.account].region == region;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        set_period(filter);
        filter.set_owner(owner_name);
        filter.set_region(region_name);
      });
  add(
      "team+region+industry", "team + region + industry",
      [&data, team, region, industry](const OpportunityFacts& f) {
        return team.contains(f.owner) && data.accounts[f.account].region == region &&
               data.accounts[f.account].industry == industry;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_team_id(team_id);
        filter.set_region(region_name);
        filter.set_industry(industry_name);
      });
  // Four filters with a team: the facts of the team's opportunities.
  add(
      "team+region+industry+channel", "team + region + industry + channel",
      [&data, team, region, industry, channel](const OpportunityFacts& f) {
        return team.contains(f.owner) && data.accounts[f.account].region == region &&
               data.accounts[f.account].industry == industry && f.channel == channel;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_team_id(team_id);
        filter.set_region(region_name);
        filter.set_industry(industry_name);
        filter.set_source_channel(static_cast<crm::v1::LeadChannel>(channel));
      });
  add(
      "region+industry+channel", "region + industry + channel",
      [&data, region, industry, channel](const OpportunityFacts& f) {
        return data.accounts[f.account].region == region && data.accounts[f.account].industry == industry &&
               f.channel == channel;
      },
      [&](crm::v1::AnalyticsFilter& filter) {
        filter.set_region(region_name);
        filter.set_industry(industry_name);
        filter.set_source_channel(static_cast<crm::v1::LeadChannel>(channel));
      });
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Against the server.

struct FunnelTiming {
  std::string filter;
  int64_t matching = 0;
  int warmup_calls = 0;
  std::vector<int64_t> latencies_ns;  // measured calls, sorted
  double seconds = 0;                 // wall time of the measured calls

  int64_t PercentileNs(double p) const {
    if (latencies_ns.empty()) return 0;
    const double rank = std::ceil(p / 100.0 * static_cast<double>(latencies_ns.size()));
    const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(latencies_ns.size()))) - 1;
    return latencies_ns[index];
  }
  double MeanNs() const {
    if (latencies_ns.empty()) return 0;
    return static_cast<double>(std::accumulate(latencies_ns.begin(), latencies_ns.end(), int64_t{0})) /
           static_cast<double>(latencies_ns.size());
  }
};

class Client {
 public:
  Client(const std::string& address, std::string token)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        stub_(crm::v1::PipelineService::NewStub(channel_)),
        token_(std::move(token)) {}

  bool Connect() {
    return channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }
  crm::v1::PipelineService::Stub& stub() { return *stub_; }

  void Prepare(grpc::ClientContext& context, int deadline_ms) const {
    PrepareCall(context, token_, absl::Milliseconds(deadline_ms));
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<crm::v1::PipelineService::Stub> stub_;
  std::string token_;
};

// One GetFunnel, checked against `expected`; "" or what went wrong.
std::string CallFunnel(Client& client, const DataSet& data, const FilterCase& c, const ExpectedFunnel& expected) {
  crm::v1::GetFunnelRequest request;
  *request.mutable_filter() = c.filter;
  grpc::ClientContext context;
  client.Prepare(context, absl::GetFlag(FLAGS_funnel_deadline_ms));
  crm::v1::Funnel funnel;
  const grpc::Status status = client.stub().GetFunnel(&context, request, &funnel);
  if (!status.ok()) {
    return absl::StrCat("GetFunnel (", c.name, "): ", StatusCodeName(status.error_code()), " ", status.error_message());
  }
  if (funnel.stages_size() == 0) return absl::StrCat("GetFunnel (", c.name, ") answered no stages");
  if (c.filter.ByteSizeLong() == 0 && funnel.stages(0).entered() <= 0) {
    return "GetFunnel without a filter answered 0 entered for the first stage";
  }
  if (std::string problems = Compare(data, expected, funnel); !problems.empty()) {
    return absl::StrCat("GetFunnel (", c.name, ") disagrees with the loaded data: ", problems);
  }
  return "";
}

FunnelTiming TimeFunnel(Client& client, const DataSet& data, const FilterCase& c, Failure& failure) {
  FunnelTiming timing;
  timing.filter = c.name;
  const ExpectedFunnel expected = Predict(data, c.matches);
  timing.matching = expected.matching;
  const absl::Time budget_end = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_max_filter_seconds));
  for (int i = 0; i < absl::GetFlag(FLAGS_warmup_calls) && (i == 0 || absl::Now() < budget_end); ++i) {
    ++timing.warmup_calls;
    if (std::string error = CallFunnel(client, data, c, expected); !error.empty()) {
      failure.Note(error);
      return timing;
    }
  }
  const absl::Time measured_from = absl::Now();
  for (int i = 0; i < absl::GetFlag(FLAGS_calls); ++i) {
    if (i >= absl::GetFlag(FLAGS_min_calls) && absl::Now() >= budget_end) break;
    const absl::Time begin = absl::Now();
    const std::string error = CallFunnel(client, data, c, expected);
    timing.latencies_ns.push_back(absl::ToInt64Nanoseconds(absl::Now() - begin));
    if (!error.empty()) {
      failure.Note(error);
      break;
    }
  }
  timing.seconds = SecondsSince(measured_from);
  std::sort(timing.latencies_ns.begin(), timing.latencies_ns.end());
  std::fprintf(stderr, "funnel_bench:   %-34s %4zu calls, p50 %.2f ms, max %.2f ms\n", c.name.c_str(),
               timing.latencies_ns.size(), Ms(timing.PercentileNs(50)),
               Ms(timing.latencies_ns.empty() ? 0 : timing.latencies_ns.back()));
  return timing;
}

// The stage indices of the pipeline's active open stages, in funnel order.
std::vector<uint8_t> OpenStages(const crm::v1::Pipeline& pipeline) {
  std::vector<uint8_t> open;
  for (int i = 0; i < pipeline.stages_size(); ++i) {
    const crm::v1::Stage& s = pipeline.stages(i);
    if (s.kind() == crm::v1::STAGE_KIND_OPEN && !s.retired()) open.push_back(static_cast<uint8_t>(i));
  }
  return open;
}

LoadOptions PhaseOptions(pid_t server_pid) {
  LoadOptions options;
  options.callers = absl::GetFlag(FLAGS_callers);
  options.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  options.measure = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  options.server_pid = server_pid;
  return options;
}

// Moves open opportunities to another open stage. Each caller owns a disjoint share of them
// and keeps their current stage, so every move names a stage the opportunity is not in; `data`
// follows every move that succeeded.
PhaseResult MoveOpportunities(Client& client, DataSet& data, pid_t server_pid, uint64_t seed) {
  const LoadOptions options = PhaseOptions(server_pid);
  const std::vector<uint8_t> open = OpenStages(data.pipeline);
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < data.opportunities.size(); ++i) {
    if (data.opportunities[i].status == crm::v1::OPPORTUNITY_STATUS_OPEN) candidates.push_back(i);
  }
  std::mt19937_64 shuffle(seed);
  std::shuffle(candidates.begin(), candidates.end(), shuffle);
  std::vector<std::vector<uint32_t>> shares(options.callers);
  for (size_t k = 0; k < candidates.size(); ++k) shares[k % options.callers].push_back(candidates[k]);
  std::vector<std::mt19937_64> rngs;
  for (int c = 0; c < options.callers; ++c) rngs.emplace_back(seed + 1 + c);
  const int deadline_ms = absl::GetFlag(FLAGS_call_deadline_ms);

  return RunClosedLoop("MoveOpportunity", options, [&](int caller, int64_t seq) {
    const std::vector<uint32_t>& share = shares[caller];
    if (share.empty()) return CallOutcome::BadResponse("no open opportunity to move");
    const uint32_t index = share[seq % share.size()];
    OpportunityFacts& facts = data.opportunities[index];
    std::mt19937_64& rng = rngs[caller];
    // Mostly on to the next open stage; otherwise, and from the last one, any other open stage.
    const int rank = static_cast<int>(std::find(open.begin(), open.end(), facts.stage) - open.begin());
    int target = rank + 1;
    if (rank + 1 >= static_cast<int>(open.size()) || std::uniform_real_distribution<double>(0, 1)(rng) >= 0.8) {
      target = static_cast<int>(std::uniform_int_distribution<size_t>(0, open.size() - 2)(rng));
      if (target >= rank) ++target;
    }
    crm::v1::MoveOpportunityRequest request;
    request.set_id(data.opportunity_ids[index]);
    request.set_stage_id(data.pipeline.stages(open[target]).id());
    grpc::ClientContext context;
    client.Prepare(context, deadline_ms);
    crm::v1::Opportunity response;
    const grpc::Status status = client.stub().MoveOpportunity(&context, request, &response);
    if (!status.ok()) return CallOutcome::FromStatus(status);
    if (response.stage_id() != request.stage_id() || response.status() != crm::v1::OPPORTUNITY_STATUS_OPEN) {
      return CallOutcome::BadResponse(absl::StrCat("move of ", request.id(), " answered stage ", response.stage_id()));
    }
    facts.stage = open[target];
    facts.entered_mask |= 1u << open[target];
    return CallOutcome::Ok();
  });
}

// Creates opportunities on random accounts; `data` gains every one created.
PhaseResult CreateOpportunities(Client& client, DataSet& data, pid_t server_pid, uint64_t seed) {
  const LoadOptions options = PhaseOptions(server_pid);
  const std::vector<uint8_t> open = OpenStages(data.pipeline);
  const std::string tag = absl::StrCat(getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const int64_t close_day = DayNumberOf(absl::Now()) + 60;
  std::vector<std::mt19937_64> rngs;
  for (int c = 0; c < options.callers; ++c) rngs.emplace_back(seed + 1000 + c);
  std::vector<std::vector<std::pair<std::string, OpportunityFacts>>> created(options.callers);
  const int deadline_ms = absl::GetFlag(FLAGS_call_deadline_ms);

  PhaseResult result = RunClosedLoop("CreateOpportunity", options, [&](int caller, int64_t seq) {
    std::mt19937_64& rng = rngs[caller];
    OpportunityFacts facts;
    facts.account = static_cast<uint32_t>(std::uniform_int_distribution<size_t>(0, data.accounts.size() - 1)(rng));
    facts.owner = static_cast<uint32_t>(std::uniform_int_distribution<size_t>(0, data.owners.size() - 1)(rng));
    facts.channel = crm::v1::LEAD_CHANNEL_WEB;
    facts.stage = open.front();
    facts.status = crm::v1::OPPORTUNITY_STATUS_OPEN;
    facts.entered_mask = 1u << open.front();
    crm::v1::CreateOpportunityRequest request;
    request.set_request_id(absl::StrCat("funnel-bench-", tag, "-", caller, "-", seq));
    crm::v1::Opportunity* o = request.mutable_opportunity();
    o->set_account_id(data.accounts[facts.account].id);
    o->set_name(absl::StrCat("Bench deal ", tag, "-", caller, "-", seq));
    o->mutable_amount()->set_currency_code("EUR");
    o->mutable_amount()->set_units(1000 + static_cast<int64_t>(rng() % 100000));
    *o->mutable_expected_close_date() = DateFromDayNumber(close_day);
    o->set_owner(data.owners[facts.owner]);
    o->set_source_channel(crm::v1::LEAD_CHANNEL_WEB);
    grpc::ClientContext context;
    client.Prepare(context, deadline_ms);
    crm::v1::Opportunity response;
    const grpc::Status status = client.stub().CreateOpportunity(&context, request, &response);
    if (!status.ok()) return CallOutcome::FromStatus(status);
    if (response.id().empty() || response.stage_id() != data.pipeline.stages(open.front()).id()) {
      return CallOutcome::BadResponse(absl::StrCat("create answered id \"", response.id(), "\" stage \"",
                                                   response.stage_id(), "\""));
    }
    facts.create_micros = TimestampToMicros(response.create_time());
    created[caller].emplace_back(response.id(), facts);
    return CallOutcome::Ok();
  });
  for (auto& list : created) {
    for (auto& [id, facts] : list) {
      data.opportunity_ids.push_back(std::move(id));
      data.opportunities.push_back(facts);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

json TimingJson(const FunnelTiming& t) {
  return {{"filter", t.filter},
          {"matching_opportunities", t.matching},
          {"warmup_calls", t.warmup_calls},
          {"calls", t.latencies_ns.size()},
          {"p50_ms", Ms(t.PercentileNs(50))},
          {"p90_ms", Ms(t.PercentileNs(90))},
          {"p99_ms", Ms(t.PercentileNs(99))},
          {"max_ms", Ms(t.latencies_ns.empty() ? 0 : t.latencies_ns.back())},
          {"mean_ms", t.MeanNs() / 1e6},
          {"calls_per_s", t.seconds > 0 ? static_cast<double>(t.latencies_ns.size()) / t.seconds : 0}};
}

int Main() {
  Failure failure("funnel_bench");
  const std::string db_url = absl::GetFlag(FLAGS_db);
  const std::string server_binary = absl::GetFlag(FLAGS_server);
  const std::vector<std::string> phase_list = absl::GetFlag(FLAGS_phases);
  auto wants = [&](const char* phase) { return std::find(phase_list.begin(), phase_list.end(), phase) != phase_list.end(); };
  for (const std::string& phase : phase_list) {
    if (phase != "funnel" && phase != "move" && phase != "create" && phase != "check") {
      std::fprintf(stderr, "funnel_bench: unknown phase \"%s\"\n", phase.c_str());
      return 2;
    }
  }
  for (const std::string& key : absl::GetFlag(FLAGS_filters)) {
    static const char* const kKeys[] = {"none",          "period",          "owner",
                                        "team",          "region",          "industry",
                                        "channel",       "period+owner",    "region+industry",
                                        "team+region",   "span+channel+industry", "period+owner+region",
                                        "team+region+industry",  "team+region+industry+channel",
                                        "region+industry+channel"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      std::fprintf(stderr, "funnel_bench: unknown filter \"%s\"\n", key.c_str());
      return 2;
    }
  }
  if (db_url.empty()) {
    std::fprintf(stderr, "funnel_bench: --db is required (e.g. --db=sqlite:///tmp/funnel.db)\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_callers) < 1 || absl::GetFlag(FLAGS_seconds) <= 0 || absl::GetFlag(FLAGS_calls) < 1) {
    std::fprintf(stderr, "funnel_bench: --callers and --calls must be at least 1, --seconds positive\n");
    return 2;
  }
  if (!phase_list.empty() && access(server_binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "funnel_bench: --server=%s is not an executable\n", server_binary.c_str());
    return 2;
  }
  if (const std::string r = absl::GetFlag(FLAGS_rebuild_aggregates); r != "auto" && r != "yes" && r != "no") {
    std::fprintf(stderr, "funnel_bench: --rebuild_aggregates is auto, yes or no\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_replace) && absl::GetFlag(FLAGS_skip_load)) {
    std::fprintf(stderr, "funnel_bench: --replace and --skip_load exclude each other\n");
    return 2;
  }
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const std::string label = absl::GetFlag(FLAGS_label);
  const std::string load_average_start = LoadAverage();
  std::fprintf(stderr, "funnel_bench: %s, load average %s\n", DisplayUrl(db_url).c_str(), load_average_start.c_str());

  // 1. Schema, load, aggregates.
  json load_json = json::object();
  DataSet data;
  LoadReport load;
  double migrate_seconds = 0, rebuild_seconds = -1, read_seconds = -1;
  int64_t database_bytes = 0;
  {
    if (absl::GetFlag(FLAGS_replace)) {
      if (absl::Status s = Replace(db_url); !s.ok()) {
        failure.Note(absl::StrCat("--replace: ", s.ToString()));
        return 1;
      }
    }
    absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenDatabase(db_url);
    if (!opened.ok()) {
      failure.Note(absl::StrCat("open ", DisplayUrl(db_url), ": ", opened.status().ToString()));
      return 1;
    }
    db::Database& db = **opened;
    if (db.backend() == db::Backend::kSqlite) {
      const int kib = absl::GetFlag(FLAGS_sqlite_cache_mib) * 1024;
      (void)db.WithSession([&](soci::session& sql) {
        return db::Guard("cache size", [&]() -> absl::Status {
          sql << "PRAGMA cache_size=-" + std::to_string(kib);
          return absl::OkStatus();
        });
      });
    }
    absl::Time t0 = absl::Now();
    if (absl::Status s = db::ApplyMigrations(db, ServerMigrations()); !s.ok()) {
      failure.Note(absl::StrCat("migrations: ", s.ToString()));
      return 1;
    }
    migrate_seconds = SecondsSince(t0);

    const std::string rebuild_flag = absl::GetFlag(FLAGS_rebuild_aggregates);
    bool rebuild = rebuild_flag == "yes" || (rebuild_flag == "auto" && !absl::GetFlag(FLAGS_skip_load));
    if (!absl::GetFlag(FLAGS_skip_load)) {
      FunnelDataOptions options;
      options.opportunities = absl::GetFlag(FLAGS_opportunities);
      options.changes_per_opportunity = absl::GetFlag(FLAGS_changes_per_opportunity);
      options.accounts = absl::GetFlag(FLAGS_accounts);
      options.owners = absl::GetFlag(FLAGS_owners);
      options.campaigns = absl::GetFlag(FLAGS_campaigns);
      options.days = absl::GetFlag(FLAGS_days);
      options.end = StartOfDay(DayNumberOf(absl::Now()));
      options.seed = seed;
      options.rows_per_statement = absl::GetFlag(FLAGS_rows_per_statement);
      options.rows_per_transaction = absl::GetFlag(FLAGS_rows_per_transaction);
      std::fprintf(stderr, "funnel_bench: loading %lld opportunities, ~%.1f stage changes each\n",
                   static_cast<long long>(options.opportunities), options.changes_per_opportunity);
      absl::StatusOr<LoadReport> loaded = GenerateAndLoad(db, options, &data);
      if (!loaded.ok()) {
        failure.Note(absl::StrCat("load: ", loaded.status().ToString()));
        return 1;
      }
      load = *std::move(loaded);
    }
    if (rebuild) {
      std::fprintf(stderr, "funnel_bench: rebuilding the funnel aggregates\n");
      t0 = absl::Now();
      if (absl::Status s = pipeline::RebuildFunnelAggregates(db); !s.ok()) {
        failure.Note(absl::StrCat("RebuildFunnelAggregates: ", s.ToString()));
        return 1;
      }
      rebuild_seconds = SecondsSince(t0);
    }
    if (absl::GetFlag(FLAGS_skip_load)) {
      std::fprintf(stderr, "funnel_bench: reading back the loaded data\n");
      t0 = absl::Now();
      if (absl::Status s = ReadDataSet(db, &data); !s.ok()) {
        failure.Note(absl::StrCat("reading the loaded data: ", s.ToString()));
        return 1;
      }
      read_seconds = SecondsSince(t0);
    }
    database_bytes = DatabaseBytes(db);
  }  // The loader's connection closes before the server opens the database.

  std::printf("crm-server funnel benchmark%s\n", label.empty() ? "" : absl::StrCat(" (", label, ")").c_str());
  std::printf("  database      %s\n", DisplayUrl(db_url).c_str());
  std::printf("  server        %s (benchmark built as %s)\n", server_binary.c_str(), CRM_BUILD_TYPE);
  std::printf("  aggregates    %s\n", rebuild_seconds >= 0 ? "rebuilt by the benchmark before the server started"
                                                        : "not rebuilt by this run");
  std::printf("  machine       %u CPUs shared by server, database and benchmark; load average %s at start\n",
              std::thread::hardware_concurrency(), load_average_start.c_str());
  std::printf("  data          %zu opportunities, %lld stage changes, %zu accounts, %zu owners; %.2f GiB on disk\n\n",
              data.opportunities.size(), static_cast<long long>(data.stage_changes), data.accounts.size(),
              data.owners.size(), static_cast<double>(database_bytes) / (1 << 30));
  std::printf("Load (schema %.2f s)\n", migrate_seconds);
  json tables = json::array();
  if (!load.tables.empty()) {
    std::printf("  %-15s %12s %10s %12s\n", "table", "rows", "seconds", "rows/s");
    for (const TableLoad& t : load.tables) {
      std::printf("  %-15s %12lld %10.1f %12.0f\n", t.table.c_str(), static_cast<long long>(t.rows), t.seconds,
                  t.seconds > 0 ? static_cast<double>(t.rows) / t.seconds : 0);
      tables.push_back({{"table", t.table}, {"rows", t.rows}, {"seconds", t.seconds}});
    }
    std::printf("  %-15s %12lld %10.1f %12.0f\n", "total", static_cast<long long>(load.rows()), load.seconds,
                load.seconds > 0 ? static_cast<double>(load.rows()) / load.seconds : 0);
  } else {
    std::printf("  skipped (--skip_load); facts read back in %.1f s\n", read_seconds);
  }
  if (rebuild_seconds >= 0) std::printf("  RebuildFunnelAggregates: %.1f s\n", rebuild_seconds);
  std::printf("\n");
  load_json = {{"skipped", load.tables.empty()},
               {"tables", tables},
               {"rows", load.rows()},
               {"seconds", load.seconds},
               {"rows_per_s", load.seconds > 0 ? static_cast<double>(load.rows()) / load.seconds : 0},
               {"migrate_seconds", migrate_seconds},
               {"rebuild_aggregates_seconds", rebuild_seconds >= 0 ? json(rebuild_seconds) : json(nullptr)},
               {"database_bytes", database_bytes}};

  // 2-4. Against a server.
  std::vector<FunnelTiming> timings;
  std::vector<PhaseResult> phases;
  json checks = json::array();
  if (!phase_list.empty() && !failure.any) {
    std::string data_dir_template = "/tmp/crm-funnel-bench-XXXXXX";
    if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp) {
      data_dir_template = absl::StrCat(tmp, "/crm-funnel-bench-XXXXXX");
    }
    if (mkdtemp(data_dir_template.data()) == nullptr) {
      failure.Note("cannot create the server's data directory");
      return 1;
    }
    const std::string data_dir = data_dir_template;
    ServerOptions server_options;
    server_options.binary = server_binary;
    server_options.db_url = db_url;
    server_options.data_dir = data_dir;
    std::vector<std::string> server_flags =
        absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
    server_options.extra_flags = std::move(server_flags);
    server_options.health_service = "crm.v1.PipelineService";
    server_options.start_timeout = absl::Seconds(300);
    absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(absl::StrCat("server start: ", started.status().message()));
    } else {
      std::unique_ptr<ServerProcess> server = *std::move(started);
      std::fprintf(stderr, "funnel_bench: server SERVING after %.0f ms (pid %d, %s)\n",
                   absl::ToDoubleMilliseconds(server->start_to_serving()), static_cast<int>(server->pid()),
                   server->address().c_str());
      Client client(server->address(), server->token());
      if (!client.Connect()) failure.Note(absl::StrCat("could not connect to ", server->address()));

      // The team the team filter names.
      const std::string team_id = absl::StrCat("funnel-bench-", seed);
      std::vector<std::string> members;
      std::vector<FilterCase> filters = MakeFilters(data, team_id, &members);
      const std::vector<std::string> wanted = absl::GetFlag(FLAGS_filters);
      filters.erase(std::remove_if(filters.begin(), filters.end(),
                                   [&](const FilterCase& c) {
                                     return std::find(wanted.begin(), wanted.end(), c.key) == wanted.end();
                                   }),
                    filters.end());
      if (!failure.any) {
        crm::v1::SetTeamRequest request;
        request.mutable_team()->set_id(team_id);
        request.mutable_team()->set_name("Funnel bench team");
        request.mutable_team()->set_manager(members.front());
        for (const std::string& m : members) request.mutable_team()->add_members(m);
        grpc::ClientContext context;
        client.Prepare(context, absl::GetFlag(FLAGS_call_deadline_ms));
        crm::v1::Team team;
        if (grpc::Status s = client.stub().SetTeam(&context, request, &team); !s.ok()) {
          failure.Note(absl::StrCat("SetTeam: ", StatusCodeName(s.error_code()), " ", s.error_message()));
        }
      }

      if (wants("funnel") && !failure.any) {
        std::fprintf(stderr, "funnel_bench: GetFunnel per filter (%d calls, %d warm-up, %.0f s budget each)\n",
                     absl::GetFlag(FLAGS_calls), absl::GetFlag(FLAGS_warmup_calls),
                     absl::GetFlag(FLAGS_max_filter_seconds));
        for (const FilterCase& c : filters) {
          timings.push_back(TimeFunnel(client, data, c, failure));
          if (failure.any) break;
        }
      }
      if (wants("move") && !failure.any) {
        std::fprintf(stderr, "funnel_bench: MoveOpportunity, %d callers\n", absl::GetFlag(FLAGS_callers));
        phases.push_back(MoveOpportunities(client, data, server->pid(), seed));
      }
      if (wants("create") && !failure.any) {
        std::fprintf(stderr, "funnel_bench: CreateOpportunity, %d callers\n", absl::GetFlag(FLAGS_callers));
        phases.push_back(CreateOpportunities(client, data, server->pid(), seed));
      }
      for (const PhaseResult& p : phases) {
        if (p.failures() > 0) {
          failure.Note(absl::StrCat(p.name, ": ", p.failures(), " failed calls, e.g. ",
                                    absl::StrJoin(p.error_samples, " | ")));
        }
      }
      if (wants("check") && !failure.any) {
        std::fprintf(stderr, "funnel_bench: checking every filter after the moves and creates\n");
        for (const FilterCase& c : filters) {
          const absl::Time begin = absl::Now();
          const std::string error = CallFunnel(client, data, c, Predict(data, c.matches));
          checks.push_back({{"filter", c.name}, {"ok", error.empty()}, {"ms", SecondsSince(begin) * 1000}});
          if (!error.empty()) failure.Note(absl::StrCat("after the moves: ", error));
        }
      }
      if (absl::StatusOr<absl::Duration> stopped = server->Stop(); !stopped.ok()) {
        failure.Note(absl::StrCat("server stop: ", stopped.status().message()));
      }
      if (failure.any) std::fprintf(stderr, "funnel_bench: server log tail:\n%s\n", server->LogTail(20).c_str());
    }
    if (!absl::GetFlag(FLAGS_keep_data)) {
      std::error_code ignored;
      std::filesystem::remove_all(data_dir, ignored);
    } else {
      std::fprintf(stderr, "funnel_bench: kept %s\n", data_dir.c_str());
    }
  }
  const std::string load_average_end = LoadAverage();

  if (!timings.empty()) {
    std::printf("GetFunnel, one call at a time (latencies in ms; each answer checked against the loaded data)\n");
    std::printf("  %-34s %10s %6s %9s %9s %9s %9s %9s %8s\n", "filter", "matching", "calls", "p50", "p90", "p99",
                "max", "mean", "calls/s");
    for (const FunnelTiming& t : timings) {
      std::printf("  %-34s %10lld %6zu %9.2f %9.2f %9.2f %9.2f %9.2f %8.2f\n", t.filter.c_str(),
                  static_cast<long long>(t.matching), t.latencies_ns.size(), Ms(t.PercentileNs(50)),
                  Ms(t.PercentileNs(90)), Ms(t.PercentileNs(99)),
                  Ms(t.latencies_ns.empty() ? 0 : t.latencies_ns.back()), t.MeanNs() / 1e6,
                  t.seconds > 0 ? static_cast<double>(t.latencies_ns.size()) / t.seconds : 0);
    }
    std::printf("\n");
  }
  if (!phases.empty()) {
    std::printf("%d callers, closed loop, %.0f s warm-up + %.0f s measured (latencies in ms)\n",
                absl::GetFlag(FLAGS_callers), absl::GetFlag(FLAGS_warmup_seconds), absl::GetFlag(FLAGS_seconds));
    std::printf("  %-18s %9s %7s %9s %8s %8s %8s %8s %8s %8s %8s\n", "phase", "calls", "errors", "QPS", "p50", "p90",
                "p99", "p99.9", "max", "srv CPU", "bench CPU");
    for (const PhaseResult& p : phases) {
      const double window = p.cpu_window_seconds > 0 ? p.cpu_window_seconds : 1;
      std::printf("  %-18s %9lld %7lld %9.1f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f\n", p.name.c_str(),
                  static_cast<long long>(p.calls), static_cast<long long>(p.failures()), p.Qps(),
                  Ms(p.PercentileNs(50)), Ms(p.PercentileNs(90)), Ms(p.PercentileNs(99)), Ms(p.PercentileNs(99.9)),
                  Ms(p.latencies_ns.empty() ? 0 : p.latencies_ns.back()), p.server_cpu_seconds / window,
                  p.bench_cpu_seconds / window);
    }
    std::printf("  (srv CPU: crm-server alone; a MariaDB server is not counted)\n\n");
  }
  if (!checks.empty()) {
    int ok = 0;
    for (const json& c : checks) ok += c["ok"].get<bool>() ? 1 : 0;
    std::printf("Funnels after the moves and creates: %d of %zu filters agree with the data\n", ok, checks.size());
  }
  std::printf("load average %s at end\n", load_average_end.c_str());
  std::printf("%s\n\n", failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");

  json funnel_json = json::array();
  for (const FunnelTiming& t : timings) funnel_json.push_back(TimingJson(t));
  json phases_json = json::array();
  for (const PhaseResult& p : phases) phases_json.push_back(PhaseJson(p));
  json summary = SummaryHead("funnel", failure, db_url, server_binary, load_average_start, load_average_end);
  summary.update({{"label", label},
                  {"aggregates_rebuilt", rebuild_seconds >= 0},
                  {"seed", seed},
                  {"opportunities", data.opportunities.size()},
                  {"stage_changes", data.stage_changes},
                  {"load", load_json},
                  {"funnel", funnel_json},
                  {"phases", phases_json},
                  {"checks_after_moves", checks}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(
      argc, argv,
      "Bulk-loads opportunities with their stage history, then measures GetFunnel per filter and "
      "MoveOpportunity / CreateOpportunity throughput against crm-server. See bench/README.md.",
      crm::bench::Main);
}
