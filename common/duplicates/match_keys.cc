#include "common/duplicates/match_keys.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace crm::duplicates {
namespace {

// Lower-case words of `text`: ASCII letters and digits (and any non-ASCII byte, so UTF-8 letters
// stay inside their word); everything else separates. The upper-case Latin-1 letters (À to Þ,
// UTF-8 C3 80 to C3 9E but for ×) are lowered too, so "KÖHLER" = "Köhler".
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == 0xC3 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next += 0x20;
      word.push_back(c);
      word.push_back(static_cast<char>(next));
      ++i;
    } else if (absl::ascii_isalnum(u) || u >= 0x80) {
      word.push_back(absl::ascii_tolower(u));
    } else if (c == '&' || c == '\'') {
      continue;  // "M&M's" is one word
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Legal forms and filler words that say nothing about which organisation it is.
const absl::flat_hash_set<std::string>& LegalForms() {
  static const auto* forms = new absl::flat_hash_set<std::string>{
      "ab",   "ag",   "as",     "bv",  "co",       "company", "corp", "corporation", "gmbh", "inc",
      "incorporated", "kg",    "kgaa", "llc",  "llp",  "lp",   "ltd",   "limited", "mbh",  "nv",
      "oy",   "oyj",  "plc",    "pty", "sa",       "sarl",    "sas",  "se",          "spa",  "srl",
      "the",  "ug",   "ohg",    "gbr", "ev",       "ek"};
  return *forms;
}

const absl::flat_hash_set<std::string>& FreeMailDomains() {
  static const auto* domains = new absl::flat_hash_set<std::string>{
      "gmail.com",   "googlemail.com", "yahoo.com",  "yahoo.de",     "hotmail.com", "hotmail.de",
      "outlook.com", "live.com",       "msn.com",    "icloud.com",   "me.com",      "aol.com",
      "gmx.de",      "gmx.net",        "gmx.com",    "web.de",       "t-online.de", "proton.me",
      "protonmail.com", "mail.ru",     "yandex.ru",  "qq.com",       "163.com",     "freenet.de"};
  return *domains;
}

}  // namespace

absl::string_view KeyKindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kOrganisationName: return "organisation";
    case KeyKind::kPersonName: return "person";
    case KeyKind::kEmail: return "email";
    case KeyKind::kPhone: return "phone";
    case KeyKind::kDomain: return "domain";
  }
  return "";
}

namespace {

// Runs of one-letter words as one word: a dotted abbreviation ("B.V.", "S.r.l.", "e.K.") is the
// same as its plain spelling ("BV", "Srl", "eK").
std::vector<std::string> JoinInitials(std::vector<std::string> words) {
  std::vector<std::string> joined;
  bool previous_single = false;
  for (std::string& word : words) {
    const bool single = word.size() == 1;
    if (single && previous_single) {
      joined.back() += word;
    } else {
      joined.push_back(std::move(word));
    }
    previous_single = single;
  }
  return joined;
}

}  // namespace

std::string OrganisationNameKey(absl::string_view name) {
  std::vector<std::string> words = JoinInitials(Words(name));
  std::vector<std::string> kept;
  for (std::string& word : words) {
    if (!LegalForms().contains(word)) kept.push_back(std::move(word));
  }
  // A name made only of legal forms ("The Company") is its own key rather than none.
  if (kept.empty()) kept = Words(name);
  return absl::StrJoin(kept, " ");
}

std::string PersonNameKey(absl::string_view name) {
  std::vector<std::string> words = Words(name);
  absl::c_sort(words);
  return absl::StrJoin(words, " ");
}

std::string EmailKey(absl::string_view email) {
  std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(email));
  const size_t at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) return "";
  std::string local = text.substr(0, at);
  if (const size_t plus = local.find('+'); plus != std::string::npos && plus > 0) local.resize(plus);
  return local + text.substr(at);
}

std::string PhoneKey(absl::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  // Shorter than a subscriber number with its area code: too likely to match by chance.
  if (digits.size() < 7) return "";
  return digits.size() > 9 ? digits.substr(digits.size() - 9) : digits;
}

std::string DomainKey(absl::string_view web_address) {
  absl::string_view text = absl::StripAsciiWhitespace(web_address);
  if (const size_t scheme = text.find("://"); scheme != absl::string_view::npos) text.remove_prefix(scheme + 3);
  text = text.substr(0, text.find_first_of("/?#"));
  if (const size_t at = text.rfind('@'); at != absl::string_view::npos) text.remove_prefix(at + 1);
  text = text.substr(0, text.find(':'));
  std::string host = absl::AsciiStrToLower(text);
  absl::string_view rest = host;
  absl::ConsumePrefix(&rest, "www.");
  absl::ConsumeSuffix(&rest, ".");
  if (rest.find('.') == absl::string_view::npos) return "";
  return std::string(rest);
}

std::string EmailDomainKey(absl::string_view email) {
  const std::string key = EmailKey(email);
  if (key.empty()) return "";
  std::string domain = DomainKey(key.substr(key.rfind('@') + 1));
  return FreeMailDomains().contains(domain) ? "" : domain;
}

void AddKey(KeyKind kind, std::string key, std::vector<MatchKey>& keys) {
  if (key.empty()) return;
  if (key.size() > kMaxKeyBytes) {
    size_t end = kMaxKeyBytes;
    // Never inside a UTF-8 sequence: the database would refuse the text.
    while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xC0) == 0x80) --end;
    key.resize(end);
  }
  MatchKey candidate{kind, std::move(key)};
  if (!absl::c_linear_search(keys, candidate)) keys.push_back(std::move(candidate));
}

}  // namespace crm::duplicates
