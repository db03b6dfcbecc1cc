#include "common/db/bulk_insert.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"

namespace crm::db {

// One bound parameter. The block of cells is allocated once, so the addresses SOCI holds stay
// valid for every statement prepared over it.
struct BulkInsert::Cell {
  std::string text;
  long long number = 0;
  soci::indicator indicator = soci::i_ok;
};

BulkInsert::BulkInsert(Backend backend, std::string table, std::vector<Column> columns, int rows_per_statement)
    : backend_(backend),
      table_(std::move(table)),
      columns_(std::move(columns)),
      rows_per_statement_(rows_per_statement < 1 ? 1 : rows_per_statement),
      cells_(static_cast<size_t>(rows_per_statement_) * columns_.size()) {}

namespace sq = ::sqlite_api;

// A prepared SQLite statement for a block of `rows` rows, finalized with the object.
struct BulkInsert::NativeStatement {
  sq::sqlite3_stmt* statement = nullptr;
  int rows = 0;
  ~NativeStatement() {
    if (statement != nullptr) sq::sqlite3_finalize(statement);
  }
};

BulkInsert::~BulkInsert() = default;

std::string BulkInsert::StatementText(int rows) const {
  std::string text = absl::StrCat("INSERT INTO ", table_, " (");
  for (size_t c = 0; c < columns_.size(); ++c) absl::StrAppend(&text, c == 0 ? "" : ", ", columns_[c].name);
  text += ") VALUES ";
  // Parameters bind by position either way. SQLite gets anonymous "?" placeholders: it resolves
  // each named one against every name seen so far while parsing, which with thousands per
  // statement costs more than the insert. SOCI's MySQL backend substitutes values on the client
  // and only recognises ":name".
  const bool anonymous = backend_ == Backend::kSqlite;
  for (int r = 0; r < rows; ++r) {
    text += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) text += ", ";
      if (anonymous) {
        text += "?";
      } else {
        absl::StrAppend(&text, ":r", r, "c", c);
      }
    }
    text += ")";
  }
  return text;
}

std::unique_ptr<soci::statement> BulkInsert::Prepare(int rows) {
  auto statement = std::make_unique<soci::statement>(*sql_);
  statement->alloc();
  statement->prepare(StatementText(rows));
  for (int r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      Cell& cell = cells_[r * columns_.size() + c];
      if (columns_[c].type == kText) {
        statement->exchange(soci::use(cell.text, cell.indicator));
      } else {
        statement->exchange(soci::use(cell.number, cell.indicator));
      }
    }
  }
  statement->define_and_bind();
  return statement;
}

void BulkInsert::FlushSqlite() {
  sq::sqlite3* connection = static_cast<soci::sqlite3_session_backend*>(sql_->get_backend())->conn_;
  auto fail = [&](absl::string_view what) {
    throw std::runtime_error(absl::StrCat("bulk insert into ", table_, ": ", what, ": ", sq::sqlite3_errmsg(connection)));
  };
  std::unique_ptr<NativeStatement> partial;
  NativeStatement* target = nullptr;
  auto prepare = [&](std::unique_ptr<NativeStatement>& holder) {
    holder = std::make_unique<NativeStatement>();
    holder->rows = pending_rows_;
    if (sq::sqlite3_prepare_v2(connection, StatementText(pending_rows_).c_str(), -1, &holder->statement, nullptr) !=
        SQLITE_OK) {
      fail("prepare");
    }
  };
  if (pending_rows_ == rows_per_statement_) {
    if (native_full_ == nullptr) prepare(native_full_);
    target = native_full_.get();
  } else {
    prepare(partial);
    target = partial.get();
  }
  sq::sqlite3_stmt* statement = target->statement;
  const int cells = pending_rows_ * static_cast<int>(columns_.size());
  for (int i = 0; i < cells; ++i) {
    const Cell& cell = cells_[i];
    const int index = i + 1;
    int rc;
    if (cell.indicator == soci::i_null) {
      rc = sq::sqlite3_bind_null(statement, index);
    } else if (columns_[i % columns_.size()].type == kText) {
      // The cells outlive the step, so SQLite need not copy them (SQLITE_STATIC).
      rc = sq::sqlite3_bind_text(statement, index, cell.text.data(), static_cast<int>(cell.text.size()), nullptr);
    } else {
      rc = sq::sqlite3_bind_int64(statement, index, cell.number);
    }
    if (rc != SQLITE_OK) fail("bind");
  }
  const int step = sq::sqlite3_step(statement);
  sq::sqlite3_reset(statement);
  if (step != SQLITE_DONE) fail("step");
}

