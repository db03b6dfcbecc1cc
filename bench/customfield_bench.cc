// customfield_bench: ListAccounts filtered and ordered by account custom fields on a million
// accounts, and the query plans behind it.
//
//   1. data: applies the server's migrations to the database, then reuses the accounts an
//      earlier run generated with the same size and seed (bench/customfield_data.h), or
//      generates and loads them (--regenerate always does): `accounts` with their values whole
//      in `custom_fields`, and one `custom_field_values` row per value; rows/s per table;
//   2. calls: starts crm-server on that database, creates the five account fields through
//      CustomFieldService (filterable; kept when an earlier run made them), then calls
//      ListAccounts (page_size 50) one call at a time for each case: no filter (reference), a
//      unique text value (customer_code, a different account each call), a common and a rare
//      choice value, number, date and money ranges, order_by "custom.seats" (first page, and
//      the following pages through page tokens), equality filters combined with that order, and
//      a filter no index answers (a full scan of the accounts, for comparison; 10 calls).
//      p50 / p90 / p99 / max and rows per call. Every answer is checked against what the
//      benchmark drew: the same accounts in the same order, with the same values;
//   3. plans: the statements AccountStore::List runs for each case (AccountStore::ListStatements
//      for the same request) under EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (MariaDB). The plans
//      of equality filters must have no full scan (ExplainSqlite and ExplainMysql say what counts
//      as one; bench/README.md why).
//
// Promises (exit code 1 when one breaks): no full scan in an equality filter's plan; the unique
// value's equality p99 at most --max_equality_ms at 1,000,000 accounts or more; every answer
// right; every call OK. Exit code 2 on bad flags. The last line of stdout is a JSON summary.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <soci/soci.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_auth.h"
#include "bench/bench_database.h"
#include "bench/bench_report.h"
#include "bench/customfield_data.h"
#include "bench/load_runner.h"
#include "bench/random_draws.h"
#include "bench/server_process.h"
#include "common/core/date_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "common/db/dialect.h"
#include "common/db/migrations.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "services/accounts/account_store.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/customfield.grpc.pb.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::string, backend, "sqlite", "sqlite or mysql (picks the default --db).");
ABSL_FLAG(std::string, db, "",
          "Database URL; default sqlite:///tmp/cfb/customfield_bench.db or "
          "mysql://crm:crm@127.0.0.1:33306/cf_bench.");
ABSL_FLAG(int64_t, accounts, 1000000, "Accounts to generate.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the generator and of the calls' parameters.");
ABSL_FLAG(bool, regenerate, false, "Generate the data again even when the database holds the same data set.");
ABSL_FLAG(int, rows_per_statement, 500, "Rows per multi-row INSERT of the load.");
ABSL_FLAG(int, rows_per_transaction, 50000, "Rows per load transaction.");
ABSL_FLAG(int, sqlite_cache_mib, 1024, "Page cache of the loader's SQLite connection (the server keeps its own).");
ABSL_FLAG(std::vector<std::string>, cases, std::vector<std::string>({}),
          "Only these cases (default: every one; see the report for their names). Empty with --load_only.");
ABSL_FLAG(bool, load_only, false, "Stop after the data is in place.");
ABSL_FLAG(int, page_size, 50, "page_size of every ListAccounts call.");
ABSL_FLAG(int, repetitions, 200, "Measured calls per case (fewer when --max_case_seconds runs out).");
ABSL_FLAG(int, warmup, 5, "Calls per case before the measured ones.");
ABSL_FLAG(int, min_repetitions, 20, "Measured calls per case even past --max_case_seconds.");
ABSL_FLAG(double, max_case_seconds, 20, "Time budget per case, warm-up included.");
ABSL_FLAG(double, max_equality_ms, 25,
          "Promise at 1,000,000 accounts or more: p99 of the equality filter on a unique value (customer_code).");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
// Background jobs would otherwise share the two cores with the measured calls every 5 s.
ABSL_FLAG(std::string, server_flags, "--job_period_ms=86400000",
          "crm-server flags, space-separated. The default keeps background jobs out of the runs.");
