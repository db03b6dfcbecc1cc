#include "clients/crmctl/output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/crmctl/field_text.h"
#include "common/core/errors.h"

namespace crm::crmctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kColumnGap = "  ";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Cells are one line each; a cut keeps whole UTF-8 characters.
std::string CellText(std::string text, size_t max_width) {
  text = absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}, {"\t", " "}});
  if (max_width == 0 || DisplayWidth(text) <= max_width) return text;
  const size_t keep = max_width > 3 ? max_width - 3 : max_width;
  size_t chars = 0;
  size_t end = 0;
  while (end < text.size()) {
    if (!IsUtf8Continuation(text[end])) {
      if (chars == keep) break;
      ++chars;
    }
    ++end;
  }
  text.resize(end);
  return text + "...";
}

void AppendPadded(std::string& line, absl::string_view cell, size_t width) {
  line.append(cell.data(), cell.size());
  const size_t shown = DisplayWidth(cell);
  if (shown < width) line.append(width - shown, ' ');
}

bool IsSingleValue(const FieldDescriptor& field) {
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& type = field.message_type()->full_name();
  return type == "crm.v1.Money" || type == "crm.v1.Date" || type == "google.protobuf.Timestamp" ||
         type == "google.protobuf.FieldMask" || type == "crm.v1.CustomValue";
}

// Flattens `message` into (dotted name, text) pairs of its set fields.
void CollectFields(const Message& message, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string name = prefix + field->name();
    if (IsSingleValue(*field)) {
      out.emplace_back(name, FieldText(message, field->name()));
    } else if (field->is_map()) {
      // Entries by key, in key order (maps have none of their own): custom_fields.tier  gold,
      // rather than the key / value pairs they are on the wire.
      const FieldDescriptor& value = *field->message_type()->map_value();
      std::map<std::string, const Message*> entries;
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        const Message& entry = reflection->GetRepeatedMessage(message, field, i);
        entries.emplace(FieldText(entry, "key"), &entry);
      }
      for (const auto& [key, entry] : entries) {
        const std::string entry_name = absl::StrCat(name, ".", key);
        if (IsSingleValue(value)) {
          out.emplace_back(entry_name, FieldText(*entry, "value"));
        } else {
          CollectFields(entry->GetReflection()->GetMessage(*entry, &value), entry_name + ".", out);
        }
      }
    } else if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        CollectFields(reflection->GetRepeatedMessage(message, field, i),
                      absl::StrCat(name, "[", i, "]."), out);
      }
    } else {
      CollectFields(reflection->GetMessage(message, field), name + ".", out);
    }
  }
}

}  // namespace

Column FieldColumn(std::string header, std::string path, size_t max_width) {
  return Column{std::move(header),
                [path = std::move(path)](const Message& row) { return FieldText(row, path); },
                max_width};
}

std::vector<std::string> Table::Cells(const Message& row) const {
  std::vector<std::string> cells;
  cells.reserve(columns_.size());
  for (const Column& column : columns_)
    cells.push_back(CellText(column.cell(row), column.max_width));
  return cells;
}

std::vector<std::string> Table::Headers() const {
  std::vector<std::string> headers;
  for (const Column& column : columns_) headers.push_back(column.header);
  return headers;
}

void Table::Add(const Message& row) { rows_.push_back(Cells(row)); }

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const Column& column : columns_) widths.push_back(DisplayWidth(column.header));
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  out << FormatLine(Headers(), widths);
  for (const auto& row : rows_) out << FormatLine(row, widths);
}

std::string Table::FormatLine(const std::vector<std::string>& cells,
                              const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line.append(kColumnGap.data(), kColumnGap.size());
    AppendPadded(line, cells[i], i + 1 < cells.size() && i < widths.size() ? widths[i] : 0);
  }
  // Empty cells at the end would leave padding behind.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line.push_back('\n');
  return line;
}

std::string ToJsonLine(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  return json;
}

void PrintRecord(std::ostream& out, const Message& message) {
  std::vector<std::pair<std::string, std::string>> fields;
  CollectFields(message, "", fields);
  size_t width = 0;
  for (const auto& [name, value] : fields) width = std::max(width, name.size());
  const std::string indent(width + kColumnGap.size(), ' ');
  for (const auto& [name, value] : fields) {
    std::string line;
    AppendPadded(line, name, width);
    line.append(kColumnGap.data(), kColumnGap.size());
    // Multi-line text (an interaction's body) stays readable under its name.
    line += absl::StrReplaceAll(value, {{"\n", "\n" + indent}});
    out << line << '\n';
  }
}

void PrintError(std::ostream& err, const absl::Status& status) {
  err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << '\n';
  for (const FieldViolation& violation : FieldViolationsOf(status)) {
    err << "  " << violation.field << ": " << violation.description << '\n';
  }
}

size_t DisplayWidth(absl::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsUtf8Continuation(c); }));
}

}  // namespace crm::crmctl
