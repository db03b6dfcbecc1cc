#include "bench/duplicate_data.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/bench_report.h"
#include "bench/bulk_insert.h"
#include "bench/random_draws.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "common/duplicates/duplicate_store.h"
#include "common/duplicates/match_keys.h"

namespace crm::bench {
namespace {

using duplicates::KeyKind;
using duplicates::MatchKey;

// Bumped whenever the generated data changes shape, so an older database is not reused.
constexpr int64_t kGeneratorVersion = 3;
// The row of bench_data_sets this benchmark records.
constexpr char kDataSetName[] = "duplicate";

constexpr int64_t kMicrosPerSecond = 1000000;
// Account i was created at kFirstCreateMicros + i * kCreateStepMicros: distinct milliseconds,
// so the time-ordered ids ascend with i, and every id the server makes now comes after them.
constexpr int64_t kFirstCreateMicros = 1704067200LL * kMicrosPerSecond;  // 2024-01-01T00:00:00Z
constexpr int64_t kCreateStepMicros = 30 * kMicrosPerSecond;
constexpr int kOwners = 300;

constexpr char kCountKeyRows[] = "SELECT COUNT(*) FROM duplicate_keys WHERE entity_type = 'account'";
constexpr char kSelectIds[] = "SELECT id FROM accounts ORDER BY id";
constexpr char kSelectStoredAccount[] = "SELECT name, website, phone FROM accounts WHERE id = ?";
// Accounts created through the server after the load (the benchmark's own creates).
constexpr char kDeleteCreatedKeys[] = "DELETE FROM duplicate_keys WHERE entity_type = 'account' AND entity_id > :last";
constexpr char kDeleteCreatedAccounts[] = "DELETE FROM accounts WHERE id > :last";

// ---------------------------------------------------------------------------------------------
// The vocabulary.

// Common surnames of the markets the CRM serves: with a trade they make the names that many
// companies share ("Müller Bau", "Smith Logistics").
const std::vector<const char*> kSurnames = {
    "Müller",   "Schmidt",  "Schneider", "Fischer",   "Weber",     "Meyer",    "Wagner",   "Becker",
    "Schulz",   "Hoffmann", "Koch",      "Richter",   "Klein",     "Wolf",     "Schröder", "Neumann",
    "Schwarz",  "Braun",    "Zimmermann", "Krüger",   "Hofmann",   "Hartmann", "Lange",    "Werner",
    "Krause",   "Lehmann",  "Köhler",    "Smith",     "Johnson",   "Williams", "Brown",    "Jones",
    "Miller",   "Davis",    "Wilson",    "Anderson",  "Taylor",    "Thomas",   "Moore",    "Martin",
    "Jackson",  "Thompson", "White",     "Harris",    "Clark",     "Lewis",    "Walker",   "Hall",
    "Young",    "King",     "Wright",    "Scott",     "Green",     "Baker",    "Adams",    "Nelson",
    "Hill",     "Campbell", "Mitchell",  "Roberts",   "Carter",    "Phillips", "Evans",    "Turner",
    "Parker",   "Collins",  "Edwards",   "Stewart",   "Morris",    "Rossi",    "Russo",    "Ferrari",
    "Esposito", "Bianchi",  "Romano",    "Colombo",   "Ricci",     "Marino",   "Greco",    "García",
    "Fernández", "González", "Rodríguez", "López",    "Martínez",  "Sánchez",  "Pérez",    "Dubois",
    "Durand",   "Lefebvre", "Moreau",    "Laurent",   "Simon",     "Michel",   "Leroy",    "Andersson",
    "Johansson", "Karlsson", "Nilsson",  "Eriksson",  "Larsson",   "Olsson",   "Persson",  "Jansen",
    "de Jong",  "van Dijk", "Bakker",    "Visser",    "Smit",      "Meijer",   "Nowak",    "Kowalski",
    "Novák",    "Horváth",  "Nagy",      "Virtanen",  "Korhonen",  "Hansen",   "Nielsen",  "Jensen",
};

const std::vector<const char*> kTrades = {
    "Bau",        "Logistics",   "Consulting", "Software",   "Systems",     "Solutions", "Technik",   "Partners",
    "Holding",    "Trading",     "Handel",     "Foods",      "Energy",      "Media",     "Design",    "Services",
    "Group",      "Immobilien",  "Automotive", "Elektro",    "Metallbau",   "Maschinenbau", "Transport", "Pharma",
    "Medical",    "Chemie",      "Textil",     "Druck",      "Verlag",      "Finance",   "Capital",   "Invest",
    "Insurance",  "Engineering", "Industries", "Manufacturing", "Plastics", "Packaging", "Labs",      "Robotics",
    "Analytics",  "Digital",     "Networks",   "Telecom",    "Marine",      "Aviation",  "Agrar",     "Haustechnik",
    "Sanitär",    "Dachbau",     "Holzbau",    "Glas",       "Stahl",       "Optik",     "Dental",    "Care",
    "Pflege",     "Reisen",      "Travel",     "Hotels",     "Catering",    "Security",  "Facility",  "Architects",
    "Studio",     "Werke",       "Brewing",    "Wines",      "Fashion",     "Logistik",  "Umwelt",    "Gastro",
    "Trasporti",  "Servicios",   "Bouw",       "Teknik",     "Outdoor",
};

const std::vector<const char*> kPlaces = {
    "Berlin",    "Hamburg",   "München",   "Köln",     "Frankfurt", "Stuttgart", "Rhein",     "Main",
    "Elbe",      "Nord",      "Süd",       "West",     "Ost",       "Alpen",     "Baltic",    "Atlantic",
    "Pacific",   "Nordic",    "Alpine",    "London",   "Thames",    "Highland",  "Paris",     "Lyon",
    "Provence",  "Milano",    "Roma",      "Toscana",  "Madrid",    "Iberia",    "Lisboa",    "Amsterdam",
    "Holland",   "Brabant",   "Wien",      "Zürich",   "Helvetia",  "Bavaria",   "Westfalen", "Hanse",
    "Danube",    "Oslo",      "Stockholm", "Malmö",    "Helsinki",  "Warszawa",  "Praha",     "Budapest",
    "Boston",    "Chicago",   "Texas",     "Hudson",   "Liberty",   "Continental", "Euro",    "Global",
    "United",    "International", "Central", "Metro",
};

// Legal forms, as people write them. "S.A.", "S.r.l.", "B.V." and "e.K." are dotted on purpose.
const std::vector<Weighted> kLegalForms = {
    {"GmbH", 26}, {"GmbH & Co. KG", 5}, {"AG", 3},   {"KG", 2},     {"e.K.", 1},   {"Ltd", 9},   {"Ltd.", 3},
    {"Limited", 2}, {"Inc.", 7},        {"Inc", 2},  {"LLC", 5},    {"Corp.", 2},  {"SA", 3},    {"S.A.", 2},
    {"SAS", 3},   {"SARL", 2},          {"S.r.l.", 2}, {"Srl", 1},  {"S.p.A.", 1}, {"BV", 2},    {"B.V.", 1},
    {"AB", 3},    {"Oy", 1},            {"plc", 1},  {"", 10},
};

// How a company's name is made (the share of accounts that are not re-entries).
enum class NameShape { kBrandTrade, kBrand, kSurnameTrade, kSurnamePair, kPlaceTrade, kBrandPlaceTrade, kPlaceBrand,
                       kSurname };
const std::vector<double> kNameShapeWeights = {50, 14, 9, 4, 3, 10, 4, 1};

// Invented brand words ("Norvatek", "Brailon"): syllables picked by a hash of the brand's rank.
const char* const kOnsets[] = {"b", "br", "c",  "d", "dr", "f",  "g", "gr", "h",   "k",  "kl", "l", "m",  "n",  "p",
                               "pr", "qu", "r", "s", "sk", "st", "t", "tr", "v",   "w",  "z",  "", "sch", "fl", "pl"};
const char* const kVowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "io", "y", "au"};
const char* const kCodas[] = {"", "", "n", "r", "s", "x", "l", "m", "nt", "rk", "st", "v"};
const char* const kBrandEnds[] = {"", "", "", "", "tek", "ix", "on", "ia", "ora", "ex", "ium", "is", "ent", "ica",
                                  "ara", "ano"};
// Brand ranks are drawn as kBrandScale * (Pareto(kBrandAlpha) - 1): half of them among the first
// million, so a brand is rarely drawn twice in a million accounts.
constexpr double kBrandScale = 1000000;
constexpr double kBrandAlpha = 1.1;
constexpr double kMaxDrawnRank = 1e11;
// Ranks the draws never reach: group sites, and companies nobody in the data set is.
constexpr uint64_t kGroupRankBase = 500000000000ULL;
constexpr uint64_t kUnseenRankBase = 1000000000000ULL;

const std::vector<Weighted> kTlds = {{"de", 35}, {"com", 30}, {"co.uk", 8}, {"fr", 5}, {"it", 4},
                                     {"es", 3},  {"nl", 4},   {"se", 3},    {"eu", 3}, {"io", 2}, {"net", 3}};
// Of the accounts with a website: how its address is written ({} stands for the domain).
const std::vector<Weighted> kWebsiteFormats = {
    {"https://www.{}", 30}, {"www.{}", 22}, {"{}", 14},           {"https://{}", 12}, {"http://www.{}/", 8},
    {"https://www.{}/en/", 5}, {"https://www.{}/kontakt", 4}, {"HTTPS://WWW.{}", 2}, {"www.{}/index.html", 3},
};
constexpr int kGroupSites = 300;
constexpr double kGroupSiteShare = 0.02;      // of the websites
constexpr int kServiceNumbers = 100;
constexpr double kServiceNumberShare = 0.005;  // of the phones

struct Country {
  const char* code;
  const char* trunk;  // the national prefix before the area code ("" where the area code keeps it)
  double weight;
};
const std::vector<Country> kCountries = {{"49", "0", 35}, {"44", "0", 12}, {"33", "0", 8}, {"39", "", 6},
                                         {"34", "", 5},   {"31", "0", 6},  {"46", "0", 6}, {"1", "", 22}};
constexpr uint8_t kGermany = 0, kUnitedKingdom = 1, kFrance = 2, kItaly = 3, kSpain = 4, kNetherlands = 5,
                  kSweden = 6, kUnitedStates = 7;
// Phone formats outside North America; how often each is drawn.
const std::vector<double> kPhoneFormatWeights = {30, 6, 28, 10, 6, 6, 6, 8};
const std::vector<double> kUsPhoneFormatWeights = {40, 30, 20, 6, 4};

const std::vector<Weighted> kRegions = {
    {"Western Europe", 30}, {"Northern Europe", 18}, {"North America", 20},
    {"Asia Pacific", 14},   {"Latin America", 9},    {"Middle East & Africa", 9},
};
const std::vector<Weighted> kIndustries = {
    {"Manufacturing", 16}, {"Wholesale", 13}, {"Retail", 12},    {"Software", 10}, {"Healthcare", 9},
    {"Logistics", 9},      {"Construction", 8}, {"Energy", 6}, {"Public sector", 5}, {"Media", 4},
};

// SplitMix64's finaliser: a bijection, so distinct inputs give distinct, well-spread outputs.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashText(absl::string_view text) {
  uint64_t h = 0x84222325cbf29ce4ULL;
  for (char c : text) h = Mix(h ^ static_cast<unsigned char>(c));
  return h;
}

