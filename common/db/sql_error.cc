#include "common/db/sql_error.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace crm::db {
namespace {

constexpr absl::string_view kRetryableMarker = "crm.db/retryable";
constexpr absl::string_view kConnectionMarker = "crm.db/connection";

// SQLite primary result codes (the extended code's low byte).
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteConstraint = 19;
// MySQL / MariaDB server error numbers.
constexpr unsigned kMysqlLockWaitTimeout = 1205;
constexpr unsigned kMysqlDeadlock = 1213;
constexpr unsigned kMysqlDuplicateKey = 1062;
constexpr unsigned kMysqlNoReferencedRow = 1452;
constexpr unsigned kMysqlRowIsReferenced = 1451;
constexpr unsigned kMysqlNoReferencedRowOld = 1216;
constexpr unsigned kMysqlRowIsReferencedOld = 1217;
// The server or this node cannot serve the session: shutting down, the connection killed, or a
// Galera node outside the primary component ("WSREP has not yet prepared node for application
// use", reported as an unknown command). Another connection, or another node, may succeed.
constexpr unsigned kMysqlServerShutdown = 1053;
constexpr unsigned kMysqlUnknownCommand = 1047;
constexpr unsigned kMysqlConnectionKilled = 1927;

}  // namespace

SqlErrorKind ClassifySqlError(const soci::soci_error& error) {
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
    const int code = sqlite->result() & 0xFF;
    if (code == kSqliteBusy || code == kSqliteLocked) return SqlErrorKind::kRetryable;
    if (code == kSqliteConstraint) {
      const std::string what = error.what();
      if (absl::StrContains(what, "FOREIGN KEY")) return SqlErrorKind::kForeignKey;
      if (absl::StrContains(what, "UNIQUE") || absl::StrContains(what, "PRIMARY KEY")) {
        return SqlErrorKind::kUniqueViolation;
      }
    }
    return SqlErrorKind::kOther;
  }
  if (const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error)) {
    switch (mysql->err_num_) {
      case kMysqlLockWaitTimeout:
      case kMysqlDeadlock:
        return SqlErrorKind::kRetryable;
      case kMysqlDuplicateKey:
        return SqlErrorKind::kUniqueViolation;
      case kMysqlNoReferencedRow:
      case kMysqlRowIsReferenced:
      case kMysqlNoReferencedRowOld:
      case kMysqlRowIsReferencedOld:
        return SqlErrorKind::kForeignKey;
      case kMysqlServerShutdown:
      case kMysqlUnknownCommand:
      case kMysqlConnectionKilled:
        return SqlErrorKind::kConnection;
      default:
        break;
    }
    // Client-side errors (2000-2999) mean the server is unreachable or the link broke.
    if (mysql->err_num_ >= 2000 && mysql->err_num_ < 3000) return SqlErrorKind::kConnection;
  }
  if (error.get_error_category() == soci::soci_error::connection_error) return SqlErrorKind::kConnection;
  // SOCI's MySQL backend reports some connection failures without a number.
  const std::string what = error.what();
  if (absl::StrContains(what, "Lost connection") || absl::StrContains(what, "server has gone away") ||
      absl::StrContains(what, "Can't connect")) {
    return SqlErrorKind::kConnection;
  }
  return SqlErrorKind::kOther;
}

absl::Status StatusFromSqlError(const soci::soci_error& error, absl::string_view context) {
  switch (ClassifySqlError(error)) {
    case SqlErrorKind::kRetryable: {
      absl::Status status = absl::UnavailableError(absl::StrCat(context, ": database busy, try again"));
      status.SetPayload(kRetryableMarker, absl::Cord("1"));
      return status;
    }
    case SqlErrorKind::kUniqueViolation:
      return absl::AlreadyExistsError(absl::StrCat(context, ": already exists"));
    case SqlErrorKind::kForeignKey:
      return absl::FailedPreconditionError(absl::StrCat(context, ": a referenced record is missing or still in use"));
    case SqlErrorKind::kConnection: {
      absl::Status status = absl::UnavailableError(absl::StrCat(context, ": database unavailable"));
      status.SetPayload(kConnectionMarker, absl::Cord("1"));
      return status;
    }
    case SqlErrorKind::kOther:
      break;
  }
  return absl::InternalError(absl::StrCat(context, ": database error: ", error.get_error_message()));
}

absl::Status RetryTransaction(absl::string_view why) {
  absl::Status status = absl::AbortedError(absl::StrCat(why, ": concurrent change, try again"));
  status.SetPayload(kRetryableMarker, absl::Cord("1"));
  return status;
}

bool IsRetryable(const absl::Status& status) { return status.GetPayload(kRetryableMarker).has_value(); }
bool IsConnectionLoss(const absl::Status& status) {
  return status.GetPayload(kConnectionMarker).has_value();
}

absl::Status StatusFromCurrentException(absl::string_view context) {
  try {
    throw;
  } catch (const soci::soci_error& e) {
    return StatusFromSqlError(e, context);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(context, ": unknown exception"));
  }
}

}  // namespace crm::db
