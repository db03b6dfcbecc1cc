// A row's columns as named parameters (":name" in the SQL), for writing a whole row with a statement
// compiled once per connection. A store's soci::type_conversion<T>::to_base is written as a
// template over its values type, so that one mapping serves both SOCI (soci::values) and this.
//
//   template <typename Values>
//   static void to_base(const crm::v1::Account& a, Values& v, soci::indicator& ind) {
//     v.set("id", a.id());
//     v.set("external_key", a.external_key(), a.external_key().empty() ? soci::i_null : soci::i_ok);
//     ...
//   }
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include <soci/soci.h>

#include "absl/strings/string_view.h"

namespace crm::db {

class NamedParameters {
 public:
  struct Value {
    enum class Kind { kNull, kText, kInteger, kReal };
    std::string name;
    Kind kind = Kind::kNull;
    std::string text;
    long long integer = 0;
    double real = 0;
  };

  // The same shapes soci::values::set takes; a value whose indicator is i_null binds NULL.
  void set(const std::string& name, const std::string& value, soci::indicator indicator = soci::i_ok);
  void set(const std::string& name, const char* value, soci::indicator indicator = soci::i_ok) {
    set(name, std::string(value), indicator);
  }
  void set(const std::string& name, double value, soci::indicator indicator = soci::i_ok);
  // Every integer type SOCI binds (int, long long, ...) binds as a 64-bit integer.
  template <typename Integer, typename = std::enable_if_t<std::is_integral_v<Integer>>>
  void set(const std::string& name, Integer value, soci::indicator indicator = soci::i_ok) {
    SetInteger(name, static_cast<long long>(value), indicator);
  }

  // The value named `name` (without the ':'), or null. `position_hint` (0-based) is where to look
  // first: a row's values are usually set in the order its statement names them.
  const Value* Find(absl::string_view name, size_t position_hint) const;

 private:
  void SetInteger(const std::string& name, long long value, soci::indicator indicator);
  // A new value of `kind`, or of kind kNull when `indicator` is i_null.
  Value& Add(const std::string& name, Value::Kind kind, soci::indicator indicator);

  std::vector<Value> values_;
};

}  // namespace crm::db
