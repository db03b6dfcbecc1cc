// What accounts, contacts and leads are matched on (issue 8): the keys each record is indexed
// under, and which kinds of key make one kind of record a duplicate of another.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/duplicates/match_keys.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/duplicate.pb.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::duplicates {

// "account", "contact", "lead": how the index names them.
absl::string_view EntityName(crm::v1::DuplicateEntity entity);
std::optional<crm::v1::DuplicateEntity> EntityFromName(absl::string_view name);

// A record's entries in the duplicate index: its keys and the name its candidates show.
struct RecordKeys {
  std::vector<MatchKey> keys;
  std::string display_name;
  bool operator==(const RecordKeys& other) const {
    return keys == other.keys && display_name == other.display_name;
  }
  bool operator!=(const RecordKeys& other) const { return !(*this == other); }
};

// Account: its name, its website's domain, its phone; none while it is soft-deleted (a deleted
// account is no candidate).
RecordKeys KeysOf(const crm::v1::Account& account);
// Contact: its name at its account, its e-mail, its phone.
RecordKeys KeysOf(const crm::v1::Contact& contact);
// Lead: its company, its person's name at that company, its e-mail and the e-mail's company
// domain, its phone.
RecordKeys KeysOf(const crm::v1::Lead& lead);

// The person key of `full_name` at an organisation (an account id, or a company's key).
std::string PersonAt(absl::string_view full_name, absl::string_view organisation);

// The kinds of key that make a `candidate` record a possible duplicate of a `subject` one.
// Two accounts sharing a phone may be one customer; two leads of one company (its name or its
// e-mail domain) are colleagues, not duplicates, so leads are compared by person, e-mail, phone.
std::vector<KeyKind> ComparedKinds(crm::v1::DuplicateEntity subject, crm::v1::DuplicateEntity candidate);

// How a shared key is reported: its reason and the key as a user reads it (a person key without
// its organisation).
crm::v1::DuplicateMatch MatchOf(const MatchKey& key);

}  // namespace crm::duplicates