// Weights 1/(i + offset) for i = 0..n-1: a rank-frequency law flattened at the top.
std::vector<double> ZipfWeights(size_t n, double offset) {
  std::vector<double> weights;
  for (size_t i = 0; i < n; ++i) weights.push_back(1.0 / (static_cast<double>(i) + offset));
  return weights;
}

template <size_t N>
const char* PickFrom(const char* const (&values)[N], uint64_t& bits) {
  const char* value = values[bits % N];
  bits /= N;
  return value;
}

std::string Brand(uint64_t rank) {
  uint64_t bits = Mix(rank * 0x9e3779b97f4a7c15ULL + 0x5bd1e995ULL);
  const int syllables = (bits & 3) == 0 ? 3 : 2;
  bits >>= 2;
  std::string word;
  for (int s = 0; s < syllables; ++s) {
    word += PickFrom(kOnsets, bits);
    word += PickFrom(kVowels, bits);
    const bool coda = s + 1 == syllables || (bits & 1) != 0;
    bits >>= 1;
    if (coda) word += PickFrom(kCodas, bits);
  }
  word += PickFrom(kBrandEnds, bits);
  word[0] = absl::ascii_toupper(static_cast<unsigned char>(word[0]));
  return word;
}

uint64_t DrawBrandRank(Random& random) {
  return static_cast<uint64_t>(std::min(kBrandScale * (random.Pareto(kBrandAlpha) - 1), kMaxDrawnRank));
}

