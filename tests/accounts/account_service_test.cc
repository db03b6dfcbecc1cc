// AccountService accounts, through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using testing::CallAs;
using testing::HasCodeAndField;

class AccountServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  Account MakeAccount(const std::string& name) {
    Account a;
    a.set_name(name);
    a.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    a.set_industry("manufacturing");
    a.set_region("EMEA");
    a.set_owner("alice");
    return a;
  }

  grpc::Status Create(const Account& account, Account* out, const std::string& request_id = "") {
    crm::v1::CreateAccountRequest request;
    *request.mutable_account() = account;
    request.set_request_id(request_id);
    return accounts_->CreateAccount(CallAs().get(), request, out);
  }

  Account MustCreate(const Account& account) {
    Account out;
    grpc::Status s = Create(account, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  int64_t CountEvents(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.events_size();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(AccountServiceTest, CreateThenGetReturnsTheStoredAccount) {
  Account input = MakeAccount("Acme GmbH");
  input.add_tags("priority");
  input.add_tags("emea");
  input.mutable_annual_revenue()->set_currency_code("EUR");
  input.mutable_annual_revenue()->set_units(1200000);
  input.mutable_annual_revenue()->set_nanos(500000000);
  Account created = MustCreate(input);
  EXPECT_EQ(created.id().substr(0, 4), "acc_");
  EXPECT_FALSE(created.etag().empty());
  EXPECT_TRUE(created.has_create_time());

  crm::v1::GetAccountRequest get;
  get.set_id(created.id());
  Account fetched;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &fetched));
  EXPECT_EQ(fetched.name(), "Acme GmbH");
  EXPECT_EQ(fetched.annual_revenue().units(), 1200000);
  EXPECT_EQ(fetched.annual_revenue().nanos(), 500000000);
  EXPECT_EQ(fetched.annual_revenue().currency_code(), "EUR");
  ASSERT_EQ(fetched.tags_size(), 2);
  EXPECT_EQ(fetched.tags(0), "priority");
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_EQ(fetched.create_time().seconds(), created.create_time().seconds());
  EXPECT_EQ(CountEvents("account.created"), 1);
}

TEST_P(AccountServiceTest, RetriedCreateWithSameRequestIdReturnsFirstResultAndWritesNothing) {
  Account first, second;
  ASSERT_GRPC_OK(Create(MakeAccount("Once Ltd"), &first, "req-1"));
  ASSERT_GRPC_OK(Create(MakeAccount("Once Ltd"), &second, "req-1"));
  EXPECT_EQ(first.id(), second.id());
  crm::v1::ListAccountsRequest list;
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  EXPECT_EQ(page.accounts_size(), 1);
  EXPECT_EQ(CountEvents("account.created"), 1);

  // The same request id with a different body is a caller bug, not a retry.
  Account other;
  EXPECT_TRUE(HasCodeAndField(Create(MakeAccount("Other"), &other, "req-1"), grpc::StatusCode::ALREADY_EXISTS,
                              "request_id"));
}

TEST_P(AccountServiceTest, BadInputIsRejectedWithTheFieldNamedAndNothingWritten) {
  Account out;
  EXPECT_TRUE(HasCodeAndField(Create(MakeAccount(""), &out), grpc::StatusCode::INVALID_ARGUMENT, "account.name"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeAccount("   "), &out), grpc::StatusCode::INVALID_ARGUMENT, "account.name"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeAccount(std::string(201, 'x')), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.name"));
  Account bad_enum = MakeAccount("Enum");
  bad_enum.set_kind(static_cast<crm::v1::AccountKind>(42));
  EXPECT_TRUE(HasCodeAndField(Create(bad_enum, &out), grpc::StatusCode::INVALID_ARGUMENT, "account.kind"));
  Account negative = MakeAccount("Negative");
  negative.mutable_annual_revenue()->set_currency_code("EUR");
  negative.mutable_annual_revenue()->set_units(-5);
  EXPECT_TRUE(HasCodeAndField(Create(negative, &out), grpc::StatusCode::INVALID_ARGUMENT, "account.annual_revenue"));
  Account currency = MakeAccount("Currency");
  currency.mutable_annual_revenue()->set_currency_code("euro");
  EXPECT_TRUE(HasCodeAndField(Create(currency, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "account.annual_revenue.currency_code"));
  Account control = MakeAccount(std::string("bell \x07 name"));
  EXPECT_TRUE(HasCodeAndField(Create(control, &out), grpc::StatusCode::INVALID_ARGUMENT, "account.name"));
  Account person_field = MakeAccount("Company with age");
  person_field.set_age_band(crm::v1::AGE_BAND_25_34);
  EXPECT_TRUE(HasCodeAndField(Create(person_field, &out), grpc::StatusCode::INVALID_ARGUMENT, "account.age_band"));
  crm::v1::CreateAccountRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->CreateAccount(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account"));

  crm::v1::ListAccountsRequest list;
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  EXPECT_EQ(page.accounts_size(), 0);
  EXPECT_EQ(CountEvents("account."), 0);
}

TEST_P(AccountServiceTest, GetUnknownOrMalformedIdNamesTheField) {
  crm::v1::GetAccountRequest get;
  Account out;
  get.set_id("acc_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(accounts_->GetAccount(CallAs().get(), get, &out), grpc::StatusCode::NOT_FOUND, "id"));
  get.set_id("");
  EXPECT_TRUE(HasCodeAndField(accounts_->GetAccount(CallAs().get(), get, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "id"));
  get.set_id("'; DROP TABLE accounts; --");
  EXPECT_TRUE(HasCodeAndField(accounts_->GetAccount(CallAs().get(), get, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "id"));
}

TEST_P(AccountServiceTest, UpdateAppliesOnlyMaskedFieldsAndRecordsTheChange) {
  Account created = MustCreate(MakeAccount("Before"));
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id(created.id());
  update.mutable_account()->set_name("After");
  update.mutable_account()->set_region("APAC");  // not in the mask: must not change
  update.mutable_update_mask()->add_paths("name");
  update.set_etag(created.etag());
  Account updated;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.name(), "After");
  EXPECT_EQ(updated.region(), "EMEA");
  EXPECT_NE(updated.etag(), created.etag());

  crm::v1::ListEventsRequest list;
  list.add_types("account.updated");
  crm::v1::ListEventsResponse events;
  ASSERT_GRPC_OK(events_->ListEvents(CallAs().get(), list, &events));
  ASSERT_EQ(events.events_size(), 1);
  const crm::v1::Event& event = events.events(0);
  EXPECT_EQ(event.entity_id(), created.id());
  EXPECT_EQ(event.actor(), "alice");
  ASSERT_EQ(event.changes_size(), 1);
  EXPECT_EQ(event.changes(0).field(), "name");
  EXPECT_EQ(event.changes(0).before(), "\"Before\"");
  EXPECT_EQ(event.changes(0).after(), "\"After\"");
}

TEST_P(AccountServiceTest, StaleEtagIsAbortedAndChangesNothing) {
  Account created = MustCreate(MakeAccount("Etag"));
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id(created.id());
  update.mutable_account()->set_industry("retail");
  update.mutable_update_mask()->add_paths("industry");
  update.set_etag(created.etag());
  Account updated;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), update, &updated));

  update.mutable_account()->set_industry("energy");
  Account ignored;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &ignored), grpc::StatusCode::ABORTED));
  crm::v1::GetAccountRequest get;
  get.set_id(created.id());
  Account fetched;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &fetched));
  EXPECT_EQ(fetched.industry(), "retail");
  EXPECT_EQ(fetched.etag(), updated.etag());

  update.set_etag("garbage");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &ignored),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));
}

