// The custom-field steps every entity's logic takes, written once: a create's values checked
// and defaulted, an update's changed values checked with removed fields' values kept, lists'
// custom conditions and order checked, and every answer without removed fields' values. Each
// reads the entity type's definitions in the caller's own transaction, and only when needed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/custom_fields.h"

namespace crm::customfields {

// True when an update's paths name custom values ("custom_fields" or "custom_fields.<key>").
bool TouchesCustomFields(const std::vector<std::string>& paths);

// One write of one record, from its transaction to its answer.
class RecordWrite {
 public:
  // `prefix` names the values in violations: "account.custom_fields".
  RecordWrite(crm::v1::CustomFieldEntity entity, std::string prefix) : entity_(entity), prefix_(std::move(prefix)) {}

  // A create's values: checked, defaults filled in, required ones present.
  absl::Status PrepareCreate(soci::session& sql, ValueMap* values);
  // A create of a record the server makes from another (a lead's conversion): its caller could
  // give no values, so a required field without a default is FAILED_PRECONDITION, which says
  // what stands in the way of creating `what` ("the new account").
  absl::Status PrepareDerivedCreate(soci::session& sql, ValueMap* values, absl::string_view what);
  // A change from `before` to `after` (the mask applied). When `touched`, removed fields' values
  // go back into `after` and the changed values are checked. Reads the definitions whenever the
  // answer will need them, so call it on every change (delete and undelete too, with `after`
  // null and `touched` false).
  absl::Status PrepareChange(soci::session& sql, const ValueMap& before, ValueMap* after, bool touched);
  // The answer's values, without removed fields' (after the transaction).
  void Present(ValueMap* values) const;

 private:
  absl::Status Load(soci::session& sql);

  crm::v1::CustomFieldEntity entity_;
  std::string prefix_;
  std::optional<FieldCatalog> catalog_;
};

// A list's custom conditions (`filters`, named under `filters_field`: "filter.custom_fields",
// or "custom_fields" where the request carries them itself) and order (named "order_by") checked
// against the definitions; empty conditions when there are neither.
absl::StatusOr<std::vector<IndexCondition>> ResolveListFields(
    soci::session& sql, crm::v1::CustomFieldEntity entity,
    const google::protobuf::RepeatedPtrField<crm::v1::CustomFieldFilter>& filters,
    const std::optional<IndexOrder>& order, absl::string_view filters_field = "filter.custom_fields");

// A record found by a store's Find, as callers see it.
template <typename T>
absl::StatusOr<std::optional<T>> Visible(soci::session& sql, crm::v1::CustomFieldEntity entity,
                                         absl::StatusOr<std::optional<T>> found) {
  if (!found.ok() || !found->has_value()) return found;
  if (absl::Status s = HideRemovedValues(sql, entity, std::vector<T*>{&**found}); !s.ok()) return s;
  return found;
}

// Records a store listed, as callers see them.
template <typename T>
absl::StatusOr<std::vector<T>> Visible(soci::session& sql, crm::v1::CustomFieldEntity entity,
                                       absl::StatusOr<std::vector<T>> listed) {
  if (!listed.ok()) return listed;
  std::vector<T*> records;
  for (T& record : *listed) records.push_back(&record);
  if (absl::Status s = HideRemovedValues(sql, entity, records); !s.ok()) return s;
  return listed;
}

}  // namespace crm::customfields