// Lower-case ASCII letters and digits of `text`, common accented letters spelt out ("ü" -> "ue"),
// words joined by `separator`: how companies turn their names into domains.
std::string Slug(absl::string_view text, absl::string_view separator) {
  static const std::pair<const char*, const char*> kSpelt[] = {
      {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"}, {"é", "e"},
      {"è", "e"},  {"ê", "e"},  {"á", "a"},  {"à", "a"},  {"í", "i"},  {"ó", "o"},  {"ú", "u"},  {"ñ", "n"},
      {"ç", "c"},  {"å", "a"},  {"ø", "o"},  {"æ", "ae"}};
  std::string out;
  bool separate = false;
  auto emit = [&](absl::string_view piece) {
    if (separate && !out.empty()) absl::StrAppend(&out, separator);
    separate = false;
    absl::StrAppend(&out, piece);
  };
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (absl::ascii_isalnum(c)) {
        const char lower = absl::ascii_tolower(c);
        emit(absl::string_view(&lower, 1));
      } else if (c != '&' && c != '\'' && c != '.') {
        separate = true;
      }
      ++i;
      continue;
    }
    bool spelt = false;
    for (const auto& [from, to] : kSpelt) {
      if (absl::StartsWith(text.substr(i), from)) {
        emit(to);
        i += std::strlen(from);
        spelt = true;
        break;
      }
    }
    if (!spelt) {
      ++i;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

// Upper case as a spreadsheet export writes it, Latin-1 letters included ("Müller" -> "MÜLLER").
std::string UpperCased(absl::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      out[i] = absl::ascii_toupper(c);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      const unsigned char next = static_cast<unsigned char>(out[i + 1]);
      if (next >= 0xA0 && next <= 0xBE && next != 0xB7) out[i + 1] = static_cast<char>(next - 0x20);
      ++i;
    }
  }
  return out;
}

