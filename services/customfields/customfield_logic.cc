#include "services/customfields/customfield_logic.h"

#include <soci/soci.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/db/entity_ops.h"

namespace crm::customfields {
namespace {

using crm::v1::CustomField;

constexpr char kEntity[] = "custom_field";
constexpr char kCreateScope[] = "customfields.create";
constexpr char kListScope[] = "customfields.list";
constexpr char kVersionsScope[] = "customfields.versions";

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "label", "description", "required", "default_value", "validation", "options", "filterable"};
  return *fields;
}

// What names a field in Get, Delete, Undelete and ListVersions: a known entity and a key.
absl::Status CheckName(crm::v1::CustomFieldEntity entity, const std::string& key, const std::string& prefix = "") {
  Validator v;
  v.Enum(entity, crm::v1::CustomFieldEntity_IsValid, absl::StrCat(prefix, "entity"), true);
  v.RequiredText(key, absl::StrCat(prefix, "key"), kMaxKeyLength);
  return v.status();
}

absl::Status NotFound(const std::string& field, crm::v1::CustomFieldEntity entity, const std::string& key) {
  return NoSuchEntity(field, kEntity, FieldId(entity, key));
}

// The version a stored state carries is its revision, which the etag says.
CustomField WithVersion(CustomField field) {
  field.set_version(db::RevisionOf(field));
  return field;
}

absl::Status AppendEvent(const server::Runtime& rt, db::Tx& tx, const char* type, crm::v1::ChangeKind change,
                         const CustomField* before, const CustomField& after, const server::CallContext& call,
                         const std::string& request_id, absl::Time now) {
  return rt.outbox->AppendChange(tx, type, kEntity, after.id(), change,
                                 DiffMessages(before, after, BookkeepingFields()), "", call.actor, request_id, now);
}

}  // namespace

absl::StatusOr<CustomField> CustomFieldLogic::Create(const server::CallContext& call,
                                                     const crm::v1::CreateCustomFieldRequest& request) const {
  Validator request_checks;
  request_checks.Check(request.has_field(), "field", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  CustomField field = request.field();
  NormaliseDefinition(field);
  if (absl::Status valid = ValidateDefinition(field, nullptr, "field"); !valid.ok()) return valid;
  field.set_id(FieldId(field.entity(), field.key()));
  field.clear_version();
  field.clear_delete_time();
  field.clear_etag();
  const absl::Time now = rt_.clock->Now();
  *field.mutable_create_time() = TimeToTimestamp(now);
  *field.mutable_update_time() = TimeToTimestamp(now);
  field.set_update_actor(call.actor);

  absl::StatusOr<CustomField> created = db::CreateOnce<CustomField>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, CustomFieldStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<CustomField> {
        absl::StatusOr<int64_t> count = CustomFieldStore::CountFields(tx.session(), field.entity());
        if (!count.ok()) return count.status();
        if (*count >= kMaxFieldsPerEntity) {
          return FailedPreconditionField(
              "field.entity", absl::StrCat("the entity type has ", kMaxFieldsPerEntity, " fields, the most it may have"));
        }
        if (absl::Status s = CustomFieldStore::Insert(tx, field); !s.ok()) return s;
        CustomField stored = field;
        stored.set_etag(FormatEtag(1));
        stored.set_version(1);
        if (absl::Status s = AppendEvent(rt_, tx, "custom_field.created", crm::v1::CHANGE_KIND_CREATED, nullptr,
                                         stored, call, request.request_id(), now);
            !s.ok()) {
          return s;
        }
        return stored;
      });
  return created;
}

absl::StatusOr<CustomField> CustomFieldLogic::Get(const server::CallContext& call,
                                                  const crm::v1::GetCustomFieldRequest& request) const {
  if (absl::Status s = CheckName(request.entity(), request.key()); !s.ok()) return s;
  return db::ReadEntity<CustomField>(*rt_.db, call.deadline, CustomFieldStore::Find,
                                     FieldId(request.entity(), request.key()), kEntity, "key");
}

