// Scans a large result a row at a time without SOCI's per-cell work. SOCI's SQLite backend
// fetches every cell as text and parses it back (with an allocation per cell); for a pass over
// millions of rows (a reclassification reads every account and every account's order totals)
// that costs several times what SQLite itself spends. On SQLite this steps the statement with
// the C API and reads integers as integers and text in place; on MySQL it goes through SOCI rows.
// ScanAll maps every row for lists and lookups of any size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/query.h"

namespace crm::db {

// The current row of a scan; valid during the callback only.
class ScannedRow {
 public:
  virtual ~ScannedRow() = default;
  virtual int64_t Int(int column) const = 0;          // NULL reads as 0
  virtual absl::string_view Text(int column) const = 0;  // NULL reads as ""
  virtual bool IsNull(int column) const = 0;
};

// Runs `query` on `sql` and calls `on_row` for each row until it returns false. SOCI and SQLite
// errors come back as a status named by `context`.
absl::Status ScanRows(soci::session& sql, const SqlQuery& query, absl::string_view context,
                      absl::FunctionRef<bool(const ScannedRow&)> on_row);

// The first column as text: the map of a scan for one text column (ids, hashes).
inline std::string FirstText(const ScannedRow& row) { return std::string(row.Text(0)); }

// Every row of `query`, each made into a T by `map(const ScannedRow&)`.
template <typename T, typename Map>
absl::StatusOr<std::vector<T>> ScanAll(soci::session& sql, const SqlQuery& query, absl::string_view context,
                                       Map&& map) {
  std::vector<T> rows;
  absl::Status status = ScanRows(sql, query, context, [&](const ScannedRow& row) {
    rows.push_back(map(row));
    return true;
  });
  if (!status.ok()) return status;
  return rows;
}

// The first row of `query` made into a T, or nullopt when it has none (lookups by key).
template <typename T, typename Map>
absl::StatusOr<std::optional<T>> ScanOne(soci::session& sql, const SqlQuery& query, absl::string_view context,
                                         Map&& map) {
  std::optional<T> row;
  absl::Status status = ScanRows(sql, query, context, [&](const ScannedRow& r) {
    row = map(r);
    return false;
  });
  if (!status.ok()) return status;
  return row;
}

}  // namespace crm::db
