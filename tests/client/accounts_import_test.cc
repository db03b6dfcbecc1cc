// CSV rows to Account messages for `crmctl accounts import`.
#include "clients/crmctl/accounts_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crm::crmctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(AccountsFromCsvTest, HeaderNamesFieldsAndCellsBecomeTypedValues) {
  absl::StatusOr<CsvAccounts> csv = AccountsFromCsv(
      "External Key,name,kind,size_band,annual_revenue,lifecycle_stage,tags,age_band\n"
      "K-1,\"Acme, Inc.\",company,medium,1200.50 EUR,growth,vip;emea,\n"
      "K-2,Jane Doe,person,,,new,,25-34\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->data_rows, 2);
  EXPECT_TRUE(csv->errors.empty());
  ASSERT_EQ(csv->rows.size(), 2u);

  const v1::Account& acme = csv->rows[0].account;
  EXPECT_EQ(acme.external_key(), "K-1");
  EXPECT_EQ(acme.name(), "Acme, Inc.");
  EXPECT_EQ(acme.kind(), v1::ACCOUNT_KIND_COMPANY);
  EXPECT_EQ(acme.size_band(), v1::SIZE_BAND_MEDIUM);
  EXPECT_EQ(acme.annual_revenue().units(), 1200);
  EXPECT_EQ(acme.annual_revenue().currency_code(), "EUR");
  EXPECT_EQ(acme.lifecycle_stage(), v1::LIFECYCLE_STAGE_GROWTH);
  EXPECT_THAT(acme.tags(), ElementsAre("vip", "emea"));

  const v1::Account& jane = csv->rows[1].account;
  EXPECT_EQ(jane.kind(), v1::ACCOUNT_KIND_PERSON);
  EXPECT_FALSE(jane.has_annual_revenue());
  EXPECT_EQ(jane.age_band(), v1::AGE_BAND_25_34);
  EXPECT_EQ(csv->rows[1].index, 1);
  EXPECT_EQ(csv->rows[1].line, 3);
}

TEST(AccountsFromCsvTest, BadCellsFailTheirRowOnly) {
  absl::StatusOr<CsvAccounts> csv = AccountsFromCsv(
      "external_key,name,kind,annual_revenue\n"
      "K-1,Good,company,1 EUR\n"
      "K-2,Bad,partner,lots\n"
      "K-3,Short\n"
      "K-4,\"Also\ngood\",person,\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->data_rows, 4);
  ASSERT_EQ(csv->rows.size(), 2u);
  EXPECT_EQ(csv->rows[1].account.external_key(), "K-4");
  EXPECT_EQ(csv->rows[1].index, 3);
  EXPECT_THAT(csv->lines, ElementsAre(2, 3, 4, 5));

  ASSERT_EQ(csv->errors.size(), 3u);
  EXPECT_EQ(csv->errors[0].index(), 1);
  EXPECT_EQ(csv->errors[0].external_key(), "K-2");
  EXPECT_EQ(csv->errors[0].field(), "account.kind");
  EXPECT_THAT(csv->errors[0].reason(), HasSubstr("unknown AccountKind 'partner'"));
  EXPECT_EQ(csv->errors[1].field(), "account.annual_revenue");
  EXPECT_EQ(csv->errors[2].index(), 2);
  EXPECT_THAT(csv->errors[2].reason(), HasSubstr("has 2 cells, the header has 4"));
}

TEST(AccountsFromCsvTest, HeaderProblemsStopTheImport) {
  EXPECT_THAT(std::string(AccountsFromCsv("name,revenue\nA,1\n").status().message()),
              HasSubstr("'revenue' is not an Account field"));
  EXPECT_THAT(std::string(AccountsFromCsv("name,,kind\n").status().message()),
              HasSubstr("column 2 has no name"));
  EXPECT_THAT(std::string(AccountsFromCsv("name,Name\n").status().message()),
              HasSubstr("appears twice"));
  EXPECT_FALSE(AccountsFromCsv("").ok());
  EXPECT_FALSE(AccountsFromCsv("name\n\"open\n").ok());
}

}  // namespace
}  // namespace crm::crmctl
