// Text to protobuf field conversions shared by crmctl arguments and CSV cells.
#include "clients/crmctl/field_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crm/v1/account.pb.h"
#include "crm/v1/customfield.pb.h"
#include "crm/v1/event.pb.h"

namespace crm::crmctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename Enum>
int Parse(const google::protobuf::EnumDescriptor* type, absl::string_view text) {
  absl::StatusOr<int> value = ParseEnumValue(*type, text);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.value_or(-1);
}

TEST(EnumTextTest, ShortNamesInAnyCase) {
  EXPECT_EQ(Parse<v1::AccountKind>(v1::AccountKind_descriptor(), "company"),
            v1::ACCOUNT_KIND_COMPANY);
  EXPECT_EQ(Parse<v1::AccountKind>(v1::AccountKind_descriptor(), "Person"),
            v1::ACCOUNT_KIND_PERSON);
  EXPECT_EQ(Parse<v1::SizeBand>(v1::SizeBand_descriptor(), "medium"), v1::SIZE_BAND_MEDIUM);
  EXPECT_EQ(Parse<v1::LifecycleStage>(v1::LifecycleStage_descriptor(), " GROWTH "),
            v1::LIFECYCLE_STAGE_GROWTH);
}

TEST(EnumTextTest, FullNamesAndSeparators) {
  EXPECT_EQ(Parse<v1::AccountKind>(v1::AccountKind_descriptor(), "ACCOUNT_KIND_COMPANY"),
            v1::ACCOUNT_KIND_COMPANY);
  EXPECT_EQ(Parse<v1::ContactChannel>(v1::ContactChannel_descriptor(), "in-person"),
            v1::CONTACT_CHANNEL_IN_PERSON);
  EXPECT_EQ(Parse<v1::DecisionRole>(v1::DecisionRole_descriptor(), "Decision Maker"),
            v1::DECISION_ROLE_DECISION_MAKER);
  EXPECT_EQ(Parse<v1::AgeBand>(v1::AgeBand_descriptor(), "25-34"), v1::AGE_BAND_25_34);
  EXPECT_EQ(Parse<v1::AgeBand>(v1::AgeBand_descriptor(), "65_plus"), v1::AGE_BAND_65_PLUS);
  EXPECT_EQ(Parse<v1::AccountKind>(v1::AccountKind_descriptor(), "unspecified"),
            v1::ACCOUNT_KIND_UNSPECIFIED);
}

TEST(EnumTextTest, UnknownNamesListTheChoices) {
  absl::StatusOr<int> value = ParseEnumValue(*v1::AccountKind_descriptor(), "partner");
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(value.status().message()), HasSubstr("one of: company, person"));
  EXPECT_FALSE(ParseEnumValue(*v1::AccountKind_descriptor(), "").ok());
  // A prefix of another enum is not a short name of this one.
  EXPECT_FALSE(ParseEnumValue(*v1::AccountKind_descriptor(), "SIZE_BAND_MEDIUM").ok());
}

TEST(EnumTextTest, ShortNameOfAValue) {
  EXPECT_EQ(EnumShortName(*v1::SizeBand_descriptor()->FindValueByNumber(v1::SIZE_BAND_ENTERPRISE)),
            "enterprise");
  EXPECT_EQ(EnumShortName(*v1::AccountKind_descriptor()->FindValueByNumber(0)), "");
}

TEST(MoneyTextTest, ParsesExactly) {
  absl::StatusOr<v1::Money> money = ParseMoney("1200.50 EUR");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->currency_code(), "EUR");
  EXPECT_EQ(money->units(), 1200);
  EXPECT_EQ(money->nanos(), 500000000);

  money = ParseMoney("usd -0.000000001");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->currency_code(), "USD");
  EXPECT_EQ(money->units(), 0);
  EXPECT_EQ(money->nanos(), -1);

  money = ParseMoney("-3.25 CHF");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->units(), -3);
  EXPECT_EQ(money->nanos(), -250000000);

  money = ParseMoney("42");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->currency_code(), "");
  EXPECT_EQ(money->units(), 42);
}

TEST(MoneyTextTest, RejectsWhatItCannotRepresent) {
  for (const char* text : {"", "EUR", "12,50 EUR", "1.0000000001 EUR", "1 2 EUR", "abc EUR",
                           "99999999999999999999 EUR", "1.2.3 EUR"}) {
    EXPECT_FALSE(ParseMoney(text).ok()) << text;
  }
}