absl::StatusOr<CustomField> CustomFieldLogic::Update(const server::CallContext& call,
                                                     const crm::v1::UpdateCustomFieldRequest& request) const {
  Validator request_checks;
  request_checks.Check(request.has_field(), "field", "is required");
  if (!request_checks.ok()) return request_checks.status();
  if (absl::Status s = CheckName(request.field().entity(), request.field().key(), "field."); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.field(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  const std::string id = FieldId(request.field().entity(), request.field().key());
  db::VersionedChange<CustomField> op;
  op.load = CustomFieldStore::FindForUpdate;
  op.not_found = [&] { return NotFound("field.key", request.field().entity(), request.field().key()); };
  op.change = [&](db::Tx&, const CustomField& before) -> absl::StatusOr<std::optional<CustomField>> {
    if (before.has_delete_time()) {
      return FailedPreconditionField("field.key", "the field is removed; undelete it first");
    }
    CustomField after = before;
    ApplyPaths(request.field(), *paths, &after);
    NormaliseDefinition(after);
    if (absl::Status s = ValidateDefinition(after, &before, "field"); !s.ok()) return s;
    absl::flat_hash_set<std::string> ignored = BookkeepingFields();
    ignored.insert("update_actor");
    if (DiffMessages(&before, after, ignored).empty()) return std::optional<CustomField>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    after.set_update_actor(call.actor);
    return std::optional<CustomField>(std::move(after));
  };
  op.store = db::StoreOf(CustomFieldStore::Update);
  op.after_write = [&](db::Tx& tx, const CustomField& before, const CustomField& after) {
    return AppendEvent(rt_, tx, "custom_field.updated", crm::v1::CHANGE_KIND_UPDATED, &before, WithVersion(after),
                       call, call.correlation_id, now);
  };
  absl::StatusOr<CustomField> updated =
      db::ChangeVersioned(*rt_.db, call.deadline, id, request.etag(), "etag", kEntity, op);
  if (!updated.ok()) return updated.status();
  return WithVersion(*std::move(updated));
}

namespace {

// Shared by delete and undelete: flips delete_time under the etag rules. Values are not touched.
absl::StatusOr<CustomField> SetRemoved(const server::Runtime& rt, const server::CallContext& call,
                                       crm::v1::CustomFieldEntity entity, const std::string& key,
                                       const std::string& etag, bool removed) {
  if (absl::Status s = CheckName(entity, key); !s.ok()) return s;
  const absl::Time now = rt.clock->Now();
  db::VersionedChange<CustomField> op;
  op.load = CustomFieldStore::FindForUpdate;
  op.not_found = [&] { return NotFound("key", entity, key); };
  op.change = [&](db::Tx&, const CustomField& before) -> absl::StatusOr<std::optional<CustomField>> {
    if (before.has_delete_time() == removed) {
      return FailedPreconditionField("key", removed ? "the field is already removed" : "the field is not removed");
    }
    CustomField after = before;
    if (removed) {
      *after.mutable_delete_time() = TimeToTimestamp(now);
    } else {
      after.clear_delete_time();
    }
    *after.mutable_update_time() = TimeToTimestamp(now);
    after.set_update_actor(call.actor);
    return std::optional<CustomField>(std::move(after));
  };
  op.store = db::StoreOf(CustomFieldStore::Update);
  op.after_write = [&](db::Tx& tx, const CustomField& before, const CustomField& after) {
    return AppendEvent(rt, tx, removed ? "custom_field.deleted" : "custom_field.undeleted",
                       removed ? crm::v1::CHANGE_KIND_DELETED : crm::v1::CHANGE_KIND_UNDELETED, &before,
                       WithVersion(after), call, call.correlation_id, now);
  };
  absl::StatusOr<CustomField> changed =
      db::ChangeVersioned(*rt.db, call.deadline, FieldId(entity, key), etag, "etag", kEntity, op);
  if (!changed.ok()) return changed.status();
  return WithVersion(*std::move(changed));
}

}  // namespace

absl::StatusOr<CustomField> CustomFieldLogic::Delete(const server::CallContext& call,
                                                     const crm::v1::DeleteCustomFieldRequest& request) const {
  return SetRemoved(rt_, call, request.entity(), request.key(), request.etag(), true);
}

absl::StatusOr<CustomField> CustomFieldLogic::Undelete(const server::CallContext& call,
                                                       const crm::v1::UndeleteCustomFieldRequest& request) const {
  return SetRemoved(rt_, call, request.entity(), request.key(), "", false);
}

absl::StatusOr<crm::v1::ListCustomFieldsResponse> CustomFieldLogic::List(
    const server::CallContext& call, const crm::v1::ListCustomFieldsRequest& request) const {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().Enum(request.entity(), crm::v1::CustomFieldEntity_IsValid, "entity", false).status();
      !s.ok()) {
    return s;
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  FieldListQuery query;
  query.entity = request.entity();
  query.show_deleted = request.show_deleted();
  if (!page->first()) {
    absl::StatusOr<int64_t> entity = page->IntAt(0);
    if (!entity.ok()) return entity.status();
    query.after = std::make_pair(static_cast<int>(*entity), page->cursor()[1]);
  }
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<CustomField>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return CustomFieldStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListCustomFieldsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const CustomField& last) {
    return KeysetPage::Cursor{absl::StrCat(static_cast<int>(last.entity())), last.key()};
  }));
  for (CustomField& field : *rows) *response.add_fields() = std::move(field);
  return response;
}

absl::StatusOr<crm::v1::ListCustomFieldVersionsResponse> CustomFieldLogic::ListVersions(
    const server::CallContext& call, const crm::v1::ListCustomFieldVersionsRequest& request) const {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = CheckName(request.entity(), request.key()); !s.ok()) return s;
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kVersionsScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  int64_t before_version = 0;
  if (!page->first()) {
    absl::StatusOr<int64_t> version = page->IntAt(0);
    if (!version.ok()) return version.status();
    before_version = *version;
  }
  const std::string id = FieldId(request.entity(), request.key());
  absl::StatusOr<std::vector<CustomField>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<CustomField>> {
        absl::StatusOr<std::optional<CustomField>> field = CustomFieldStore::Find(sql, id);
        if (!field.ok()) return field.status();
        if (!field->has_value()) return NotFound("key", request.entity(), request.key());
        return CustomFieldStore::ListVersions(sql, id, before_version, page->fetch_limit());
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListCustomFieldVersionsResponse response;
  response.set_next_page_token(page->Finish(
      &*rows, [](const CustomField& last) { return KeysetPage::Cursor{absl::StrCat(last.version())}; }));
  for (CustomField& version : *rows) *response.add_versions() = std::move(version);
  return response;
}

}  // namespace crm::customfields
