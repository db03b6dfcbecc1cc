// Custom fields: the rules for definitions and for the values records carry, written once for
// every entity that has them (accounts, contacts, leads, opportunities, tickets). No SQL here;
// custom_field_store.h keeps definitions and the value index.
//
// A record keeps its values whole in its own row (EncodeValues) and, in the same transaction,
// one index row per value (IndexKeysOf) that filters and sorts use. Removing a field touches
// neither: FieldCatalog::HideRemoved drops its values on the way out, so an undelete brings them
// back as they were.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/v1/customfield.pb.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace crm::customfields {

using ValueMap = google::protobuf::Map<std::string, crm::v1::CustomValue>;

inline constexpr size_t kMaxKeyLength = 40;
// Text values and options fit the index column (and one line of a form).
inline constexpr size_t kMaxTextValueLength = 200;
inline constexpr int kMaxOptions = 500;
inline constexpr int kMaxFieldsPerEntity = 500;

// "account", "contact", "lead", "opportunity", "ticket"; "" for an unspecified entity.
absl::string_view EntityName(crm::v1::CustomFieldEntity entity);
// The inverse; UNSPECIFIED for any other text.
crm::v1::CustomFieldEntity EntityFromName(absl::string_view name);
// How the API and events name one field: "<entity>.<key>", e.g. "account.contract_end".
std::string FieldId(crm::v1::CustomFieldEntity entity, absl::string_view key);

// A new definition (`before` null) or the state an update leaves (`before` the stored one):
// every violation, named under `prefix` ("field").
absl::Status ValidateDefinition(const crm::v1::CustomField& field, const crm::v1::CustomField* before,
                                absl::string_view prefix);
// Trims labels and options and drops repeated options, before validation.
void NormaliseDefinition(crm::v1::CustomField& field);

// Where one value sits in the value index: text and number parts, compared in that order. Text:
// (text, 0); choice: (option, 0), one key per option of a multiple choice; number: ("", n);
// money: (currency, amount); date: ("", days since 1970-01-01); boolean: ("", 0 or 1).
struct IndexKey {
  std::string text;
  double number = 0;
};
std::vector<IndexKey> IndexKeysOf(const crm::v1::CustomValue& value);

// One condition of a list on the value index; every condition must hold.
struct IndexCondition {
  std::string field_key;
  enum class Kind { kEquals, kNumberRange, kTextRange } kind = Kind::kEquals;
  // kEquals: this key exactly. kNumberRange: the fixed text part ("" or the currency).
  IndexKey equals;
  std::optional<double> min_number;
  std::optional<double> max_number;
  std::optional<std::string> min_text;
  std::optional<std::string> max_text;
};

// A list ordered by a custom field: the key and the order's direction.
struct IndexOrder {
  std::string field_key;
  bool descending = false;
};

// The values as stored in the record's row: a JSON object by key ("" when there are none).
std::string EncodeValues(const ValueMap& values);
// Reads what EncodeValues wrote into `values`; entries that do not parse are skipped (the row
// was written by EncodeValues, so that only happens to a hand-edited row).
void DecodeValues(absl::string_view text, ValueMap* values);

// One entity type's definitions, removed ones included.
class FieldCatalog {
 public:
  FieldCatalog() = default;
  explicit FieldCatalog(std::vector<crm::v1::CustomField> fields);

  // Live or removed; null when no field has the key.
  const crm::v1::CustomField* Find(absl::string_view key) const;
  bool empty() const { return fields_.empty(); }

  // A create's values: each names a live field and fits it; absent fields with a default get it;
  // then every required field has a value. Violations name "<prefix>.<key>" (prefix
  // "account.custom_fields").
  absl::Status PrepareCreate(ValueMap* values, absl::string_view prefix) const;
  // An update's values: those that differ from `before` name live fields and fit them (values
  // stored earlier under older rules stay as they are); when any differ, every required field
  // still has a value.
  absl::Status CheckUpdate(const ValueMap& before, const ValueMap& after, absl::string_view prefix) const;
  // Puts back into `after` the values of removed fields that `before` kept: a caller never sees
  // them, so replacing the whole map must not drop them.
  void RestoreHidden(const ValueMap& before, ValueMap* after) const;
  // Drops values of removed fields (and of keys no field has): what callers see.
  void HideRemoved(ValueMap* values) const;

  // A list's custom conditions as index conditions; each must name a live filterable field and
  // carry values of its type. Violations name "<prefix>[i]..." (prefix "filter.custom_fields").
  absl::StatusOr<std::vector<IndexCondition>> ResolveFilters(
      const google::protobuf::RepeatedPtrField<crm::v1::CustomFieldFilter>& filters, absl::string_view prefix) const;
  // The field a list orders by ("custom.<key>" with the prefix removed): live, filterable and not
  // multiple choice, else INVALID_ARGUMENT naming `order_field`.
  absl::Status CheckOrderField(absl::string_view key, absl::string_view order_field) const;

 private:
  absl::flat_hash_map<std::string, crm::v1::CustomField> fields_;
};

// The order a list asks for in `order_by`, when it names a custom field ("custom.<key>"
// optionally followed by " desc" or " asc"); nullopt otherwise.
std::optional<IndexOrder> ParseCustomOrder(absl::string_view order_by);

// A record's position in a list ordered by a custom field, as page tokens carry it: whether it
// has a value (records without one come last), the value's index key, and the record's id.
std::vector<std::string> CustomOrderCursor(const ValueMap& values, absl::string_view key, const std::string& id);

// A cursor CustomOrderCursor made, read back; INVALID_ARGUMENT naming page_token if it is not one.
struct CustomOrderPosition {
  bool has_value = true;
  IndexKey key;
  std::string id;
};
absl::StatusOr<CustomOrderPosition> ParseCustomOrderCursor(const std::vector<std::string>& cursor);
inline constexpr size_t kCustomOrderCursorArity = 4;

}  // namespace crm::customfields
