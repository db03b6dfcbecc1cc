#include "common/db/dialect.h"

#include <soci/soci.h>

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace crm::db {

bool IsSqlite(soci::session& session) {
  return session.get_backend() != nullptr && session.get_backend_name() == "sqlite3";
}

Dialect Dialect::Of(soci::session& session) { return Dialect(IsSqlite(session) ? Backend::kSqlite : Backend::kMysql); }

std::string Dialect::ExpandDdl(absl::string_view ddl) const {
  if (backend_ == Backend::kSqlite) {
    return absl::StrReplaceAll(ddl, {{"{{AUTO_PK}}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
                                     {"{{LONG_TEXT}}", "TEXT"},
                                     {"{{TABLE_OPTIONS}}", ""},
                                     {"{{KEYED_TABLE_OPTIONS}}", " WITHOUT ROWID"},
                                     {"{{INSERT_IGNORE}}", "INSERT OR IGNORE"}});
  }
  return absl::StrReplaceAll(
      ddl, {{"{{AUTO_PK}}", "BIGINT AUTO_INCREMENT PRIMARY KEY"},
            {"{{LONG_TEXT}}", "MEDIUMTEXT"},
            {"{{TABLE_OPTIONS}}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"},
            // InnoDB always stores a table in its primary key's order.
            {"{{KEYED_TABLE_OPTIONS}}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"},
            {"{{INSERT_IGNORE}}", "INSERT IGNORE"}});
}

std::string Dialect::DropIndex(absl::string_view table, absl::string_view index) const {
  if (backend_ == Backend::kSqlite) return absl::StrCat("DROP INDEX IF EXISTS ", index);
  return absl::StrCat("DROP INDEX IF EXISTS ", index, " ON ", table);
}

const char* Dialect::BeginWrite() const {
  return backend_ == Backend::kSqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION";
}

const char* Dialect::BeginRead() const {
  return backend_ == Backend::kSqlite ? "BEGIN" : "START TRANSACTION READ ONLY";
}

const char* Dialect::InsertIgnore() const {
  return backend_ == Backend::kSqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
}

std::string Dialect::OnConflictAdd(const std::vector<std::string>& key_columns,
                                   const std::vector<std::string>& added_columns) const {
  std::string clause;
  if (backend_ == Backend::kSqlite) {
    clause = absl::StrCat(" ON CONFLICT (", absl::StrJoin(key_columns, ", "), ") DO UPDATE SET ");
    for (size_t i = 0; i < added_columns.size(); ++i) {
      absl::StrAppend(&clause, i == 0 ? "" : ", ", added_columns[i], " = ", added_columns[i], " + excluded.",
                      added_columns[i]);
    }
  } else {
    clause = " ON DUPLICATE KEY UPDATE ";
    for (size_t i = 0; i < added_columns.size(); ++i) {
      absl::StrAppend(&clause, i == 0 ? "" : ", ", added_columns[i], " = ", added_columns[i], " + VALUES(",
                      added_columns[i], ")");
    }
  }
  return clause;
}

const char* Dialect::ForUpdate() const { return backend_ == Backend::kSqlite ? "" : " FOR UPDATE"; }

const char* Dialect::ForShare() const { return backend_ == Backend::kSqlite ? "" : " LOCK IN SHARE MODE"; }

std::string Dialect::ContainsPattern(absl::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') pattern.push_back('!');
    pattern.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  pattern.push_back('%');
  return pattern;
}

std::string Dialect::ContainsPredicate(absl::string_view column) {
  return absl::StrCat("LOWER(", column, ") LIKE ? ESCAPE '!'");
}

}  // namespace crm::db
