#include "common/db/named_parameters.h"

namespace crm::db {

NamedParameters::Value& NamedParameters::Add(const std::string& name, Value::Kind kind, soci::indicator indicator) {
  Value& value = values_.emplace_back();
  value.name = name;
  value.kind = indicator == soci::i_null ? Value::Kind::kNull : kind;
  return value;
}

void NamedParameters::set(const std::string& name, const std::string& text, soci::indicator indicator) {
  Value& value = Add(name, Value::Kind::kText, indicator);
  if (value.kind != Value::Kind::kNull) value.text = text;
}

void NamedParameters::set(const std::string& name, double real, soci::indicator indicator) {
  Add(name, Value::Kind::kReal, indicator).real = real;
}

void NamedParameters::SetInteger(const std::string& name, long long integer, soci::indicator indicator) {
  Add(name, Value::Kind::kInteger, indicator).integer = integer;
}

const NamedParameters::Value* NamedParameters::Find(absl::string_view name, size_t position_hint) const {
  if (position_hint < values_.size() && values_[position_hint].name == name) return &values_[position_hint];
  for (const Value& value : values_) {
    if (value.name == name) return &value;
  }
  return nullptr;
}

}  // namespace crm::db
