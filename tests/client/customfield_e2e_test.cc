// CustomFieldClient and crmctl's `fields` commands and custom-field arguments against a real
// in-process server, on every backend: a field made with `fields create` shows in `fields list`;
// `accounts create --custom` stores a value of the field's type, which `accounts list
// --custom-filter` / --custom-min find and `accounts update --custom=<key>=` clears; an unknown
// key or a value that does not read as the type is a usage error naming the flag.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"

namespace crm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CustomFieldEndToEndTest : public ClientEndToEndTest {
 protected:
  // The account fields every test uses: a filterable single choice, a filterable money field
  // and a date.
  void DefineAccountFields() {
    nlohmann::json segment =
        CrmctlJson({"fields", "create", "account", "segment", "label=Segment", "type=single-choice",
                    "option=smb", "option=mid", "option=enterprise", "--filterable"});
    EXPECT_EQ(segment.value("key", ""), "segment");
    EXPECT_EQ(segment.value("type", ""), "CUSTOM_FIELD_TYPE_SINGLE_CHOICE");
    CrmctlJson(
        {"fields", "create", "account", "budget", "label=Budget", "type=money", "--filterable"});
    CrmctlJson({"fields", "create", "account", "renewal", "label=Renewal date", "type=date"});
  }

  // `accounts create name=<name>` with the given --custom arguments: the account's id.
  std::string CreateAccount(const std::string& name, const std::vector<std::string>& custom) {
    std::vector<std::string> args = {"accounts", "create", "name=" + name};
    for (const std::string& value : custom) args.push_back("--custom=" + value);
    return CrmctlJson(args).value("id", "");
  }
};

