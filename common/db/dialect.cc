#include "common/db/dialect.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace crm::db {

std::string Dialect::ExpandDdl(absl::string_view ddl) const {
  if (backend_ == Backend::kSqlite) {
    return absl::StrReplaceAll(ddl, {{"{{AUTO_PK}}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
                                     {"{{LONG_TEXT}}", "TEXT"},
                                     {"{{TABLE_OPTIONS}}", ""},
                                     {"{{INSERT_IGNORE}}", "INSERT OR IGNORE"}});
  }
  return absl::StrReplaceAll(
      ddl, {{"{{AUTO_PK}}", "BIGINT AUTO_INCREMENT PRIMARY KEY"},
            {"{{LONG_TEXT}}", "MEDIUMTEXT"},
            {"{{TABLE_OPTIONS}}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"},
            {"{{INSERT_IGNORE}}", "INSERT IGNORE"}});
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

const char* Dialect::ForUpdate() const { return backend_ == Backend::kSqlite ? "" : " FOR UPDATE"; }

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