TEST(MoneyTextTest, Formats) {
  v1::Money money;
  money.set_currency_code("EUR");
  money.set_units(1200);
  money.set_nanos(500000000);
  EXPECT_EQ(FormatMoney(money), "1200.50 EUR");
  money.set_units(-1);
  money.set_nanos(-125000000);
  EXPECT_EQ(FormatMoney(money), "-1.125 EUR");
  money.set_units(0);
  money.set_nanos(-500000000);
  EXPECT_EQ(FormatMoney(money), "-0.50 EUR");
}

TEST(TimestampTextTest, AbsoluteRelativeAndDates) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  auto seconds = [&](absl::string_view text) {
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTimestamp(text, now);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status();
    return t.ok() ? t->seconds() : -1;
  };
  EXPECT_EQ(seconds("2025-03-01T09:30:00Z"), 1740821400);
  EXPECT_EQ(seconds("2025-03-01T10:30:00+01:00"), 1740821400);
  EXPECT_EQ(seconds("2025-03-01"), 1740787200);
  EXPECT_EQ(seconds("now"), 1'700'000'000);
  EXPECT_EQ(seconds("+2h"), 1'700'000'000 + 7200);
  EXPECT_EQ(seconds("-30m"), 1'700'000'000 - 1800);
  EXPECT_EQ(seconds("+3d"), 1'700'000'000 + 3 * 86400);
  EXPECT_FALSE(ParseTimestamp("tomorrow", now).ok());
  EXPECT_FALSE(ParseTimestamp("+2x", now).ok());
}

TEST(SetFieldTest, SetsEachKindOfField) {
  v1::Account account;
  ASSERT_TRUE(SetFieldFromText(account, "name", "Acme").ok());
  ASSERT_TRUE(SetFieldFromText(account, "kind", "company").ok());
  ASSERT_TRUE(SetFieldFromText(account, "annual_revenue", "1200.50 EUR").ok());
  ASSERT_TRUE(SetFieldFromText(account, "tags", "vip; emea,,b2b").ok());
  EXPECT_EQ(account.name(), "Acme");
  EXPECT_EQ(account.kind(), v1::ACCOUNT_KIND_COMPANY);
  EXPECT_EQ(account.annual_revenue().units(), 1200);
  EXPECT_THAT(account.tags(), ElementsAre("vip", "emea", "b2b"));

  v1::ListAccountsRequest list;
  ASSERT_TRUE(SetFieldFromText(list, "filter.owner", "alice").ok());
  ASSERT_TRUE(SetFieldFromText(list, "page_size", "20").ok());
  ASSERT_TRUE(SetFieldFromText(list, "show_deleted", "yes").ok());
  EXPECT_EQ(list.filter().owner(), "alice");
  EXPECT_EQ(list.page_size(), 20);
  EXPECT_TRUE(list.show_deleted());

  v1::SubscribeRequest subscribe;
  ASSERT_TRUE(SetFieldFromText(subscribe, "types", "account.,activity.reminder_due").ok());
  ASSERT_TRUE(SetFieldFromText(subscribe, "after_sequence", "42").ok());
  EXPECT_THAT(subscribe.types(), ElementsAre("account.", "activity.reminder_due"));
  EXPECT_EQ(subscribe.after_sequence(), 42);

  v1::UpdateAccountRequest update;
  ASSERT_TRUE(SetFieldFromText(update, "update_mask", "name,owner").ok());
  EXPECT_THAT(update.update_mask().paths(), ElementsAre("name", "owner"));
}

TEST(SetFieldTest, ErrorsNameTheField) {
  v1::ListAccountsRequest list;
  absl::Status status = SetFieldFromText(list, "page_size", "lots");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("page_size: 'lots'"));
  EXPECT_FALSE(SetFieldFromText(list, "nope", "1").ok());
  EXPECT_FALSE(SetFieldFromText(list, "filter", "x").ok());       // has fields of its own
  EXPECT_FALSE(SetFieldFromText(list, "page_size.x", "1").ok());  // not a message
}

TEST(SetFieldTest, EmptyTextClearsAMessageField) {
  v1::Account account;
  ASSERT_TRUE(SetFieldFromText(account, "annual_revenue", "5 EUR").ok());
  ASSERT_TRUE(SetFieldFromText(account, "annual_revenue", "").ok());
  EXPECT_FALSE(account.has_annual_revenue());
}

TEST(FieldTextTest, RendersForPeople) {
  v1::Account account;
  account.set_kind(v1::ACCOUNT_KIND_PERSON);
  account.set_age_band(v1::AGE_BAND_25_34);
  account.mutable_annual_revenue()->set_currency_code("EUR");
  account.mutable_annual_revenue()->set_units(7);
  account.mutable_create_time()->set_seconds(1740821400);
  account.add_tags("a");
  account.add_tags("b");
  EXPECT_EQ(FieldText(account, "kind"), "person");
  EXPECT_EQ(FieldText(account, "age_band"), "25_34");
  EXPECT_EQ(FieldText(account, "size_band"), "");
  EXPECT_EQ(FieldText(account, "annual_revenue"), "7.00 EUR");
  EXPECT_EQ(FieldText(account, "create_time"), "2025-03-01T09:30:00Z");
  EXPECT_EQ(FieldText(account, "delete_time"), "");
  EXPECT_EQ(FieldText(account, "tags"), "a;b");

  v1::ListAccountsRequest list;
  EXPECT_EQ(FieldText(list, "filter.owner"), "");
  list.mutable_filter()->set_owner("alice");
  EXPECT_EQ(FieldText(list, "filter.owner"), "alice");
}

TEST(FieldTextTest, HasTextField) {
  const auto& account = *v1::Account::descriptor();
  EXPECT_TRUE(HasTextField(account, "name"));
  EXPECT_TRUE(HasTextField(account, "annual_revenue"));
  EXPECT_TRUE(HasTextField(account, "tags"));
  EXPECT_FALSE(HasTextField(account, "revenue"));
  EXPECT_TRUE(HasTextField(*v1::ListAccountsRequest::descriptor(), "filter.tier"));
  EXPECT_FALSE(HasTextField(*v1::ListAccountsRequest::descriptor(), "filter"));
  EXPECT_FALSE(HasTextField(*v1::Event::descriptor(), "changes"));
}

TEST(DateTextTest, ParsesAndFormats) {
  absl::StatusOr<v1::Date> date = ParseDate(" 2027-01-31 ");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->year(), 2027);
  EXPECT_EQ(date->month(), 1);
  EXPECT_EQ(date->day(), 31);
  EXPECT_EQ(FormatDate(*date), "2027-01-31");
  for (const char* text : {"", "31.01.2027", "2027-02-30", "2027-13-01", "tomorrow"}) {
    EXPECT_FALSE(ParseDate(text).ok()) << text;
  }
}

// The value ParseCustomValue reads from `text` as `type`, or an empty CustomValue on failure.
v1::CustomValue Custom(v1::CustomFieldType type, absl::string_view text) {
  absl::StatusOr<v1::CustomValue> value = ParseCustomValue(type, text);
  EXPECT_TRUE(value.ok()) << text << ": " << value.status();
  return value.value_or(v1::CustomValue());
}

TEST(CustomValueTextTest, ReadsEachTypeIntoItsMember) {
  v1::CustomValue text = Custom(v1::CUSTOM_FIELD_TYPE_TEXT, " as typed, 1,2 ");
  EXPECT_EQ(text.kind_case(), v1::CustomValue::kTextValue);
  EXPECT_EQ(text.text_value(), " as typed, 1,2 ");

  v1::CustomValue number = Custom(v1::CUSTOM_FIELD_TYPE_NUMBER, " -12.5 ");
  EXPECT_EQ(number.kind_case(), v1::CustomValue::kNumberValue);
  EXPECT_EQ(number.number_value(), -12.5);
  EXPECT_EQ(Custom(v1::CUSTOM_FIELD_TYPE_NUMBER, "1e6").number_value(), 1e6);

  v1::CustomValue money = Custom(v1::CUSTOM_FIELD_TYPE_MONEY, "123.45 EUR");
  EXPECT_EQ(money.kind_case(), v1::CustomValue::kMoneyValue);
  EXPECT_EQ(money.money_value().currency_code(), "EUR");
  EXPECT_EQ(money.money_value().units(), 123);
  EXPECT_EQ(money.money_value().nanos(), 450000000);

  v1::CustomValue date = Custom(v1::CUSTOM_FIELD_TYPE_DATE, "2027-01-31");
  EXPECT_EQ(date.kind_case(), v1::CustomValue::kDateValue);
  EXPECT_EQ(date.date_value().year(), 2027);
  EXPECT_EQ(date.date_value().month(), 1);
  EXPECT_EQ(date.date_value().day(), 31);

  v1::CustomValue yes = Custom(v1::CUSTOM_FIELD_TYPE_BOOLEAN, "true");
  EXPECT_EQ(yes.kind_case(), v1::CustomValue::kBoolValue);
  EXPECT_TRUE(yes.bool_value());
  v1::CustomValue no = Custom(v1::CUSTOM_FIELD_TYPE_BOOLEAN, "False");
  EXPECT_EQ(no.kind_case(), v1::CustomValue::kBoolValue);  // set, though false
  EXPECT_FALSE(no.bool_value());

  v1::CustomValue choice = Custom(v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE, "smb, mid");
  EXPECT_EQ(choice.kind_case(), v1::CustomValue::kChoiceValue);
  EXPECT_EQ(choice.choice_value(), "smb, mid");  // one option, commas and all

  v1::CustomValue choices = Custom(v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE, "emea, apac,,latam");
  EXPECT_EQ(choices.kind_case(), v1::CustomValue::kChoicesValue);
  EXPECT_THAT(choices.choices_value().choices(), ElementsAre("emea", "apac", "latam"));
}

TEST(CustomValueTextTest, RefusesTextThatIsNotOfTheType) {
  const std::pair<v1::CustomFieldType, const char*> wrong[] = {
      {v1::CUSTOM_FIELD_TYPE_NUMBER, "12 EUR"},
      {v1::CUSTOM_FIELD_TYPE_NUMBER, ""},
      {v1::CUSTOM_FIELD_TYPE_MONEY, "twelve EUR"},
      {v1::CUSTOM_FIELD_TYPE_MONEY, "1.2.3 EUR"},
      {v1::CUSTOM_FIELD_TYPE_DATE, "31/01/2027"},
      {v1::CUSTOM_FIELD_TYPE_DATE, "2027-02-30"},
      {v1::CUSTOM_FIELD_TYPE_BOOLEAN, "maybe"},
      {v1::CUSTOM_FIELD_TYPE_UNSPECIFIED, "anything"},
  };
  for (const auto& [type, text] : wrong) {
    absl::StatusOr<v1::CustomValue> value = ParseCustomValue(type, text);
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument)
        << v1::CustomFieldType_Name(type) << " '" << text << "'";
  }
  auto message = [](v1::CustomFieldType type, absl::string_view text) {
    return std::string(ParseCustomValue(type, text).status().message());
  };
  EXPECT_THAT(message(v1::CUSTOM_FIELD_TYPE_NUMBER, "lots"), HasSubstr("'lots' is not a number"));
  EXPECT_THAT(message(v1::CUSTOM_FIELD_TYPE_DATE, "soon"), HasSubstr("like 2025-03-01"));
}

