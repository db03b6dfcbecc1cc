#include "clients/crmctl/accounts_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "clients/crmctl/csv.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/progress_bar.h"

namespace crm::crmctl {
namespace {

// Header cells name Account fields; spreadsheets tend to add case and spaces.
std::string ColumnName(absl::string_view cell) {
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(cell));
  std::replace(name.begin(), name.end(), ' ', '_');
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

absl::StatusOr<std::vector<std::string>> ReadHeader(const CsvRecord& header) {
  const google::protobuf::Descriptor& account = *v1::Account::descriptor();
  std::vector<std::string> columns;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = ColumnName(header.fields[i]);
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header column ", i + 1, " has no name"));
    }
    if (!HasTextField(account, name)) {
      std::vector<std::string> known;
      for (int f = 0; f < account.field_count(); ++f) {
        if (HasTextField(account, account.field(f)->name()))
          known.push_back(account.field(f)->name());
      }
      return absl::InvalidArgumentError(
          absl::StrCat("header column '", header.fields[i],
                       "' is not an Account field (known: ", absl::StrJoin(known, ", "), ")"));
    }
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
      return absl::InvalidArgumentError(absl::StrCat("header column '", name, "' appears twice"));
    }
    columns.push_back(std::move(name));
  }
  return columns;
}

v1::ImportRowError RowError(int64_t index, const v1::Account& account, std::string field,
                            std::string reason) {
  v1::ImportRowError error;
  error.set_index(index);
  error.set_external_key(account.external_key());
  error.set_field(std::move(field));
  error.set_reason(std::move(reason));
  return error;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// "row 3 (line 4)", the row's position in the file for a reader of the report.
std::string RowName(int64_t index, const std::vector<int64_t>& lines) {
  std::string name = absl::StrCat("row ", index + 1);
  if (index >= 0 && static_cast<size_t>(index) < lines.size()) absl::StrAppend(&name, " (line ", lines[index], ")");
  return name;
}

void PrintRowDuplicates(std::ostream& err, const v1::ImportAccountsResponse& report,
                        const std::vector<int64_t>& lines) {
  if (report.duplicates().empty()) return;
  err << "created, matching existing accounts:\n";
  for (const v1::ImportRowDuplicates& row : report.duplicates()) {
    err << "  " << RowName(row.index(), lines);
    if (!row.external_key().empty()) err << " external_key=" << row.external_key();
    err << " -> " << row.account_id() << " matches";
    for (const v1::DuplicateCandidate& candidate : row.candidates()) {
      err << ' ' << candidate.id() << " \"" << candidate.display_name() << '"';
    }
    err << '\n';
  }
}

void PrintRowErrors(std::ostream& err, const v1::ImportAccountsResponse& report,
                    const std::vector<int64_t>& lines) {
  if (report.errors().empty()) return;
  err << "row errors:\n";
  for (const v1::ImportRowError& error : report.errors()) {
    err << "  " << RowName(error.index(), lines);
    if (!error.external_key().empty()) err << " external_key=" << error.external_key();
    err << ": " << (error.field().empty() ? "" : error.field() + ": ") << error.reason() << '\n';
  }
}

}  // namespace

absl::StatusOr<CsvAccounts> AccountsFromCsv(absl::string_view csv) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(csv);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError("the file is empty; its first row must name the columns");
  }
  absl::StatusOr<std::vector<std::string>> columns = ReadHeader(records->front());
  if (!columns.ok()) return columns.status();

  CsvAccounts result;
  result.data_rows = static_cast<int64_t>(records->size()) - 1;
  for (int64_t index = 0; index < result.data_rows; ++index) {
    const CsvRecord& record = (*records)[index + 1];
    result.lines.push_back(record.line);
    CsvAccounts::Row row;
    row.index = index;
    row.line = record.line;
    if (record.fields.size() != columns->size()) {
      result.errors.push_back(RowError(
          index, row.account, "",
          absl::StrCat("has ", record.fields.size(), " cells, the header has ", columns->size())));
      continue;
    }
    bool ok = true;
    for (size_t c = 0; c < columns->size(); ++c) {
      if (record.fields[c].empty()) continue;
      const std::string& column = (*columns)[c];
      absl::Status status = SetFieldFromText(row.account, column, record.fields[c]);
      if (!status.ok()) {
        ok = false;
        // SetFieldFromText names the field itself; the report has a field column for that.
        absl::string_view reason = status.message();
        absl::ConsumePrefix(&reason, column + ": ");
        result.errors.push_back(
            RowError(index, row.account, "account." + column, std::string(reason)));
      }
    }
    if (ok) result.rows.push_back(std::move(row));
  }
  return result;
}

int RunAccountsImport(CommandContext& context, const std::string& path, bool confirm_duplicates) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return context.Fail(text.status());
  absl::StatusOr<CsvAccounts> csv = AccountsFromCsv(*text);
  if (!csv.ok()) return context.Fail(csv.status());

  // What the server reports, merged with the rows that never left: one report in CSV row terms.
  v1::ImportAccountsResponse report;
  if (!csv->rows.empty()) {
    std::vector<v1::Account> accounts;
    accounts.reserve(csv->rows.size());
    for (const CsvAccounts::Row& row : csv->rows) accounts.push_back(row.account);
    ProgressBar progress(context.err(), StderrIsTerminal(), "importing");
    client::ImportOptions options;
    options.confirm_duplicates = confirm_duplicates;
    options.progress = [&progress](int64_t sent, int64_t total) { progress.Update(sent, total); };
    absl::StatusOr<v1::ImportAccountsResponse> response = context.accounts().ImportAccounts(accounts, options);
    progress.Finish();
    if (!response.ok()) return context.Fail(response.status());
    report = *std::move(response);
    // The server numbers the rows it was sent; the report numbers the file's rows.
    const auto file_index = [&csv](int64_t sent) {
      return sent >= 0 && static_cast<size_t>(sent) < csv->rows.size() ? csv->rows[sent].index : sent;
    };
    for (v1::ImportRowError& error : *report.mutable_errors()) error.set_index(file_index(error.index()));
    for (v1::ImportRowDuplicates& row : *report.mutable_duplicates()) row.set_index(file_index(row.index()));
  }
  for (const v1::ImportRowError& error : csv->errors) *report.add_errors() = error;
  std::stable_sort(report.mutable_errors()->begin(), report.mutable_errors()->end(),
                   [](const v1::ImportRowError& a, const v1::ImportRowError& b) {
                     return a.index() < b.index();
                   });
  report.set_received(csv->data_rows);
  report.set_failed(report.failed() + static_cast<int64_t>(csv->errors.size()));

  if (context.format() == OutputFormat::kJson) {
    context.out() << ToJsonLine(report) << '\n';
  } else {
    context.out() << "rows " << report.received() << ", created " << report.created()
                  << ", updated " << report.updated() << ", unchanged " << report.unchanged()
                  << ", failed " << report.failed();
    if (report.possible_duplicates() > 0) context.out() << ", possible duplicates " << report.possible_duplicates();
    context.out() << '\n';
  }
  PrintRowDuplicates(context.err(), report, csv->lines);
  PrintRowErrors(context.err(), report, csv->lines);
  return report.failed() > 0 ? kExitFailure : kExitOk;
}

}  // namespace crm::crmctl