TEST_P(CustomFieldEndToEndTest, FieldsCreateThenListShowsIt) {
  std::string out, err;
  ASSERT_EQ(Crmctl({"fields", "create", "account", "segment", "label=Customer segment",
                    "type=single-choice", "option=smb,mid", "--filterable", "default=smb"},
                   &out, &err),
            0)
      << err;
  EXPECT_THAT(out, HasSubstr("Customer segment"));

  ASSERT_EQ(Crmctl({"fields", "list", "entity=account"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("KEY"));
  EXPECT_THAT(out, HasSubstr("segment"));
  EXPECT_THAT(out, HasSubstr("Customer segment"));
  EXPECT_THAT(out, HasSubstr("single_choice"));
  EXPECT_THAT(out, HasSubstr("smb;mid"));

  // Another entity type's list does not show it.
  ASSERT_EQ(Crmctl({"fields", "list", "entity=ticket"}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr("segment")));

  // Options grow; each change is a version.
  nlohmann::json updated =
      CrmctlJson({"fields", "update", "account", "segment", "--add-option=enterprise"});
  EXPECT_EQ(updated["options"], nlohmann::json({"smb", "mid", "enterprise"}));
  ASSERT_EQ(Crmctl({"fields", "versions", "account", "segment"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("smb;mid;enterprise"));
  EXPECT_THAT(out, HasSubstr("dave"));

  // Through the client as well.
  v1::GetCustomFieldRequest get;
  get.set_entity(v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  get.set_key("segment");
  absl::StatusOr<v1::CustomField> field = gateway_->customfields().GetCustomField(get);
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->type(), v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  EXPECT_EQ(field->default_value().choice_value(), "smb");
  EXPECT_EQ(field->version(), 2);
}

TEST_P(CustomFieldEndToEndTest, AccountsCreateStoresTypedValues) {
  DefineAccountFields();
  nlohmann::json created =
      CrmctlJson({"accounts", "create", "name=Typed GmbH", "--custom=segment=mid",
                  "--custom=budget=5000.50 EUR", "--custom=renewal=2027-01-31"});
  const nlohmann::json& custom = created["custom_fields"];
  EXPECT_EQ(custom["segment"].value("choice_value", ""), "mid");
  EXPECT_EQ(custom["budget"]["money_value"].value("currency_code", ""), "EUR");
  EXPECT_EQ(custom["budget"]["money_value"].value("units", ""), "5000");  // int64 as a string
  EXPECT_EQ(custom["budget"]["money_value"].value("nanos", 0), 500000000);
  EXPECT_EQ(custom["renewal"]["date_value"].value("year", 0), 2027);
  EXPECT_EQ(custom["renewal"]["date_value"].value("day", 0), 31);

  // Stored, as the client reads it back, and shown by key in the record.
  v1::GetAccountRequest get;
  get.set_id(created.value("id", ""));
  absl::StatusOr<v1::Account> account = gateway_->accounts().GetAccount(get);
  ASSERT_TRUE(account.ok()) << account.status();
  ASSERT_EQ(account->custom_fields().count("budget"), 1u);
  EXPECT_EQ(account->custom_fields().at("budget").money_value().units(), 5000);
  std::string out, err;
  ASSERT_EQ(Crmctl({"accounts", "get", get.id()}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("custom_fields.renewal"));
  EXPECT_THAT(out, HasSubstr("2027-01-31"));

  // `--custom=<key>=` on update clears that value and keeps the others.
  nlohmann::json updated =
      CrmctlJson({"accounts", "update", get.id(), "--custom=renewal=", "region=EMEA"});
  EXPECT_FALSE(updated["custom_fields"].contains("renewal")) << updated.dump();
  EXPECT_EQ(updated["custom_fields"]["segment"].value("choice_value", ""), "mid");
  EXPECT_EQ(updated.value("region", ""), "EMEA");
}

TEST_P(CustomFieldEndToEndTest, AccountsListFiltersOnCustomValues) {
  DefineAccountFields();
  const std::string small = CreateAccount("Small Co", {"segment=smb", "budget=800 EUR"});
  const std::string mid = CreateAccount("Mid Co", {"segment=mid", "budget=20000 EUR"});
  const std::string big = CreateAccount("Big Co", {"segment=mid", "budget=90000 EUR"});
  ASSERT_FALSE(small.empty() || mid.empty() || big.empty());

  std::string out, err;
  ASSERT_EQ(Crmctl({"accounts", "list", "--custom-filter=segment=mid"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(mid));
  EXPECT_THAT(out, HasSubstr(big));
  EXPECT_THAT(out, Not(HasSubstr(small)));

  ASSERT_EQ(
      Crmctl({"accounts", "list", "--custom-filter=segment=mid", "--custom-max=budget=50000 EUR"},
             &out, &err),
      0)
      << err;
  EXPECT_THAT(out, HasSubstr(mid));
  EXPECT_THAT(out, Not(HasSubstr(big)));
  EXPECT_THAT(out, Not(HasSubstr(small)));

  ASSERT_EQ(Crmctl({"accounts", "list", "--custom-min=budget=1000 EUR", "order=custom.budget desc"},
                   &out, &err),
            0)
      << err;
  ASSERT_THAT(out, HasSubstr(mid));
  EXPECT_LT(out.find(big), out.find(mid));  // the larger budget first
  EXPECT_THAT(out, Not(HasSubstr(small)));
}

TEST_P(CustomFieldEndToEndTest, UnknownKeysAndUnreadableValuesAreUsageErrors) {
  DefineAccountFields();
  std::string out, err;
  EXPECT_EQ(Crmctl({"accounts", "create", "name=Typo Co", "--custom=segmnet=smb"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--custom: no account field 'segmnet'"));
  EXPECT_THAT(err, HasSubstr("usage: crmctl accounts create"));

  EXPECT_EQ(Crmctl({"accounts", "list", "--custom-filter=nope=1"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--custom-filter: no account field 'nope'"));

  EXPECT_EQ(Crmctl({"accounts", "create", "name=Typo Co", "--custom=renewal=soon"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--custom: renewal: 'soon' is not a date"));

  // A space instead of '=' after the flag.
  EXPECT_EQ(Crmctl({"accounts", "create", "name=Typo Co", "--custom", "segment=smb"}, &out, &err),
            2);
  EXPECT_THAT(err, HasSubstr("--custom=<key>=<value>"));

  // Nothing was created by any of them.
  ASSERT_EQ(Crmctl({"accounts", "list"}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr("Typo Co")));

  // The server's own refusals stay call failures (exit 1): an option the field does not have.
  EXPECT_EQ(Crmctl({"accounts", "create", "name=Typo Co", "--custom=segment=huge"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("INVALID_ARGUMENT"));
}

TEST_P(CustomFieldEndToEndTest, DeleteHidesTheFieldAndUndeleteBringsItBack) {
  DefineAccountFields();
  const std::string id = CreateAccount("Hidden Co", {"segment=smb"});

  std::string out, err;
  ASSERT_EQ(Crmctl({"fields", "delete", "account", "segment"}, &out, &err), 0) << err;
  ASSERT_EQ(Crmctl({"fields", "list", "entity=account"}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr("segment")));
  ASSERT_EQ(Crmctl({"fields", "list", "entity=account", "--show-deleted"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("segment"));
  nlohmann::json hidden = CrmctlJson({"accounts", "get", id});
  EXPECT_FALSE(hidden["custom_fields"].contains("segment")) << hidden.dump();

  ASSERT_EQ(Crmctl({"fields", "undelete", "account", "segment"}, &out, &err), 0) << err;
  nlohmann::json back = CrmctlJson({"accounts", "get", id});
  EXPECT_EQ(back["custom_fields"]["segment"].value("choice_value", ""), "smb");
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomFieldEndToEndTest,
                         ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