TEST_P(AccountServiceTest, UnknownOrReadOnlyMaskPathsAreRejected) {
  Account created = MustCreate(MakeAccount("Mask"));
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id(created.id());
  update.mutable_update_mask()->add_paths("name");
  update.mutable_update_mask()->add_paths("no_such_field");
  update.mutable_account()->set_name("x");
  Account out;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]"));
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("tier");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("name");
  update.mutable_account()->set_name("");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account.name"));
  update.mutable_account()->set_id("acc_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  update.mutable_account()->set_name("ok");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), update, &out), grpc::StatusCode::NOT_FOUND,
                              "account.id"));
}

TEST_P(AccountServiceTest, SoftDeleteHidesFromListsAndUndeleteRestores) {
  Account keep = MustCreate(MakeAccount("Keep"));
  Account gone = MustCreate(MakeAccount("Gone"));
  crm::v1::DeleteAccountRequest del;
  del.set_id(gone.id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  EXPECT_TRUE(deleted.has_delete_time());
  EXPECT_TRUE(HasCodeAndField(accounts_->DeleteAccount(CallAs().get(), del, &deleted),
                              grpc::StatusCode::FAILED_PRECONDITION, "id"));

  crm::v1::ListAccountsRequest list;
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  ASSERT_EQ(page.accounts_size(), 1);
  EXPECT_EQ(page.accounts(0).id(), keep.id());
  list.set_show_deleted(true);
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  EXPECT_EQ(page.accounts_size(), 2);

  crm::v1::UndeleteAccountRequest undelete;
  undelete.set_id(gone.id());
  Account restored;
  ASSERT_GRPC_OK(accounts_->UndeleteAccount(CallAs().get(), undelete, &restored));
  EXPECT_FALSE(restored.has_delete_time());
  EXPECT_TRUE(HasCodeAndField(accounts_->UndeleteAccount(CallAs().get(), undelete, &restored),
                              grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(CountEvents("account.deleted"), 1);
  EXPECT_EQ(CountEvents("account.undeleted"), 1);
}

TEST_P(AccountServiceTest, ListFiltersCombine) {
  Account a = MakeAccount("Alpha Tools");
  a.set_owner("bob");
  a.add_tags("vip");
  MustCreate(a);
  Account b = MakeAccount("Beta Foods");
  b.set_industry("food");
  MustCreate(b);
  Account c = MakeAccount("Gamma 100% Tools");
  c.set_kind(crm::v1::ACCOUNT_KIND_PERSON);
  c.set_region("APAC");
  c.set_profession("engineer");
  MustCreate(c);

  auto names = [&](const crm::v1::AccountFilter& filter) {
    crm::v1::ListAccountsRequest list;
    *list.mutable_filter() = filter;
    crm::v1::ListAccountsResponse page;
    grpc::Status s = accounts_->ListAccounts(CallAs().get(), list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::set<std::string> out;
    for (const Account& x : page.accounts()) out.insert(x.name());
    return out;
  };
  crm::v1::AccountFilter f;
  f.set_owner("bob");
  EXPECT_EQ(names(f), std::set<std::string>({"Alpha Tools"}));
  f.Clear();
  f.set_text("tools");
  EXPECT_EQ(names(f), std::set<std::string>({"Alpha Tools", "Gamma 100% Tools"}));
  f.set_text("100%");
  EXPECT_EQ(names(f), std::set<std::string>({"Gamma 100% Tools"}));
  f.Clear();
  f.set_kind(crm::v1::ACCOUNT_KIND_PERSON);
  EXPECT_EQ(names(f), std::set<std::string>({"Gamma 100% Tools"}));
  f.Clear();
  f.set_industry("food");
  EXPECT_EQ(names(f), std::set<std::string>({"Beta Foods"}));
  f.Clear();
  f.set_region("EMEA");
  f.set_tag("vip");
  EXPECT_EQ(names(f), std::set<std::string>({"Alpha Tools"}));
  f.Clear();
  f.set_text("%");
  EXPECT_EQ(names(f), std::set<std::string>({"Gamma 100% Tools"}));
}

TEST_P(AccountServiceTest, OrderByNameDescendingPagesThroughEveryRowOnce) {
  const std::vector<std::string> names = {"delta", "alpha", "echo", "charlie", "bravo", "alpha"};
  for (const std::string& n : names) MustCreate(MakeAccount(n));
  crm::v1::ListAccountsRequest list;
  list.set_order_by("name desc");
  list.set_page_size(2);
  std::vector<std::string> seen;
  std::set<std::string> ids;
  for (int pages = 0; pages < 10; ++pages) {
    crm::v1::ListAccountsResponse page;
    ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
    for (const Account& a : page.accounts()) {
      seen.push_back(a.name());
      ids.insert(a.id());
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>({"echo", "delta", "charlie", "bravo", "alpha", "alpha"}));
  EXPECT_EQ(ids.size(), 6u);
}

TEST_P(AccountServiceTest, ForgedOrForeignPageTokensAreRejected) {
  for (int i = 0; i < 3; ++i) MustCreate(MakeAccount("Token " + std::to_string(i)));
  crm::v1::ListAccountsRequest list;
  list.set_page_size(1);
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  std::string token = page.next_page_token();

  crm::v1::ListAccountsRequest forged = list;
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  crm::v1::ListAccountsResponse out;
  EXPECT_TRUE(HasCodeAndField(accounts_->ListAccounts(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  forged.set_page_token("not a token at all");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListAccounts(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  // A real token, but for a different query.
  crm::v1::ListAccountsRequest foreign = list;
  foreign.mutable_filter()->set_owner("someone-else");
  foreign.set_page_token(token);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListAccounts(CallAs().get(), foreign, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListAccountsRequest negative;
  negative.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListAccounts(CallAs().get(), negative, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  crm::v1::ListAccountsRequest bad_order;
  bad_order.set_order_by("name; DROP TABLE accounts");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListAccounts(CallAs().get(), bad_order, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "order_by"));
}

TEST_P(AccountServiceTest, ExternalKeyIsUnique) {
  Account a = MakeAccount("Ext A");
  a.set_external_key("erp-1");
  MustCreate(a);
  Account b = MakeAccount("Ext B");
  b.set_external_key("erp-1");
  Account out;
  EXPECT_TRUE(HasCodeAndField(Create(b, &out), grpc::StatusCode::ALREADY_EXISTS, "account.external_key"));
}

TEST_P(AccountServiceTest, ExpiredDeadlineStopsTheWork) {
  crm::v1::CreateAccountRequest request;
  *request.mutable_account() = MakeAccount("Late");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  Account out;
  EXPECT_EQ(accounts_->CreateAccount(&context, request, &out).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  crm::v1::ListAccountsRequest list;
  crm::v1::ListAccountsResponse page;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), list, &page));
  EXPECT_EQ(page.accounts_size(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountServiceTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