// The name without its legal form, and the form ("" when it has none).
std::pair<std::string, std::string> SplitLegalForm(const std::string& name) {
  static const std::vector<std::string>* forms = [] {
    auto* sorted = new std::vector<std::string>;
    for (const Weighted& form : kLegalForms) {
      if (*form.name != '\0') sorted->push_back(form.name);
    }
    // Longest first: "GmbH & Co. KG" before "KG".
    std::sort(sorted->begin(), sorted->end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return sorted;
  }();
  for (const std::string& form : *forms) {
    if (name.size() > form.size() + 1 && absl::EndsWith(name, form) && name[name.size() - form.size() - 1] == ' ') {
      std::string base = name.substr(0, name.size() - form.size() - 1);
      if (!base.empty() && base.back() == ',') base.pop_back();
      return {base, form};
    }
  }
  return {name, ""};
}

std::string WithFormat(const char* format, absl::string_view domain) {
  std::string out(format);
  const size_t at = out.find("{}");
  out.replace(at, 2, std::string(domain));
  if (absl::StartsWith(format, "HTTPS://WWW.")) out = absl::AsciiStrToUpper(out);
  return out;
}

// Writes the number in format `style` (of kUsPhoneFormatWeights in North America, else of
// kPhoneFormatWeights), the subscriber number in pairs after its first three digits when `grouped`.
std::string FormatPhone(const DrawnAccount& a, size_t style, bool grouped) {
  const Country& country = kCountries[a.phone_country];
  const std::string area = a.phone_digits.substr(0, a.phone_area);
  const std::string subscriber = a.phone_digits.substr(a.phone_area);
  if (a.phone_country == kUnitedStates) {
    const std::string exchange = subscriber.substr(0, 3), line = subscriber.substr(3);
    switch (style % kUsPhoneFormatWeights.size()) {
      case 0: return absl::StrCat("(", area, ") ", exchange, "-", line);
      case 1: return absl::StrCat("+1 ", area, " ", exchange, " ", line);
      case 2: return absl::StrCat(area, "-", exchange, "-", line);
      case 3: return absl::StrCat("+1 (", area, ") ", exchange, "-", line);
      default: return absl::StrCat("1-", area, "-", exchange, "-", line);
    }
  }
  std::string spaced = subscriber;
  if (grouped && subscriber.size() > 5) {
    spaced = subscriber.substr(0, 3);
    for (size_t k = 3; k < subscriber.size(); k += 2) absl::StrAppend(&spaced, " ", subscriber.substr(k, 2));
  }
  const std::string national = absl::StrCat(country.trunk, area);
  size_t format = style % kPhoneFormatWeights.size();
  if (format == 1 && *country.trunk == '\0') format = 0;  // "+39 (0)6 ..." would double the 0
  switch (format) {
    case 0: return absl::StrCat("+", country.code, " ", area, " ", spaced);
    case 1: return absl::StrCat("+", country.code, " (", country.trunk, ")", area, " ", spaced);
    case 2: return absl::StrCat(national, " ", spaced);
    case 3: return absl::StrCat("(", national, ") ", spaced);
    case 4: return absl::StrCat(national, " - ", spaced);
    case 5: return absl::StrCat("+", country.code, "-", area, "-", subscriber);
    case 6: return absl::StrCat("00", country.code, " ", area, " ", spaced);
    default: return absl::StrCat(national, "-", subscriber);
  }
}

std::string Digits(Random& random, int count, int first_min = 0) {
  std::string digits;
  for (int k = 0; k < count; ++k) {
    digits.push_back(static_cast<char>('0' + (k == 0 ? first_min + random.Below(10 - first_min) : random.Below(10))));
  }
  return digits;
}

// The generator's state: its choosers, built once.
class Generator {
 public:
  explicit Generator(uint64_t seed)
      : random_(seed),
        shapes_(kNameShapeWeights),
        surnames_(ZipfWeights(kSurnames.size(), 15)),
        trades_(ZipfWeights(kTrades.size(), 8)),
        places_(ZipfWeights(kPlaces.size(), 6)),
        forms_(WeightsOf(kLegalForms)),
        tlds_(WeightsOf(kTlds)),
        website_formats_(WeightsOf(kWebsiteFormats)),
        group_sites_(ZipfWeights(kGroupSites, 10)),
        service_numbers_(ZipfWeights(kServiceNumbers, 3)),
        countries_([] {
          std::vector<double> weights;
          for (const Country& c : kCountries) weights.push_back(c.weight);
          return weights;
        }()),
        phone_formats_(kPhoneFormatWeights),
        us_phone_formats_(kUsPhoneFormatWeights) {}

  void Draw(int64_t i, std::vector<DrawnAccount>& accounts) {
    DrawnAccount& a = accounts[i];
    if (i > 0 && random_.Chance(0.05)) {
      DrawReentry(i, accounts);
      return;
    }
    const std::string base = BaseName();
    const char* form = kLegalForms[forms_.Pick(random_)].name;
    a.name = *form == '\0' ? base : absl::StrCat(base, " ", form);
    if (random_.Chance(0.60)) NewWebsite(base, a);
    if (random_.Chance(0.70)) NewPhone(a);
  }

 private:
  const char* Surname() { return kSurnames[surnames_.Pick(random_)]; }
  const char* Trade() { return kTrades[trades_.Pick(random_)]; }
  const char* Place() { return kPlaces[places_.Pick(random_)]; }

  std::string BaseName() {
    switch (static_cast<NameShape>(shapes_.Pick(random_))) {
      case NameShape::kBrandTrade: return absl::StrCat(Brand(DrawBrandRank(random_)), " ", Trade());
      case NameShape::kBrand: return Brand(DrawBrandRank(random_));
      case NameShape::kSurnameTrade: return absl::StrCat(Surname(), " ", Trade());
      case NameShape::kSurnamePair: {
        const std::string first = Surname();
        return absl::StrCat(first, " & ", random_.Chance(0.2) ? "Partner" : Surname());
      }
      case NameShape::kPlaceTrade: return absl::StrCat(Place(), " ", Trade());
      case NameShape::kBrandPlaceTrade:
        return absl::StrCat(Brand(DrawBrandRank(random_)), " ", Place(), " ", Trade());
      case NameShape::kPlaceBrand: return absl::StrCat(Place(), " ", Brand(DrawBrandRank(random_)));
      case NameShape::kSurname: return Surname();
    }
    return "";
  }

  void NewWebsite(const std::string& base, DrawnAccount& a) {
    std::string path;
    if (random_.Chance(kGroupSiteShare)) {
      // A group's site with a page per company.
      const uint64_t group = group_sites_.Pick(random_);
      Random named(Mix(kGroupRankBase + group));
      a.domain = absl::StrCat(Slug(Brand(kGroupRankBase + group), ""), "-",
                              named.Chance(0.5) ? "group" : "gruppe", ".", kTlds[tlds_.Pick(named)].name);
      a.website = absl::StrCat("https://www.", a.domain, "/", Slug(base, "-"));
      return;
    }
    // Companies of one name tend to pick the same domain: its spelling and top-level domain
    // follow from the name, unless the company chose its own or added its town.
    Random named(HashText(base));
    std::string domain = Slug(base, named.Chance(0.6) ? "" : "-");
    if (domain.empty()) domain = "firma";
    if (random_.Chance(0.3)) {
      absl::StrAppend(&domain, "-", random_.Chance(0.7) ? Slug(Place(), "") : absl::StrCat(2 + random_.Below(98)));
    }
    const char* tld = kTlds[tlds_.Pick(named)].name;
    if (random_.Chance(0.35)) tld = kTlds[tlds_.Pick(random_)].name;
    a.domain = absl::StrCat(domain, ".", tld);
    a.website = WithFormat(kWebsiteFormats[website_formats_.Pick(random_)].name, a.domain);
  }

  void NewPhone(DrawnAccount& a) {
    if (random_.Chance(kServiceNumberShare)) {
      // A service centre answering for many companies: +49 800 and seven digits.
      const uint64_t number = service_numbers_.Pick(random_);
      a.phone_country = kGermany;
      a.phone_area = 3;
      a.phone_digits = absl::StrFormat("800%07d", static_cast<int>(1000000 + Mix(number + 1) % 9000000));
      a.phone = FormatPhone(a, phone_formats_.Pick(random_), random_.Chance(0.5));
      return;
    }
    a.phone_country = static_cast<uint8_t>(countries_.Pick(random_));
    int area = 3, subscriber = 7;
    int first_min = 2;
    switch (a.phone_country) {
      case kGermany:
        area = 2 + static_cast<int>(random_.Below(3));
        // Most numbers have 10 or 11 digits after the trunk 0; old ones in small towns fewer.
        subscriber = (random_.Chance(0.05) ? 8 + static_cast<int>(random_.Below(2)) : 10 + static_cast<int>(random_.Below(2))) - area;
        break;
      case kUnitedKingdom:
        area = random_.Chance(0.3) ? 2 : 4;
        subscriber = 10 - area;
        first_min = 1;
        break;
      case kFrance:
        area = 1;
        subscriber = 8;
        first_min = 1;
        break;
      case kItaly:
        // The 0 belongs to the area code and stays in the international format.
        area = 2 + static_cast<int>(random_.Below(2));
        subscriber = 6 + static_cast<int>(random_.Below(2));
        first_min = 0;
        break;
      case kSpain:
        area = 2 + static_cast<int>(random_.Below(2));
        subscriber = 9 - area;
        first_min = 9;
        break;
      case kNetherlands:
        area = 2 + static_cast<int>(random_.Below(2));
        subscriber = 9 - area;
        first_min = 1;
        break;
      case kSweden:
        area = 1 + static_cast<int>(random_.Below(3));
        subscriber = 5 + static_cast<int>(random_.Below(4));
        first_min = 1;
        break;
      case kUnitedStates:
        area = 3;
        subscriber = 7;
        break;
    }
    std::string digits = Digits(random_, area, first_min);
    if (a.phone_country == kItaly) digits[0] = '0';
    absl::StrAppend(&digits, Digits(random_, subscriber, 2));
    a.phone_digits = std::move(digits);
    a.phone_area = static_cast<uint8_t>(area);
    a.phone = FormatPhone(a, (a.phone_country == kUnitedStates ? us_phone_formats_ : phone_formats_).Pick(random_),
                          random_.Chance(0.5));
  }

  // The company of an earlier account entered again: a branch, or a second entry of the same
  // customer, written differently.
  void DrawReentry(int64_t i, std::vector<DrawnAccount>& accounts) {
    DrawnAccount& a = accounts[i];
    const int64_t j = random_.Below(i);
    const DrawnAccount& earlier = accounts[j];
    a.copy_of = static_cast<int32_t>(j);
    const double how = random_.Uniform();
    if (how < 0.5) {
      a.name = NameWithOtherLegalForm(earlier.name, random_.Below(1 << 30));
    } else if (how < 0.65) {
      a.name = UpperCased(earlier.name);
    } else if (how < 0.8) {
      // "Müller Bau GmbH" -> "Müller-Bau GmbH"
      auto [base, form] = SplitLegalForm(earlier.name);
      const size_t space = base.find(' ');
      if (space != std::string::npos) base[space] = '-';
      a.name = form.empty() ? base : absl::StrCat(base, " ", form);
    } else {
      a.name = earlier.name;
    }
    if (!earlier.domain.empty()) {
      if (random_.Chance(0.8)) {
        a.domain = earlier.domain;
        a.kept_domain = true;
        a.website = WebsiteInOtherFormat(earlier, random_.Below(1 << 30));
      }
    } else if (random_.Chance(0.3)) {
      NewWebsite(SplitLegalForm(earlier.name).first, a);
    }
    if (!earlier.phone.empty()) {
      if (random_.Chance(0.6)) {
        a.phone_country = earlier.phone_country;
        a.phone_area = earlier.phone_area;
        a.phone_digits = earlier.phone_digits;
        a.kept_phone = true;
        a.phone = PhoneInOtherFormat(earlier, random_.Below(1 << 30));
      } else if (random_.Chance(0.6)) {
        NewPhone(a);
      }
    } else if (random_.Chance(0.5)) {
      NewPhone(a);
    }
  }

  Random random_;
  Chooser shapes_, surnames_, trades_, places_, forms_, tlds_, website_formats_, group_sites_, service_numbers_,
      countries_, phone_formats_, us_phone_formats_;
};

int64_t CreateMicros(int64_t i) { return kFirstCreateMicros + i * kCreateStepMicros; }

}  // namespace

