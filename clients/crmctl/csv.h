// A CSV reader after RFC 4180, for account imports: comma-separated, fields optionally in double
// quotes, "" for a quote inside quotes, quoted fields may hold commas and line breaks.
// Lenient where spreadsheets are: LF, CRLF or CR line ends, a UTF-8 byte-order mark, blank lines
// and a missing final line break are accepted; a stray quote inside an unquoted field is kept as
// text. Field text is returned exactly as written (no trimming).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm::crmctl {

struct CsvRecord {
  // 1-based line on which the record starts (a quoted line break makes records span lines).
  int64_t line = 0;
  std::vector<std::string> fields;
};

// Every record, the header included. INVALID_ARGUMENT naming the line for an unterminated
// quoted field or text between a closing quote and the next comma.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text);

}  // namespace crm::crmctl
