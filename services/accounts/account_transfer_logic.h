// Bulk import and export of accounts. No gRPC and no SQL here: the streaming reactors in
// transfer_handler.cc feed rows in small batches and pull export pages from this class.
//
// Import rules (each row is one account keyed by its external_key):
//   - a row without external_key, or failing ValidateAccount, is a row error and writes nothing;
//   - a key not yet stored creates the account (account.created event);
//   - a key stored with the same content is `unchanged`: no write, no event, same etag;
//   - a key stored with different content replaces the importable fields (everything a caller
//     may set with UpdateAccount), bumps the revision and emits account.updated with the deltas;
//     an empty owner keeps the stored owner (on create it defaults to the caller, as in Create);
//   - a key that belongs to a soft-deleted account is a row error (FAILED_PRECONDITION-like,
//     field account.external_key): an import never resurrects or edits what someone deleted on
//     purpose; undelete it first, then re-send.
//   - a row that creates an account is checked for duplicates as CreateAccount is: under
//     DUPLICATE_ACTION_REFUSE a match is a row error (field account) unless the row is
//     confirmed; otherwise the candidates are reported with the row. Earlier rows of the stream
//     count as existing accounts.
//   Ids, etags, times and tier in a row are ignored (tier belongs to key-account management), so
//   an export can be re-imported as it is. A key repeated within one stream: later rows win.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Most rows written in one import transaction. Rows are validated before the transaction, so a
// bad row never takes its batch with it; a batch that fails anyway is re-run one row per
// transaction so that only the offending row is rejected.
inline constexpr int kMaxImportBatch = 50;
// Most ImportRowErrors kept in one response; failures beyond it are still counted in `failed`.
inline constexpr int kMaxReportedImportErrors = 1000;
// Most ImportRowDuplicates kept in one response; beyond it they are still counted.
inline constexpr int kMaxReportedImportDuplicates = 1000;
// Accounts read per export query (keyset pages in id order).
inline constexpr int kExportBatchSize = 500;

// One row of an import stream, numbered from 0 in arrival order.
struct ImportRow {
  int64_t index = 0;
  crm::v1::Account account;
  bool confirm_duplicate = false;
  // The row's bytes were not a valid ImportAccountsRequest (e.g. a string that is not UTF-8):
  // it fails, and `account` is empty.
  bool unparsable = false;
};

enum class ImportOutcome { kCreated, kUpdated, kUnchanged, kFailed };

struct ImportRowResult {
  ImportOutcome outcome = ImportOutcome::kFailed;
  // Set when outcome is kFailed.
  crm::v1::ImportRowError error;
  // Set (candidates not empty) when a created account matches existing ones.
  crm::v1::ImportRowDuplicates duplicates;
};

// Adds one row's result to the running response (counts, and the error while under the cap).
void TallyImportRow(const ImportRowResult& result, crm::v1::ImportAccountsResponse* response);

class AccountTransferLogic {
 public:
  explicit AccountTransferLogic(const server::Runtime& runtime) : rt_(runtime) {}

  // Imports up to kMaxImportBatch rows and returns one result per row, in order. Row problems
  // are results, not errors; a non-OK status means the call as a whole cannot go on (database
  // unavailable, deadline passed) and the rows of this batch may not have been written.
  absl::StatusOr<std::vector<ImportRowResult>> ImportBatch(const server::CallContext& call,
                                                           const std::vector<ImportRow>& rows) const;

  // Checks an export request before anything is streamed: INVALID_ARGUMENT naming the field
  // (e.g. filter.kind).
  absl::Status ValidateExport(const crm::v1::ExportAccountsRequest& request) const;

  // The next at most `limit` accounts matching the request with ids after `after_id` ("" from
  // the start), in id order. Each page is its own read: rows created while an export runs are
  // included when their id sorts after the cursor.
  absl::StatusOr<std::vector<crm::v1::Account>> ExportPage(const server::CallContext& call,
                                                           const crm::v1::ExportAccountsRequest& request,
                                                           const std::string& after_id, int limit) const;

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::accounts
