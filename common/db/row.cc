#include "common/db/row.h"

#include "absl/strings/numbers.h"

namespace crm::db {
namespace {

template <typename Source, typename Key>
int64_t ReadInt64(const Source& source, const soci::column_properties& props, Key key, int64_t if_null) {
  if (source.get_indicator(key) == soci::i_null) return if_null;
  switch (props.get_data_type()) {
    case soci::dt_integer:
      return source.template get<int>(key);
    case soci::dt_long_long:
      return source.template get<long long>(key);
    case soci::dt_unsigned_long_long:
      return static_cast<int64_t>(source.template get<unsigned long long>(key));
    case soci::dt_double:
      return static_cast<int64_t>(source.template get<double>(key));
    case soci::dt_string: {
      int64_t value = 0;
      return absl::SimpleAtoi(source.template get<std::string>(key), &value) ? value : if_null;
    }
    default:
      return if_null;
  }
}

template <typename Source, typename Key>
double ReadDouble(const Source& source, const soci::column_properties& props, Key key, double if_null) {
  if (source.get_indicator(key) == soci::i_null) return if_null;
  switch (props.get_data_type()) {
    case soci::dt_double:
      return source.template get<double>(key);
    case soci::dt_integer:
      return source.template get<int>(key);
    case soci::dt_long_long:
      return static_cast<double>(source.template get<long long>(key));
    case soci::dt_unsigned_long_long:
      return static_cast<double>(source.template get<unsigned long long>(key));
    case soci::dt_string: {
      double value = 0;
      return absl::SimpleAtod(source.template get<std::string>(key), &value) ? value : if_null;
    }
    default:
      return if_null;
  }
}

template <typename Source, typename Key>
std::string ReadString(const Source& source, const soci::column_properties& props, Key key) {
  if (source.get_indicator(key) == soci::i_null) return "";
  switch (props.get_data_type()) {
    case soci::dt_string:
      return source.template get<std::string>(key);
    case soci::dt_integer:
      return std::to_string(source.template get<int>(key));
    case soci::dt_long_long:
      return std::to_string(source.template get<long long>(key));
    default:
      return "";
  }
}

}  // namespace

int64_t GetInt64(const soci::values& v, const std::string& column, int64_t if_null) {
  return ReadInt64(v, v.get_properties(column), column, if_null);
}
double GetDouble(const soci::values& v, const std::string& column, double if_null) {
  return ReadDouble(v, v.get_properties(column), column, if_null);
}
std::string GetString(const soci::values& v, const std::string& column) {
  return ReadString(v, v.get_properties(column), column);
}
bool IsNull(const soci::values& v, const std::string& column) {
  return v.get_indicator(column) == soci::i_null;
}

int64_t GetInt64(const soci::row& r, std::size_t position, int64_t if_null) {
  return ReadInt64(r, r.get_properties(position), position, if_null);
}
double GetDouble(const soci::row& r, std::size_t position, double if_null) {
  return ReadDouble(r, r.get_properties(position), position, if_null);
}
std::string GetString(const soci::row& r, std::size_t position) {
  return ReadString(r, r.get_properties(position), position);
}

}  // namespace crm::db
