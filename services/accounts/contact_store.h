// SQL for contacts: every statement named once here, rows mapped once (soci::type_conversion
// in contact_store.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "crm/v1/account.pb.h"

namespace soci {
class session;
}

namespace crm::accounts {

struct ContactListQuery {
  std::string account_id;
  // Keyset position: contacts with an id strictly greater ("" = from the start).
  std::string after_id;
  // Conditions on custom fields, resolved against the definitions.
  std::vector<customfields::IndexCondition> custom_conditions;
  int limit = 50;
};

class ContactStore {
 public:
  // nullopt when no contact has this id.
  static absl::StatusOr<std::optional<crm::v1::Contact>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Contact>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Contact& contact);
  // Writes every updatable column (account_id too: a merge of accounts moves contacts) and bumps
  // the revision, only if the stored revision is still `expected_revision`. False when it was
  // not. `stored` is the contact as read at that revision: the custom-value index and the
  // duplicate keys are rewritten only when the values they hold differ from its.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Contact& stored, const crm::v1::Contact& contact,
                                     int64_t expected_revision);
  // Removes the row if its revision is still `expected_revision`. False when it was not.
  static absl::StatusOr<bool> Delete(db::Tx& tx, const std::string& id, int64_t expected_revision);
  // One account's contacts in id order.
  static absl::StatusOr<std::vector<crm::v1::Contact>> List(soci::session& sql, const ContactListQuery& query);
};

}  // namespace crm::accounts
