#include "services/duplicates/reference_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"
#include "common/db/migrations.h"
#include "common/db/query.h"
#include "common/db/sql_error.h"

namespace crm::duplicates {
namespace {

// One column that names an account or a contact.
struct Reference {
  const char* table;
  const char* column;
  // Rows with revision and update_time columns (etags).
  bool versioned;
};

// By account. Contacts are moved by the logic; interactions and payments are append-only.
constexpr Reference kAccountReferences[] = {
    {"interactions", "account_id", false},      {"activities", "account_id", true},
    {"leads", "converted_account_id", true},     {"opportunities", "account_id", true},
    {"funnel_opportunities", "account_id", false}, {"orders", "account_id", true},
    {"payments", "account_id", false},          {"tickets", "account_id", true},
    {"kam_account_plans", "account_id", true},
};

// By contact, each narrowed by the contact's account (the index every one of these tables has).
constexpr Reference kContactReferences[] = {
    {"interactions", "contact_id", false},
    {"activities", "contact_id", true},
    {"tickets", "contact_id", true},
    {"leads", "converted_contact_id", true},
};

// The account column that narrows a move by contact.
const char* AccountColumnOf(const Reference& ref) {
  return absl::string_view(ref.table) == "leads" ? "converted_account_id" : "account_id";
}

absl::StatusOr<bool> Present(db::Tx& tx, const char* table) { return db::TableExists(tx.session(), table); }

// UPDATE `ref` from `from` to `to` where also `narrow` (column = value, may be empty).
absl::Status Move(db::Tx& tx, const Reference& ref, const std::string& from, const std::string& to,
                  const char* narrow_column, const std::string& narrow_value, absl::Time now, MovedRows& moved) {
  absl::StatusOr<bool> present = Present(tx, ref.table);
  if (!present.ok()) return present.status();
  if (!*present) return absl::OkStatus();
  return db::Guard(absl::StrCat("move ", ref.table), [&]() -> absl::Status {
    db::SqlQuery update("");
    update.Append(absl::StrCat("UPDATE ", ref.table, " SET ", ref.column, " = ?"), to);
    if (ref.versioned) {
      update.Append(", revision = revision + 1, update_time = ?", static_cast<long long>(ToMicros(now)));
    }
    if (narrow_column != nullptr) update.Where(absl::StrCat(narrow_column, " = ?"), narrow_value);
    update.Where(absl::StrCat(ref.column, " = ?"), from);
    const long long rows = db::Execute(tx.session(), update);
    if (rows > 0) moved[ref.table] += rows;
    return absl::OkStatus();
  });
}

// The survivor keeps its own qualitative assessment; the merged account's moves only when the
// survivor has none (one row per account).
absl::Status MoveQualitativeInputs(db::Tx& tx, const std::string& from, const std::string& to, MovedRows& moved) {
  absl::StatusOr<bool> present = Present(tx, "kam_qualitative_inputs");
  if (!present.ok()) return present.status();
  if (!*present) return absl::OkStatus();
  return db::Guard("move qualitative inputs", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    long long survivor_rows = 0;
    sql << "SELECT COUNT(*) FROM kam_qualitative_inputs WHERE account_id = :id", soci::use(to),
        soci::into(survivor_rows);
    db::SqlQuery change("DELETE FROM kam_qualitative_inputs");
    if (survivor_rows == 0) {
      change = db::SqlQuery("");
      change.Append("UPDATE kam_qualitative_inputs SET account_id = ?", to);
    }
    change.Where("account_id = ?", from);
    const long long rows = db::Execute(sql, change);
    if (rows > 0 && survivor_rows == 0) moved["kam_qualitative_inputs"] += rows;
    return absl::OkStatus();
  });
}

// Rows that describe the merged account alone and mean nothing for the survivor.
absl::Status DropAccountRows(db::Tx& tx, const std::string& account_id) {
  for (const char* table : {"kam_classifications", "kam_tier_overrides"}) {
    absl::StatusOr<bool> present = Present(tx, table);
    if (!present.ok()) return present.status();
    if (!*present) continue;
    absl::Status dropped = db::Guard(absl::StrCat("drop ", table), [&]() -> absl::Status {
      db::SqlQuery remove(absl::StrCat("DELETE FROM ", table));
      remove.Where("account_id = ?", account_id);
      db::Execute(tx.session(), remove);
      return absl::OkStatus();
    });
    if (!dropped.ok()) return dropped;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReferenceStore::MoveAccountRows(db::Tx& tx, const std::string& from, const std::string& to,
                                             absl::Time now, MovedRows& moved) {
  for (const Reference& ref : kAccountReferences) {
    if (absl::Status s = Move(tx, ref, from, to, nullptr, "", now, moved); !s.ok()) return s;
  }
  if (absl::Status s = MoveQualitativeInputs(tx, from, to, moved); !s.ok()) return s;
  return DropAccountRows(tx, from);
}

absl::Status ReferenceStore::MoveContactRows(db::Tx& tx, const std::string& account_id, const std::string& from,
                                             const std::string& to, absl::Time now, MovedRows& moved) {
  for (const Reference& ref : kContactReferences) {
    if (absl::Status s = Move(tx, ref, from, to, AccountColumnOf(ref), account_id, now, moved); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace crm::duplicates
