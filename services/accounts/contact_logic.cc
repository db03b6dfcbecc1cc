#include "services/accounts/contact_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/request_replay.h"
#include "services/accounts/account_store.h"
#include "services/accounts/contact_store.h"

namespace crm::accounts {
namespace {

using crm::v1::Contact;

constexpr char kEntity[] = "contact";
constexpr char kIdPrefix[] = "con";
constexpr char kCreateScope[] = "contacts.create";
constexpr char kListScope[] = "contacts.list";

// A contact always belongs to the account it was created under.
const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "full_name", "title", "email", "phone", "preferred_channel", "decision_role"};
  return *fields;
}

// Fields not worth an entry in an event's change list.
const absl::flat_hash_set<std::string>& UntrackedFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"etag", "update_time"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NotFoundField(field, absl::StrCat("no contact with id \"", id, "\""));
}

int64_t RevisionOf(const Contact& contact) {
  absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(contact.etag());
  return revision.ok() && revision->has_value() ? **revision : 0;
}

// Checks the caller's etag against the stored one; ABORTED when stale.
absl::Status CheckEtag(const std::string& requested, const Contact& current) {
  absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(requested);
  if (!revision.ok()) return revision.status();
  if (revision->has_value() && **revision != RevisionOf(current)) return StaleEtag(kEntity);
  return absl::OkStatus();
}

// The owner of the contact's account: the user contact events concern.
absl::StatusOr<std::string> AccountOwner(db::Tx& tx, const std::string& account_id) {
  absl::StatusOr<std::optional<crm::v1::Account>> account = AccountStore::Find(tx.session(), account_id);
  if (!account.ok()) return account.status();
  return account->has_value() ? (*account)->owner() : std::string();
}

void NormaliseContact(Contact& contact) {
  contact.set_full_name(std::string(absl::StripAsciiWhitespace(contact.full_name())));
  contact.set_phone(std::string(absl::StripAsciiWhitespace(contact.phone())));
}

}  // namespace

absl::StatusOr<crm::v1::Account> FindLiveAccount(db::Tx& tx, const std::string& account_id, const std::string& field) {
  absl::StatusOr<std::optional<crm::v1::Account>> account = AccountStore::Find(tx.session(), account_id);
  if (!account.ok()) return account.status();
  if (!account->has_value()) return NotFoundField(field, absl::StrCat("no account with id \"", account_id, "\""));
  if ((*account)->has_delete_time()) return FailedPreconditionField(field, "the account is deleted; undelete it first");
  return **std::move(account);
}

