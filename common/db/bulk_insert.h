// Multi-row INSERTs with bound parameters, for writers of many rows at once (reclassification,
// the benchmarks' loaders): rows are written
// into a fixed block of bound cells and sent `rows_per_statement` at a time through one prepared
// "INSERT ... VALUES (...), (...), ..." statement, so a load costs one statement per few hundred
// rows instead of one per row (on MariaDB, one round trip).
//
//   BulkInsert insert(db.backend(), "accounts", {{"id", BulkInsert::kText}, {"revision", BulkInsert::kInt}}, 500);
//   db.Write([&](db::Tx& tx) {
//     return insert.Run(tx.session(), [&] {
//       for (...) insert.Row().Text(id).Int(1);
//     });
//   });
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/db/dialect.h"

namespace soci {
class session;
class statement;
}  // namespace soci

namespace crm::db {

class BulkInsert {
 public:
  enum Type { kText, kInt };
  struct Column {
    std::string name;
    Type type;
  };

  BulkInsert(Backend backend, std::string table, std::vector<Column> columns, int rows_per_statement);
  ~BulkInsert();
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;

  // Runs `add_rows` (which calls Row() once per row) on `sql` and writes every row it added;
  // errors (SOCI exceptions, a row with too few cells) come back as a status.
  absl::Status Run(soci::session& sql, absl::FunctionRef<void()> add_rows);

  // Starts the next row; its cells follow in column order. A full block is written first.
  BulkInsert& Row();
  BulkInsert& Text(std::string value);
  BulkInsert& Int(int64_t value);
  BulkInsert& NullableText(const std::optional<std::string>& value);
  BulkInsert& NullableInt(std::optional<int64_t> value);

  // Rows written by statements that have been executed (since construction).
  int64_t rows_written() const { return rows_written_; }

 private:
  struct Cell;
  std::string StatementText(int rows) const;
  std::unique_ptr<soci::statement> Prepare(int rows);
  void Flush();
  // SQLite: the block through the C API (SOCI's SQLite backend passes every value as text).
  void FlushSqlite();
  struct NativeStatement;
  Cell& NextCell(Type type);

  Backend backend_;
  std::string table_;
  std::vector<Column> columns_;
  int rows_per_statement_;
  std::vector<Cell> cells_;
  soci::session* sql_ = nullptr;
  std::unique_ptr<soci::statement> full_;
  std::unique_ptr<NativeStatement> native_full_;
  int pending_rows_ = 0;
  int next_column_ = 0;
  int64_t rows_written_ = 0;
};

}  // namespace crm::db
