// The accounts duplicate_bench checks new accounts against: a million companies whose names,
// websites and phone numbers collide the way a real customer base's do, written straight into
// the server's tables (created by its migrations): `accounts` with `website` and `phone`, and
// their `duplicate_keys` rows through duplicates::KeyRowsWriter with duplicates::KeysOf, the
// rows the server writes for an account it creates.
//
// What is drawn (from a seeded RNG: the same options give the same accounts; only the random
// tails of the time-ordered ids differ between two loads):
//   names     a word or two and often a trade ("Norvatek Logistics", "Müller Bau", "Schmidt &
//             Weber", "Hamburg Immobilien") and a legal form ("GmbH", "Ltd", "S.r.l.", ...):
//             invented brand words make most names unique; common surnames, places and trades
//             make some shared by a few to a few hundred accounts once the legal form is
//             ignored; 5 % of accounts enter an earlier company again (a branch, a second entry)
//             with another legal form, spelling or format of its website and phone;
//   websites  on 60 %: a domain made from the name (so accounts of one name often share it), in
//             every usual format ("www.x.de", "https://x.de/kontakt", ...); 2 % of them a
//             group's site shared by many companies;
//   phones    on 70 %: national or international format of numbers of eight countries; 0.5 % of
//             them a service centre's number shared by many. No format the API refuses ("/").
// KeyIndex holds the keys every account has (KeysOf) and the accounts holding each key, so the
// benchmark knows what every duplicate check must answer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "common/duplicates/record_keys.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/duplicate.pb.h"

namespace crm::bench {

struct DuplicateDataOptions {
  int64_t accounts = 1000000;
  uint64_t seed = 1;
  int rows_per_statement = 500;
  int rows_per_transaction = 50000;
};

// One generated account: what the API carries, and the parts its website and phone were
// written from (for the same details in another format).
struct DrawnAccount {
  std::string name;
  std::string website;       // "" when none
  std::string domain;        // the website's host without "www."; "" when none
  std::string phone;         // "" when none
  std::string phone_digits;  // the number without country code and trunk prefix, e.g. "301234567"
  uint8_t phone_country = 0;  // which of the generator's countries
  uint8_t phone_area = 0;     // how many leading phone_digits are the area code
  // The position of the earlier account whose company this one enters again; -1 when none. A
  // re-entry keeps that account's domain and phone number (kept_*), or has none or others.
  int32_t copy_of = -1;
  bool kept_domain = false;
  bool kept_phone = false;
};

// What the benchmark knows about the accounts: account i has id ids[i]; ids ascend with i
// (creation times ascend and ids are time-ordered), so id order is position order.
struct DuplicateData {
  uint64_t seed = 0;
  std::vector<std::string> ids;
  std::vector<DrawnAccount> accounts;

  int64_t size() const { return static_cast<int64_t>(accounts.size()); }
  crm::v1::Account AccountOf(int64_t i) const;
  duplicates::RecordKeys KeysOf(int64_t i) const;
};

// Draws every account (ids stay empty: they come from the load or from the database).
DuplicateData DrawDuplicateData(const DuplicateDataOptions& options);

// The ways the generator writes a company's details, for new records that must match a stored
// one; `variant` picks one of them (any number).
std::string NameWithOtherLegalForm(const std::string& name, uint64_t variant);
std::string WebsiteInOtherFormat(const DrawnAccount& account, uint64_t variant);
std::string PhoneInOtherFormat(const DrawnAccount& account, uint64_t variant);
// A company nobody in the data set is (its name, domain and phone are drawn from ranges the
// generator never uses), number `n`; KeyIndex must still confirm it holds none of its keys.
crm::v1::Account UnseenCompany(uint64_t n);

// Every account's keys and, for each key, the accounts holding it.
class KeyIndex {
 public:
  explicit KeyIndex(const DuplicateData& data);

  // Positions of the accounts holding `key`, ascending (= id order).
  std::vector<int64_t> Holders(const duplicates::MatchKey& key) const;
  // Index rows the load writes (one per key of every account).
  int64_t rows() const { return static_cast<int64_t>(entries_.size()); }

  // Keys of one kind by how many accounts hold them.
  struct KindStats {
    duplicates::KeyKind kind;
    int64_t accounts_with_key = 0;
    int64_t keys = 0;
    int64_t unique_keys = 0;          // held by one account
    int64_t accounts_sharing = 0;     // accounts whose key of this kind another account holds too
    std::vector<int64_t> histogram;   // keys held by 1, 2-5, 6-20, 21-100, 101-1000, more accounts
    int64_t largest = 0;              // accounts holding the most shared key
    int64_t largest_holder = -1;      // one of them (the first)
  };
  std::vector<KindStats> Stats() const;
  static const std::vector<std::string>& HistogramBuckets();

  // One group per key held by `min_holders`..`max_holders` accounts, each as its holders, in a
  // scrambled order (the same for the same data).
  std::vector<std::vector<int64_t>> Groups(duplicates::KeyKind kind, int64_t min_holders, int64_t max_holders) const;

 private:
  struct Entry {
    uint64_t hash;
    int32_t position;
    uint8_t kind;
  };
  static uint64_t HashOf(const duplicates::MatchKey& key);

  const DuplicateData& data_;
  std::vector<Entry> entries_;  // sorted by (hash, position)
};

// How often the normalisation finds the generated re-entries: of the accounts that enter an
// earlier company again, how many share that company's name key, and (where the copy kept them)
// its domain and phone keys; the misses by cause, with two examples of each.
struct ReentryRecall {
  int64_t reentries = 0;
  int64_t name_same = 0, name_found = 0;
  int64_t domain_same = 0, domain_found = 0;
  int64_t phone_same = 0, phone_found = 0;
  std::map<std::string, int64_t> misses;  // by "<key>, <cause>"
  std::vector<std::string> missed_examples;
};
ReentryRecall MeasureReentryRecall(const DuplicateData& data);

struct DuplicateTableLoad {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;
};

struct DuplicateLoadReport {
  std::vector<DuplicateTableLoad> tables;
  double seconds = 0;
};

// True when `db` holds a complete load made with `options` (recorded by LoadDuplicateData as its
// last step, in bench_data_sets, bench_database.h).
absl::StatusOr<bool> HasDuplicateDataSet(db::Database& db, const DuplicateDataOptions& options);

// Writes `data` (drawn with `options`) into `db`, whose schema must be applied and which must
// hold no account yet, setting data.ids; records the data set at the end. Progress to stderr.
absl::StatusOr<DuplicateLoadReport> LoadDuplicateData(db::Database& db, const DuplicateDataOptions& options,
                                                      DuplicateData& data);

// For a reused database: removes the accounts (and their index rows) that earlier benchmark runs
// created through the server, whose ids follow the loaded ones; returns how many.
absl::StatusOr<int64_t> RemoveCreatedAccounts(db::Database& db);

// For a reused database: reads the ids back in id order into data.ids and checks that the stored
// details of a sample of accounts, and the number of index rows, are what `data` and `index` say.
absl::Status ReadBackDuplicateData(db::Database& db, const KeyIndex& index, DuplicateData& data);

}  // namespace crm::bench