absl::Status CheckContactOfAccount(db::Tx& tx, const std::string& contact_id, const std::string& account_id,
                                   const std::string& field) {
  absl::StatusOr<std::optional<Contact>> contact = ContactStore::FindForUpdate(tx, contact_id);
  if (!contact.ok()) return contact.status();
  if (!contact->has_value()) return NotFound(field, contact_id);
  if ((*contact)->account_id() != account_id) {
    return InvalidField(field, absl::StrCat("the contact belongs to another account than \"", account_id, "\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateContact(const Contact& c, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredId(c.account_id(), f("account_id"));
  v.RequiredText(c.full_name(), f("full_name"), kMaxNameLength);
  v.OptionalText(c.title(), f("title"), kMaxShortTextLength);
  v.OptionalEmail(c.email(), f("email"));
  v.OptionalPhone(c.phone(), f("phone"));
  v.Enum(c.preferred_channel(), crm::v1::ContactChannel_IsValid, f("preferred_channel"), false);
  v.Enum(c.decision_role(), crm::v1::DecisionRole_IsValid, f("decision_role"), false);
  return v.status();
}

absl::StatusOr<Contact> ContactLogic::Create(const server::CallContext& call,
                                             const crm::v1::CreateContactRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_contact(), "contact", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();
  if (absl::Status valid = ValidateContact(request.contact(), "contact"); !valid.ok()) return valid;

  Contact contact = request.contact();
  NormaliseContact(contact);
  // Output-only fields are ignored on create.
  contact.clear_create_time();
  contact.clear_update_time();
  contact.clear_etag();
  const absl::Time now = rt_.clock->Now();
  contact.set_id(NewIdAt(kIdPrefix, now));
  *contact.mutable_create_time() = TimeToTimestamp(now);
  *contact.mutable_update_time() = TimeToTimestamp(now);

  const std::string fingerprint = db::RequestReplay::Fingerprint(request);
  Contact result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> earlier =
            db::RequestReplay::Find(tx, kCreateScope, request.request_id(), fingerprint);
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          absl::StatusOr<std::optional<Contact>> first = ContactStore::Find(tx.session(), **earlier);
          if (!first.ok()) return first.status();
          // Deleted since: the retry still must not create a second contact.
          if (!first->has_value()) {
            return NotFoundField("request_id", "the contact this request created has since been deleted");
          }
          result = **first;
          return absl::OkStatus();
        }
        absl::StatusOr<crm::v1::Account> account = FindLiveAccount(tx, contact.account_id(), "contact.account_id");
        if (!account.ok()) return account.status();
        if (absl::Status s = ContactStore::Insert(tx, contact); !s.ok()) return s;
        if (absl::Status s = db::RequestReplay::Record(tx, kCreateScope, request.request_id(), fingerprint,
                                                       contact.id());
            !s.ok()) {
          return s;
        }
        result = contact;
        result.set_etag(FormatEtag(1));
        return rt_.outbox->AppendChange(tx, "contact.created", kEntity, contact.id(), crm::v1::CHANGE_KIND_CREATED,
                                        DiffMessages(nullptr, result, UntrackedFields()), account->owner(),
                                        call.actor, request.request_id(), now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<Contact> ContactLogic::Get(const server::CallContext& call, const crm::v1::GetContactRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  std::optional<Contact> found;
  absl::Status status = rt_.db->Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<std::optional<Contact>> contact = ContactStore::Find(sql, request.id());
        if (!contact.ok()) return contact.status();
        found = *std::move(contact);
        return absl::OkStatus();
      },
      call.deadline);
  if (!status.ok()) return status;
  if (!found.has_value()) return NotFound("id", request.id());
  return *std::move(found);
}

absl::StatusOr<Contact> ContactLogic::Update(const server::CallContext& call,
                                             const crm::v1::UpdateContactRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_contact(), "contact", "is required");
  if (request.has_contact()) request_checks.RequiredId(request.contact().id(), "contact.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.contact(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();
  if (absl::StatusOr<std::optional<int64_t>> etag = ParseEtag(request.etag()); !etag.ok()) return etag.status();

  const absl::Time now = rt_.clock->Now();
  Contact result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<Contact>> current = ContactStore::FindForUpdate(tx, request.contact().id());
        if (!current.ok()) return current.status();
        if (!current->has_value()) return NotFound("contact.id", request.contact().id());
        const Contact& before = **current;
        if (absl::Status s = CheckEtag(request.etag(), before); !s.ok()) return s;
        // Echoing the contact back with its own account_id is fine; naming another one is a
        // request to move it, which contacts do not support.
        if (!request.contact().account_id().empty() && request.contact().account_id() != before.account_id()) {
          return InvalidField("contact.account_id", "cannot be changed; create the contact under the other account");
        }

        Contact after = before;
        ApplyPaths(request.contact(), *paths, &after);
        if (absl::Status s = ValidateContact(after, "contact"); !s.ok()) return s;
        NormaliseContact(after);
        std::vector<FieldDelta> deltas = DiffMessages(&before, after, UntrackedFields());
        if (deltas.empty()) {
          result = before;  // nothing changes: no write, no event, same etag
          return absl::OkStatus();
        }
        *after.mutable_update_time() = TimeToTimestamp(now);
        absl::StatusOr<bool> updated = ContactStore::Update(tx, after, RevisionOf(before));
        if (!updated.ok()) return updated.status();
        if (!*updated) return StaleEtag(kEntity);
        after.set_etag(FormatEtag(RevisionOf(before) + 1));
        result = after;
        absl::StatusOr<std::string> owner = AccountOwner(tx, after.account_id());
        if (!owner.ok()) return owner.status();
        return rt_.outbox->AppendChange(tx, "contact.updated", kEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                        deltas, *owner, call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<crm::v1::DeleteContactResponse> ContactLogic::Delete(const server::CallContext& call,
                                                                    const crm::v1::DeleteContactRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  if (absl::StatusOr<std::optional<int64_t>> etag = ParseEtag(request.etag()); !etag.ok()) return etag.status();
  const absl::Time now = rt_.clock->Now();
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<Contact>> current = ContactStore::FindForUpdate(tx, request.id());
        if (!current.ok()) return current.status();
        if (!current->has_value()) return NotFound("id", request.id());
        const Contact& before = **current;
        if (absl::Status s = CheckEtag(request.etag(), before); !s.ok()) return s;
        absl::StatusOr<bool> deleted = ContactStore::Delete(tx, before.id(), RevisionOf(before));
        if (!deleted.ok()) return deleted.status();
        if (!*deleted) return StaleEtag(kEntity);
        absl::StatusOr<std::string> owner = AccountOwner(tx, before.account_id());
        if (!owner.ok()) return owner.status();
        // The deltas record every value the contact had, so the event log keeps what was removed.
        return rt_.outbox->AppendChange(tx, "contact.deleted", kEntity, before.id(), crm::v1::CHANGE_KIND_DELETED,
                                        DiffMessages(&before, Contact(), UntrackedFields()), *owner, call.actor,
                                        call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return crm::v1::DeleteContactResponse();
}

absl::StatusOr<crm::v1::ListContactsResponse> ContactLogic::List(const server::CallContext& call,
                                                                 const crm::v1::ListContactsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().RequiredId(request.account_id(), "account_id").status(); !s.ok()) return s;

  ContactListQuery query;
  query.account_id = request.account_id();
  query.limit = *page_size + 1;  // one extra row tells whether another page follows
  const std::string fingerprint = ListQueryFingerprint(request);
  if (!request.page_token().empty()) {
    absl::StatusOr<std::vector<std::string>> cursor =
        rt_.page_tokens->Decode(request.page_token(), kListScope, fingerprint);
    if (!cursor.ok()) return cursor.status();
    if (cursor->size() != 1) return InvalidField("page_token", "is not a page token issued for this query");
    query.after_id = (*cursor)[0];
  }

  crm::v1::ListContactsResponse response;
  absl::Status status = rt_.db->Read(
      [&](soci::session& sql) -> absl::Status {
        // Contacts are listed under their account: an unknown account is NOT_FOUND, not an
        // empty page. A soft-deleted account's contacts stay readable.
        absl::StatusOr<std::optional<crm::v1::Account>> account = AccountStore::Find(sql, request.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) {
          return NotFoundField("account_id", absl::StrCat("no account with id \"", request.account_id(), "\""));
        }
        absl::StatusOr<std::vector<Contact>> rows = ContactStore::List(sql, query);
        if (!rows.ok()) return rows.status();
        const bool more = static_cast<int>(rows->size()) > *page_size;
        if (more) rows->pop_back();
        for (Contact& c : *rows) *response.add_contacts() = std::move(c);
        if (more) {
          const Contact& last = response.contacts(response.contacts_size() - 1);
          response.set_next_page_token(rt_.page_tokens->Encode(kListScope, fingerprint, {last.id()}));
        }
        return absl::OkStatus();
      },
      call.deadline);
  if (!status.ok()) return status;
  return response;
}

}  // namespace crm::accounts