TEST(CustomValueTextTest, TextReadsBackAsTheSameValue) {
  const std::pair<v1::CustomFieldType, const char*> cases[] = {
      {v1::CUSTOM_FIELD_TYPE_TEXT, "Acme, Inc."},
      {v1::CUSTOM_FIELD_TYPE_NUMBER, "0.1"},
      {v1::CUSTOM_FIELD_TYPE_NUMBER, "1234567.891"},
      {v1::CUSTOM_FIELD_TYPE_NUMBER, "-3"},
      {v1::CUSTOM_FIELD_TYPE_MONEY, "1200.50 EUR"},
      {v1::CUSTOM_FIELD_TYPE_DATE, "2027-01-31"},
      {v1::CUSTOM_FIELD_TYPE_BOOLEAN, "false"},
      {v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE, "smb"},
      {v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE, "emea,apac"},
  };
  for (const auto& [type, text] : cases) {
    const v1::CustomValue value = Custom(type, text);
    EXPECT_EQ(CustomValueText(value), text);
    EXPECT_EQ(Custom(type, CustomValueText(value)).SerializeAsString(), value.SerializeAsString())
        << text;
  }
  EXPECT_EQ(CustomValueText(v1::CustomValue()), "");
}

TEST(CustomValueTextTest, FieldTextShowsCustomValuesAsText) {
  v1::CustomField field;
  EXPECT_EQ(FieldText(field, "default_value"), "");
  *field.mutable_default_value() = Custom(v1::CUSTOM_FIELD_TYPE_MONEY, "5 EUR");
  EXPECT_EQ(FieldText(field, "default_value"), "5.00 EUR");
}

}  // namespace
}  // namespace crm::crmctl