ABSL_FLAG(int, call_deadline_ms, 60000, "Deadline of every call.");
ABSL_FLAG(std::string, label, "", "A name for this run in the report.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using crm::v1::ListAccountsRequest;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The cases and the rows each call must answer.

// One call's request and the accounts (positions in CustomFieldData) it must answer, in order.
struct Call {
  ListAccountsRequest request;
  std::vector<int64_t> expected;
  // Chained cases: the list position the page starts after (for the plan's SQL).
  std::optional<customfields::CustomOrderPosition> after;
};

struct QueryCase {
  std::string name;
  std::string what;
  // An equality filter: its plan must read no table whole.
  bool equality = false;
  // Each call asks for the page after the previous call's (its page token).
  bool chained = false;
  // Calls instead of --repetitions and --warmup (0: the flags).
  int repetitions = 0;
  int warmup = 0;
  // Call number `call` (0-based, warm-up included); the same number always makes the same call.
  std::function<Call(int64_t call)> make;
};

// The accounts in list orders, computed from the drawn values (ids ascend with positions, so
// position order is id order).
class Truth {
 public:
  Truth(const CustomFieldData& data, int page_size) : data_(data), page_size_(page_size) {
    for (int64_t i = 0; i < data.accounts(); ++i) {
      if (data.values[i].seats > 0) by_seats_.push_back(i);
    }
    std::stable_sort(by_seats_.begin(), by_seats_.end(),
                     [&](int64_t a, int64_t b) { return data.values[a].seats < data.values[b].seats; });
    for (int64_t i = 0; i < data.accounts(); ++i) {
      if (data.values[i].seats == 0) by_seats_.push_back(i);  // without a value: last, in id order
    }
  }

  // The first page of the accounts that match, in id order.
  std::vector<int64_t> FirstPage(const std::function<bool(const DrawnValues&)>& matches) const {
    std::vector<int64_t> page;
    for (int64_t i = 0; i < data_.accounts() && static_cast<int>(page.size()) < page_size_; ++i) {
      if (matches(data_.values[i])) page.push_back(i);
    }
    return page;
  }
  // Page `page` (0-based) of the accounts that match, ordered by seats.
  std::vector<int64_t> SeatsPage(int64_t page, const std::function<bool(const DrawnValues&)>& matches) const {
    std::vector<int64_t> rows;
    int64_t skip = page * page_size_;
    for (int64_t i : by_seats_) {
      if (!matches(data_.values[i])) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      rows.push_back(i);
      if (static_cast<int>(rows.size()) == page_size_) break;
    }
    return rows;
  }
  // Where a list by seats stands after account i (what its page token carries).
  customfields::CustomOrderPosition SeatsPosition(int64_t i) const {
    customfields::CustomOrderPosition position;
    position.has_value = data_.values[i].seats > 0;
    if (position.has_value) position.key.number = data_.values[i].seats;
    position.id = data_.ids[i];
    return position;
  }

 private:
  const CustomFieldData& data_;
  const int page_size_;
  std::vector<int64_t> by_seats_;
};

crm::v1::CustomFieldFilter& AddFilter(ListAccountsRequest& request, const char* key) {
  crm::v1::CustomFieldFilter& filter = *request.mutable_filter()->add_custom_fields();
  filter.set_key(key);
  return filter;
}

// The seeded draws of one call: the same (case, call) always draws the same.
Random CallRandom(uint64_t seed, size_t case_index, int64_t call) {
  return Random(seed * 1000003ULL + case_index * 7919ULL + static_cast<uint64_t>(call) * 104729ULL + 17);
}

// The cases, in the order they run. They keep pointers to `data` and `truth`, which must outlive them.
std::vector<QueryCase> MakeCases(const CustomFieldData& data_ref, const Truth& truth_ref, uint64_t seed) {
  const CustomFieldData* data = &data_ref;
  const Truth* truth = &truth_ref;
  const std::vector<std::string>& segments = SegmentOptions();
  const int common = 0;                                    // smb, the most common
  const int rare = static_cast<int>(segments.size()) - 1;  // partner, the rarest
  const int middle = 2;                                    // enterprise
  crm::v1::Date renewal_start;
  renewal_start.set_year(2025);
  renewal_start.set_month(1);
  renewal_start.set_day(1);
  const int64_t first_day = DayNumberFromDate(renewal_start, "").value_or(0);
  const auto all = [](const DrawnValues&) { return true; };
  std::vector<QueryCase> cases;
  auto add = [&](std::string name, std::string what, bool equality, bool chained,
                 std::function<Call(Random&, int64_t)> make) {
    const size_t index = cases.size();
    QueryCase& c = cases.emplace_back();
    c.name = std::move(name);
    c.what = std::move(what);
    c.equality = equality;
    c.chained = chained;
    c.make = [seed, index, make = std::move(make)](int64_t call) {
      Random random = CallRandom(seed, index, call);
      return make(random, call);
    };
    return &c;
  };
  auto segment_equals = [](Call& c, int segment) {
    AddFilter(c.request, kSegmentKey).mutable_equals()->set_choice_value(SegmentOptions()[segment]);
  };

  add("plain", "no filter, id order (reference)", false, false, [truth, all](Random&, int64_t) {
    Call c;
    c.expected = truth->FirstPage(all);
    return c;
  });
  add("code_equals", "customer_code = one account's code (unique; another account each call)", true, false,
      [data](Random& random, int64_t) {
        Call c;
        const int64_t i = random.Below(data->accounts());
        AddFilter(c.request, kCustomerCodeKey).mutable_equals()->set_text_value(data->CustomerCode(i));
        c.expected = {i};
        return c;
      });
  add("segment_common", absl::StrCat("segment = ", segments[common], " (46 % of the values), first page"), true,
      false, [truth, segment_equals, common](Random&, int64_t) {
        Call c;
        segment_equals(c, common);
        c.expected = truth->FirstPage([common](const DrawnValues& v) { return v.segment == common; });
        return c;
      });
  add("segment_rare", absl::StrCat("segment = ", segments[rare], " (6 % of the values), first page"), true, false,
      [truth, segment_equals, rare](Random&, int64_t) {
        Call c;
        segment_equals(c, rare);
        c.expected = truth->FirstPage([rare](const DrawnValues& v) { return v.segment == rare; });
        return c;
      });
  add("seats_range", "seats between a and a + 0..20 (a = 1..300), first page", false, false,
      [truth](Random& random, int64_t) {
        Call c;
        const int32_t low = static_cast<int32_t>(1 + random.Below(300));
        const int32_t high = low + static_cast<int32_t>(random.Below(21));
        crm::v1::CustomFieldFilter& f = AddFilter(c.request, kSeatsKey);
        f.mutable_min()->set_number_value(low);
        f.mutable_max()->set_number_value(high);
        c.expected = truth->FirstPage([low, high](const DrawnValues& v) { return v.seats >= low && v.seats <= high; });
        return c;
      });
  add("renewal_range", "renewal in a 30-day window within 2025-2028, first page", false, false,
      [truth, first_day](Random& random, int64_t) {
        Call c;
        const int64_t from = first_day + random.Below(4 * 365 - 30);
        const int64_t to = from + 29;
        crm::v1::CustomFieldFilter& f = AddFilter(c.request, kRenewalKey);
        *f.mutable_min()->mutable_date_value() = DateFromDayNumber(from);
        *f.mutable_max()->mutable_date_value() = DateFromDayNumber(to);
        c.expected = truth->FirstPage(
            [from, to](const DrawnValues& v) { return v.has_renewal && v.renewal_day >= from && v.renewal_day <= to; });
        return c;
      });
  add("budget_range", "budget between EUR a and a + 2,000 (a = 1,000..50,000), first page", false, false,
      [truth](Random& random, int64_t) {
        Call c;
        const int64_t low = 1000 * (1 + random.Below(50));
        const int64_t high = low + 2000;
        crm::v1::CustomFieldFilter& f = AddFilter(c.request, kBudgetKey);
        f.mutable_min()->mutable_money_value()->set_currency_code("EUR");
        f.mutable_min()->mutable_money_value()->set_units(low);
        f.mutable_max()->mutable_money_value()->set_currency_code("EUR");
        f.mutable_max()->mutable_money_value()->set_units(high);
        c.expected = truth->FirstPage([low, high](const DrawnValues& v) {
          return v.budget_units > 0 && !v.budget_usd && v.budget_units >= low && v.budget_units <= high;
        });
        return c;
      });
  add("order_seats_first", "order_by custom.seats, first page", false, false, [truth, all](Random&, int64_t) {
    Call c;
    c.request.set_order_by("custom.seats");
    c.expected = truth->SeatsPage(0, all);
    return c;
  });
  add("order_seats_next", "order_by custom.seats, the next page through the page token (pages 2, 3, ...)", false,
      true, [truth, all](Random&, int64_t call) {
        Call c;
        c.request.set_order_by("custom.seats");
        c.expected = truth->SeatsPage(call, all);
        if (call > 0) c.after = truth->SeatsPosition(truth->SeatsPage(call - 1, all).back());
        return c;
      });
  add("segment_order_seats",
      absl::StrCat("segment = ", segments[middle], " (12 % of the values), order_by custom.seats, first page"), true,
      false, [truth, segment_equals, middle](Random&, int64_t) {
        Call c;
        c.request.set_order_by("custom.seats");
        segment_equals(c, middle);
        c.expected = truth->SeatsPage(0, [middle](const DrawnValues& v) { return v.segment == middle; });
        return c;
      });
  add("code_order_seats", "customer_code = one account's code, order_by custom.seats (both runs of the order)", true,
      false, [data](Random& random, int64_t) {
        Call c;
        c.request.set_order_by("custom.seats");
        const int64_t i = random.Below(data->accounts());
        AddFilter(c.request, kCustomerCodeKey).mutable_equals()->set_text_value(data->CustomerCode(i));
        c.expected = {i};
        return c;
      });
  // What a full scan of the accounts costs here (no index can answer a substring of the name),
  // for comparison with the equality filters; a few calls suffice.
  QueryCase* scan = add("full_scan_reference", "filter.text matching no name: a full scan of the accounts (reference)",
                        false, false, [](Random&, int64_t) {
                          Call c;
                          c.request.mutable_filter()->set_text("no account has this name");
                          return c;
                        });
  scan->repetitions = 10;
  scan->warmup = 1;
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Against the server.

struct CaseResult {
  std::string name;
  std::string what;
  bool equality = false;
  PhaseResult timing;  // the measured calls' latencies
  int warmup_calls = 0;
  int64_t rows = 0;    // over the measured calls
  int64_t min_rows = -1, max_rows = 0;
  bool right = true;   // every answer was the expected one
};

// "<n> accounts [first, second, third, ...]", for messages.
std::string Head(const std::vector<std::string>& ids) {
  const size_t shown = std::min<size_t>(3, ids.size());
  return absl::StrCat(ids.size(), " accounts [", absl::StrJoin(ids.begin(), ids.begin() + shown, ", "),
                      ids.size() > shown ? ", ...]" : "]");
}

// The answer's problem, or "" when it lists exactly the expected accounts with their values.
std::string CheckAnswer(const CustomFieldData& data, const Call& call, const crm::v1::ListAccountsResponse& answer) {
  std::vector<std::string> want, got;
  for (int64_t i : call.expected) want.push_back(data.ids[i]);
  for (const crm::v1::Account& a : answer.accounts()) got.push_back(a.id());
  if (want != got) return absl::StrCat("expected ", Head(want), ", got ", Head(got));
  for (int k = 0; k < answer.accounts_size(); ++k) {
    const std::string stored = customfields::EncodeValues(answer.accounts(k).custom_fields());
    const std::string drawn = customfields::EncodeValues(data.ValuesOf(call.expected[k]));
    if (stored != drawn) return absl::StrCat("account ", got[k], " carries ", stored, ", drawn ", drawn);
  }
  return "";
}

CaseResult RunCase(crm::v1::AccountService::Stub& stub, const std::string& token, const QueryCase& c,
                   const CustomFieldData& data, Failure& failure) {
  CaseResult result;
  result.name = c.name;
  result.what = c.what;
  result.equality = c.equality;
  result.timing.name = c.name;
  result.timing.callers = 1;
  const int warmup = c.warmup > 0 ? c.warmup : absl::GetFlag(FLAGS_warmup);
  const int repetitions = c.repetitions > 0 ? c.repetitions : absl::GetFlag(FLAGS_repetitions);
  const absl::Time budget_end = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_max_case_seconds));
  const absl::Time started = absl::Now();
  std::string page_token;
  // Chained cases: the page of the chain this call asks for. A chain that reached its last page
  // (no next page token) starts again from the first, as small data sets do.
  int64_t page_in_chain = 0;
  for (int64_t n = 0; n < warmup + repetitions; ++n) {
    const bool measured = n >= warmup;
    if (measured && n - warmup >= std::min(repetitions, absl::GetFlag(FLAGS_min_repetitions)) &&
        absl::Now() >= budget_end) {
      break;
    }
    Call call = c.make(c.chained ? page_in_chain : n);
    call.request.set_page_size(absl::GetFlag(FLAGS_page_size));
    if (c.chained && page_in_chain > 0) call.request.set_page_token(page_token);
    grpc::ClientContext context;
    PrepareCall(context, token, absl::Milliseconds(absl::GetFlag(FLAGS_call_deadline_ms)));
    crm::v1::ListAccountsResponse answer;
    const absl::Time begin = absl::Now();
    const grpc::Status status = stub.ListAccounts(&context, call.request, &answer);
    const int64_t latency_ns = absl::ToInt64Nanoseconds(absl::Now() - begin);
    if (!status.ok()) {
      result.timing.Record(CallOutcome::FromStatus(status), measured, 0);
      failure.Note(absl::StrCat(c.name, " call ", n, ": ", StatusCodeName(status.error_code()), " ",
                                status.error_message()));
      result.right = false;
      break;
    }
    if (std::string problem = CheckAnswer(data, call, answer); !problem.empty()) {
      result.timing.Record(CallOutcome::BadResponse(problem), measured, 0);
      failure.Note(absl::StrCat(c.name, " call ", n, ": wrong answer: ", problem));
      result.right = false;
      break;
    }
    page_token = answer.next_page_token();
    page_in_chain = page_token.empty() ? 0 : page_in_chain + 1;
    if (!measured) {
      ++result.warmup_calls;
      continue;
    }
    result.timing.Record(CallOutcome::Ok(), true, latency_ns);
    const int64_t rows = answer.accounts_size();
    result.rows += rows;
    result.min_rows = result.min_rows < 0 ? rows : std::min(result.min_rows, rows);
    result.max_rows = std::max(result.max_rows, rows);
  }
  result.timing.window_seconds = SecondsSince(started);
  result.timing.SortLatencies();
  const PhaseResult& t = result.timing;
  std::fprintf(stderr, "customfield_bench:   %-20s %4lld calls, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms\n",
               c.name.c_str(), static_cast<long long>(t.ok), Ms(t.PercentileNs(50)), Ms(t.PercentileNs(99)),
               Ms(t.latencies_ns.empty() ? 0 : t.latencies_ns.back()));
  return result;
}

