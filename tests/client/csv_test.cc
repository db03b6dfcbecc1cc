// The CSV reader behind `crmctl accounts import`.
#include "clients/crmctl/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crm::crmctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::vector<std::string>> Fields(absl::string_view text) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<std::vector<std::string>> fields;
  if (records.ok()) {
    for (const CsvRecord& record : *records) fields.push_back(record.fields);
  }
  return fields;
}

std::vector<int64_t> Lines(absl::string_view text) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(text);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<int64_t> lines;
  if (records.ok()) {
    for (const CsvRecord& record : *records) lines.push_back(record.line);
  }
  return lines;
}

using Row = std::vector<std::string>;

TEST(CsvTest, PlainRows) {
  EXPECT_THAT(Fields("a,b,c\n1,2,3\n"), ElementsAre(Row{"a", "b", "c"}, Row{"1", "2", "3"}));
}

TEST(CsvTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  EXPECT_THAT(Fields("name,note\n\"Acme, Inc.\",\"said \"\"hi\"\"\nthen left\"\n"),
              ElementsAre(Row{"name", "note"}, Row{"Acme, Inc.", "said \"hi\"\nthen left"}));
}

TEST(CsvTest, LinesCountBreaksInsideQuotes) {
  EXPECT_THAT(Lines("h\n\"a\nb\nc\"\nnext\n"), ElementsAre(1, 2, 5));
}

TEST(CsvTest, EmptyAndTrailingFields) {
  EXPECT_THAT(Fields("a,,c,\n\"\",x\n"), ElementsAre(Row{"a", "", "c", ""}, Row{"", "x"}));
}

TEST(CsvTest, CrlfAndLoneCrLineEnds) {
  EXPECT_THAT(Fields("a,b\r\n1,2\r\n"), ElementsAre(Row{"a", "b"}, Row{"1", "2"}));
  EXPECT_THAT(Fields("a,b\r1,2"), ElementsAre(Row{"a", "b"}, Row{"1", "2"}));
  // A CRLF inside quotes is content, and counts as one line break.
  EXPECT_THAT(Fields("\"x\r\ny\",z\r\n"), ElementsAre(Row{"x\r\ny", "z"}));
  EXPECT_THAT(Lines("\"x\r\ny\"\r\nnext\r\n"), ElementsAre(1, 3));
}

TEST(CsvTest, ByteOrderMarkBlankLinesAndNoFinalNewline) {
  EXPECT_THAT(Fields("\xEF\xBB\xBFid,name\n\n1,x\n\n\n2,y"),
              ElementsAre(Row{"id", "name"}, Row{"1", "x"}, Row{"2", "y"}));
  EXPECT_THAT(Lines("h\n\n1\n\n2"), ElementsAre(1, 3, 5));
}

TEST(CsvTest, SpacesAreKeptAndAStrayQuoteInsideAnUnquotedFieldIsText) {
  EXPECT_THAT(Fields(" a , b\n5\" screen,x\n"),
              ElementsAre(Row{" a ", " b"}, Row{"5\" screen", "x"}));
}

TEST(CsvTest, EmptyInput) {
  EXPECT_TRUE(Fields("").empty());
  EXPECT_TRUE(Fields("\n\r\n").empty());
}

TEST(CsvTest, UnclosedQuoteIsAnErrorNamingWhereItStarted) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(records.status().message()), HasSubstr("line 2"));
}

TEST(CsvTest, TextAfterAClosingQuoteIsAnError) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv("a\n\"x\"y,z\n");
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(records.status().message()), HasSubstr("line 2"));
}

}  // namespace
}  // namespace crm::crmctl
