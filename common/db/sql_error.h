// Turns SOCI exceptions into absl::Status at the store boundary, so no exception crosses a
// layer. Busy / deadlock errors are marked retryable; Database::Write retries them.
#pragma once

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace soci {
class soci_error;
}

namespace crm::db {

enum class SqlErrorKind {
  kRetryable,       // SQLITE_BUSY / LOCKED, MySQL deadlock / lock wait timeout
  kUniqueViolation,
  kForeignKey,
  kConnection,      // the database is away
  kOther,
};

SqlErrorKind ClassifySqlError(const soci::soci_error& error);

// The status for a SOCI error: UNAVAILABLE (connection, retryable after exhausting retries),
// ALREADY_EXISTS (unique), FAILED_PRECONDITION (foreign key), INTERNAL (anything else).
absl::Status StatusFromSqlError(const soci::soci_error& error, absl::string_view context);

// A status that makes Database::Write run the transaction again (e.g. a lost insert race).
absl::Status RetryTransaction(absl::string_view why);

// True for statuses produced from retryable errors (carried as a payload marker).
bool IsRetryable(const absl::Status& status);
// True for statuses produced from a lost connection.
bool IsConnectionLoss(const absl::Status& status);

// Runs `work` and converts any exception it throws into a status.
template <typename Work>
absl::Status Guard(absl::string_view context, Work&& work);

absl::Status StatusFromCurrentException(absl::string_view context);

template <typename Work>
absl::Status Guard(absl::string_view context, Work&& work) {
  try {
    return work();
  } catch (...) {
    return StatusFromCurrentException(context);
  }
}

}  // namespace crm::db
