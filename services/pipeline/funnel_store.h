// SQL for the funnel aggregates (tables in analytics_schema.cc): per-opportunity facts, the
// attribution each opportunity is counted under, and the summed cube GetFunnel reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "services/pipeline/analytics_filter.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// GetFunnel's building blocks for one stage, summed over some opportunities (or a change to
// those sums).
struct StageTally {
  int64_t entered = 0;
  int64_t converted = 0;
  int64_t visits = 0;
  int64_t visit_micros = 0;
  int64_t closed = 0;
  int64_t cycle_micros = 0;

  void Add(const StageTally& other, int sign);
  bool IsZero() const;
};

// Opportunities in a stage and their amount in one currency.
struct HoldingTally {
  int64_t count = 0;
  int64_t micros = 0;
};

// Sums (or changes to sums) per stage, and holdings per (stage id, currency; "" = no amount).
struct FunnelTotals {
  std::map<std::string, StageTally> stages;
  std::map<std::pair<std::string, std::string>, HoldingTally> holdings;

  void Add(const FunnelTotals& other, int sign);
  // True when every figure is 0 (nothing to write).
  bool IsZero() const;
};

// One slice of the cube an opportunity is counted in: dimension "" (all opportunities) with
// value "", a filter dimension ("owner", "region", ...) with the opportunity's value, or a
// combination of them (CombinedSlice).
struct CubeSlice {
  std::string dimension;
  std::string value;
  bool operator==(const CubeSlice& other) const { return dimension == other.dimension && value == other.value; }
};

// Cube rows sum one creation day, or one calendar month (keyed by its first day).
enum class CubeGrain { kDay, kMonth };

inline constexpr char kSliceOwner[] = "owner";
inline constexpr char kSliceRegion[] = "region";
inline constexpr char kSliceIndustry[] = "industry";
inline constexpr char kSliceChannel[] = "channel";
inline constexpr char kSliceCampaign[] = "campaign";

// The combinations of filter dimensions the cube keeps slices for: every pair; region + industry
// + channel, the three dimensions of few values each; and each two of them with an owner (a team
// is its members). Every other combination of three or more includes a campaign, whose few
// opportunities the facts find by index, or is four or more with an owner. Each combination
// lists its dimensions in canonical order.
const std::vector<std::vector<std::string>>& CombinedDimensions();
// `dimensions` (any order) as the combination CombinedDimensions() lists, or nullopt.
std::optional<std::vector<std::string>> CombinationOf(std::vector<std::string> dimensions);

// The slice counting opportunities that have all of these values (two or more dimensions):
// "owner+region" with the values joined unambiguously, whatever order they are given in.
// Combined slices keep month rows only (their day rows would be as many as the opportunities);
// the days of a period outside whole months come from the facts.
CubeSlice CombinedSlice(std::vector<CubeSlice> parts);
bool IsCombinedSlice(const CubeSlice& slice);

// A part of a period of creation days that one grain of cube rows answers.
struct CubeRange {
  CubeGrain grain;
  int64_t from;  // inclusive; for kMonth the first day of a month
  int64_t to;    // inclusive; for kMonth the last day of a month
};
// [from_day, to_day] (unset: open) as whole months and the days before and after them.
std::vector<CubeRange> SplitPeriod(std::optional<int64_t> from_day, std::optional<int64_t> to_day);


// What one stage fact of one opportunity holds (see funnel_stage_facts).
struct StageFact {
  int64_t converted = 0;
  int64_t visits = 0;
  int64_t visit_micros = 0;
};
// An opportunity's facts by stage id: the stages it ever entered.
using StageFacts = std::map<std::string, StageFact>;

// The account's region and industry as an opportunity is counted under them.
struct AccountAttribution {
  std::string region;
  std::string industry;
  bool operator==(const AccountAttribution& other) const {
    return region == other.region && industry == other.industry;
  }
};

