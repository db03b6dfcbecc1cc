// Normalised match keys for duplicate detection (issue 8): two records whose keys of one kind
// are equal may be the same customer. Written once for accounts, contacts and leads.
//
// The rules are deliberately plain, so a user can predict a match:
//  - organisation names: case, punctuation and legal forms ("GmbH", "Inc.", "Ltd") do not count;
//  - person names: case, punctuation and word order do not count ("Roe, Jane" = "jane roe");
//  - e-mail addresses: case and a "+tag" in the local part do not count;
//  - phone numbers: only the last nine digits count, so the country code, a trunk prefix and
//    the formatting do not ("+49 30 1234567" = "030 123-4567");
//  - web domains: scheme, "www.", path, port and case do not count; free-mail domains
//    (gmail.com, ...) are no company's domain and give no key.
// Non-ASCII letters are compared as they are ("Müller" and "Mueller" differ).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace crm::duplicates {

// A person's name is only compared at one organisation (its key carries the organisation, see
// record_keys.h): "Jane Roe" at Acme and "Jane Roe" at Initech are different people.
enum class KeyKind { kOrganisationName, kPersonName, kEmail, kPhone, kDomain };

// "organisation", "person", "email", "phone", "domain": how keys are stored.
absl::string_view KeyKindName(KeyKind kind);

struct MatchKey {
  KeyKind kind;
  std::string key;
  bool operator==(const MatchKey& other) const { return kind == other.kind && key == other.key; }
};

// Each returns "" when the text gives no usable key.
std::string OrganisationNameKey(absl::string_view name);
std::string PersonNameKey(absl::string_view name);
std::string EmailKey(absl::string_view email);
std::string PhoneKey(absl::string_view phone);
// From a web address or a bare domain.
std::string DomainKey(absl::string_view web_address);
// The company domain of an e-mail address; "" for a free-mail provider's.
std::string EmailDomainKey(absl::string_view email);

// Longer keys are cut to this (the index column's width); two names that agree this far match.
inline constexpr size_t kMaxKeyBytes = 200;

// Appends {kind, key} to `keys` unless `key` is empty or already there; cuts it to kMaxKeyBytes.
void AddKey(KeyKind kind, std::string key, std::vector<MatchKey>& keys);

}  // namespace crm::duplicates
