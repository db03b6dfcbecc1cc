// The synthetic sales history funnel_bench loads: accounts, campaigns, opportunities of the
// default pipeline and their stage history, generated from a seeded RNG and written straight
// into the server's tables with multi-row INSERTs (the bulk path, no RPC per row). Also what the
// benchmark keeps about every opportunity (owner, account, channel, creation time, current stage,
// stages ever entered) so it can predict any funnel exactly and check the server's answers.
//
// Shape (see GenerateAndLoad): creation times spread evenly over `days` days before `end`;
// accounts with a region, an industry and a size band drawn from skewed distributions, each with
// one of `owners` owners; most opportunities belong to their account's owner; some come from a
// campaign (and its channel) or just a lead channel; amounts in EUR (the base currency), USD or
// GBP (both given a rate in the sales settings), a few with no amount. Histories follow the
// server's rules: the first row is the creation into an open stage; moves go between distinct
// open stages (mostly forward, some skip a stage, some go back); a close goes from an open stage
// to the won or the first lost stage; a reopen from there back to the stage it was closed from.
// The older an opportunity, the likelier it is closed (about half are, overall); about 6 % were
// closed and reopened once. Every opportunity row agrees with its last history row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::bench {

struct FunnelDataOptions {
  int64_t opportunities = 1000000;
  // stage_changes rows per opportunity on average, its creation entry included.
  double changes_per_opportunity = 5;
  int accounts = 50000;
  int owners = 100;
  int campaigns = 150;
  // Creation times are spread over this many days before `end`.
  int days = 1095;
  // No generated time is later than this.
  absl::Time end;
  uint64_t seed = 1;
  int rows_per_statement = 500;
  int rows_per_transaction = 50000;
};

// What the benchmark knows about one opportunity of the default pipeline.
struct OpportunityFacts {
  uint32_t account = 0;       // index into DataSet::accounts
  uint32_t owner = 0;         // index into DataSet::owners
  uint32_t entered_mask = 0;  // bit i: some history row entered pipeline stage i
  uint8_t stage = 0;          // current stage, an index into the pipeline's stages
  uint8_t status = 0;         // crm::v1::OpportunityStatus
  uint8_t channel = 0;        // crm::v1::LeadChannel
  int64_t create_micros = 0;
};

struct AccountFacts {
  std::string id;
  uint32_t region = 0;    // index into DataSet::regions
  uint32_t industry = 0;  // index into DataSet::industries
};

struct DataSet {
  crm::v1::Pipeline pipeline;  // the default pipeline, stages in funnel order
  std::vector<std::string> owners;
  std::vector<std::string> regions;
  std::vector<std::string> industries;
  std::vector<AccountFacts> accounts;
  std::vector<std::string> opportunity_ids;  // parallel to `opportunities`
  std::vector<OpportunityFacts> opportunities;
  int64_t stage_changes = 0;
};

struct TableLoad {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;  // generating and writing
};

struct LoadReport {
  std::vector<TableLoad> tables;
  double seconds = 0;
  int64_t rows() const;
};

// Generates the data set and writes it into `db`, whose schema must be applied and which must
// hold no opportunity yet. One transaction per `rows_per_transaction` rows. Fills `data`.
absl::StatusOr<LoadReport> GenerateAndLoad(db::Database& db, const FunnelDataOptions& options, DataSet* data);

// Reads the facts of a database loaded earlier (every opportunity of the default pipeline).
absl::Status ReadDataSet(db::Database& db, DataSet* data);

}  // namespace crm::bench
