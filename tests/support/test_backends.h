// Every store and service test runs once per database backend: SQLite always, MariaDB when
// CRM_TEST_MYSQL_URL (set by tests/run.sh) names a server. Each test gets a fresh database.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "common/db/migrations.h"

namespace crm::testing {

// "sqlite" and "mysql".
std::vector<std::string> AllBackends();

// A fresh, empty database for one test; removed again by the destructor.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // False when the backend is not available here (the test should GTEST_SKIP).
  bool available() const { return available_; }
  const std::string& url() const { return url_; }
  const std::string& backend() const { return backend_; }

 private:
  std::string backend_;
  std::string url_;
  std::string directory_;      // SQLite: temporary directory holding the file
  std::string mysql_database_;  // MySQL: database to drop
  std::string mysql_base_;
  bool available_ = false;
};

class TestDatabase;
// A connection pool on `database` with `migrations` applied (none: just the pool).
absl::StatusOr<std::unique_ptr<db::Database>> OpenDatabase(const TestDatabase& database, int pool_size,
                                                           const std::vector<db::MigrationSet>& migrations = {});

// Skips the test when the backend is unavailable; fails instead when CRM_REQUIRE_MYSQL=1.
#define CRM_SKIP_IF_UNAVAILABLE(test_database)                                                  \
  do {                                                                                          \
    if (!(test_database).available()) {                                                         \
      if (::crm::testing::MysqlRequired()) FAIL() << "CRM_REQUIRE_MYSQL=1 but no MariaDB URL";  \
      GTEST_SKIP() << (test_database).backend() << " not available (set CRM_TEST_MYSQL_URL)";   \
    }                                                                                           \
  } while (0)

bool MysqlRequired();

// Names parameterised tests by backend.
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const { return info.param; }
};

}  // namespace crm::testing
