#include "common/duplicates/record_keys.h"

#include "absl/strings/str_cat.h"

namespace crm::duplicates {
namespace {

using crm::v1::DuplicateEntity;

// Between a person's name and its organisation in a person key; names keep no punctuation.
constexpr char kPersonScopeSeparator = '|';

}  // namespace

absl::string_view EntityName(DuplicateEntity entity) {
  switch (entity) {
    case crm::v1::DUPLICATE_ENTITY_ACCOUNT: return "account";
    case crm::v1::DUPLICATE_ENTITY_CONTACT: return "contact";
    case crm::v1::DUPLICATE_ENTITY_LEAD: return "lead";
    default: return "";
  }
}

std::optional<DuplicateEntity> EntityFromName(absl::string_view name) {
  for (DuplicateEntity entity : {crm::v1::DUPLICATE_ENTITY_ACCOUNT, crm::v1::DUPLICATE_ENTITY_CONTACT,
                                 crm::v1::DUPLICATE_ENTITY_LEAD}) {
    if (EntityName(entity) == name) return entity;
  }
  return std::nullopt;
}

std::string PersonAt(absl::string_view full_name, absl::string_view organisation) {
  std::string person = PersonNameKey(full_name);
  if (person.empty() || organisation.empty()) return "";
  return absl::StrCat(person, std::string(1, kPersonScopeSeparator), organisation);
}

RecordKeys KeysOf(const crm::v1::Account& account) {
  RecordKeys record;
  record.display_name = account.name();
  if (account.has_delete_time()) return record;
  AddKey(KeyKind::kOrganisationName, OrganisationNameKey(account.name()), record.keys);
  AddKey(KeyKind::kDomain, DomainKey(account.website()), record.keys);
  AddKey(KeyKind::kPhone, PhoneKey(account.phone()), record.keys);
  return record;
}

RecordKeys KeysOf(const crm::v1::Contact& contact) {
  RecordKeys record;
  record.display_name = contact.full_name();
  AddKey(KeyKind::kPersonName, PersonAt(contact.full_name(), contact.account_id()), record.keys);
  AddKey(KeyKind::kEmail, EmailKey(contact.email()), record.keys);
  AddKey(KeyKind::kPhone, PhoneKey(contact.phone()), record.keys);
  return record;
}

RecordKeys KeysOf(const crm::v1::Lead& lead) {
  RecordKeys record;
  record.display_name = lead.company_name().empty() || lead.full_name().empty()
                            ? absl::StrCat(lead.full_name(), lead.company_name())
                            : absl::StrCat(lead.full_name(), " (", lead.company_name(), ")");
  const std::string company = OrganisationNameKey(lead.company_name());
  AddKey(KeyKind::kOrganisationName, company, record.keys);
  AddKey(KeyKind::kPersonName, PersonAt(lead.full_name(), company), record.keys);
  AddKey(KeyKind::kEmail, EmailKey(lead.email()), record.keys);
  AddKey(KeyKind::kDomain, EmailDomainKey(lead.email()), record.keys);
  AddKey(KeyKind::kPhone, PhoneKey(lead.phone()), record.keys);
  return record;
}

std::vector<KeyKind> ComparedKinds(DuplicateEntity subject, DuplicateEntity candidate) {
  // Organisations (accounts, and leads as companies) by name, domain and phone; people
  // (contacts, and leads as persons) by name at their organisation, e-mail and phone.
  const bool subject_is_person = subject != crm::v1::DUPLICATE_ENTITY_ACCOUNT;
  const bool candidate_is_person = candidate != crm::v1::DUPLICATE_ENTITY_ACCOUNT;
  if (subject == crm::v1::DUPLICATE_ENTITY_LEAD && candidate == crm::v1::DUPLICATE_ENTITY_ACCOUNT) {
    return {KeyKind::kOrganisationName, KeyKind::kDomain, KeyKind::kPhone};
  }
  if (subject == crm::v1::DUPLICATE_ENTITY_ACCOUNT && candidate == crm::v1::DUPLICATE_ENTITY_LEAD) {
    return {KeyKind::kOrganisationName, KeyKind::kDomain, KeyKind::kPhone};
  }
  if (!subject_is_person && !candidate_is_person) {
    return {KeyKind::kOrganisationName, KeyKind::kDomain, KeyKind::kPhone};
  }
  if (subject_is_person && candidate_is_person) {
    return {KeyKind::kPersonName, KeyKind::kEmail, KeyKind::kPhone};
  }
  // A contact and an account: only a phone number says they are one customer.
  return {KeyKind::kPhone};
}

crm::v1::DuplicateMatch MatchOf(const MatchKey& key) {
  crm::v1::DuplicateMatch match;
  switch (key.kind) {
    case KeyKind::kOrganisationName: match.set_reason(crm::v1::MATCH_REASON_ORGANISATION_NAME); break;
    case KeyKind::kPersonName: match.set_reason(crm::v1::MATCH_REASON_PERSON_NAME); break;
    case KeyKind::kEmail: match.set_reason(crm::v1::MATCH_REASON_EMAIL); break;
    case KeyKind::kPhone: match.set_reason(crm::v1::MATCH_REASON_PHONE); break;
    case KeyKind::kDomain: match.set_reason(crm::v1::MATCH_REASON_WEB_DOMAIN); break;
  }
  const size_t scope = key.kind == KeyKind::kPersonName ? key.key.rfind(kPersonScopeSeparator) : std::string::npos;
  match.set_key(scope == std::string::npos ? key.key : key.key.substr(0, scope));
  return match;
}

}  // namespace crm::duplicates