// ---------------------------------------------------------------------------------------------

crm::v1::Account DuplicateData::AccountOf(int64_t i) const {
  crm::v1::Account account;
  account.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account.set_name(accounts[i].name);
  account.set_website(accounts[i].website);
  account.set_phone(accounts[i].phone);
  return account;
}

duplicates::RecordKeys DuplicateData::KeysOf(int64_t i) const { return duplicates::KeysOf(AccountOf(i)); }

DuplicateData DrawDuplicateData(const DuplicateDataOptions& options) {
  DuplicateData data;
  data.seed = options.seed;
  data.accounts.resize(options.accounts);
  Generator generator(options.seed);
  for (int64_t i = 0; i < options.accounts; ++i) generator.Draw(i, data.accounts);
  return data;
}

std::string NameWithOtherLegalForm(const std::string& name, uint64_t variant) {
  const auto [base, form] = SplitLegalForm(name);
  std::vector<const char*> others;
  for (const Weighted& w : kLegalForms) {
    if (*w.name != '\0' && form != w.name) others.push_back(w.name);
  }
  return absl::StrCat(base, " ", others[variant % others.size()]);
}

std::string WebsiteInOtherFormat(const DrawnAccount& account, uint64_t variant) {
  return WithFormat(kWebsiteFormats[variant % kWebsiteFormats.size()].name, account.domain);
}

