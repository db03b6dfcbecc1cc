#include "common/customfields/record_fields.h"

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace crm::customfields {

bool TouchesCustomFields(const std::vector<std::string>& paths) {
  return absl::c_any_of(paths, [](const std::string& path) {
    return path == "custom_fields" || absl::StartsWith(path, "custom_fields.");
  });
}

absl::Status RecordWrite::Load(soci::session& sql) {
  absl::StatusOr<FieldCatalog> catalog = CustomFieldStore::LoadCatalog(sql, entity_);
  if (!catalog.ok()) return catalog.status();
  catalog_ = *std::move(catalog);
  return absl::OkStatus();
}

absl::Status RecordWrite::PrepareCreate(soci::session& sql, ValueMap* values) {
  // A retried transaction reads them again: they may have changed in between.
  if (absl::Status s = Load(sql); !s.ok()) return s;
  return catalog_->PrepareCreate(values, prefix_);
}

absl::Status RecordWrite::PrepareDerivedCreate(soci::session& sql, ValueMap* values, absl::string_view what) {
  absl::Status status = PrepareCreate(sql, values);
  if (!absl::IsInvalidArgument(status)) return status;
  return absl::FailedPreconditionError(absl::StrCat(what, " cannot be created: ", status.message(),
                                                    "; give the field a default"));
}

absl::Status RecordWrite::PrepareChange(soci::session& sql, const ValueMap& before, ValueMap* after, bool touched) {
  catalog_.reset();
  if (!touched && before.empty()) return absl::OkStatus();
  if (absl::Status s = Load(sql); !s.ok()) return s;
  if (!touched) return absl::OkStatus();
  catalog_->RestoreHidden(before, after);
  return catalog_->CheckUpdate(before, *after, prefix_);
}

void RecordWrite::Present(ValueMap* values) const {
  if (catalog_) catalog_->HideRemoved(values);
}

absl::StatusOr<std::vector<IndexCondition>> ResolveListFields(
    soci::session& sql, crm::v1::CustomFieldEntity entity,
    const google::protobuf::RepeatedPtrField<crm::v1::CustomFieldFilter>& filters,
    const std::optional<IndexOrder>& order, absl::string_view filters_field) {
  if (filters.empty() && !order) return std::vector<IndexCondition>();
  absl::StatusOr<FieldCatalog> catalog = CustomFieldStore::LoadCatalog(sql, entity);
  if (!catalog.ok()) return catalog.status();
  if (order) {
    if (absl::Status s = catalog->CheckOrderField(order->field_key, "order_by"); !s.ok()) return s;
  }
  return catalog->ResolveFilters(filters, filters_field);
}

}  // namespace crm::customfields
