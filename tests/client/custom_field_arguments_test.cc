// crmctl's custom-field arguments against a mocked CustomFieldService: `<key>=<value>` splitting,
// values read as the field's type (looked up once per key), unknown keys and bad values as
// errors naming the flag, update masks that clear, list filters; and how a record prints the
// values.
#include "clients/crmctl/custom_field_arguments.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "clients/crmctl/output.h"
#include "clients/gateway/mocks/mock_customfield_connection.h"
#include "crm/v1/account.pb.h"

namespace crm::crmctl {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Return;

v1::CustomField Field(const std::string& key, v1::CustomFieldType type) {
  v1::CustomField field;
  field.set_entity(v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  field.set_key(key);
  field.set_type(type);
  return field;
}

auto Named(const std::string& key) {
  return ::testing::AllOf(
      ::testing::Property(&v1::GetCustomFieldRequest::entity, v1::CUSTOM_FIELD_ENTITY_ACCOUNT),
      ::testing::Property(&v1::GetCustomFieldRequest::key, key));
}

std::vector<CustomArgument> Arguments(const std::string& flag,
                                      const std::vector<std::string>& values) {
  absl::StatusOr<std::vector<CustomArgument>> arguments = ParseCustomArguments(flag, values);
  EXPECT_TRUE(arguments.ok()) << arguments.status();
  return arguments.value_or(std::vector<CustomArgument>());
}

class CustomFieldArgumentsTest : public ::testing::Test {
 protected:
  CustomFieldCatalog Catalog() {
    return CustomFieldCatalog(client::CustomFieldClient(connection_),
                              v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  }

  // The account fields the mocked service knows; any other key is NOT_FOUND.
  void Define(std::vector<v1::CustomField> fields) {
    ON_CALL(*connection_, GetCustomField(_))
        .WillByDefault(Return(absl::NotFoundError("no such field")));
    for (const v1::CustomField& field : fields) {
      ON_CALL(*connection_, GetCustomField(Named(field.key()))).WillByDefault(Return(field));
    }
  }

  std::shared_ptr<::testing::NiceMock<client::mocks::MockCustomFieldConnection>> connection_ =
      std::make_shared<::testing::NiceMock<client::mocks::MockCustomFieldConnection>>();
};

TEST(ParseCustomArgumentsTest, SplitsAtTheFirstEquals) {
  std::vector<CustomArgument> arguments =
      Arguments("custom_filter", {"segment=smb", "formula=a=b", "note="});
  ASSERT_EQ(arguments.size(), 3u);
  EXPECT_EQ(arguments[0].flag, "--custom-filter");
  EXPECT_EQ(arguments[0].key, "segment");
  EXPECT_EQ(arguments[0].text, "smb");
  EXPECT_EQ(arguments[1].key, "formula");
  EXPECT_EQ(arguments[1].text, "a=b");
  EXPECT_EQ(arguments[2].key, "note");
  EXPECT_EQ(arguments[2].text, "");
}

TEST(ParseCustomArgumentsTest, RefusesWhatIsNotKeyEqualsValue) {
  // `--custom segment=smb` (a space, not '=') arrives as custom=true.
  for (const char* value : {"true", "=smb", ""}) {
    absl::StatusOr<std::vector<CustomArgument>> arguments = ParseCustomArguments("custom", {value});
    EXPECT_EQ(arguments.status().code(), absl::StatusCode::kInvalidArgument) << value;
    EXPECT_THAT(std::string(arguments.status().message()), HasSubstr("--custom=<key>=<value>"))
        << value;
  }
}

TEST_F(CustomFieldArgumentsTest, ValuesAreReadAsTheirFieldsType) {
  Define({Field("budget", v1::CUSTOM_FIELD_TYPE_MONEY),
          Field("renewal", v1::CUSTOM_FIELD_TYPE_DATE),
          Field("regions", v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE),
          Field("note", v1::CUSTOM_FIELD_TYPE_TEXT)});
  CustomFieldCatalog catalog = Catalog();
  v1::Account account;
  ASSERT_TRUE(SetCustomValues(catalog,
                              Arguments("custom", {"budget=123.45 EUR", "renewal=2027-01-31",
                                                   "regions=emea,apac", "note=2027-01-31"}),
                              *account.mutable_custom_fields(), nullptr)
                  .ok());

  const auto& values = account.custom_fields();
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values.at("budget").money_value().units(), 123);
  EXPECT_EQ(values.at("budget").money_value().nanos(), 450000000);
  EXPECT_EQ(values.at("budget").money_value().currency_code(), "EUR");
  EXPECT_EQ(values.at("renewal").date_value().year(), 2027);
  EXPECT_THAT(values.at("regions").choices_value().choices(), ElementsAre("emea", "apac"));
  // The same text, but the field is text: no date is made of it.
  EXPECT_EQ(values.at("note").text_value(), "2027-01-31");
}

TEST_F(CustomFieldArgumentsTest, EachFieldIsLookedUpOnce) {
  EXPECT_CALL(*connection_, GetCustomField(Named("score")))
      .WillOnce(Return(Field("score", v1::CUSTOM_FIELD_TYPE_NUMBER)));
  CustomFieldCatalog catalog = Catalog();
  CustomFilterArguments filters;
  filters.min = Arguments("custom_min", {"score=10"});
  filters.max = Arguments("custom_max", {"score=90.5"});
  google::protobuf::RepeatedPtrField<v1::CustomFieldFilter> added;

  ASSERT_TRUE(AddCustomFilters(catalog, filters, added).ok());
  // One filter for the key, with both bounds.
  ASSERT_EQ(added.size(), 1);
  EXPECT_EQ(added[0].key(), "score");
  EXPECT_FALSE(added[0].has_equals());
  EXPECT_EQ(added[0].min().number_value(), 10);
  EXPECT_EQ(added[0].max().number_value(), 90.5);
}

TEST_F(CustomFieldArgumentsTest, FiltersKeepEachKeyApart) {
  Define({Field("segment", v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE),
          Field("renewal", v1::CUSTOM_FIELD_TYPE_DATE)});
  CustomFieldCatalog catalog = Catalog();
  CustomFilterArguments filters;
  filters.equals = Arguments("custom_filter", {"segment=smb"});
  filters.max = Arguments("custom_max", {"renewal=2027-12-31"});
  google::protobuf::RepeatedPtrField<v1::CustomFieldFilter> added;

  ASSERT_TRUE(AddCustomFilters(catalog, filters, added).ok());
  ASSERT_EQ(added.size(), 2);
  EXPECT_EQ(added[0].key(), "segment");
  EXPECT_EQ(added[0].equals().choice_value(), "smb");
  EXPECT_FALSE(added[0].has_min());
  EXPECT_FALSE(added[0].has_max());
  EXPECT_EQ(added[1].key(), "renewal");
  EXPECT_EQ(added[1].max().date_value().month(), 12);
  EXPECT_FALSE(added[1].has_equals());
}

TEST_F(CustomFieldArgumentsTest, AnUnknownKeyIsAnErrorNamingTheFlag) {
  Define({Field("segment", v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE)});
  CustomFieldCatalog catalog = Catalog();
  CustomFilterArguments filters;
  filters.equals = Arguments("custom_filter", {"segmnet=smb"});
  google::protobuf::RepeatedPtrField<v1::CustomFieldFilter> added;

  absl::Status status = AddCustomFilters(catalog, filters, added);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("--custom-filter: no account field 'segmnet'"));
}

TEST_F(CustomFieldArgumentsTest, AnUnreadableValueIsAnErrorNamingTheFlagAndKey) {
  Define({Field("renewal", v1::CUSTOM_FIELD_TYPE_DATE)});
  CustomFieldCatalog catalog = Catalog();
  v1::Account account;
  absl::Status status = SetCustomValues(catalog, Arguments("custom", {"renewal=next year"}),
                                        *account.mutable_custom_fields(), nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--custom: renewal: 'next year'"));
  EXPECT_TRUE(account.custom_fields().empty());
}

TEST_F(CustomFieldArgumentsTest, AFailedLookupIsReportedAsItIs) {
  EXPECT_CALL(*connection_, GetCustomField(_))
      .WillOnce(Return(absl::UnavailableError("connection refused")));
  CustomFieldCatalog catalog = Catalog();
  v1::Account account;
  absl::Status status = SetCustomValues(catalog, Arguments("custom", {"segment=smb"}),
                                        *account.mutable_custom_fields(), nullptr);
  // Not the command line's fault: crmctl exits 1 with the code, not 2 with usage.
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "connection refused");
}

TEST_F(CustomFieldArgumentsTest, AnUpdateNamesEachKeyInTheMaskAndAnEmptyValueClearsIt) {
  Define({Field("segment", v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE),
          Field("legacy_code", v1::CUSTOM_FIELD_TYPE_NUMBER)});
  CustomFieldCatalog catalog = Catalog();
  v1::Account account;
  std::vector<std::string> mask = {"name"};
  ASSERT_TRUE(SetCustomValues(catalog,
                              Arguments("custom", {"segment=smb", "legacy_code=", "segment=mid"}),
                              *account.mutable_custom_fields(), &mask)
                  .ok());
  EXPECT_THAT(mask, ElementsAre("name", "custom_fields.segment", "custom_fields.legacy_code"));
  ASSERT_EQ(account.custom_fields().size(), 1u);
  EXPECT_EQ(account.custom_fields().at("segment").choice_value(), "mid");  // the last one given
}

TEST_F(CustomFieldArgumentsTest, ClearingAnUnknownKeyIsAnErrorToo) {
  Define({});
  CustomFieldCatalog catalog = Catalog();
  v1::Account account;
  std::vector<std::string> mask;
  absl::Status status = SetCustomValues(catalog, Arguments("custom", {"segment="}),
                                        *account.mutable_custom_fields(), &mask);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--custom: no account field 'segment'"));
}

TEST(CustomFieldRecordTest, ValuesPrintByKeyInKeyOrder) {
  v1::Account account;
  account.set_name("Acme");
  (*account.mutable_custom_fields())["segment"].set_choice_value("smb");
  (*account.mutable_custom_fields())["budget"].mutable_money_value()->set_units(5000);
  (*account.mutable_custom_fields())["budget"].mutable_money_value()->set_currency_code("EUR");
  (*account.mutable_custom_fields())["regions"].mutable_choices_value()->add_choices("emea");
  (*account.mutable_custom_fields())["regions"].mutable_choices_value()->add_choices("apac");

  std::ostringstream out;
  PrintRecord(out, account);
  EXPECT_EQ(out.str(),
            "name                   Acme\n"
            "custom_fields.budget   5000.00 EUR\n"
            "custom_fields.regions  emea,apac\n"
            "custom_fields.segment  smb\n");
}

}  // namespace
}  // namespace crm::crmctl
