#include "services/accounts/contact_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/duplicates/duplicate_store.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a contacts row and crm.v1.Contact.
template <>
struct type_conversion<crm::v1::Contact> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Contact& c) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    c.Clear();
    c.set_id(GetString(v, "id"));
    c.set_account_id(GetString(v, "account_id"));
    c.set_full_name(GetString(v, "full_name"));
    c.set_title(GetString(v, "title"));
    c.set_email(GetString(v, "email"));
    c.set_phone(GetString(v, "phone"));
    c.set_preferred_channel(static_cast<crm::v1::ContactChannel>(GetInt64(v, "preferred_channel")));
    c.set_decision_role(static_cast<crm::v1::DecisionRole>(GetInt64(v, "decision_role")));
    *c.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *c.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    c.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
    crm::customfields::DecodeValues(GetString(v, "custom_fields"), c.mutable_custom_fields());
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Contact& c, Values& v, indicator& ind) {
    v.set("id", c.id());
    v.set("account_id", c.account_id());
    v.set("full_name", c.full_name());
    v.set("title", c.title());
    v.set("email", c.email());
    v.set("phone", c.phone());
    v.set("preferred_channel", static_cast<long long>(c.preferred_channel()));
    v.set("decision_role", static_cast<long long>(c.decision_role()));
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(c.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(c.update_time())));
    v.set("custom_fields", crm::customfields::EncodeValues(c.custom_fields()),
          c.custom_fields().empty() ? i_null : i_ok);
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::accounts {
namespace {

constexpr char kContactColumns[] =
    "id, account_id, full_name, title, email, phone, preferred_channel, decision_role, create_time,"
    " update_time, revision, custom_fields";
const std::string kSelectContact = absl::StrCat("SELECT ", kContactColumns, " FROM contacts");
const std::string kSelectContactById = kSelectContact + " WHERE id = :id";
constexpr char kInsertContact[] =
    "INSERT INTO contacts (id, account_id, full_name, title, email, phone, preferred_channel,"
    " decision_role, create_time, update_time, custom_fields, revision) VALUES (:id, :account_id,"
    " :full_name, :title, :email, :phone, :preferred_channel, :decision_role, :create_time,"
    " :update_time, :custom_fields, 1)";
// create_time never changes after the insert; account_id only when a merge of accounts moves
// the contact (UpdateContact keeps it).
constexpr char kUpdateContact[] =
    "UPDATE contacts SET account_id = :account_id, full_name = :full_name, title = :title, email = :email, phone = :phone,"
    " preferred_channel = :preferred_channel, decision_role = :decision_role,"
    " update_time = :update_time, custom_fields = :custom_fields, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision";
const absl::string_view kCustomFieldEntity = customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_CONTACT);
constexpr char kDeleteContact[] = "DELETE FROM contacts WHERE id = :id AND revision = :expected_revision";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Contact>> ContactStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Contact>(sql, kSelectContactById, id, "read contact");
}

absl::StatusOr<std::optional<crm::v1::Contact>> ContactStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Contact>(tx.session(), kSelectContactById + tx.dialect().ForUpdate(), id,
                                        "read contact");
}

absl::Status ContactStore::Insert(db::Tx& tx, const crm::v1::Contact& contact) {
  absl::Status status = db::Guard("insert contact", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertContact, contact);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (absl::Status s = duplicates::DuplicateIndex::Insert(tx, crm::v1::DUPLICATE_ENTITY_CONTACT, contact.id(),
                                                          duplicates::KeysOf(contact));
      !s.ok()) {
    return s;
  }
  if (contact.custom_fields().empty()) return status;
  return customfields::CustomValueIndex::Replace(tx, kCustomFieldEntity, contact.id(), contact.custom_fields());
}

absl::StatusOr<bool> ContactStore::Update(db::Tx& tx, const crm::v1::Contact& stored, const crm::v1::Contact& contact,
                                          int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateContact, contact, expected_revision, "update contact");
  if (!updated.ok() || !*updated) return updated;
  absl::Status indexed = customfields::CustomValueIndex::ReplaceIfChanged(
      tx, kCustomFieldEntity, contact.id(), stored.custom_fields(), contact.custom_fields());
  if (!indexed.ok()) return indexed;
  absl::Status keyed = duplicates::DuplicateIndex::ReplaceIfChanged(
      tx, crm::v1::DUPLICATE_ENTITY_CONTACT, contact.id(), duplicates::KeysOf(stored), duplicates::KeysOf(contact));
  if (!keyed.ok()) return keyed;
  return true;
}

absl::StatusOr<bool> ContactStore::Delete(db::Tx& tx, const std::string& id, int64_t expected_revision) {
  bool deleted = false;
  long long expected = expected_revision;
  absl::Status status = db::Guard("delete contact", [&]() -> absl::Status {
    soci::statement statement =
        (tx.session().prepare << kDeleteContact, soci::use(id, "id"), soci::use(expected, "expected_revision"));
    statement.execute(true);
    deleted = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!deleted) return false;
  // The contact is gone: so are its index rows.
  if (absl::Status s = customfields::CustomValueIndex::Replace(tx, kCustomFieldEntity, id, {}); !s.ok()) return s;
  if (absl::Status s = duplicates::DuplicateIndex::Replace(tx, crm::v1::DUPLICATE_ENTITY_CONTACT, id, {}); !s.ok()) {
    return s;
  }
  return true;
}

absl::StatusOr<std::vector<crm::v1::Contact>> ContactStore::List(soci::session& sql, const ContactListQuery& query) {
  db::SqlQuery q(kSelectContact);
  q.Where("account_id = ?", query.account_id);
  customfields::CustomValueIndex::AddConditions(q, kCustomFieldEntity, "id", query.custom_conditions);
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));

  return db::QueryAll<crm::v1::Contact>(sql, q, "list contacts");
}

}  // namespace crm::accounts