// Creates the benchmark's fields through CustomFieldService, or takes the ones an earlier run
// created (undeleted and made filterable when they are not); returns them as stored.
absl::StatusOr<std::vector<crm::v1::CustomField>> EnsureFields(const std::string& address, const std::string& token) {
  auto stub = crm::v1::CustomFieldService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  const absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_call_deadline_ms));
  auto failed = [](const char* rpc, const std::string& key, const grpc::Status& status) {
    return absl::InternalError(absl::StrCat(rpc, " ", key, ": ", StatusCodeName(status.error_code()), " ",
                                            status.error_message()));
  };
  std::vector<crm::v1::CustomField> stored;
  for (const crm::v1::CustomField& field : CustomFieldDefinitions()) {
    crm::v1::CreateCustomFieldRequest create;
    *create.mutable_field() = field;
    crm::v1::CustomField answer;
    grpc::ClientContext context;
    PrepareCall(context, token, deadline);
    grpc::Status status = stub->CreateCustomField(&context, create, &answer);
    if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      crm::v1::GetCustomFieldRequest get;
      get.set_entity(field.entity());
      get.set_key(field.key());
      grpc::ClientContext get_context;
      PrepareCall(get_context, token, deadline);
      status = stub->GetCustomField(&get_context, get, &answer);
      if (!status.ok()) return failed("GetCustomField", field.key(), status);
      if (answer.type() != field.type()) {
        return absl::FailedPreconditionError(absl::StrCat("field ", field.key(), " exists with type ",
                                                          crm::v1::CustomFieldType_Name(answer.type()),
                                                          "; run with --regenerate"));
      }
      if (answer.has_delete_time()) {
        crm::v1::UndeleteCustomFieldRequest undelete;
        undelete.set_entity(field.entity());
        undelete.set_key(field.key());
        grpc::ClientContext undelete_context;
        PrepareCall(undelete_context, token, deadline);
        status = stub->UndeleteCustomField(&undelete_context, undelete, &answer);
        if (!status.ok()) return failed("UndeleteCustomField", field.key(), status);
      }
      if (!answer.filterable()) {
        crm::v1::UpdateCustomFieldRequest update;
        update.mutable_field()->set_entity(field.entity());
        update.mutable_field()->set_key(field.key());
        update.mutable_field()->set_filterable(true);
        update.mutable_update_mask()->add_paths("filterable");
        update.set_etag(answer.etag());
        grpc::ClientContext update_context;
        PrepareCall(update_context, token, deadline);
        status = stub->UpdateCustomField(&update_context, update, &answer);
        if (!status.ok()) return failed("UpdateCustomField", field.key(), status);
      }
    } else if (!status.ok()) {
      return failed("CreateCustomField", field.key(), status);
    }
    stored.push_back(answer);
  }
  return stored;
}

