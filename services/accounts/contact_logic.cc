#include "services/accounts/contact_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/duplicates/candidate_details.h"
#include "common/duplicates/merge_store.h"
#include "common/duplicates/duplicate_finder.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
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
      "full_name", "title", "email", "phone", "preferred_channel", "decision_role", "custom_fields"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) { return NoSuchEntity(field, kEntity, id); }

// The contact a replayed create made. Deleted since: the retry still must not create a second
// contact, so it is NOT_FOUND rather than a fresh create.
// A contact as callers see it: without the values of removed custom fields.
absl::StatusOr<std::optional<Contact>> FindVisible(soci::session& sql, const std::string& id) {
  return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, ContactStore::Find(sql, id));
}

absl::StatusOr<std::optional<Contact>> FindCreated(soci::session& sql, const std::string& id) {
  absl::StatusOr<std::optional<Contact>> contact = FindVisible(sql, id);
  if (contact.ok() && !contact->has_value()) {
    return NotFoundField("request_id", "the contact this request created has since been deleted");
  }
  return contact;
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
  // Each value is checked against its definition in the writing transaction; this only bounds
  // the work.
  v.Check(c.custom_fields_size() <= customfields::kMaxFieldsPerEntity, f("custom_fields"),
          absl::StrCat("at most ", customfields::kMaxFieldsPerEntity, " values"));
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
  contact.clear_possible_duplicates();
  const absl::Time now = rt_.clock->Now();
  contact.set_id(NewIdAt(kIdPrefix, now));
  *contact.mutable_create_time() = TimeToTimestamp(now);
  *contact.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Contact>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request,
      duplicates::WithCurrentCandidates<Contact>(crm::v1::DUPLICATE_ENTITY_CONTACT, FindCreated),
      [&](db::Tx& tx) -> absl::StatusOr<Contact> {
        absl::StatusOr<crm::v1::Account> account = FindLiveAccount(tx, contact.account_id(), "contact.account_id");
        if (!account.ok()) return account.status();
        Contact created = contact;
        customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, "contact.custom_fields");
        if (absl::Status s = values.PrepareCreate(tx.session(), created.mutable_custom_fields()); !s.ok()) return s;
        absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates =
            duplicates::CheckNewRecord(tx, crm::v1::DUPLICATE_ENTITY_CONTACT, duplicates::KeysOf(created).keys,
                                       request.confirm_duplicate(), "contact");
        if (!candidates.ok()) return candidates.status();
        if (absl::Status s = ContactStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event =
            rt_.outbox->AppendChange(tx, "contact.created", kEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
                                     DiffMessages(nullptr, created, BookkeepingFields()), account->owner(), call.actor,
                                     request.request_id(), now);
        if (!event.ok()) return event;
        // On the answer only, as on accounts.
        created.mutable_possible_duplicates()->Assign(candidates->begin(), candidates->end());
        return created;
      });
}

absl::StatusOr<Contact> ContactLogic::Get(const server::CallContext& call, const crm::v1::GetContactRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  absl::StatusOr<std::optional<Contact>> found =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::optional<Contact>> {
        absl::StatusOr<std::optional<Contact>> contact = FindVisible(sql, request.id());
        if (!contact.ok() || contact->has_value()) return contact;
        // A merged contact's row is gone; its tombstone says where it went.
        absl::StatusOr<std::optional<crm::v1::MergedInto>> merged =
            duplicates::MergeStore::FindTombstone(sql, crm::v1::DUPLICATE_ENTITY_CONTACT, request.id());
        if (!merged.ok()) return merged.status();
        if (merged->has_value()) return duplicates::MergedAway("id", kEntity, **merged);
        return contact;
      });
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NoSuchEntity("id", kEntity, request.id());
  return **std::move(found);
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

  const bool touches_custom_fields = customfields::TouchesCustomFields(*paths);
  const absl::Time now = rt_.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, "contact.custom_fields");
  db::VersionedChange<Contact> op;
  op.load = ContactStore::FindForUpdate;
  op.store = ContactStore::Update;
  op.not_found = [&] { return NotFound("contact.id", request.contact().id()); };
  op.change = [&](db::Tx& tx, const Contact& before) -> absl::StatusOr<std::optional<Contact>> {
    // Echoing the contact back with its own account_id is fine; naming another one is a request
    // to move it, which contacts do not support.
    if (!request.contact().account_id().empty() && request.contact().account_id() != before.account_id()) {
      return InvalidField("contact.account_id", "cannot be changed; create the contact under the other account");
    }
    Contact after = before;
    ApplyPaths(request.contact(), *paths, &after);
    if (absl::Status s = ValidateContact(after, "contact"); !s.ok()) return s;
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), after.mutable_custom_fields(),
                                              touches_custom_fields);
        !s.ok()) {
      return s;
    }
    NormaliseContact(after);
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Contact>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Contact>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Contact& before, const Contact& after) -> absl::Status {
    absl::StatusOr<std::string> owner = AccountOwner(tx, after.account_id());
    if (!owner.ok()) return owner.status();
    return rt_.outbox->AppendChange(tx, "contact.updated", kEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), *owner, call.actor,
                                    call.correlation_id, now);
  };
  absl::StatusOr<Contact> updated =
      db::ChangeVersioned(*rt_.db, call.deadline, request.contact().id(), request.etag(), "etag", kEntity, op);
  if (updated.ok()) values.Present(updated->mutable_custom_fields());
  return updated;
}

absl::StatusOr<crm::v1::DeleteContactResponse> ContactLogic::Delete(const server::CallContext& call,
                                                                    const crm::v1::DeleteContactRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  db::VersionedDelete<Contact> op;
  op.load = ContactStore::FindForUpdate;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.remove = ContactStore::Delete;
  op.after_delete = [&](db::Tx& tx, const Contact& before) -> absl::Status {
    absl::StatusOr<std::string> owner = AccountOwner(tx, before.account_id());
    if (!owner.ok()) return owner.status();
    // The deltas record every value the contact had, so the event log keeps what was removed.
    return rt_.outbox->AppendChange(tx, "contact.deleted", kEntity, before.id(), crm::v1::CHANGE_KIND_DELETED,
                                    DiffMessages(&before, Contact(), BookkeepingFields()), *owner, call.actor,
                                    call.correlation_id, now);
  };
  if (absl::Status s = db::DeleteVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kEntity, op);
      !s.ok()) {
    return s;
  }
  return crm::v1::DeleteContactResponse();
}

absl::StatusOr<crm::v1::ListContactsResponse> ContactLogic::List(const server::CallContext& call,
                                                                 const crm::v1::ListContactsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().RequiredId(request.account_id(), "account_id").status(); !s.ok()) return s;

  ContactListQuery query;
  query.account_id = request.account_id();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Contact>> rows = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Contact>> {
        // Contacts are listed under their account: an unknown account is NOT_FOUND, not an
        // empty page. A soft-deleted account's contacts stay readable.
        absl::StatusOr<std::optional<crm::v1::Account>> account = AccountStore::Find(sql, request.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) return NoSuchEntity("account_id", kAccountEntity, request.account_id());
        absl::StatusOr<std::vector<customfields::IndexCondition>> conditions = customfields::ResolveListFields(
            sql, crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, request.custom_fields(), std::nullopt, "custom_fields");
        if (!conditions.ok()) return conditions.status();
        query.custom_conditions = *std::move(conditions);
        return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, ContactStore::List(sql, query));
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListContactsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const Contact& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Contact& c : *rows) *response.add_contacts() = std::move(c);
  return response;
}

}  // namespace crm::accounts
