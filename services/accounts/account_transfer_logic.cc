#include "services/accounts/account_transfer_logic.h"

#include <soci/soci.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/customfields/custom_field_store.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/entity_ops.h"
#include "common/db/sql_error.h"
#include "common/duplicates/duplicate_finder.h"
#include "common/duplicates/record_keys.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"

namespace crm::accounts {
namespace {

using crm::v1::Account;

constexpr char kKeyField[] = "account.external_key";
// An echoed external_key in an error is cut to this many bytes, so 1000 errors stay small.
constexpr size_t kMaxEchoedKeyBytes = 200;

// What an import row sets: exactly what a caller may change with UpdateAccount.
const std::vector<std::string>& ImportedFields() {
  static const auto* fields =
      new std::vector<std::string>(UpdatableAccountFields().begin(), UpdatableAccountFields().end());
  return *fields;
}

// A prefix of valid UTF-8 `text` of at most `max_bytes`, never splitting a character.
std::string Utf8Prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// One error per row: the first offending field, with every problem of the row in the reason.
ImportRowResult RowFailure(const ImportRow& row, const std::vector<FieldViolation>& violations) {
  ImportRowResult result;
  result.outcome = ImportOutcome::kFailed;
  crm::v1::ImportRowError& error = result.error;
  error.set_index(row.index);
  error.set_external_key(Utf8Prefix(row.account.external_key(), kMaxEchoedKeyBytes));
  if (violations.empty()) {
    error.set_field("account");
    error.set_reason("could not be imported");
    return result;
  }
  error.set_field(violations.front().field);
  std::string reason = violations.front().description;
  for (size_t i = 1; i < violations.size(); ++i) {
    absl::StrAppend(&reason, "; ", violations[i].field, ": ", violations[i].description);
  }
  error.set_reason(std::move(reason));
  return result;
}

// A row whose own transaction failed with `status`.
ImportRowResult RowFailure(const ImportRow& row, const absl::Status& status) {
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) {
    violations.push_back({"account", absl::StrCat("could not be stored: ", status.message())});
  }
  return RowFailure(row, violations);
}

ImportRowResult Outcome(ImportOutcome outcome) {
  ImportRowResult result;
  result.outcome = outcome;
  return result;
}

// Failures that end the whole import rather than one row: the database is away or busy beyond
// retries, the deadline passed. The caller re-sends; rows already written come back unchanged.
bool EndsTheImport(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

// Validates and normalises a row. Returns the failure when the row is bad.
std::optional<ImportRowResult> Prepare(const ImportRow& row, Account* desired) {
  if (row.unparsable) {
    return RowFailure(row, {{"account", "is not a valid message of its type (a string field must hold valid UTF-8)"}});
  }
  std::vector<FieldViolation> violations;
  if (row.account.external_key().empty()) violations.push_back({kKeyField, "is required for imported rows"});
  const std::vector<FieldViolation> invalid = FieldViolationsOf(ValidateAccount(row.account, "account"));
  violations.insert(violations.end(), invalid.begin(), invalid.end());
  if (!violations.empty()) return RowFailure(row, violations);
  *desired = row.account;
  NormaliseAccount(*desired);
  return std::nullopt;
}

// Stores one validated row inside `tx`: creates, updates or leaves the account. A deleted
// account is a row failure found before anything is written, so the transaction goes on.
absl::StatusOr<ImportRowResult> StoreRow(const server::Runtime& rt, const server::CallContext& call, db::Tx& tx,
                                         const customfields::FieldCatalog& catalog, const ImportRow& row,
                                         const Account& desired, absl::Time now) {
  absl::StatusOr<std::optional<Account>> existing =
      AccountStore::FindByExternalKey(tx.session(), desired.external_key());
  if (!existing.ok()) return existing.status();

  if (!existing->has_value()) {
    Account account;
    ApplyPaths(desired, ImportedFields(), &account);
    if (absl::Status s = catalog.PrepareCreate(account.mutable_custom_fields(), "account.custom_fields"); !s.ok()) {
      return RowFailure(row, s);
    }
    if (account.owner().empty()) account.set_owner(call.actor);
    account.set_id(NewIdAt(kAccountIdPrefix, now));
    *account.mutable_create_time() = TimeToTimestamp(now);
    *account.mutable_update_time() = TimeToTimestamp(now);
    absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates = duplicates::CheckNewRecord(
        tx, crm::v1::DUPLICATE_ENTITY_ACCOUNT, duplicates::KeysOf(account).keys, row.confirm_duplicate, "account");
    // A refusal is this row's; nothing of it was written.
    if (absl::IsFailedPrecondition(candidates.status())) return RowFailure(row, candidates.status());
    if (!candidates.ok()) return candidates.status();
    absl::Status inserted = AccountStore::Insert(tx, account);
    // Another import took the key since we looked: run again, and this row becomes an update.
    if (absl::IsAlreadyExists(inserted)) return db::RetryTransaction("import account");
    if (!inserted.ok()) return inserted;
    account.set_etag(FormatEtag(1));
    absl::Status appended = rt.outbox->AppendChange(
        tx, "account.created", kAccountEntity, account.id(), crm::v1::CHANGE_KIND_CREATED,
        DiffMessages(nullptr, account, BookkeepingFields()), account.owner(), call.actor, call.correlation_id, now);
    if (!appended.ok()) return appended;
    ImportRowResult created = Outcome(ImportOutcome::kCreated);
    if (!candidates->empty()) {
      created.duplicates.set_index(row.index);
      created.duplicates.set_external_key(Utf8Prefix(account.external_key(), kMaxEchoedKeyBytes));
      created.duplicates.set_account_id(account.id());
      created.duplicates.mutable_candidates()->Assign(candidates->begin(), candidates->end());
    }
    return created;
  }

  const Account& before = **existing;
  if (before.has_delete_time()) {
    return RowFailure(row, {{kKeyField, absl::StrCat("belongs to deleted account ", before.id(),
                                                     "; undelete it before importing it again")}});
  }
  Account patch = desired;
  if (patch.owner().empty()) patch.set_owner(before.owner());  // an import does not unassign
  Account after = before;
  ApplyPaths(patch, ImportedFields(), &after);
  catalog.RestoreHidden(before.custom_fields(), after.mutable_custom_fields());
  if (absl::Status s = catalog.CheckUpdate(before.custom_fields(), after.custom_fields(), "account.custom_fields");
      !s.ok()) {
    return RowFailure(row, s);
  }
  std::vector<FieldDelta> deltas = DiffMessages(&before, after, BookkeepingFields());
  if (deltas.empty()) return Outcome(ImportOutcome::kUnchanged);
  *after.mutable_update_time() = TimeToTimestamp(now);
  absl::StatusOr<bool> updated = AccountStore::Update(tx, before, after, db::RevisionOf(before));
  if (!updated.ok()) return updated.status();
  if (!*updated) return db::RetryTransaction("import account");
  absl::Status appended =
      rt.outbox->AppendChange(tx, "account.updated", kAccountEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED, deltas,
                              after.owner(), call.actor, call.correlation_id, now);
  if (!appended.ok()) return appended;
  return Outcome(ImportOutcome::kUpdated);
}

}  // namespace

void TallyImportRow(const ImportRowResult& result, crm::v1::ImportAccountsResponse* response) {
  switch (result.outcome) {
    case ImportOutcome::kCreated:
      response->set_created(response->created() + 1);
      if (result.duplicates.candidates_size() > 0) {
        response->set_possible_duplicates(response->possible_duplicates() + 1);
        if (response->duplicates_size() < kMaxReportedImportDuplicates) *response->add_duplicates() = result.duplicates;
      }
      return;
    case ImportOutcome::kUpdated:
      response->set_updated(response->updated() + 1);
      return;
    case ImportOutcome::kUnchanged:
      response->set_unchanged(response->unchanged() + 1);
      return;
    case ImportOutcome::kFailed:
      response->set_failed(response->failed() + 1);
      if (response->errors_size() < kMaxReportedImportErrors) *response->add_errors() = result.error;
      return;
  }
}

absl::StatusOr<std::vector<ImportRowResult>> AccountTransferLogic::ImportBatch(
    const server::CallContext& call, const std::vector<ImportRow>& rows) const {
  std::vector<ImportRowResult> results(rows.size());
  std::vector<Account> desired(rows.size());
  std::vector<size_t> valid;  // positions of rows that passed validation
  for (size_t i = 0; i < rows.size(); ++i) {
    if (std::optional<ImportRowResult> failure = Prepare(rows[i], &desired[i])) {
      results[i] = *std::move(failure);
    } else {
      valid.push_back(i);
    }
  }
  if (valid.empty()) return results;

  // Writes the rows at `positions` in one transaction; their results land in `staged` (reset on
  // every attempt, since a busy database runs the transaction again).
  std::vector<ImportRowResult> staged;
  const auto write = [&](const std::vector<size_t>& positions) -> absl::Status {
    return rt_.db->WriteBulk(
        [&](db::Tx& tx) -> absl::Status {
          staged.clear();
          const absl::Time now = rt_.clock->Now();
          absl::StatusOr<customfields::FieldCatalog> catalog =
              customfields::CustomFieldStore::LoadCatalog(tx.session(), crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
          if (!catalog.ok()) return catalog.status();
          for (size_t p : positions) {
            absl::StatusOr<ImportRowResult> stored = StoreRow(rt_, call, tx, *catalog, rows[p], desired[p], now);
            if (!stored.ok()) return stored.status();
            staged.push_back(*std::move(stored));
          }
          return absl::OkStatus();
        },
        call.deadline);
  };

  absl::Status status = write(valid);
  if (status.ok()) {
    for (size_t i = 0; i < valid.size(); ++i) results[valid[i]] = std::move(staged[i]);
    return results;
  }
  if (EndsTheImport(status)) return status;
  if (valid.size() == 1) {
    results[valid.front()] = RowFailure(rows[valid.front()], status);
    return results;
  }
  // Something validation did not foresee failed the batch and rolled it back: store the rows
  // one per transaction, so only the offending row is rejected.
  for (size_t p : valid) {
    status = write({p});
    if (status.ok()) {
      results[p] = std::move(staged.front());
    } else if (EndsTheImport(status)) {
      return status;
    } else {
      results[p] = RowFailure(rows[p], status);
    }
  }
  return results;
}

absl::Status AccountTransferLogic::ValidateExport(const crm::v1::ExportAccountsRequest& request) const {
  // The checks ListAccounts applies to its filter.
  return ValidateAccountFilter(request.filter(), "filter");
}

absl::StatusOr<std::vector<Account>> AccountTransferLogic::ExportPage(const server::CallContext& call,
                                                                      const crm::v1::ExportAccountsRequest& request,
                                                                      const std::string& after_id, int limit) const {
  AccountListQuery query;
  query.filter = request.filter();
  absl::StatusOr<std::optional<std::vector<std::string>>> owners =
      call.owners.ListOwners(request.filter().owner(), "filter.owner");
  if (!owners.ok()) return owners.status();
  query.owners = *std::move(owners);
  query.show_deleted = request.show_deleted();
  query.order = AccountOrder::kId;
  query.after_id = after_id;
  query.limit = limit;
  return db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ListVisibleAccounts(sql, query); });
}

}  // namespace crm::accounts
