// Reading columns from soci::values without caring whether the backend reports an integer
// column as int, long long or unsigned (SQLite INTEGER vs MariaDB BIGINT), or a NULL.
#pragma once

#include <cstdint>
#include <string>

#include <soci/soci.h>

namespace crm::db {

int64_t GetInt64(const soci::values& v, const std::string& column, int64_t if_null = 0);
double GetDouble(const soci::values& v, const std::string& column, double if_null = 0);
std::string GetString(const soci::values& v, const std::string& column);
bool IsNull(const soci::values& v, const std::string& column);

int64_t GetInt64(const soci::row& r, std::size_t position, int64_t if_null = 0);
double GetDouble(const soci::row& r, std::size_t position, double if_null = 0);
std::string GetString(const soci::row& r, std::size_t position);

}  // namespace crm::db