// ---------------------------------------------------------------------------------------------
// Plans.

// One statement the store runs for a case, with its plan.
struct Plan {
  std::string statement;  // which of the case's statements
  std::string sql;
  std::string parameters;
  std::vector<std::string> lines;
  std::vector<std::string> full_scans;  // reads that grow with the table (see ExplainSqlite, ExplainMysql)
  std::string error;
};

// The statements AccountStore::List runs for `query` (AccountStore::ListStatements), each with
// its name in the report.
absl::StatusOr<std::vector<std::pair<std::string, db::SqlQuery>>> StoreStatements(
    db::Database& db, const accounts::AccountListQuery& query) {
  std::vector<db::SqlQuery> run;
  absl::Status read = db.Read([&](soci::session& sql) {
    absl::StatusOr<std::vector<db::SqlQuery>> statements = accounts::AccountStore::ListStatements(sql, query);
    if (!statements.ok()) return statements.status();
    run = *std::move(statements);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  std::vector<std::pair<std::string, db::SqlQuery>> statements;
  for (size_t s = 0; s < run.size(); ++s) {
    std::string name = "list";
    if (query.custom_order) {
      name = s + 1 < run.size() ? "value run" : "missing run (only when the value run fills less than a page)";
    }
    statements.emplace_back(std::move(name), std::move(run[s]));
  }
  return statements;
}

// `q` under `keyword` (EXPLAIN, EXPLAIN QUERY PLAN), its parameters bound as they are.
db::SqlQuery Explained(absl::string_view keyword, const db::SqlQuery& q) {
  // q's text has its placeholders already numbered and no '?' left: each parameter is bound in
  // its order, with no fragment of its own.
  db::SqlQuery explained(absl::StrCat(keyword, " ", q.text()));
  q.VisitParameters([&](const std::string& s) { explained.Append("", s); },
                    [&](long long v) { explained.Append("", v); }, [&](double v) { explained.Append("", v); });
  return explained;
}

std::string Parameters(const db::SqlQuery& q) {
  std::vector<std::string> values;
  q.VisitParameters([&](const std::string& s) { values.push_back(absl::StrCat("'", s, "'")); },
                    [&](long long v) { values.push_back(absl::StrCat(v)); },
                    [&](double v) { values.push_back(absl::StrFormat("%.17g", v)); });
  return absl::StrJoin(values, ", ");
}

bool IsValueTable(absl::string_view table) {
  return table == "custom_field_values" || table == "cfv" || table == "m" || table == "drv";
}

// SQLite plans do not depend on the values (no statistics), so the shape decides. A full scan is
// a read whose length grows with the table rather than with the answer, for some value:
//   "SCAN accounts" / "SCAN <value table>" (with or without USING INDEX): reads from one end
//   until the LIMIT is filled, the filter checked row by row;
//   "SEARCH <value table> ... (entity_type=? AND field_key=?)" and nothing more: walks every
//   value of one field (the order's walk), the filter checked per row; for a value that few
//   accounts have, that is every value of the field. Except the walk the store chooses for an
//   equality it counted at customfields::kFewMatches matches or more, tested per row on the
//   value's primary key ("SEARCH drv USING PRIMARY KEY"): it stops after about page size ×
//   accounts / matches entries, at most a page's worth of every kFewMatches-th value.
// Keyed SEARCHes, the IN list's materialisation ("LIST SUBQUERY") and temporary b-trees are not.
void ExplainSqlite(soci::session& sql, const db::SqlQuery& q, Plan& plan) {
  std::map<int64_t, int> depth;
  std::vector<std::string> walks;
  bool equality_per_row = false;
  const absl::Status status = db::ScanRows(sql, q, "explain", [&](const db::ScannedRow& row) {
    const int64_t id = row.Int(0);
    const int64_t parent = row.Int(1);
    const int d = parent == 0 ? 0 : depth[parent] + 1;
    depth[id] = d;
    const std::string detail(row.Text(3));
    plan.lines.push_back(absl::StrCat(std::string(2 * d, ' '), detail));
    const std::vector<std::string> words = absl::StrSplit(detail, ' ');
    if (words.size() < 2) return true;
    if (words[0] == "SCAN" && (words[1] == "accounts" || IsValueTable(words[1]))) {
      plan.full_scans.push_back(detail);
    } else if (words[0] == "SEARCH" && IsValueTable(words[1]) &&
               absl::EndsWith(detail, "(entity_type=? AND field_key=?)")) {
      walks.push_back(detail);
    } else if (words[0] == "SEARCH" && words[1] == "drv" && absl::StrContains(detail, "PRIMARY KEY")) {
      equality_per_row = true;
    }
    return true;
  });
  if (!status.ok()) plan.error = status.ToString();
  for (const std::string& walk : walks) {
    if (equality_per_row) {
      plan.lines.push_back(absl::StrCat("  [", walk, ": the walk of a common equality, tested per row]"));
    } else {
      plan.full_scans.push_back(absl::StrCat(walk, " [every value of the field]"));
    }
  }
}

// MariaDB plans are costed per value (index dives on the value index), so they are judged for
// the values of the call they were made for:
//   accounts by ALL (the whole table) is a full scan; by index (the whole primary key in id
//   order, stopped by the LIMIT) only when the optimizer expects to read more than ten pages
//   for it (`rows`): it walks the ids only for a value common enough to fill the page early;
//   the value table by ALL or index is a full scan; by ref, eq_ref or range on either of its
//   indexes (custom_field_values_by_value for the lookup by value, the primary key for a probe
//   per account) it is keyed.
void ExplainMysql(soci::session& sql, const db::SqlQuery& q, int limit, Plan& plan) {
  plan.lines.push_back(absl::StrFormat("%-3s %-18s %-20s %-7s %-30s %9s  %s", "id", "select_type", "table", "type",
                                       "key", "rows", "Extra"));
  const absl::Status status = db::ScanRows(sql, q, "explain", [&](const db::ScannedRow& row) {
    const std::string select_type(row.Text(1)), table(row.Text(2)), type(row.Text(3)), key(row.Text(5)),
        extra(row.Text(9));
    const int64_t rows = row.Int(8);
    plan.lines.push_back(absl::StrFormat("%-3d %-18s %-20s %-7s %-30s %9d  %s", row.Int(0), select_type, table, type,
                                         key, rows, extra));
    const std::string how = absl::StrCat(table, " read by ", type, key.empty() ? "" : absl::StrCat(" on ", key),
                                         " (rows ", rows, ")");
    if (table == "accounts" && (type == "ALL" || (type == "index" && rows > 10 * limit))) {
      plan.full_scans.push_back(how);
    }
    if (IsValueTable(table) && (type == "ALL" || type == "index")) plan.full_scans.push_back(how);
    return true;
  });
  if (!status.ok()) plan.error = status.ToString();
}

// The plans of every statement the store runs for the case's first measured call.
std::vector<Plan> ExplainCase(db::Database& db, const QueryCase& c, const customfields::FieldCatalog& catalog,
                              int64_t call_number) {
  std::vector<Plan> plans;
  const Call call = c.make(call_number);
  absl::StatusOr<std::vector<customfields::IndexCondition>> conditions =
      catalog.ResolveFilters(call.request.filter().custom_fields(), "filter.custom_fields");
  if (!conditions.ok()) {
    plans.push_back({"", "", "", {}, {}, absl::StrCat("resolve the filters: ", conditions.status().ToString())});
    return plans;
  }
  accounts::AccountListQuery query;
  query.filter = call.request.filter();
  query.custom_conditions = *std::move(conditions);
  query.custom_order = customfields::ParseCustomOrder(call.request.order_by());
  query.custom_after = call.after;
  query.limit = absl::GetFlag(FLAGS_page_size) + 1;  // KeysetPage::fetch_limit
  const bool sqlite = db.backend() == db::Backend::kSqlite;
  absl::StatusOr<std::vector<std::pair<std::string, db::SqlQuery>>> statements = StoreStatements(db, query);
  if (!statements.ok()) {
    plans.push_back({"", "", "", {}, {}, absl::StrCat("the store's statements: ", statements.status().ToString())});
    return plans;
  }
  for (auto& [name, statement] : *statements) {
    Plan plan;
    plan.statement = name;
    plan.sql = statement.text();
    plan.parameters = Parameters(statement);
    const db::SqlQuery explained = Explained(sqlite ? "EXPLAIN QUERY PLAN" : "EXPLAIN", statement);
    absl::Status status = db.Read([&](soci::session& sql) {
      if (sqlite) {
        ExplainSqlite(sql, explained, plan);
      } else {
        ExplainMysql(sql, explained, query.limit, plan);
      }
      return absl::OkStatus();
    });
    if (!status.ok() && plan.error.empty()) plan.error = status.ToString();
    plans.push_back(std::move(plan));
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------

std::string ValueShares(const CustomFieldData& data, int64_t* index_rows) {
  int64_t segment = 0, seats = 0, renewal = 0, budget = 0, usd = 0;
  for (const DrawnValues& v : data.values) {
    segment += v.segment >= 0;
    seats += v.seats > 0;
    renewal += v.has_renewal;
    budget += v.budget_units > 0;
    usd += v.budget_units > 0 && v.budget_usd;
  }
  const int64_t n = data.accounts();
  *index_rows = segment + n + seats + renewal + budget;
  auto share = [n](int64_t k) { return absl::StrFormat("%.1f %%", n > 0 ? 100.0 * k / n : 0.0); };
  return absl::StrCat("segment ", share(segment), ", customer_code 100 %, seats ", share(seats), ", renewal ",
                      share(renewal), ", budget ", share(budget), " (", usd, " in USD)");
}

int Main() {
  Failure failure("customfield_bench");
  const std::string backend = absl::GetFlag(FLAGS_backend);
  if (backend != "sqlite" && backend != "mysql") {
    std::fprintf(stderr, "customfield_bench: --backend is sqlite or mysql\n");
    return 2;
  }
  std::string db_url = absl::GetFlag(FLAGS_db);
  if (db_url.empty()) {
    db_url = backend == "sqlite" ? "sqlite:///tmp/cfb/customfield_bench.db"
                                 : "mysql://crm:crm@127.0.0.1:33306/cf_bench";
  }
  const bool sqlite = absl::StartsWith(db_url, "sqlite://");
  const std::string server_binary = absl::GetFlag(FLAGS_server);
  const bool load_only = absl::GetFlag(FLAGS_load_only);
  if (!load_only && access(server_binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "customfield_bench: --server=%s is not an executable\n", server_binary.c_str());
    return 2;
  }
  CustomFieldDataOptions data_options;
  data_options.accounts = absl::GetFlag(FLAGS_accounts);
  data_options.seed = absl::GetFlag(FLAGS_seed);
  data_options.rows_per_statement = absl::GetFlag(FLAGS_rows_per_statement);
  data_options.rows_per_transaction = absl::GetFlag(FLAGS_rows_per_transaction);
  const int page_size = absl::GetFlag(FLAGS_page_size);
  if (data_options.accounts < page_size * 10 || page_size < 1 || page_size > 1000) {
    std::fprintf(stderr, "customfield_bench: --accounts must be at least 10 pages; --page_size 1..1000\n");
    return 2;
  }
  const bool full_size = data_options.accounts >= 1000000;

  const std::string load_average_start = LoadAverage();
  std::fprintf(stderr, "customfield_bench: %s, load average %s\n", DisplayUrl(db_url).c_str(),
               load_average_start.c_str());
  {
    // The server's data directory goes here too.
    std::error_code ignored;
    std::filesystem::create_directories("/tmp/cfb", ignored);
    if (sqlite) std::filesystem::create_directories(std::filesystem::path(db_url.substr(9)).parent_path(), ignored);
  }

  // 1. The data: reused, or generated and loaded.
  absl::Time t0 = absl::Now();
  CustomFieldData data = DrawCustomFieldData(data_options);
  const double draw_seconds = SecondsSince(t0);
  std::optional<CustomFieldLoadReport> load;
  double migrate_seconds = 0, read_back_seconds = 0;
  int64_t database_bytes = 0;
  {
    absl::StatusOr<LoaderDatabase> loader = OpenLoaderDatabase(
        db_url, absl::GetFlag(FLAGS_regenerate), absl::GetFlag(FLAGS_sqlite_cache_mib), 1,
        [&](db::Database& existing) { return HasCustomFieldDataSet(existing, data_options); });
    if (!loader.ok()) {
      failure.Note(absl::StrCat(DisplayUrl(db_url), ": ", loader.status().ToString()));
      return 1;
    }
    db::Database& db = *loader->db;
    const bool reuse = loader->reused;
    migrate_seconds = loader->migrate_seconds;
    if (reuse) {
      std::fprintf(stderr, "customfield_bench: reusing the %lld accounts in %s (seed %llu)\n",
                   static_cast<long long>(data_options.accounts), DisplayUrl(db_url).c_str(),
                   static_cast<unsigned long long>(data_options.seed));
      t0 = absl::Now();
      if (absl::Status s = ReadBackIds(db, data); !s.ok()) {
        failure.Note(absl::StrCat("read back the data set: ", s.ToString()));
        return 1;
      }
      read_back_seconds = SecondsSince(t0);
    } else {
      std::fprintf(stderr, "customfield_bench: generating %lld accounts (seed %llu)\n",
                   static_cast<long long>(data_options.accounts), static_cast<unsigned long long>(data_options.seed));
      absl::StatusOr<CustomFieldLoadReport> loaded = LoadCustomFieldData(db, data_options, data);
      if (!loaded.ok()) {
        failure.Note(absl::StrCat("load: ", loaded.status().ToString()));
        return 1;
      }
      load = *std::move(loaded);
    }
    CheckpointWal(db);
    database_bytes = DatabaseBytes(db);
  }  // The loader's connection closes before the server opens the database.
  // The load's writes reach the disk first, so their write-back is not billed to the calls.
  ::sync();

  // 2. The calls.
  const Truth truth(data, page_size);
  std::vector<QueryCase> cases = MakeCases(data, truth, data_options.seed);
  if (const std::vector<std::string> names = absl::GetFlag(FLAGS_cases); !names.empty()) {
    const absl::flat_hash_set<std::string> wanted(names.begin(), names.end());
    std::vector<QueryCase> chosen;
    for (QueryCase& c : cases) {
      if (wanted.contains(c.name)) chosen.push_back(std::move(c));
    }
    if (chosen.size() != wanted.size()) {
      std::fprintf(stderr, "customfield_bench: --cases names an unknown case\n");
      return 2;
    }
    cases = std::move(chosen);
  }
  if (load_only) cases.clear();
  std::vector<CaseResult> results;
  std::vector<crm::v1::CustomField> fields;
  double start_to_serving_seconds = 0;
  if (!cases.empty()) {
    absl::StatusOr<std::unique_ptr<ScratchDir>> dir = ScratchDir::Make("/tmp/cfb", "server", false);
    if (!dir.ok()) {
      failure.Note(absl::StrCat("server directory: ", dir.status().ToString()));
      return 1;
    }
    ServerOptions server_options;
    server_options.binary = server_binary;
    server_options.db_url = db_url;
    server_options.data_dir = (*dir)->path();
    server_options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
    server_options.start_timeout = absl::Seconds(300);
    absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(absl::StrCat("server start: ", started.status().ToString()));
      return 1;
    }
    std::unique_ptr<ServerProcess> server = *std::move(started);
    start_to_serving_seconds = absl::ToDoubleSeconds(server->start_to_serving());
    absl::StatusOr<std::vector<crm::v1::CustomField>> ensured = EnsureFields(server->address(), server->token());
    if (!ensured.ok()) {
      failure.Note(absl::StrCat("custom field definitions: ", ensured.status().ToString()));
    } else {
      fields = *std::move(ensured);
      std::fprintf(stderr, "customfield_bench: server pid %d SERVING after %.1f s; fields %s\n",
                   static_cast<int>(server->pid()), start_to_serving_seconds,
                   absl::StrJoin(fields, ", ", [](std::string* out, const crm::v1::CustomField& f) {
                     absl::StrAppend(out, f.key(), " v", f.version());
                   }).c_str());
      auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
      auto stub = crm::v1::AccountService::NewStub(channel);
      for (const QueryCase& c : cases) results.push_back(RunCase(*stub, server->token(), c, data, failure));
    }
    if (absl::StatusOr<absl::Duration> stopped = server->Stop(); !stopped.ok()) {
      failure.Note(absl::StrCat("server stop: ", stopped.status().message()));
    }
    if (failure.any) std::fprintf(stderr, "customfield_bench: server log tail:\n%s\n", server->LogTail(20).c_str());
  }

  // 3. Plans, on the benchmark's own connection with the server stopped.
  std::map<std::string, std::vector<Plan>> plans;
  if (!fields.empty()) {
    absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenDatabase(db_url);
    if (!opened.ok()) {
      failure.Note(absl::StrCat("open for the plans: ", opened.status().ToString()));
    } else {
      const customfields::FieldCatalog catalog(fields);
      for (const QueryCase& c : cases) {
        // The chained case's plan is that of a later page (the warm-up's pages come first).
        plans[c.name] = ExplainCase(**opened, c, catalog, absl::GetFlag(FLAGS_warmup));
      }
    }
  }

  // 4. Checks.
  json promises = json::array();
  auto promise = [&](const std::string& what, bool kept, const std::string& figure) {
    promises.push_back({{"promise", what}, {"kept", kept}, {"figure", figure}});
    if (!kept) failure.Note(absl::StrCat("promise broken: ", what, " (", figure, ")"));
  };
  for (const QueryCase& c : cases) {
    if (!c.equality || plans.count(c.name) == 0) continue;
    std::vector<std::string> scans;
    for (const Plan& p : plans[c.name]) {
      if (!p.error.empty()) failure.Note(absl::StrCat(c.name, ": explain ", p.statement, ": ", p.error));
      for (const std::string& s : p.full_scans) scans.push_back(absl::StrCat(p.statement, ": ", s));
    }
    promise(absl::StrCat(c.name, ": no full scan in the plan"), scans.empty(),
            scans.empty() ? "keyed reads only" : absl::StrJoin(scans, "; "));
  }
  for (const CaseResult& r : results) {
    if (r.name != "code_equals" || !full_size || r.timing.ok == 0) continue;
    const double p99 = Ms(r.timing.PercentileNs(99));
    promise(absl::StrCat("code_equals: p99 at most ", absl::GetFlag(FLAGS_max_equality_ms), " ms at ",
                         data.accounts(), " accounts"),
            p99 <= absl::GetFlag(FLAGS_max_equality_ms), absl::StrFormat("p99 %.2f ms", p99));
  }
  for (const CaseResult& r : results) {
    promise(absl::StrCat(r.name, ": every answer right"), r.right,
            absl::StrCat(r.timing.ok, " measured calls checked"));
  }

  // 5. Report.
  const std::string load_average_end = LoadAverage();
  int64_t index_rows = 0;
  const std::string shares = ValueShares(data, &index_rows);
  std::printf("\ncustomfield_bench%s: ListAccounts by account custom fields\n",
              absl::GetFlag(FLAGS_label).empty() ? "" : absl::StrCat(" (", absl::GetFlag(FLAGS_label), ")").c_str());
  std::printf("  database   %s, %.2f GiB\n", DisplayUrl(db_url).c_str(),
              static_cast<double>(database_bytes) / (1 << 30));
  std::printf("  server     %s (bench built as %s), SERVING after %.1f s\n", server_binary.c_str(), CRM_BUILD_TYPE,
              start_to_serving_seconds);
  std::printf("  machine    %u CPUs shared by server, database and benchmark; load average %s at start\n",
              std::thread::hardware_concurrency(), load_average_start.c_str());
  std::printf("  data       %lld accounts (seed %llu), %lld index rows; values: %s\n",
              static_cast<long long>(data.accounts()), static_cast<unsigned long long>(data.seed),
              static_cast<long long>(index_rows), shares.c_str());
  json data_json = {{"accounts", data.accounts()}, {"index_rows", index_rows}, {"values", shares},
                    {"migrate_seconds", migrate_seconds}, {"draw_seconds", draw_seconds},
                    {"database_bytes", database_bytes}};
  if (load.has_value()) {
    std::printf("\nLoad (schema %.1f s, values drawn in %.1f s)\n", migrate_seconds, draw_seconds);
    std::printf("  %-22s %12s %9s %12s\n", "table", "rows", "seconds", "rows/s");
    json tables = json::array();
    int64_t rows = 0;
    for (const CustomFieldTableLoad& t : load->tables) {
      std::printf("  %-22s %12lld %9.1f %12.0f\n", t.table.c_str(), static_cast<long long>(t.rows), t.seconds,
                  t.seconds > 0 ? t.rows / t.seconds : 0.0);
      tables.push_back({{"table", t.table}, {"rows", t.rows}, {"seconds", t.seconds}});
      rows += t.rows;
    }
    std::printf("  %-22s %12lld %9.1f %12.0f\n", "total", static_cast<long long>(rows), load->seconds,
                load->seconds > 0 ? rows / load->seconds : 0.0);
    std::printf("  of the accounts' time, EncodeValues: %.1f s\n", load->encode_seconds);
    data_json["reused"] = false;
    data_json["tables"] = tables;
    data_json["load_seconds"] = load->seconds;
    data_json["encode_seconds"] = load->encode_seconds;
  } else {
    std::printf("\nLoad: reused the data set already in the database (schema %.1f s, ids read back and checked in "
                "%.1f s)\n",
                migrate_seconds, read_back_seconds);
    data_json["reused"] = true;
    data_json["read_back_seconds"] = read_back_seconds;
  }

  json cases_json = json::array();
  if (!results.empty()) {
    std::printf("\nListAccounts, page_size %d, one call at a time on one channel (%d warm-up calls per case first)\n",
                page_size, absl::GetFlag(FLAGS_warmup));
    std::printf("  %-20s %6s %11s %9s %9s %9s %9s  %s\n", "case", "calls", "rows/call", "p50 ms", "p90 ms", "p99 ms",
                "max ms", "what");
    for (const CaseResult& r : results) {
      const PhaseResult& t = r.timing;
      const double mean_rows = t.ok > 0 ? static_cast<double>(r.rows) / t.ok : 0;
      const std::string rows_text =
          r.min_rows == r.max_rows ? absl::StrCat(r.max_rows) : absl::StrFormat("%lld-%lld", r.min_rows, r.max_rows);
      std::printf("  %-20s %6lld %11s %9.2f %9.2f %9.2f %9.2f  %s\n", r.name.c_str(), static_cast<long long>(t.ok),
                  rows_text.c_str(), Ms(t.PercentileNs(50)), Ms(t.PercentileNs(90)), Ms(t.PercentileNs(99)),
                  Ms(t.latencies_ns.empty() ? 0 : t.latencies_ns.back()), r.what.c_str());
      cases_json.push_back({{"case", r.name},
                            {"what", r.what},
                            {"equality", r.equality},
                            {"calls", t.ok},
                            {"failures", t.failures()},
                            {"right", r.right},
                            {"rows_per_call", mean_rows},
                            {"min_rows", r.min_rows},
                            {"max_rows", r.max_rows},
                            {"p50_ms", Ms(t.PercentileNs(50))},
                            {"p90_ms", Ms(t.PercentileNs(90))},
                            {"p99_ms", Ms(t.PercentileNs(99))},
                            {"max_ms", Ms(t.latencies_ns.empty() ? 0 : t.latencies_ns.back())}});
    }
  }
  json plans_json = json::object();
  if (!plans.empty()) {
    std::printf("\nPlans of the store's SQL (%s), for each case's first measured call\n",
                sqlite ? "EXPLAIN QUERY PLAN" : "EXPLAIN");
    for (const QueryCase& c : cases) {
      json statements = json::array();
      for (const Plan& p : plans[c.name]) {
        std::printf("  %s, %s%s\n    %s\n    parameters: %s\n", c.name.c_str(), p.statement.c_str(),
                    c.equality ? " (equality: checked)" : "", p.sql.c_str(), p.parameters.c_str());
        for (const std::string& line : p.lines) std::printf("      %s\n", line.c_str());
        if (!p.error.empty()) std::printf("      error: %s\n", p.error.c_str());
        // Outside equality filters the same reads are the intended ordered walks, ended by the LIMIT.
        if (!p.full_scans.empty()) {
          std::printf("      %s: %s\n", c.equality ? "FULL SCANS" : "walks from one end (end at the LIMIT)",
                      absl::StrJoin(p.full_scans, "; ").c_str());
        }
        statements.push_back({{"statement", p.statement},
                              {"sql", p.sql},
                              {"parameters", p.parameters},
                              {"plan", p.lines},
                              {"full_scans", p.full_scans},
                              {"error", p.error}});
      }
      plans_json[c.name] = statements;
    }
  }
  if (!promises.empty()) {
    std::printf("\nPromises\n");
    for (const json& p : promises) {
      std::printf("  %-4s %s: %s\n", p["kept"].get<bool>() ? "ok" : "FAIL", p["promise"].get<std::string>().c_str(),
                  p["figure"].get<std::string>().c_str());
    }
  }
  std::printf("load average %s at end\n%s\n\n", load_average_end.c_str(),
              failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");

  json summary = SummaryHead("customfield", failure, db_url, server_binary, load_average_start, load_average_end);
  summary.update({{"label", absl::GetFlag(FLAGS_label)},
                  {"seed", data_options.seed},
                  {"page_size", page_size},
                  {"data", data_json},
                  {"cases", cases_json},
                  {"plans", plans_json},
                  {"promises", promises}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(argc, argv,
                                  "Loads (or reuses) a million accounts with custom field values and times "
                                  "ListAccounts filtered and ordered by them through crm-server, with the plans of "
                                  "the store's SQL. See bench/README.md.",
                                  crm::bench::Main);
}
