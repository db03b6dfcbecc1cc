// How crmctl prints: aligned tables or one record per screen for people, protobuf JSON for
// programs (`--output=json`: proto field names, one object per line), and errors on stderr.
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace crm::crmctl {

enum class OutputFormat { kTable, kJson };

// One column of a table: a header and how a row's message becomes the cell text.
struct Column {
  std::string header;
  std::function<std::string(const google::protobuf::Message&)> cell;
  // Longer cells are cut to this many characters (0: never), so one long subject does not push
  // every other column off the screen.
  size_t max_width = 0;
};

// A column showing FieldText(message, path).
Column FieldColumn(std::string header, std::string path, size_t max_width = 0);

// A column over rows of message type T: `text(const T&)` is the cell.
template <typename T, typename Text>
Column TypedColumn(std::string header, Text text, size_t max_width = 0) {
  return Column{std::move(header),
                [text](const google::protobuf::Message& message) {
                  const auto* row = dynamic_cast<const T*>(&message);
                  return row == nullptr ? std::string() : text(*row);
                },
                max_width};
}

// Rows of cells aligned under their headers, two spaces apart. Widths count UTF-8 characters.
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void Add(const google::protobuf::Message& row);
  void Print(std::ostream& out) const;
  bool empty() const { return rows_.empty(); }

  // For streams of unknown length (events follow): fixed widths, one line at a time.
  static std::string FormatLine(const std::vector<std::string>& cells,
                                const std::vector<size_t>& widths);
  std::vector<std::string> Cells(const google::protobuf::Message& row) const;
  std::vector<std::string> Headers() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// One object on one line, proto field names.
std::string ToJsonLine(const google::protobuf::Message& message);

// Every set field of `message`, one per line: dotted names, values as FieldText shows them.
void PrintRecord(std::ostream& out, const google::protobuf::Message& message);

// `error: <CODE>: <message>` and, indented below, each field violation `  field: description`.
void PrintError(std::ostream& err, const absl::Status& status);

// Characters (not bytes) of UTF-8 text, for alignment.
size_t DisplayWidth(absl::string_view text);

}  // namespace crm::crmctl
