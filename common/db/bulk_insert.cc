#include "common/db/bulk_insert.h"

#include <soci/soci.h>

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

void BulkInsert::Flush() {
  if (pending_rows_ == 0) return;
  if (next_column_ != static_cast<int>(columns_.size())) {
    throw std::logic_error(absl::StrCat("a row for ", table_, " has ", next_column_, " of ", columns_.size(), " cells"));
  }
  if (pending_rows_ == rows_per_statement_) {
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