std::string PhoneInOtherFormat(const DrawnAccount& account, uint64_t variant) {
  return FormatPhone(account, variant % 40, (variant / 40) % 2 == 1);
}

crm::v1::Account UnseenCompany(uint64_t n) {
  const std::string first = Brand(kUnseenRankBase + 2 * n), second = Brand(kUnseenRankBase + 2 * n + 1);
  crm::v1::Account account;
  account.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account.set_name(absl::StrCat(first, " ", second, " ", kTrades[n % kTrades.size()], " GmbH"));
  account.set_website(absl::StrCat("https://www.", Slug(first, ""), "-", Slug(second, ""), ".de"));
  account.set_phone(absl::StrFormat("+49 89 %08d", static_cast<int>(Mix(kUnseenRankBase + n) % 100000000)));
  return account;
}

// ---------------------------------------------------------------------------------------------

uint64_t KeyIndex::HashOf(const MatchKey& key) {
  return HashText(absl::StrCat(duplicates::KeyKindName(key.kind), ":", key.key));
}

KeyIndex::KeyIndex(const DuplicateData& data) : data_(data) {
  entries_.reserve(data.accounts.size() * 3);
  for (int64_t i = 0; i < data.size(); ++i) {
    for (const MatchKey& key : data.KeysOf(i).keys) {
      entries_.push_back({HashOf(key), static_cast<int32_t>(i), static_cast<uint8_t>(key.kind)});
    }
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.position < b.position;
  });
}

std::vector<int64_t> KeyIndex::Holders(const MatchKey& key) const {
  const uint64_t hash = HashOf(key);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), hash,
                             [](const Entry& e, uint64_t h) { return e.hash < h; });
  std::vector<int64_t> holders;
  for (; it != entries_.end() && it->hash == hash; ++it) {
    // A 64-bit hash shared by two keys is unlikely; the holder's own keys say for sure.
    const std::vector<MatchKey> keys = data_.KeysOf(it->position).keys;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) holders.push_back(it->position);
  }
  return holders;
}

const std::vector<std::string>& KeyIndex::HistogramBuckets() {
  static const auto* buckets = new std::vector<std::string>{"1", "2-5", "6-20", "21-100", "101-1000", ">1000"};
  return *buckets;
}

std::vector<KeyIndex::KindStats> KeyIndex::Stats() const {
  std::vector<KindStats> stats;
  for (KeyKind kind : {KeyKind::kOrganisationName, KeyKind::kDomain, KeyKind::kPhone}) {
    KindStats& s = stats.emplace_back();
    s.kind = kind;
    s.histogram.assign(HistogramBuckets().size(), 0);
  }
  auto stats_of = [&](uint8_t kind) -> KindStats* {
    for (KindStats& s : stats) {
      if (static_cast<uint8_t>(s.kind) == kind) return &s;
    }
    return nullptr;
  };
  for (size_t begin = 0; begin < entries_.size();) {
    size_t end = begin + 1;
    while (end < entries_.size() && entries_[end].hash == entries_[begin].hash) ++end;
    const int64_t holders = static_cast<int64_t>(end - begin);
    if (KindStats* s = stats_of(entries_[begin].kind)) {
      s->accounts_with_key += holders;
      ++s->keys;
      if (holders == 1) ++s->unique_keys;
      else s->accounts_sharing += holders;
      const size_t bucket = holders == 1 ? 0 : holders <= 5 ? 1 : holders <= 20 ? 2 : holders <= 100 ? 3
                                             : holders <= 1000 ? 4 : 5;
      ++s->histogram[bucket];
      if (holders > s->largest) {
        s->largest = holders;
        s->largest_holder = entries_[begin].position;
      }
    }
    begin = end;
  }
  return stats;
}

std::vector<std::vector<int64_t>> KeyIndex::Groups(KeyKind kind, int64_t min_holders, int64_t max_holders) const {
  std::vector<std::vector<int64_t>> groups;
  for (size_t begin = 0; begin < entries_.size();) {
    size_t end = begin + 1;
    while (end < entries_.size() && entries_[end].hash == entries_[begin].hash) ++end;
    const int64_t holders = static_cast<int64_t>(end - begin);
    if (entries_[begin].kind == static_cast<uint8_t>(kind) && holders >= min_holders && holders <= max_holders) {
      std::vector<int64_t>& group = groups.emplace_back();
      for (size_t k = begin; k < end; ++k) group.push_back(entries_[k].position);
    }
    begin = end;
  }
  return groups;
}

