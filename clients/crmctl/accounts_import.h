// `crmctl accounts import <file.csv>`: CSV rows to Account messages (header cells name Account
// fields), streamed with ImportAccounts, with errors reported per CSV row.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/crmctl/command.h"
#include "crm/v1/account.pb.h"

namespace crm::crmctl {

struct CsvAccounts {
  struct Row {
    int64_t index = 0;  // 0-based among the data rows (the header is not a row)
    int64_t line = 0;   // where the row starts in the file
    v1::Account account;
  };
  // Rows that became accounts, to be streamed in this order.
  std::vector<Row> rows;
  // Rows that could not become accounts (a cell not of its column's type, a wrong number of
  // cells); `index` as in Row.
  std::vector<v1::ImportRowError> errors;
  int64_t data_rows = 0;
  // Line of each data row, by index, for error messages.
  std::vector<int64_t> lines;
};

// INVALID_ARGUMENT for malformed CSV, a missing header or a header cell that is no Account
// field. Empty cells leave their field unset.
absl::StatusOr<CsvAccounts> AccountsFromCsv(absl::string_view csv);

// `confirm_duplicates`: rows matching existing accounts are created even where the duplicate
// settings refuse them.
int RunAccountsImport(CommandContext& context, const std::string& path, bool confirm_duplicates);

}  // namespace crm::crmctl
