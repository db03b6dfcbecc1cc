// Custom fields: CustomFieldService's definitions, and account values through AccountService
// (create, get, update masks, removal, filters, orders, events, import and export), through a
// real in-process server on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/customfields/custom_fields.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/customfield.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "services/accounts/account_store.h"
#include "tests/customfields/custom_field_helpers.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::CustomField;
using crm::v1::CustomValue;
using testing::BoolValue;
using testing::CallAs;
using testing::ChoicesValue;
using testing::DateValue;
using testing::FieldDefinition;
using testing::FieldFilter;
using testing::HasCodeAndField;
using testing::IndexRowsOf;
using testing::MoneyValue;
using testing::NumberValue;
using testing::TextValue;

constexpr auto kAccount = crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT;
constexpr auto kContact = crm::v1::CUSTOM_FIELD_ENTITY_CONTACT;

class CustomFieldTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    fields_ = std::make_unique<testing::FieldAdmin>(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // A filterable account field.
  static CustomField Field(const std::string& key, crm::v1::CustomFieldType type) {
    return FieldDefinition(kAccount, key, type);
  }

  static Account MakeAccount(const std::string& name) {
    Account a;
    a.set_name(name);
    a.set_owner("alice");
    return a;
  }
  grpc::Status CreateAccount(const Account& account, Account* out) {
    crm::v1::CreateAccountRequest request;
    *request.mutable_account() = account;
    return accounts_->CreateAccount(CallAs().get(), request, out);
  }
  Account MustCreateAccount(const Account& account) {
    Account out;
    grpc::Status s = CreateAccount(account, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  Account GetAccount(const std::string& id) {
    crm::v1::GetAccountRequest request;
    request.set_id(id);
    Account out;
    grpc::Status s = accounts_->GetAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status UpdateAccount(const Account& patch, const std::vector<std::string>& paths, Account* out) {
    crm::v1::UpdateAccountRequest request;
    *request.mutable_account() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    return accounts_->UpdateAccount(CallAs().get(), request, out);
  }
  grpc::Status List(const crm::v1::ListAccountsRequest& request, crm::v1::ListAccountsResponse* out) {
    return accounts_->ListAccounts(CallAs().get(), request, out);
  }
  // Names of every account the request lists, following page tokens.
  std::vector<std::string> ListNames(crm::v1::ListAccountsRequest request) {
    return testing::TextsOfEveryPage(
        request, [this](const auto& r, auto* out) { return List(r, out); }, &crm::v1::ListAccountsResponse::accounts,
        [](const Account& a) { return a.name(); });
  }
  // A list of the accounts that meet one condition on a custom field.
  static crm::v1::ListAccountsRequest FilterRequest(const crm::v1::CustomFieldFilter& filter) {
    crm::v1::ListAccountsRequest request;
    *request.mutable_filter()->add_custom_fields() = filter;
    return request;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<testing::FieldAdmin> fields_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(CustomFieldTest, DefinitionsAreCreatedListedAndVersionedPerChange) {
  CustomField region = Field("sales_region", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  region.add_options("north");
  region.add_options("south");
  CustomField created = fields_->Create(region);
  EXPECT_EQ(created.id(), "account.sales_region");
  EXPECT_EQ(created.version(), 1);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(created.update_actor(), "alice");

  // Label and a new option: one version each change; the type and the old options are fixed.
  CustomField patch;
  patch.set_entity(kAccount);
  patch.set_key("sales_region");
  patch.set_label("Sales region");
  patch.add_options("north");
  patch.add_options("south");
  patch.add_options("east");
  CustomField updated;
  ASSERT_GRPC_OK(fields_->Update(patch, {"label", "options"}, &updated));
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.label(), "Sales region");
  EXPECT_EQ(updated.options_size(), 3);

  patch.clear_options();
  patch.add_options("north");
  EXPECT_TRUE(HasCodeAndField(fields_->Update(patch, {"options"}, &updated), grpc::StatusCode::INVALID_ARGUMENT,
                              "field.options"));
  patch.set_type(crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  crm::v1::UpdateCustomFieldRequest type_change;
  *type_change.mutable_field() = patch;
  type_change.mutable_update_mask()->add_paths("type");
  EXPECT_TRUE(HasCodeAndField(fields_->stub().UpdateCustomField(CallAs().get(), type_change, &updated),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));

  // A stale etag is refused.
  crm::v1::UpdateCustomFieldRequest stale;
  stale.mutable_field()->set_entity(kAccount);
  stale.mutable_field()->set_key("sales_region");
  stale.mutable_field()->set_label("Region");
  stale.set_etag(created.etag());
  EXPECT_EQ(fields_->stub().UpdateCustomField(CallAs().get(), stale, &updated).error_code(), grpc::StatusCode::ABORTED);

  fields_->SetRemoved(kAccount, "sales_region", true);
  crm::v1::ListCustomFieldVersionsRequest versions_request;
  versions_request.set_entity(kAccount);
  versions_request.set_key("sales_region");
  crm::v1::ListCustomFieldVersionsResponse versions;
  ASSERT_GRPC_OK(fields_->stub().ListCustomFieldVersions(CallAs().get(), versions_request, &versions));
  ASSERT_EQ(versions.versions_size(), 3);
  EXPECT_EQ(versions.versions(0).version(), 3);
  EXPECT_TRUE(versions.versions(0).has_delete_time());
  EXPECT_EQ(versions.versions(1).label(), "Sales region");
  EXPECT_EQ(versions.versions(2).label(), "sales_region label");
  EXPECT_EQ(versions.versions(2).options_size(), 2);

  // Lists hide removed fields unless asked; a removed field's key stays taken.
  fields_->Create(Field("budget", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  crm::v1::ListCustomFieldsRequest list;
  list.set_entity(kAccount);
  crm::v1::ListCustomFieldsResponse listed;
  ASSERT_GRPC_OK(fields_->stub().ListCustomFields(CallAs().get(), list, &listed));
  ASSERT_EQ(listed.fields_size(), 1);
  EXPECT_EQ(listed.fields(0).key(), "budget");
  list.set_show_deleted(true);
  ASSERT_GRPC_OK(fields_->stub().ListCustomFields(CallAs().get(), list, &listed));
  EXPECT_EQ(listed.fields_size(), 2);
  CustomField again;
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(region, &again), grpc::StatusCode::ALREADY_EXISTS, "field.key"));
}

TEST_P(CustomFieldTest, BadDefinitionsNameTheFieldAndOnlyAdminsChangeThem) {
  CustomField out;
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(Field("Bad Key", crm::v1::CUSTOM_FIELD_TYPE_TEXT), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "field.key"));
  CustomField no_type = Field("no_type", crm::v1::CUSTOM_FIELD_TYPE_UNSPECIFIED);
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(no_type, &out), grpc::StatusCode::INVALID_ARGUMENT, "field.type"));
  CustomField choice = Field("tier_choice", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(choice, &out), grpc::StatusCode::INVALID_ARGUMENT, "field.options"));
  CustomField pattern = Field("code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  pattern.mutable_validation()->set_pattern("([a-z");
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(pattern, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "field.validation.pattern"));
  CustomField bad_default = Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  *bad_default.mutable_default_value() = TextValue("ten");
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(bad_default, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "field.default_value"));
  CustomField bounds = Field("score", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  bounds.mutable_validation()->set_min(10);
  bounds.mutable_validation()->set_max(1);
  EXPECT_TRUE(HasCodeAndField(fields_->TryCreate(bounds, &out), grpc::StatusCode::INVALID_ARGUMENT, "field.validation.max"));

  server_->TokenFor("rep", crm::v1::ROLE_SALES_REP);
  EXPECT_EQ(fields_->TryCreate(Field("by_rep", crm::v1::CUSTOM_FIELD_TYPE_TEXT), &out, "rep").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  fields_->Create(Field("visible", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  crm::v1::GetCustomFieldRequest get;
  get.set_entity(kAccount);
  get.set_key("visible");
  ASSERT_GRPC_OK(fields_->stub().GetCustomField(CallAs("rep").get(), get, &out));
  get.set_key("missing");
  EXPECT_TRUE(HasCodeAndField(fields_->stub().GetCustomField(CallAs().get(), get, &out), grpc::StatusCode::NOT_FOUND, "key"));
}

TEST_P(CustomFieldTest, AccountValuesAreTypedCheckedDefaultedAndRequired) {
  CustomField contract_end = Field("contract_end", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  fields_->Create(contract_end);
  CustomField seats = Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  seats.mutable_validation()->set_min(1);
  *seats.mutable_default_value() = NumberValue(5);
  fields_->Create(seats);
  CustomField code = Field("customer_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  code.mutable_validation()->set_pattern("[A-Z]{3}-[0-9]+");
  fields_->Create(code);
  CustomField budget = Field("budget", crm::v1::CUSTOM_FIELD_TYPE_MONEY);
  fields_->Create(budget);
  CustomField products = Field("products", crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE);
  products.add_options("crm");
  products.add_options("erp");
  fields_->Create(products);

  Account input = MakeAccount("Typed");
  (*input.mutable_custom_fields())["contract_end"] = DateValue(2027, 3, 31);
  (*input.mutable_custom_fields())["customer_code"] = TextValue("ACM-42");
  (*input.mutable_custom_fields())["budget"] = MoneyValue("EUR", 125000);
  (*input.mutable_custom_fields())["products"] = ChoicesValue({"crm", "erp"});
  Account created = MustCreateAccount(input);
  Account fetched = GetAccount(created.id());
  ASSERT_EQ(fetched.custom_fields_size(), 5);
  EXPECT_EQ(fetched.custom_fields().at("contract_end").date_value().day(), 31);
  EXPECT_EQ(fetched.custom_fields().at("customer_code").text_value(), "ACM-42");
  EXPECT_EQ(fetched.custom_fields().at("budget").money_value().units(), 125000);
  EXPECT_EQ(fetched.custom_fields().at("products").choices_value().choices_size(), 2);
  EXPECT_EQ(fetched.custom_fields().at("seats").number_value(), 5);  // the default

  Account out;
  Account wrong_type = MakeAccount("Wrong type");
  (*wrong_type.mutable_custom_fields())["seats"] = TextValue("five");
  EXPECT_TRUE(HasCodeAndField(CreateAccount(wrong_type, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.seats"));
  Account unknown = MakeAccount("Unknown");
  (*unknown.mutable_custom_fields())["no_such_field"] = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(CreateAccount(unknown, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.no_such_field"));
  Account pattern = MakeAccount("Pattern");
  (*pattern.mutable_custom_fields())["customer_code"] = TextValue("acm42");
  EXPECT_TRUE(HasCodeAndField(CreateAccount(pattern, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.customer_code"));
  Account below_min = MakeAccount("Below");
  (*below_min.mutable_custom_fields())["seats"] = NumberValue(0);
  EXPECT_TRUE(HasCodeAndField(CreateAccount(below_min, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.seats"));
  Account bad_option = MakeAccount("Option");
  (*bad_option.mutable_custom_fields())["products"] = ChoicesValue({"crm", "hr"});
  EXPECT_TRUE(HasCodeAndField(CreateAccount(bad_option, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.products"));

  // Making a field required changes no stored account; new accounts must carry it.
  CustomField required_patch;
  required_patch.set_entity(kAccount);
  required_patch.set_key("contract_end");
  required_patch.set_required(true);
  CustomField changed;
  ASSERT_GRPC_OK(fields_->Update(required_patch, {"required"}, &changed));
  EXPECT_TRUE(HasCodeAndField(CreateAccount(MakeAccount("Lacks it"), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.custom_fields.contract_end"));
  // Neither that nor a new field nor a new option rewrote the stored account.
  fields_->Create(Field("added_later", crm::v1::CUSTOM_FIELD_TYPE_BOOLEAN));
  CustomField more_options;
  more_options.set_entity(kAccount);
  more_options.set_key("products");
  more_options.add_options("crm");
  more_options.add_options("erp");
  more_options.add_options("hr");
  ASSERT_GRPC_OK(fields_->Update(more_options, {"options"}, &changed));
  const Account after_changes = GetAccount(created.id());
  EXPECT_EQ(after_changes.etag(), created.etag());
  EXPECT_EQ(after_changes.custom_fields_size(), 5);

  // None of the refused creates left an account behind.
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(List(crm::v1::ListAccountsRequest(), &page));
  EXPECT_EQ(page.accounts_size(), 1);
}

TEST_P(CustomFieldTest, AnUpdateMaskNamesOneValueAndEventsCarryTheChange) {
  fields_->Create(Field("industry_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  Account input = MakeAccount("Masked");
  (*input.mutable_custom_fields())["industry_code"] = TextValue("C28");
  (*input.mutable_custom_fields())["seats"] = NumberValue(10);
  Account created = MustCreateAccount(input);

  // One value by path: the other stays.
  Account patch;
  patch.set_id(created.id());
  (*patch.mutable_custom_fields())["seats"] = NumberValue(12);
  Account updated;
  ASSERT_GRPC_OK(UpdateAccount(patch, {"custom_fields.seats"}, &updated));
  EXPECT_EQ(updated.custom_fields().at("seats").number_value(), 12);
  EXPECT_EQ(updated.custom_fields().at("industry_code").text_value(), "C28");
  // The value index follows each update.
  const CustomValue twelve = NumberValue(12), c28 = TextValue("C28"), c29 = TextValue("C29");
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("seats", &twelve))), std::vector<std::string>{"Masked"});

  // A path whose value the patch leaves out clears it.
  Account clear;
  clear.set_id(created.id());
  ASSERT_GRPC_OK(UpdateAccount(clear, {"custom_fields.industry_code"}, &updated));
  EXPECT_FALSE(updated.custom_fields().contains("industry_code"));
  EXPECT_EQ(updated.custom_fields().at("seats").number_value(), 12);
  EXPECT_TRUE(ListNames(FilterRequest(FieldFilter("industry_code", &c28))).empty());

  // An empty mask sets the values given and keeps the others.
  Account merge;
  merge.set_id(created.id());
  (*merge.mutable_custom_fields())["industry_code"] = TextValue("C29");
  ASSERT_GRPC_OK(UpdateAccount(merge, {}, &updated));
  EXPECT_EQ(updated.custom_fields().at("industry_code").text_value(), "C29");
  EXPECT_EQ(updated.custom_fields().at("seats").number_value(), 12);
  EXPECT_EQ(GetAccount(created.id()).custom_fields().at("industry_code").text_value(), "C29");
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("industry_code", &c29))), std::vector<std::string>{"Masked"});

  Account wrong;
  wrong.set_id(created.id());
  (*wrong.mutable_custom_fields())["seats"] = TextValue("many");
  EXPECT_TRUE(HasCodeAndField(UpdateAccount(wrong, {"custom_fields.seats"}, &updated),
                              grpc::StatusCode::INVALID_ARGUMENT, "account.custom_fields.seats"));

  // The event names the value's path, as the mask does.
  crm::v1::ListEventsRequest events_request;
  events_request.add_types("account.updated");
  crm::v1::ListEventsResponse events;
  ASSERT_GRPC_OK(events_->ListEvents(CallAs().get(), events_request, &events));
  ASSERT_EQ(events.events_size(), 3);
  ASSERT_EQ(events.events(0).changes_size(), 1);
  EXPECT_EQ(events.events(0).changes(0).field(), "custom_fields.seats");
  EXPECT_EQ(events.events(0).changes(0).before(), R"({"number_value":10})");
  EXPECT_EQ(events.events(0).changes(0).after(), R"({"number_value":12})");
  EXPECT_EQ(events.events(1).changes(0).field(), "custom_fields.industry_code");
  EXPECT_EQ(events.events(1).changes(0).after(), "");
}

TEST_P(CustomFieldTest, ARemovedFieldIsHiddenKeptThroughUpdatesAndBackOnUndelete) {
  fields_->Create(Field("legacy_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  Account input = MakeAccount("Keeps it");
  (*input.mutable_custom_fields())["legacy_code"] = TextValue("L-1");
  (*input.mutable_custom_fields())["seats"] = NumberValue(3);
  Account created = MustCreateAccount(input);

  fields_->SetRemoved(kAccount, "legacy_code", true);
  Account hidden = GetAccount(created.id());
  EXPECT_FALSE(hidden.custom_fields().contains("legacy_code"));
  EXPECT_TRUE(hidden.custom_fields().contains("seats"));

  // Writes refuse the removed field; replacing the whole map does not drop its hidden value.
  Account out;
  Account write_removed;
  write_removed.set_id(created.id());
  (*write_removed.mutable_custom_fields())["legacy_code"] = TextValue("L-2");
  EXPECT_TRUE(HasCodeAndField(UpdateAccount(write_removed, {"custom_fields.legacy_code"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account.custom_fields.legacy_code"));
  Account replace;
  replace.set_id(created.id());
  (*replace.mutable_custom_fields())["seats"] = NumberValue(4);
  ASSERT_GRPC_OK(UpdateAccount(replace, {"custom_fields"}, &out));
  EXPECT_FALSE(out.custom_fields().contains("legacy_code"));
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(List(crm::v1::ListAccountsRequest(), &page));
  ASSERT_EQ(page.accounts_size(), 1);
  EXPECT_FALSE(page.accounts(0).custom_fields().contains("legacy_code"));
  // Filtering on it is refused while it is removed.
  CustomValue code = TextValue("L-1");
  EXPECT_TRUE(HasCodeAndField(List(FilterRequest(FieldFilter("legacy_code", &code)), &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.custom_fields[0].key"));

  fields_->SetRemoved(kAccount, "legacy_code", false);
  Account back = GetAccount(created.id());
  ASSERT_TRUE(back.custom_fields().contains("legacy_code"));
  EXPECT_EQ(back.custom_fields().at("legacy_code").text_value(), "L-1");
  EXPECT_EQ(back.custom_fields().at("seats").number_value(), 4);
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("legacy_code", &code))), std::vector<std::string>{"Keeps it"});
}

TEST_P(CustomFieldTest, ListsFilterOnValuesOfEveryIndexedType) {
  fields_->Create(Field("segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  fields_->Create(Field("budget", crm::v1::CUSTOM_FIELD_TYPE_MONEY));
  fields_->Create(Field("renewal", crm::v1::CUSTOM_FIELD_TYPE_DATE));
  fields_->Create(Field("partner", crm::v1::CUSTOM_FIELD_TYPE_BOOLEAN));
  CustomField products = Field("products", crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE);
  products.add_options("crm");
  products.add_options("erp");
  products.add_options("hr");
  fields_->Create(products);
  CustomField hidden = Field("private_note", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  hidden.set_filterable(false);
  fields_->Create(hidden);

  const auto make = [&](const std::string& name, const std::string& segment, double seats, CustomValue budget,
                        CustomValue renewal, bool partner, const std::vector<std::string>& product_list) {
    Account a = MakeAccount(name);
    (*a.mutable_custom_fields())["segment"] = TextValue(segment);
    (*a.mutable_custom_fields())["seats"] = NumberValue(seats);
    (*a.mutable_custom_fields())["budget"] = std::move(budget);
    (*a.mutable_custom_fields())["renewal"] = std::move(renewal);
    (*a.mutable_custom_fields())["partner"] = BoolValue(partner);
    (*a.mutable_custom_fields())["products"] = ChoicesValue(product_list);
    MustCreateAccount(a);
  };
  make("A", "smb", 5, MoneyValue("EUR", 1000), DateValue(2027, 1, 15), true, {"crm"});
  make("B", "enterprise", 500, MoneyValue("EUR", 90000), DateValue(2027, 6, 30), false, {"crm", "erp"});
  make("C", "enterprise", 1200, MoneyValue("USD", 90000), DateValue(2028, 1, 1), true, {"erp", "hr"});
  MustCreateAccount(MakeAccount("D without values"));

  CustomValue enterprise = TextValue("enterprise");
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("segment", &enterprise))), (std::vector<std::string>{"B", "C"}));
  // An equality drives the list from the value index: page by page, either way round.
  crm::v1::ListAccountsRequest paged = FilterRequest(FieldFilter("segment", &enterprise));
  paged.set_page_size(1);
  EXPECT_EQ(ListNames(paged), (std::vector<std::string>{"B", "C"}));
  paged.set_order_by("id desc");
  EXPECT_EQ(ListNames(paged), (std::vector<std::string>{"C", "B"}));
  CustomValue min_seats = NumberValue(100), max_seats = NumberValue(1000);
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("seats", nullptr, &min_seats, &max_seats))), std::vector<std::string>{"B"});
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("seats", nullptr, &min_seats))), (std::vector<std::string>{"B", "C"}));
  CustomValue min_eur = MoneyValue("EUR", 50000);
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("budget", nullptr, &min_eur))), std::vector<std::string>{"B"});
  CustomValue from = DateValue(2027, 1, 1), to = DateValue(2027, 12, 31);
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("renewal", nullptr, &from, &to))), (std::vector<std::string>{"A", "B"}));
  CustomValue yes = BoolValue(true);
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("partner", &yes))), (std::vector<std::string>{"A", "C"}));
  CustomValue erp = ChoicesValue({"erp"});
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("products", &erp))), (std::vector<std::string>{"B", "C"}));
  CustomValue crm_and_erp = ChoicesValue({"crm", "erp"});
  EXPECT_EQ(ListNames(FilterRequest(FieldFilter("products", &crm_and_erp))), std::vector<std::string>{"B"});

  // Two conditions, and a built-in filter beside them.
  crm::v1::ListAccountsRequest both = FilterRequest(FieldFilter("segment", &enterprise));
  *both.mutable_filter()->add_custom_fields() = FieldFilter("partner", &yes);
  EXPECT_EQ(ListNames(both), std::vector<std::string>{"C"});
  both.mutable_filter()->set_text("b");
  EXPECT_TRUE(ListNames(both).empty());

  crm::v1::ListAccountsResponse page;
  CustomValue note = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(List(FilterRequest(FieldFilter("private_note", &note)), &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.custom_fields[0].key"));
  CustomValue wrong = TextValue("five");
  EXPECT_TRUE(HasCodeAndField(List(FilterRequest(FieldFilter("seats", &wrong)), &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.custom_fields[0].equals"));
  CustomValue usd = MoneyValue("USD", 1);
  EXPECT_TRUE(HasCodeAndField(List(FilterRequest(FieldFilter("budget", nullptr, &min_eur, &usd)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "filter.custom_fields[0].max"));
  EXPECT_TRUE(HasCodeAndField(List(FilterRequest(FieldFilter("segment", nullptr)), &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.custom_fields[0]"));
}

TEST_P(CustomFieldTest, ListsOrderByACustomFieldAcrossPagesWithAccountsLackingItLast) {
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  CustomField products = Field("products", crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE);
  products.add_options("crm");
  fields_->Create(products);
  const std::vector<std::pair<std::string, double>> seats = {{"s30", 30}, {"s10", 10}, {"s20a", 20}, {"s20b", 20},
                                                            {"s5", 5}};
  for (const auto& [name, n] : seats) {
    Account a = MakeAccount(name);
    (*a.mutable_custom_fields())["seats"] = NumberValue(n);
    MustCreateAccount(a);
  }
  MustCreateAccount(MakeAccount("none1"));
  MustCreateAccount(MakeAccount("none2"));

  crm::v1::ListAccountsRequest request;
  request.set_order_by("custom.seats");
  request.set_page_size(2);
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{"s5", "s10", "s20a", "s20b", "s30", "none1", "none2"}));
  request.set_order_by("custom.seats desc");
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{"s30", "s20b", "s20a", "s10", "s5", "none2", "none1"}));
  request.set_page_size(3);
  request.set_order_by("custom.seats");
  EXPECT_EQ(ListNames(request), (std::vector<std::string>{"s5", "s10", "s20a", "s20b", "s30", "none1", "none2"}));

  crm::v1::ListAccountsResponse page;
  request.set_order_by("custom.products");
  EXPECT_TRUE(HasCodeAndField(List(request, &page), grpc::StatusCode::INVALID_ARGUMENT, "order_by"));
  request.set_order_by("custom.nothing");
  EXPECT_TRUE(HasCodeAndField(List(request, &page), grpc::StatusCode::INVALID_ARGUMENT, "order_by"));
}

// An equality with an order by another custom field is read two ways (driven from the equality
// and sorted when it matches few accounts, the order walked when it matches many): both give the
// same accounts in the same order, from the start and from a position in either run.
TEST_P(CustomFieldTest, AnEqualityInCustomOrderReadsTheSameEitherWay) {
  fields_->Create(Field("segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  std::map<std::string, std::string> ids;
  const auto make = [&](const std::string& name, const std::string& segment, std::optional<double> seats) {
    Account a = MakeAccount(name);
    (*a.mutable_custom_fields())["segment"] = TextValue(segment);
    if (seats) (*a.mutable_custom_fields())["seats"] = NumberValue(*seats);
    ids[name] = MustCreateAccount(a).id();
  };
  make("e30", "ent", 30);
  make("s10", "smb", 10);
  make("e10", "ent", 10);
  make("e20a", "ent", 20);
  make("e-none1", "ent", std::nullopt);
  make("s5", "smb", 5);
  make("e20b", "ent", 20);
  make("e-none2", "ent", std::nullopt);
  make("s-none", "smb", std::nullopt);

  customfields::IndexCondition ent;
  ent.field_key = "segment";
  ent.equals = customfields::IndexKeysOf(TextValue("ent")).front();
  const auto list = [&](bool descending, std::optional<customfields::CustomOrderPosition> after, int64_t bound) {
    accounts::AccountListQuery query;
    query.custom_conditions = {ent};
    query.custom_order = customfields::IndexOrder{"seats", descending};
    query.custom_after = std::move(after);
    query.few_matches = bound;
    query.limit = 100;
    absl::StatusOr<std::vector<Account>> listed = db::ReadValue(
        *server_->runtime().db, absl::InfiniteFuture(),
        [&](soci::session& sql) { return accounts::AccountStore::List(sql, query); });
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const Account& a : *listed) names.push_back(a.name());
    }
    return names;
  };
  constexpr int64_t kDrive = 1000000, kWalk = 0;
  const std::vector<std::string> ascending = {"e10", "e20a", "e20b", "e30", "e-none1", "e-none2"};
  const std::vector<std::string> descending = {"e30", "e20b", "e20a", "e10", "e-none2", "e-none1"};
  for (int64_t bound : {kDrive, kWalk}) {
    SCOPED_TRACE(bound == kDrive ? "driven" : "walked");
    EXPECT_EQ(list(false, std::nullopt, bound), ascending);
    EXPECT_EQ(list(true, std::nullopt, bound), descending);
    // After e20a (seats 20): the rest of the value run, then the accounts without seats.
    customfields::CustomOrderPosition in_value_run;
    in_value_run.key = customfields::IndexKeysOf(NumberValue(20)).front();
    in_value_run.id = ids["e20a"];
    EXPECT_EQ(list(false, in_value_run, bound), (std::vector<std::string>{"e20b", "e30", "e-none1", "e-none2"}));
    // After e-none1: in the missing run.
    customfields::CustomOrderPosition in_missing_run;
    in_missing_run.has_value = false;
    in_missing_run.id = ids["e-none1"];
    EXPECT_EQ(list(false, in_missing_run, bound), (std::vector<std::string>{"e-none2"}));
  }
  // Through the service, page by page.
  CustomValue ent_value = TextValue("ent");
  crm::v1::ListAccountsRequest request = FilterRequest(FieldFilter("segment", &ent_value));
  request.set_order_by("custom.seats");
  request.set_page_size(2);
  EXPECT_EQ(ListNames(request), ascending);
}

// One range in id order is read two ways too (the matches sorted when few, the accounts walked
// in id order and the range tested per account when many): same accounts, same order.
TEST_P(CustomFieldTest, ARangeInIdOrderReadsTheSameEitherWay) {
  fields_->Create(Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER));
  std::map<std::string, std::string> ids;
  for (const auto& [name, seats] : std::vector<std::pair<std::string, std::optional<double>>>{
           {"a5", 5}, {"b50", 50}, {"c15", 15}, {"d-none", std::nullopt}, {"e20", 20}, {"f10", 10}, {"g25", 25}}) {
    Account a = MakeAccount(name);
    if (seats) (*a.mutable_custom_fields())["seats"] = NumberValue(*seats);
    ids[name] = MustCreateAccount(a).id();
  }
  customfields::IndexCondition range;
  range.field_key = "seats";
  range.kind = customfields::IndexCondition::Kind::kNumberRange;
  range.equals.text = customfields::IndexKeysOf(NumberValue(10)).front().text;
  range.min_number = 10;
  range.max_number = 25;
  const auto list = [&](bool descending, const std::string& after_id, int64_t few_matches) {
    accounts::AccountListQuery query;
    query.custom_conditions = {range};
    query.descending = descending;
    query.after_id = after_id;
    query.few_matches = few_matches;
    query.limit = 100;
    absl::StatusOr<std::vector<Account>> listed = db::ReadValue(
        *server_->runtime().db, absl::InfiniteFuture(),
        [&](soci::session& sql) { return accounts::AccountStore::List(sql, query); });
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const Account& a : *listed) names.push_back(a.name());
    }
    return names;
  };
  for (int64_t few_matches : {int64_t{1000000}, int64_t{0}}) {
    SCOPED_TRACE(few_matches == 0 ? "per account" : "sorted");
    EXPECT_EQ(list(false, "", few_matches), (std::vector<std::string>{"c15", "e20", "f10", "g25"}));
    EXPECT_EQ(list(true, "", few_matches), (std::vector<std::string>{"g25", "f10", "e20", "c15"}));
    EXPECT_EQ(list(false, ids["e20"], few_matches), (std::vector<std::string>{"f10", "g25"}));
  }
}

TEST_P(CustomFieldTest, ImportAndExportCarryCustomValues) {
  fields_->Create(Field("segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  CustomField seats = Field("seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  *seats.mutable_default_value() = NumberValue(1);
  fields_->Create(seats);

  auto import = [&](const std::vector<Account>& rows, crm::v1::ImportAccountsResponse* response) {
    auto context = CallAs();
    auto writer = accounts_->ImportAccounts(context.get(), response);
    crm::v1::ImportAccountsRequest request;
    for (const Account& row : rows) {
      *request.mutable_account() = row;
      writer->Write(request);
    }
    writer->WritesDone();
    return writer->Finish();
  };
  Account good = MakeAccount("Imported");
  good.set_external_key("ext-1");
  (*good.mutable_custom_fields())["segment"] = TextValue("smb");
  Account bad = MakeAccount("Bad row");
  bad.set_external_key("ext-2");
  (*bad.mutable_custom_fields())["seats"] = TextValue("x");
  crm::v1::ImportAccountsResponse response;
  ASSERT_GRPC_OK(import({good, bad}, &response));
  EXPECT_EQ(response.created(), 1);
  EXPECT_EQ(response.failed(), 1);
  ASSERT_EQ(response.errors_size(), 1);
  EXPECT_EQ(response.errors(0).index(), 1);

  // Re-importing with a changed value updates the account.
  (*good.mutable_custom_fields())["segment"] = TextValue("mid");
  (*good.mutable_custom_fields())["seats"] = NumberValue(1);
  ASSERT_GRPC_OK(import({good}, &response));
  EXPECT_EQ(response.updated(), 1);

  crm::v1::ExportAccountsRequest export_request;
  const CustomValue mid = TextValue("mid");
  *export_request.mutable_filter()->add_custom_fields() = FieldFilter("segment", &mid);
  auto context = CallAs();
  auto reader = accounts_->ExportAccounts(context.get(), export_request);
  std::vector<Account> exported;
  Account row;
  while (reader->Read(&row)) exported.push_back(row);
  ASSERT_GRPC_OK(reader->Finish());
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(exported[0].custom_fields().at("segment").text_value(), "mid");
  EXPECT_EQ(exported[0].custom_fields().at("seats").number_value(), 1);  // the default, given at creation
}

TEST_P(CustomFieldTest, LeadConversionGivesTheNewAccountDefaultsAndStopsAtARequiredFieldWithout) {
  auto pipeline = crm::v1::PipelineService::NewStub(server_->channel());
  const auto convert = [&](const std::string& company, crm::v1::ConvertLeadResponse* response) {
    crm::v1::CreateLeadRequest create;
    create.mutable_lead()->set_full_name("Jane Roe");
    create.mutable_lead()->set_company_name(company);
    crm::v1::Lead lead;
    grpc::Status created = pipeline->CreateLead(CallAs().get(), create, &lead);
    EXPECT_TRUE(created.ok()) << created.error_message();
    crm::v1::ConvertLeadRequest request;
    request.set_id(lead.id());
    return pipeline->ConvertLead(CallAs().get(), request, response);
  };
  CustomField segment = Field("segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  segment.set_required(true);
  *segment.mutable_default_value() = TextValue("unsorted");
  fields_->Create(segment);
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(convert("Defaulted GmbH", &converted));
  EXPECT_EQ(GetAccount(converted.account_id()).custom_fields().at("segment").text_value(), "unsorted");

  CustomField audit_date = Field("audit_date", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  audit_date.set_required(true);
  fields_->Create(audit_date);
  const grpc::Status refused = convert("Blocked GmbH", &converted);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_NE(refused.error_message().find("account.custom_fields.audit_date"), std::string::npos)
      << refused.error_message();
}

TEST_P(CustomFieldTest, ContactsCarryCheckFilterAndHideTheirOwnFields) {
  Account account = MustCreateAccount(MakeAccount("Has contacts"));
  CustomField languages = FieldDefinition(kContact, "languages", crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE);
  languages.add_options("de");
  languages.add_options("en");
  fields_->Create(languages);
  fields_->Create(FieldDefinition(kContact, "badge_id", crm::v1::CUSTOM_FIELD_TYPE_TEXT));
  // An account field of the same key is another field: contacts cannot use it.
  fields_->Create(Field("segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT));

  const auto create = [&](const std::string& name, const crm::v1::Contact& extra, crm::v1::Contact* out) {
    crm::v1::CreateContactRequest request;
    *request.mutable_contact() = extra;
    request.mutable_contact()->set_account_id(account.id());
    request.mutable_contact()->set_full_name(name);
    return accounts_->CreateContact(CallAs().get(), request, out);
  };
  crm::v1::Contact with_values;
  (*with_values.mutable_custom_fields())["languages"] = ChoicesValue({"de", "en"});
  (*with_values.mutable_custom_fields())["badge_id"] = TextValue("B-7");
  crm::v1::Contact anna;
  ASSERT_GRPC_OK(create("Anna", with_values, &anna));
  crm::v1::Contact english_only;
  (*english_only.mutable_custom_fields())["languages"] = ChoicesValue({"en"});
  crm::v1::Contact ben;
  ASSERT_GRPC_OK(create("Ben", english_only, &ben));
  crm::v1::Contact out;
  crm::v1::Contact account_field;
  (*account_field.mutable_custom_fields())["segment"] = TextValue("smb");
  EXPECT_TRUE(HasCodeAndField(create("Carl", account_field, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "contact.custom_fields.segment"));

  const auto list = [&](const std::vector<std::string>& options) {
    crm::v1::ListContactsRequest request;
    request.set_account_id(account.id());
    const CustomValue chosen = ChoicesValue(options);
    if (!options.empty()) *request.add_custom_fields() = FieldFilter("languages", &chosen);
    crm::v1::ListContactsResponse response;
    grpc::Status s = accounts_->ListContacts(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> names;
    for (const crm::v1::Contact& c : response.contacts()) names.push_back(c.full_name());
    return names;
  };
  EXPECT_EQ(list({"de"}), std::vector<std::string>{"Anna"});
  EXPECT_EQ(list({"en"}), (std::vector<std::string>{"Anna", "Ben"}));
  crm::v1::ListContactsRequest unknown_filter;
  unknown_filter.set_account_id(account.id());
  const CustomValue smb = TextValue("smb");
  *unknown_filter.add_custom_fields() = FieldFilter("segment", &smb);  // an account field
  crm::v1::ListContactsResponse none;
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), unknown_filter, &none),
                              grpc::StatusCode::INVALID_ARGUMENT, "custom_fields[0].key"));

  // One value by mask; a removed field is hidden from Get and List and comes back.
  crm::v1::UpdateContactRequest update;
  update.mutable_contact()->set_id(ben.id());
  (*update.mutable_contact()->mutable_custom_fields())["badge_id"] = TextValue("B-8");
  update.mutable_update_mask()->add_paths("custom_fields.badge_id");
  crm::v1::Contact updated;
  ASSERT_GRPC_OK(accounts_->UpdateContact(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.custom_fields().at("badge_id").text_value(), "B-8");
  EXPECT_EQ(updated.custom_fields().at("languages").choices_value().choices(0), "en");
  // The value index follows the update.
  crm::v1::ListContactsRequest by_badge;
  by_badge.set_account_id(account.id());
  const CustomValue b8 = TextValue("B-8");
  *by_badge.add_custom_fields() = FieldFilter("badge_id", &b8);
  crm::v1::ListContactsResponse badged;
  ASSERT_GRPC_OK(accounts_->ListContacts(CallAs().get(), by_badge, &badged));
  ASSERT_EQ(badged.contacts_size(), 1);
  EXPECT_EQ(badged.contacts(0).full_name(), "Ben");

  fields_->SetRemoved(kContact, "badge_id", true);
  crm::v1::GetContactRequest get;
  get.set_id(anna.id());
  crm::v1::Contact fetched;
  ASSERT_GRPC_OK(accounts_->GetContact(CallAs().get(), get, &fetched));
  EXPECT_FALSE(fetched.custom_fields().contains("badge_id"));
  EXPECT_TRUE(fetched.custom_fields().contains("languages"));
  fields_->SetRemoved(kContact, "badge_id", false);
  ASSERT_GRPC_OK(accounts_->GetContact(CallAs().get(), get, &fetched));
  EXPECT_EQ(fetched.custom_fields().at("badge_id").text_value(), "B-7");

  // A deleted contact leaves no index rows behind.
  EXPECT_EQ(IndexRowsOf(*server_, anna.id()), 3);  // de, en, B-7
  crm::v1::DeleteContactRequest delete_anna;
  delete_anna.set_id(anna.id());
  crm::v1::DeleteContactResponse deleted;
  ASSERT_GRPC_OK(accounts_->DeleteContact(CallAs().get(), delete_anna, &deleted));
  EXPECT_EQ(IndexRowsOf(*server_, anna.id()), 0);
  EXPECT_TRUE(list({"de"}).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomFieldTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