void BulkInsert::Flush() {
  if (pending_rows_ == 0) return;
  if (next_column_ != static_cast<int>(columns_.size())) {
    throw std::logic_error(absl::StrCat("a row for ", table_, " has ", next_column_, " of ", columns_.size(), " cells"));
  }
  if (backend_ == Backend::kSqlite) {
    FlushSqlite();
  } else if (pending_rows_ == rows_per_statement_) {
    if (full_ == nullptr) full_ = Prepare(rows_per_statement_);
    full_->execute(true);
  } else {
    Prepare(pending_rows_)->execute(true);
  }
  rows_written_ += pending_rows_;
  pending_rows_ = 0;
  next_column_ = 0;
}

absl::Status BulkInsert::Run(soci::session& sql, absl::FunctionRef<void()> add_rows) {
  sql_ = &sql;
  pending_rows_ = 0;
  next_column_ = 0;
  absl::Status status = Guard(absl::StrCat("bulk insert into ", table_), [&]() -> absl::Status {
    add_rows();
    Flush();
    return absl::OkStatus();
  });
  // The statement belongs to this session and this run; a transaction run again starts afresh.
  full_.reset();
  native_full_.reset();
  sql_ = nullptr;
  pending_rows_ = 0;
  next_column_ = 0;
  return status;
}

BulkInsert& BulkInsert::Row() {
  if (sql_ == nullptr) throw std::logic_error("BulkInsert::Row outside Run");
  if (pending_rows_ > 0 && next_column_ != static_cast<int>(columns_.size())) {
    throw std::logic_error(absl::StrCat("a row for ", table_, " has ", next_column_, " of ", columns_.size(), " cells"));
  }
  if (pending_rows_ == rows_per_statement_) Flush();
  ++pending_rows_;
  next_column_ = 0;
  return *this;
}

BulkInsert::Cell& BulkInsert::NextCell(Type type) {
  if (pending_rows_ == 0 || next_column_ >= static_cast<int>(columns_.size())) {
    throw std::logic_error(absl::StrCat("too many cells for a row of ", table_));
  }
  if (columns_[next_column_].type != type) {
    throw std::logic_error(absl::StrCat("wrong cell type for ", table_, ".", columns_[next_column_].name));
  }
  Cell& cell = cells_[(pending_rows_ - 1) * columns_.size() + next_column_];
  ++next_column_;
  cell.indicator = soci::i_ok;
  return cell;
}

BulkInsert& BulkInsert::Text(std::string value) {
  NextCell(kText).text = std::move(value);
  return *this;
}

BulkInsert& BulkInsert::Int(int64_t value) {
  NextCell(kInt).number = value;
  return *this;
}

BulkInsert& BulkInsert::NullableText(const std::optional<std::string>& value) {
  Cell& cell = NextCell(kText);
  if (value.has_value()) {
    cell.text = *value;
  } else {
    cell.text.clear();
    cell.indicator = soci::i_null;
  }
  return *this;
}

BulkInsert& BulkInsert::NullableInt(std::optional<int64_t> value) {
  Cell& cell = NextCell(kInt);
  cell.number = value.value_or(0);
  if (!value.has_value()) cell.indicator = soci::i_null;
  return *this;
}

}  // namespace crm::db
