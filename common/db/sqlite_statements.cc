#include "common/db/sqlite_statements.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/db/dialect.h"
#include "common/db/named_parameters.h"
#include "common/db/query.h"
#include "common/db/sql_error.h"

namespace crm::db {

namespace sq = ::sqlite_api;

struct SqliteStatement::Slot {
  sq::sqlite3_stmt* statement = nullptr;
  bool lent = false;
};

namespace {

// A connection keeps at most this many statements; list queries assemble their text from the
// filters given, so the distinct texts are many but bounded. Past it the idle ones go.
constexpr size_t kMaxKeptStatements = 256;

struct ConnectionStatements {
  // Slots are heap-allocated so that a lent statement's slot survives rehashing.
  absl::flat_hash_map<std::string, std::unique_ptr<SqliteStatement::Slot>> by_text;
};

// Keyed by connection. A pooled connection is used by one thread at a time (its lessee), so only
// finding its entry needs the lock.
class Registry {
 public:
  static Registry& Get() {
    static Registry* registry = new Registry();
    return *registry;
  }

  void Keep(sq::sqlite3* connection) {
    std::lock_guard<std::mutex> lock(mu_);
    connections_.try_emplace(connection, std::make_unique<ConnectionStatements>());
  }

  void Drop(sq::sqlite3* connection) {
    std::unique_ptr<ConnectionStatements> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = connections_.find(connection);
      if (it == connections_.end()) return;
      dropped = std::move(it->second);
      connections_.erase(it);
    }
    for (auto& [text, slot] : dropped->by_text) sq::sqlite3_finalize(slot->statement);
  }

  ConnectionStatements* Find(sq::sqlite3* connection) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = connections_.find(connection);
    return it == connections_.end() ? nullptr : it->second.get();
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<sq::sqlite3*, std::unique_ptr<ConnectionStatements>> connections_;
};

sq::sqlite3* ConnectionOf(soci::session& session) {
  if (!IsSqlite(session)) return nullptr;
  return static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
}

soci::sqlite3_soci_error ErrorOf(sq::sqlite3* connection, int result_code) {
  return soci::sqlite3_soci_error(sq::sqlite3_errmsg(connection), result_code);
}

void EvictIdle(ConnectionStatements& kept) {
  for (auto it = kept.by_text.begin(); it != kept.by_text.end();) {
    auto current = it++;
    if (current->second->lent) continue;
    sq::sqlite3_finalize(current->second->statement);
    kept.by_text.erase(current);
  }
}

}  // namespace

void KeepStatements(soci::session& session) {
  if (sq::sqlite3* connection = ConnectionOf(session)) Registry::Get().Keep(connection);
}

void DropStatements(soci::session& session) {
  if (sq::sqlite3* connection = ConnectionOf(session)) Registry::Get().Drop(connection);
}

size_t KeptStatementCount(soci::session& session) {
  sq::sqlite3* connection = ConnectionOf(session);
  ConnectionStatements* kept = connection == nullptr ? nullptr : Registry::Get().Find(connection);
  return kept == nullptr ? 0 : kept->by_text.size();
}

int SqliteStatement::Lend(sq::sqlite3* connection, const std::string& sql, const SqlQuery* parameters,
                          std::optional<SqliteStatement>* lent) {
  const int compiled = Compile(connection, sql, lent);
  if (compiled != SQLITE_OK || parameters == nullptr) return compiled;
  return (*lent)->Bind(*parameters);
}

int SqliteStatement::Compile(sq::sqlite3* connection, const std::string& sql, std::optional<SqliteStatement>* lent) {
  ConnectionStatements* kept = Registry::Get().Find(connection);
  if (kept != nullptr) {
    auto it = kept->by_text.find(sql);
    if (it != kept->by_text.end()) {
      Slot* slot = it->second.get();
      if (!slot->lent) {
        slot->lent = true;
        lent->emplace(SqliteStatement(slot->statement, slot));
        return SQLITE_OK;
      }
      kept = nullptr;  // lent out to an outer use of the same text: compile one for this use only
    }
  }
  sq::sqlite3_stmt* statement = nullptr;
  // The length with the terminating NUL spares SQLite a copy of the text.
  const int prepared = sq::sqlite3_prepare_v2(connection, sql.c_str(), static_cast<int>(sql.size() + 1),
                                              &statement, nullptr);
  if (prepared != SQLITE_OK) {
    sq::sqlite3_finalize(statement);
    return prepared;
  }
  Slot* slot = nullptr;
  if (kept != nullptr) {
    if (kept->by_text.size() >= kMaxKeptStatements) EvictIdle(*kept);
    slot = kept->by_text.emplace(sql, std::make_unique<Slot>()).first->second.get();
    slot->statement = statement;
    slot->lent = true;
  }
  lent->emplace(SqliteStatement(statement, slot));
  return SQLITE_OK;
}

