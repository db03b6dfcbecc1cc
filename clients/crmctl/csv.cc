#include "clients/crmctl/csv.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace crm::crmctl {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

class CsvParser {
 public:
  explicit CsvParser(absl::string_view text) : text_(text) {
    if (absl::StartsWith(text_, kUtf8Bom)) pos_ = kUtf8Bom.size();
  }

  absl::StatusOr<std::vector<CsvRecord>> Parse() {
    std::vector<CsvRecord> records;
    while (pos_ < text_.size()) {
      if (AtLineEnd()) {  // a blank line is no record
        SkipLineEnd();
        continue;
      }
      CsvRecord record;
      record.line = line_;
      while (true) {
        absl::StatusOr<std::string> field = ParseField();
        if (!field.ok()) return field.status();
        record.fields.push_back(*std::move(field));
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;  // a trailing comma means one more, empty, field
        }
        break;
      }
      SkipLineEnd();
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  bool AtLineEnd() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  void SkipLineEnd() {
    if (pos_ >= text_.size()) return;
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  // Leaves pos_ on the comma or line end that ends the field (or at the end of the text).
  absl::StatusOr<std::string> ParseField() {
    if (pos_ < text_.size() && text_[pos_] == '"') return ParseQuoted();
    size_t end = pos_;
    while (end < text_.size() && text_[end] != ',' && text_[end] != '\n' && text_[end] != '\r') {
      ++end;
    }
    std::string field(text_.substr(pos_, end - pos_));
    pos_ = end;
    return field;
  }

  absl::StatusOr<std::string> ParseQuoted() {
    const int64_t start_line = line_;
    ++pos_;  // opening quote
    std::string field;
    while (true) {
      if (pos_ >= text_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", start_line, ": quoted field is not closed"));
      }
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      // Count line breaks inside quotes so later records report the right line.
      if (c == '\n' || (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n'))) ++line_;
      field.push_back(c);
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_, ": unexpected text after a closing quote (write \"\" for a quote)"));
    }
    return field;
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text) {
  return CsvParser(text).Parse();
}

}  // namespace crm::crmctl