namespace {

// Why the keys of a re-entry differ from its company's, as far as the generator can tell.
std::string MissCause(KeyKind kind, const DrawnAccount& a, const DrawnAccount& earlier) {
  if (kind == KeyKind::kOrganisationName) {
    for (const DrawnAccount* x : {&a, &earlier}) {
      const std::string form = SplitLegalForm(x->name).second;
      // "S.A." gives the words "s" and "a", which are no legal form.
      if (form.find('.') != std::string::npos && form.find('.') < form.size() - 1) return "dotted legal form";
    }
    for (const DrawnAccount* x : {&a, &earlier}) {
      if (x->name == UpperCased(x->name)) {
        for (char c : x->name) {
          if (static_cast<unsigned char>(c) >= 0x80) return "upper-case non-ASCII letter";
        }
      }
    }
  }
  if (kind == KeyKind::kPhone) {
    const size_t national = a.phone_digits.size() + std::strlen(kCountries[a.phone_country].trunk);
    if (national < 9 + std::strlen(kCountries[a.phone_country].trunk) && national < 10) {
      return "fewer than 9 digits after the trunk prefix";
    }
  }
  return "other";
}

}  // namespace

ReentryRecall MeasureReentryRecall(const DuplicateData& data) {
  ReentryRecall recall;
  auto key_of = [](const duplicates::RecordKeys& keys, KeyKind kind) -> std::string {
    for (const MatchKey& k : keys.keys) {
      if (k.kind == kind) return k.key;
    }
    return "";
  };
  std::map<std::string, int> examples;
  for (int64_t i = 0; i < data.size(); ++i) {
    const DrawnAccount& a = data.accounts[i];
    if (a.copy_of < 0) continue;
    ++recall.reentries;
    const duplicates::RecordKeys mine = data.KeysOf(i), theirs = data.KeysOf(a.copy_of);
    const DrawnAccount& earlier = data.accounts[a.copy_of];
    auto count = [&](KeyKind kind, int64_t& same, int64_t& found, const std::string& what, const std::string& ours,
                     const std::string& their) {
      ++same;
      const std::string k = key_of(mine, kind);
      if (!k.empty() && k == key_of(theirs, kind)) {
        ++found;
        return;
      }
      const std::string cause = absl::StrCat(what, ", ", MissCause(kind, a, earlier));
      ++recall.misses[cause];
      if (examples[cause]++ < 2) {
        recall.missed_examples.push_back(absl::StrCat(cause, ": \"", ours, "\" [", k, "] vs \"", their, "\" [",
                                                      key_of(theirs, kind), "]"));
      }
    };
    count(KeyKind::kOrganisationName, recall.name_same, recall.name_found, "name", a.name, earlier.name);
    if (a.kept_domain) {
      count(KeyKind::kDomain, recall.domain_same, recall.domain_found, "website", a.website, earlier.website);
    }
    if (a.kept_phone) count(KeyKind::kPhone, recall.phone_same, recall.phone_found, "phone", a.phone, earlier.phone);
  }
  return recall;
}

// ---------------------------------------------------------------------------------------------

namespace {

DataSetRecord DuplicateDataSet(const DuplicateDataOptions& options) {
  DataSetRecord record;
  record.generator_version = kGeneratorVersion;
  record.seed = options.seed;
  record.accounts = options.accounts;
  return record;
}

}  // namespace

absl::StatusOr<bool> HasDuplicateDataSet(db::Database& db, const DuplicateDataOptions& options) {
  return HoldsDataSet(db, kDataSetName, DuplicateDataSet(options));
}

