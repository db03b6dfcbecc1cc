#include "tests/support/test_backends.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/db/database.h"

namespace crm::testing {
namespace {

std::string MysqlBaseUrl() {
  const char* url = std::getenv("CRM_TEST_MYSQL_URL");
  return url == nullptr ? "" : url;
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return absl::StrCat(getpid(), "_", counter++, "_", random() % 100000);
}

// "mysql://u:p@h:port/" + name → SOCI connection string without a database.
std::string AdminConnectString(const std::string& url_with_db) {
  absl::StatusOr<db::ConnectionSpec> spec = db::ParseDatabaseUrl(url_with_db);
  if (!spec.ok()) return "";
  std::string s = absl::StrCat("user=", spec->user, " host=", spec->host, " port=", spec->port);
  if (!spec->password.empty()) absl::StrAppend(&s, " password=", spec->password);
  return s;
}

}  // namespace

bool MysqlRequired() {
  const char* required = std::getenv("CRM_REQUIRE_MYSQL");
  return required != nullptr && std::string(required) == "1";
}

std::vector<std::string> AllBackends() { return {"sqlite", "mysql"}; }

TestDatabase::TestDatabase(const std::string& backend) : backend_(backend) {
  if (backend == "sqlite") {
    std::string pattern = (std::filesystem::temp_directory_path() / "crm-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    directory_ = pattern;
    url_ = absl::StrCat("sqlite://", directory_, "/crm.db");
    available_ = true;
    return;
  }
  mysql_base_ = MysqlBaseUrl();
  if (mysql_base_.empty()) return;
  if (mysql_base_.back() != '/') mysql_base_ += "/";
  mysql_database_ = absl::StrCat("crm_t_", UniqueSuffix());
  url_ = mysql_base_ + mysql_database_;
  available_ = true;  // Database::Open creates it
}

TestDatabase::~TestDatabase() {
  if (!directory_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(directory_, ec);
  }
  if (!mysql_database_.empty()) {
    try {
      soci::session admin(soci::mysql, AdminConnectString(url_));
      admin << "DROP DATABASE IF EXISTS `" + mysql_database_ + "`";
    } catch (...) {
      // The server is torn down with its data directory anyway.
    }
  }
}

absl::StatusOr<std::unique_ptr<db::Database>> OpenDatabase(const TestDatabase& database, int pool_size,
                                                           const std::vector<db::MigrationSet>& migrations) {
  db::DatabaseOptions options;
  options.url = database.url();
  options.pool_size = pool_size;
  absl::StatusOr<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
  if (!opened.ok() || migrations.empty()) return opened;
  if (absl::Status s = db::ApplyMigrations(**opened, migrations); !s.ok()) return s;
  return opened;
}

}  // namespace crm::testing