absl::StatusOr<SqliteStatement> SqliteStatement::Prepare(soci::session& session, const SqlQuery& query,
                                                         absl::string_view context) {
  sq::sqlite3* connection = ConnectionOf(session);
  if (connection == nullptr) return absl::FailedPreconditionError(absl::StrCat(context, ": not a SQLite session"));
  std::optional<SqliteStatement> lent;
  const int result = Lend(connection, query.text(), &query, &lent);
  if (result != SQLITE_OK) return StatusFromSqlError(ErrorOf(connection, result), context);
  return *std::move(lent);
}

std::optional<SqliteStatement> SqliteStatement::PrepareOrThrow(soci::session& session, const SqlQuery& query) {
  return LendOrThrow(session, query.text(), &query);
}

std::optional<SqliteStatement> SqliteStatement::PrepareOrThrow(soci::session& session, const std::string& sql) {
  return LendOrThrow(session, sql, nullptr);
}

std::optional<SqliteStatement> SqliteStatement::LendOrThrow(soci::session& session, const std::string& sql,
                                                            const SqlQuery* parameters) {
  sq::sqlite3* connection = ConnectionOf(session);
  if (connection == nullptr) return std::nullopt;
  std::optional<SqliteStatement> lent;
  if (const int result = Lend(connection, sql, parameters, &lent); result != SQLITE_OK) {
    throw ErrorOf(connection, result);
  }
  return lent;
}

std::optional<SqliteStatement> SqliteStatement::PrepareOrThrow(soci::session& session, const std::string& sql,
                                                               const NamedParameters& parameters) {
  std::optional<SqliteStatement> statement = LendOrThrow(session, sql, nullptr);
  if (statement.has_value()) statement->BindNamed(parameters);
  return statement;
}

void SqliteStatement::BindNamed(const NamedParameters& parameters) {
  const int count = sq::sqlite3_bind_parameter_count(statement_);
  for (int index = 1; index <= count; ++index) {
    const char* name = sq::sqlite3_bind_parameter_name(statement_, index);
    // Named parameters only (":name"); SOCI refuses the same statements for the same reasons.
    const NamedParameters::Value* value =
        name != nullptr && name[0] == ':' ? parameters.Find(name + 1, static_cast<size_t>(index - 1)) : nullptr;
    if (value == nullptr) {
      throw soci::soci_error(absl::StrCat("no value for parameter ", name == nullptr ? "?" : name));
    }
    int bound = SQLITE_OK;
    switch (value->kind) {
      case NamedParameters::Value::Kind::kNull:
        bound = sq::sqlite3_bind_null(statement_, index);
        break;
      case NamedParameters::Value::Kind::kText:
        // The parameters outlive the statement's run (RunToEnd before they go): no copy needed.
        bound = sq::sqlite3_bind_text(statement_, index, value->text.data(), static_cast<int>(value->text.size()),
                                      nullptr);  // SQLITE_STATIC
        break;
      case NamedParameters::Value::Kind::kInteger:
        bound = sq::sqlite3_bind_int64(statement_, index, value->integer);
        break;
      case NamedParameters::Value::Kind::kReal:
        bound = sq::sqlite3_bind_double(statement_, index, value->real);
        break;
    }
    if (bound != SQLITE_OK) Throw(bound);
  }
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), slot_(std::exchange(other.slot_, nullptr)) {}

SqliteStatement::~SqliteStatement() {
  if (statement_ == nullptr) return;
  if (slot_ == nullptr) {
    sq::sqlite3_finalize(statement_);
    return;
  }
  sq::sqlite3_reset(statement_);
  sq::sqlite3_clear_bindings(statement_);
  slot_->lent = false;
}

int SqliteStatement::Bind(const SqlQuery& query) {
  int index = 0;
  int result = SQLITE_OK;
  auto keep_first = [&result](int code) {
    if (result == SQLITE_OK) result = code;
  };
  query.VisitParameters(
      [&](const std::string& text) {
        keep_first(sq::sqlite3_bind_text(statement_, ++index, text.data(), static_cast<int>(text.size()),
                                         reinterpret_cast<sq::sqlite3_destructor_type>(-1)));  // SQLITE_TRANSIENT
      },
      [&](long long number) { keep_first(sq::sqlite3_bind_int64(statement_, ++index, number)); },
      [&](double number) { keep_first(sq::sqlite3_bind_double(statement_, ++index, number)); });
  return result;
}

absl::Status SqliteStatement::Failure(int result_code, absl::string_view context) const {
  return StatusFromSqlError(ErrorOf(sq::sqlite3_db_handle(statement_), result_code), context);
}

void SqliteStatement::RunToEnd() {
  int step;
  while ((step = sq::sqlite3_step(statement_)) == SQLITE_ROW) {
  }
  if (step != SQLITE_DONE) Throw(step);
}

void SqliteStatement::Throw(int result_code) const { throw ErrorOf(sq::sqlite3_db_handle(statement_), result_code); }

void RunStatement(soci::session& session, const std::string& sql) {
  std::optional<SqliteStatement> statement = SqliteStatement::PrepareOrThrow(session, sql);
  if (!statement.has_value()) {
    session << sql;
    return;
  }
  statement->RunToEnd();
}

}  // namespace crm::db