// Everything an opportunity is counted under in the aggregates, stored per opportunity so a
// later change moves exactly what was counted, and so the facts can be filtered like the cube.
struct FunnelAttribution {
  std::string account_id;
  std::string pipeline_id;
  int64_t created_day = 0;
  std::string owner;
  AccountAttribution account;
  int source_channel = 0;  // 0 = none
  std::string source_campaign_id;
};

class FunnelStore {
 public:
  static absl::StatusOr<StageFacts> LoadFacts(soci::session& sql, const std::string& opportunity_id);
  // Adds `changes` to the opportunity's facts; a stage without a row gets one (entering it).
  static absl::Status AddToFacts(db::Tx& tx, const std::string& opportunity_id, const StageFacts& changes);

  static absl::StatusOr<std::optional<FunnelAttribution>> LoadAttribution(soci::session& sql,
                                                                          const std::string& opportunity_id);
  static absl::Status SaveAttribution(db::Tx& tx, const std::string& opportunity_id,
                                      const FunnelAttribution& attribution);
  // The account's current region and industry; nullopt when there is no such account.
  static absl::StatusOr<std::optional<AccountAttribution>> CurrentOfAccount(soci::session& sql,
                                                                            const std::string& account_id);
  // Opportunities counted under an attribution other than the account's current one.
  static absl::StatusOr<std::vector<std::string>> StaleAttributions(soci::session& sql, const std::string& account_id,
                                                                    const AccountAttribution& current);

  // Adds `totals` to the cube rows of every slice at (pipeline, created day): its day row (not
  // for combined slices) and its month row.
  static absl::Status AddToCube(db::Tx& tx, const std::string& pipeline_id, int64_t created_day,
                                const std::vector<CubeSlice>& slices, const FunnelTotals& totals);

  // Σ over the cube rows of `ranges`: one dimension ("" for all opportunities) with any of
  // `values`.
  static absl::StatusOr<FunnelTotals> SumCube(soci::session& sql, const std::string& pipeline_id,
                                              const std::string& dimension, const std::vector<std::string>& values,
                                              const std::vector<CubeRange>& ranges);
  // The same totals from the per-opportunity facts, for any combination of filters; the
  // opportunities are filtered by what they are counted under (cost grows with the
  // opportunities the best index leaves to check).
  static absl::StatusOr<FunnelTotals> SumFacts(soci::session& sql, const AnalyticsScope& scope);

  // --- Rebuild --------------------------------------------------------------------------------
  // Empties every aggregate table.
  static absl::Status Clear(soci::session& sql);
  // One opportunity as the rebuild needs it.
  struct OpportunityRow {
    std::string id;
    std::string account_id;
    std::string pipeline_id;
    std::string stage_id;
    int status = 0;
    std::optional<std::string> currency;
    int64_t amount_micros = 0;
    int64_t create_micros = 0;
    std::optional<int64_t> close_micros;
    std::string owner;
    int source_channel = 0;
    std::string source_campaign_id;
    AccountAttribution attribution;  // the account's, now
  };
  static absl::Status ForEachOpportunity(soci::session& sql, const std::function<absl::Status(OpportunityRow&)>& each);
  // Stage history of every opportunity, by opportunity id then sequence.
  struct HistoryRow {
    std::string opportunity_id;
    std::string to_stage_id;
    int64_t change_micros = 0;
  };
  static absl::Status ForEachHistoryRow(soci::session& sql, const std::function<absl::Status(const HistoryRow&)>& each);
  // Bulk writers for the rebuild (multi-row INSERTs, tables emptied first).
  class BulkWriter {
   public:
    explicit BulkWriter(soci::session& sql) : sql_(sql) {}
    absl::Status Attribution(const std::string& opportunity_id, const FunnelAttribution& attribution);
    absl::Status Facts(const std::string& opportunity_id, const StageFacts& facts);
    // `created_day`: the day, or for kMonth the month's first day.
    absl::Status Cube(const std::string& pipeline_id, CubeGrain grain, int64_t created_day, const CubeSlice& slice,
                      const FunnelTotals& totals);
    absl::Status Finish();

   private:
    struct Pending;
    soci::session& sql_;
    std::shared_ptr<Pending> pending_;
  };
};

}  // namespace crm::pipeline