absl::StatusOr<DuplicateLoadReport> LoadDuplicateData(db::Database& db, const DuplicateDataOptions& options,
                                                      DuplicateData& data) {
  const absl::Time started = absl::Now();
  DuplicateLoadReport report;
  absl::Status status = RequireNoAccounts(db);
  if (!status.ok()) return status;
  const int64_t per_transaction = std::max<int64_t>(options.rows_per_transaction, options.rows_per_statement);
  auto progress = [](const DuplicateTableLoad& t) {
    std::fprintf(stderr, "duplicate_data: %-16s %10lld rows in %6.1f s (%.0f rows/s)\n", t.table.c_str(),
                 static_cast<long long>(t.rows), t.seconds, t.seconds > 0 ? t.rows / t.seconds : 0.0);
  };

  data.ids.clear();
  data.ids.reserve(data.accounts.size());
  for (int64_t i = 0; i < data.size(); ++i) data.ids.push_back(NewIdAt("acc", FromMicros(CreateMicros(i))));

  // Accounts, with the website and phone columns of accounts migration 6 after the others.
  absl::Time t0 = absl::Now();
  Random random(options.seed ^ 0x5eedULL);
  Chooser regions(WeightsOf(kRegions)), industries(WeightsOf(kIndustries));
  std::vector<BulkInsert::Column> columns = AccountColumns();
  columns.push_back({"website", BulkInsert::kText});
  columns.push_back({"phone", BulkInsert::kText});
  BulkInsert account_insert(db.backend(), "accounts", columns, options.rows_per_statement);
  status = WriteInTransactions(db, account_insert, data.size(), per_transaction, [&](int64_t i) {
    const DrawnAccount& a = data.accounts[i];
    account_insert.Row()
        .Text(data.ids[i])
        .Text(a.name)
        .Int(crm::v1::ACCOUNT_KIND_COMPANY)
        .Text(kIndustries[industries.Pick(random)].name)
        .Text(kRegions[regions.Pick(random)].name)
        .Int(1 + random.Below(5))
        .NullableText(std::nullopt)
        .Int(0)
        .Int(0)
        .Text(absl::StrFormat("owner-%03d", 1 + random.Below(kOwners)))
        .Int(0)
        .Int(crm::v1::ACCOUNT_TIER_UNSPECIFIED)
        .Text("")
        .Text("")
        .Int(0)
        .NullableText(std::nullopt)
        .Int(CreateMicros(i))
        .Int(CreateMicros(i))
        .NullableInt(std::nullopt)
        .Int(1)
        .NullableText(std::nullopt)
        .Text(a.website)
        .Text(a.phone);
  });
  if (!status.ok()) return status;
  report.tables.push_back({"accounts", data.size(), SecondsSince(t0)});
  progress(report.tables.back());

  // Their duplicate keys, as the server writes them for an account it creates, in creation
  // order (so the index's pages fill as they do in use, not in key order).
  t0 = absl::Now();
  duplicates::KeyRowsWriter writer(db.backend());
  int64_t key_rows = 0;
  for (int64_t begin = 0; begin < data.size(); begin += per_transaction) {
    const int64_t end = std::min<int64_t>(data.size(), begin + per_transaction);
    status = db.Write([&](db::Tx& tx) {
      return writer.Run(tx.session(), [&] {
        for (int64_t i = begin; i < end; ++i) {
          const duplicates::RecordKeys keys = data.KeysOf(i);
          key_rows += static_cast<int64_t>(keys.keys.size());
          writer.Add(crm::v1::DUPLICATE_ENTITY_ACCOUNT, data.ids[i], keys);
        }
      });
    });
    if (!status.ok()) return status;
  }
  report.tables.push_back({"duplicate_keys", key_rows, SecondsSince(t0)});
  progress(report.tables.back());

  DataSetRecord record = DuplicateDataSet(options);
  record.last_id = data.ids.empty() ? "" : data.ids.back();
  if (status = RecordDataSet(db, kDataSetName, record); !status.ok()) return status;
  report.seconds = SecondsSince(started);
  return report;
}

absl::StatusOr<int64_t> RemoveCreatedAccounts(db::Database& db) {
  int64_t removed = 0;
  absl::StatusOr<std::optional<DataSetRecord>> data_set = FindDataSet(db, kDataSetName);
  if (!data_set.ok()) return data_set.status();
  if (!data_set->has_value() || (*data_set)->last_id.empty()) return removed;
  std::string last = (*data_set)->last_id;
  absl::Status status = db.Write([&](db::Tx& tx) {
    return db::Guard("remove the accounts earlier runs created", [&]() -> absl::Status {
      tx.session() << kDeleteCreatedKeys, soci::use(last, "last");
      soci::statement remove = (tx.session().prepare << kDeleteCreatedAccounts, soci::use(last, "last"));
      remove.execute(true);
      removed = remove.get_affected_rows();
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return removed;
}

absl::Status ReadBackDuplicateData(db::Database& db, const KeyIndex& index, DuplicateData& data) {
  data.ids.clear();
  data.ids.reserve(data.accounts.size());
  absl::Status status = db.Read([&](soci::session& sql) {
    return db::ScanRows(sql, db::SqlQuery(kSelectIds), "read the account ids", [&](const db::ScannedRow& row) {
      data.ids.emplace_back(row.Text(0));
      return true;
    });
  });
  if (!status.ok()) return status;
  if (data.ids.size() != data.accounts.size()) {
    return absl::FailedPreconditionError(absl::StrCat("the database holds ", data.ids.size(),
                                                      " accounts, the data set ", data.accounts.size(),
                                                      "; run with --regenerate"));
  }
  // Evenly spread samples: their stored details must be what the draw gives the same position.
  const int64_t step = std::max<int64_t>(1, data.size() / 200);
  for (int64_t i = 0; i < data.size(); i += step) {
    std::string name, website, phone;
    db::SqlQuery q("");
    q.Append(kSelectStoredAccount, data.ids[i]);
    status = db.Read([&](soci::session& sql) {
      return db::ScanRows(sql, q, "read a stored account", [&](const db::ScannedRow& row) {
        name = std::string(row.Text(0));
        website = std::string(row.Text(1));
        phone = std::string(row.Text(2));
        return false;
      });
    });
    if (!status.ok()) return status;
    const DrawnAccount& a = data.accounts[i];
    if (name != a.name || website != a.website || phone != a.phone) {
      return absl::FailedPreconditionError(absl::StrCat("account ", data.ids[i], " (position ", i,
                                                        ") is not the one drawn for it; run with --regenerate"));
    }
  }
  long long key_rows = 0;
  status = db.Read([&](soci::session& sql) {
    return db::Guard("count the index rows", [&]() -> absl::Status {
      sql << kCountKeyRows, soci::into(key_rows);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (key_rows != index.rows()) {
    return absl::FailedPreconditionError(absl::StrCat("duplicate_keys holds ", key_rows, " account rows, the data set ",
                                                      index.rows(), "; run with --regenerate"));
  }
  return absl::OkStatus();
}

}  // namespace crm::bench
