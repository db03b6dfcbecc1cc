// AccountService bulk import (client streaming) and export (server streaming), through a real
// in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::ImportAccountsResponse;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr absl::Duration kStreamTimeout = absl::Seconds(120);

std::string Key(int i) { return absl::StrCat("erp-", i); }

// An import row's error names the row's index and the field at fault, and its reason contains
// `reason_part` (any reason when empty).
::testing::AssertionResult RowErrorIs(const crm::v1::ImportRowError& error, int index, absl::string_view field,
                                      absl::string_view reason_part = "") {
  if (error.index() == index && error.field() == field && absl::StrContains(error.reason(), reason_part)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "row error " << error.ShortDebugString() << " is not row " << index
                                       << ", field \"" << field << "\", a reason containing \"" << reason_part << "\"";
}

// A valid import row; owners, kinds and tags vary so that filters have something to select.
Account Row(int i) {
  Account a;
  a.set_external_key(Key(i));
  a.set_name(absl::StrCat("Imported ", i));
  a.set_industry(i % 3 == 0 ? "retail" : "manufacturing");
  a.set_region(i % 2 == 0 ? "EMEA" : "APAC");
  a.set_owner(i % 4 == 0 ? "bob" : "alice");
  if (i % 7 == 0) {
    a.set_kind(crm::v1::ACCOUNT_KIND_PERSON);
    a.set_profession("engineer");
    a.set_age_band(crm::v1::AGE_BAND_35_44);
  } else {
    a.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    a.set_size_band(crm::v1::SIZE_BAND_SMALL);
  }
  a.mutable_annual_revenue()->set_currency_code("EUR");
  a.mutable_annual_revenue()->set_units(1000 * i);
  if (i % 5 == 0) a.add_tags("vip");
  a.add_tags(absl::StrCat("batch-", i / 100));
  return a;
}

// The rows of the "5 % bad" import: every 20th row (index 3, 23, 43, ...) is broken in one of
// four ways, in turn. Returns the rows and, per bad index, the field the error must name.
std::vector<Account> MixedRows(int count, std::map<int64_t, std::string>* bad_fields) {
  std::vector<Account> rows;
  for (int i = 0; i < count; ++i) {
    Account a = Row(i);
    if (i % 20 == 3) {
      switch ((i / 20) % 4) {
        case 0:
          a.set_name("");
          (*bad_fields)[i] = "account.name";
          break;
        case 1:
          a.mutable_annual_revenue()->set_currency_code("euro");
          (*bad_fields)[i] = "account.annual_revenue.currency_code";
          break;
        case 2:
          a.set_lifecycle_stage(static_cast<crm::v1::LifecycleStage>(42));
          (*bad_fields)[i] = "account.lifecycle_stage";
          break;
        default:
          a.clear_external_key();
          (*bad_fields)[i] = "account.external_key";
          break;
      }
    }
    rows.push_back(a);
  }
  return rows;
}

class TransferTest : public ::testing::TestWithParam<std::string> {
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

  grpc::Status Import(const std::vector<Account>& rows, ImportAccountsResponse* response,
                      const std::string& user = "importer", bool confirm_duplicates = false) {
    auto context = CallAs(user, kStreamTimeout);
    std::unique_ptr<grpc::ClientWriter<crm::v1::ImportAccountsRequest>> writer =
        accounts_->ImportAccounts(context.get(), response);
    crm::v1::ImportAccountsRequest request;
    request.set_confirm_duplicate(confirm_duplicates);
    for (const Account& row : rows) {
      *request.mutable_account() = row;
      if (!writer->Write(request)) break;  // the server ended the call; Finish says why
    }
    writer->WritesDone();
    return writer->Finish();
  }

  ImportAccountsResponse MustImport(const std::vector<Account>& rows, bool confirm_duplicates = false) {
    ImportAccountsResponse response;
    grpc::Status s = Import(rows, &response, "importer", confirm_duplicates);
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    return response;
  }

  std::vector<Account> Export(const crm::v1::ExportAccountsRequest& request, grpc::Status* status) {
    auto context = CallAs("alice", kStreamTimeout);
    std::unique_ptr<grpc::ClientReader<Account>> reader = accounts_->ExportAccounts(context.get(), request);
    std::vector<Account> out;
    Account account;
    while (reader->Read(&account)) out.push_back(account);
    *status = reader->Finish();
    return out;
  }

  std::vector<Account> MustExport(const crm::v1::ExportAccountsRequest& request) {
    grpc::Status status;
    std::vector<Account> out = Export(request, &status);
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    return out;
  }

  // Every account ListAccounts returns for the filter, page by page.
  std::vector<Account> ListAll(const crm::v1::AccountFilter& filter, bool show_deleted) {
    crm::v1::ListAccountsRequest list;
    *list.mutable_filter() = filter;
    list.set_show_deleted(show_deleted);
    list.set_page_size(1000);
    std::vector<Account> out;
    for (;;) {
      crm::v1::ListAccountsResponse page;
      grpc::Status s = accounts_->ListAccounts(CallAs().get(), list, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      out.insert(out.end(), page.accounts().begin(), page.accounts().end());
      if (page.next_page_token().empty()) break;
      list.set_page_token(page.next_page_token());
    }
    return out;
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    std::vector<crm::v1::Event> out;
    for (;;) {
      crm::v1::ListEventsResponse response;
      grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || response.events_size() == 0) break;
      out.insert(out.end(), response.events().begin(), response.events().end());
      request.set_after_sequence(response.last_sequence());
    }
    return out;
  }
  int64_t CountEvents(const std::string& type) { return static_cast<int64_t>(Events(type).size()); }

  std::map<std::string, Account> ByKey(const std::vector<Account>& accounts) {
    std::map<std::string, Account> out;
    for (const Account& a : accounts) out[a.external_key()] = a;
    return out;
  }

  static std::vector<std::string> Ids(const std::vector<Account>& accounts) {
    std::vector<std::string> out;
    for (const Account& a : accounts) out.push_back(a.id());
    return out;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(TransferTest, ImportWritesGoodRowsAndReportsEachBadRowWithItsField) {
  std::map<int64_t, std::string> bad_fields;
  const std::vector<Account> rows = MixedRows(500, &bad_fields);
  ASSERT_EQ(bad_fields.size(), 25u);

  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.received(), 500);
  EXPECT_EQ(response.created(), 475);
  EXPECT_EQ(response.unchanged(), 0);
  EXPECT_EQ(response.updated(), 0);
  EXPECT_EQ(response.failed(), 25);
  ASSERT_EQ(response.errors_size(), 25);
  auto expected = bad_fields.begin();
  for (const crm::v1::ImportRowError& error : response.errors()) {
    EXPECT_EQ(error.index(), expected->first);
    EXPECT_EQ(error.field(), expected->second) << "row " << error.index();
    EXPECT_EQ(error.external_key(), rows[error.index()].external_key());
    EXPECT_FALSE(error.reason().empty());
    ++expected;
  }

  // Exactly the good rows exist, as sent; the bad ones wrote nothing.
  std::map<std::string, Account> stored = ByKey(ListAll({}, true));
  ASSERT_EQ(stored.size(), 475u);
  for (int i = 0; i < 500; ++i) {
    auto it = stored.find(Key(i));
    if (bad_fields.count(i) > 0) {
      EXPECT_TRUE(it == stored.end()) << "bad row " << i << " was written";
      continue;
    }
    ASSERT_TRUE(it != stored.end()) << "row " << i << " missing";
    EXPECT_EQ(it->second.name(), rows[i].name());
    EXPECT_EQ(it->second.owner(), rows[i].owner());
    EXPECT_EQ(it->second.annual_revenue().units(), rows[i].annual_revenue().units());
    EXPECT_EQ(it->second.tags_size(), rows[i].tags_size());
    EXPECT_EQ(it->second.etag(), stored.begin()->second.etag());  // all at revision 1
  }
  EXPECT_EQ(CountEvents("account.created"), 475);
  EXPECT_EQ(CountEvents("account.updated"), 0);
}

// A row that is not a valid message (proto3 strings must be UTF-8) is bad input like any other:
// it fails alone, named by its index, and the rows after it are still read and written. It is
// not taken for the end of the stream.
TEST_P(TransferTest, ARowThatIsNotAValidMessageFailsAloneAndTheRowsAfterItAreImported) {
  std::vector<Account> rows;
  for (int i = 0; i < 6; ++i) rows.push_back(Row(i));
  rows[2].set_name("Imported \xff\xfe");  // the client serializes it; the server cannot parse it

  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.received(), 6);
  EXPECT_EQ(response.created(), 5);
  EXPECT_EQ(response.failed(), 1);
  ASSERT_EQ(response.errors_size(), 1);
  EXPECT_TRUE(RowErrorIs(response.errors(0), 2, "account", "UTF-8"));

  std::map<std::string, Account> stored = ByKey(ListAll({}, true));
  EXPECT_EQ(stored.size(), 5u);
  EXPECT_EQ(stored.count(Key(2)), 0u);
  for (int i : {0, 1, 3, 4, 5}) EXPECT_EQ(stored.count(Key(i)), 1u) << "row " << i;
  EXPECT_EQ(CountEvents("account.created"), 5);
}

TEST_P(TransferTest, ResendingTheSameImportWritesNothing) {
  std::map<int64_t, std::string> bad_fields;
  const std::vector<Account> rows = MixedRows(500, &bad_fields);
  MustImport(rows);
  const std::map<std::string, Account> before = ByKey(ListAll({}, true));
  const int64_t events_before = CountEvents("account.");

  ImportAccountsResponse again = MustImport(rows);
  EXPECT_EQ(again.received(), 500);
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.unchanged(), 475);
  EXPECT_EQ(again.updated(), 0);
  EXPECT_EQ(again.failed(), 25);
  EXPECT_EQ(again.errors_size(), 25);
  EXPECT_EQ(CountEvents("account."), events_before);
  const std::map<std::string, Account> after = ByKey(ListAll({}, true));
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [key, account] : after) {
    EXPECT_EQ(account.etag(), before.at(key).etag()) << key;
    EXPECT_EQ(account.id(), before.at(key).id()) << key;
  }
}

TEST_P(TransferTest, ChangedRowsUpdateTheirAccountsAndEmitUpdatedEvents) {
  std::map<int64_t, std::string> bad_fields;
  std::vector<Account> rows = MixedRows(500, &bad_fields);
  MustImport(rows);
  const std::map<std::string, Account> before = ByKey(ListAll({}, true));

  std::set<std::string> changed;
  for (int i = 0; i < 500; i += 10) {  // never a bad row (those are i % 20 == 3)
    rows[i].set_industry("energy");
    changed.insert(Key(i));
  }
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.created(), 0);
  EXPECT_EQ(response.updated(), 50);
  EXPECT_EQ(response.unchanged(), 425);
  EXPECT_EQ(response.failed(), 25);

  const std::vector<crm::v1::Event> updates = Events("account.updated");
  ASSERT_EQ(updates.size(), 50u);
  std::set<std::string> updated_ids;
  for (const crm::v1::Event& e : updates) {
    updated_ids.insert(e.entity_id());
    EXPECT_EQ(e.actor(), "importer");
    ASSERT_EQ(e.changes_size(), 1);
    EXPECT_EQ(e.changes(0).field(), "industry");
    EXPECT_EQ(e.changes(0).after(), "\"energy\"");
  }
  const std::map<std::string, Account> after = ByKey(ListAll({}, true));
  for (const auto& [key, account] : after) {
    if (changed.count(key) > 0) {
      EXPECT_EQ(account.industry(), "energy") << key;
      EXPECT_NE(account.etag(), before.at(key).etag()) << key;
      EXPECT_EQ(updated_ids.count(account.id()), 1u) << key;
    } else {
      EXPECT_EQ(account.etag(), before.at(key).etag()) << key;
    }
  }
  EXPECT_EQ(CountEvents("account.created"), 475);
}

TEST_P(TransferTest, EmptyImportReturnsZeros) {
  ImportAccountsResponse response = MustImport({});
  EXPECT_EQ(response.received(), 0);
  EXPECT_EQ(response.created(), 0);
  EXPECT_EQ(response.unchanged(), 0);
  EXPECT_EQ(response.updated(), 0);
  EXPECT_EQ(response.failed(), 0);
  EXPECT_EQ(response.errors_size(), 0);
}

TEST_P(TransferTest, ErrorsBeyondTheCapAreCountedButNotListed) {
  std::vector<Account> rows;
  for (int i = 0; i < 1200; ++i) {
    Account a = Row(i);
    a.clear_external_key();
    rows.push_back(a);
  }
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.received(), 1200);
  EXPECT_EQ(response.failed(), 1200);
  ASSERT_EQ(response.errors_size(), 1000);
  EXPECT_TRUE(RowErrorIs(response.errors(999), 999, "account.external_key"));
  EXPECT_EQ(response.created(), 0);
}

TEST_P(TransferTest, SoftDeletedAccountsAreReportedNotRevived) {
  std::vector<Account> rows = {Row(1), Row(2), Row(3)};
  MustImport(rows);
  const std::map<std::string, Account> stored = ByKey(ListAll({}, true));
  crm::v1::DeleteAccountRequest del;
  del.set_id(stored.at(Key(2)).id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  const int64_t events_before = CountEvents("account.");

  rows[1].set_industry("changed while deleted");
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.unchanged(), 2);
  EXPECT_EQ(response.created(), 0);
  EXPECT_EQ(response.updated(), 0);
  EXPECT_EQ(response.failed(), 1);
  ASSERT_EQ(response.errors_size(), 1);
  EXPECT_TRUE(RowErrorIs(response.errors(0), 1, "account.external_key", "deleted"));
  EXPECT_EQ(response.errors(0).external_key(), Key(2));

  crm::v1::GetAccountRequest get;
  get.set_id(deleted.id());
  Account still;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &still));
  EXPECT_TRUE(still.has_delete_time());
  EXPECT_EQ(still.industry(), Row(2).industry());
  EXPECT_EQ(still.etag(), deleted.etag());
  EXPECT_EQ(CountEvents("account."), events_before);
}

// New rows are checked for duplicates as CreateAccount checks them, against stored accounts and
// the stream's earlier rows: reported under WARN, row errors under REFUSE unless confirmed.
// Rows that update an account by its key are not checked.
TEST_P(TransferTest, NewRowsAreCheckedForDuplicatesUnderTheSettings) {
  Account acme;
  acme.set_name("Acme GmbH");
  acme.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  acme.set_website("acme.com");
  crm::v1::CreateAccountRequest create;
  *create.mutable_account() = acme;
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), create, &acme));
  auto named = [](const std::string& key, const std::string& name, const std::string& website = "") {
    Account a;
    a.set_external_key(key);
    a.set_name(name);
    a.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    a.set_website(website);
    return a;
  };

  // WARN, the default: all created, the matching rows reported with their candidates.
  ImportAccountsResponse warned =
      MustImport({named("dup-0", "ACME AG", "http://acme.com"), named("dup-1", "Initech"), named("dup-2", "Initech Inc")});
  EXPECT_EQ(warned.created(), 3);
  EXPECT_EQ(warned.failed(), 0);
  EXPECT_EQ(warned.possible_duplicates(), 2);
  ASSERT_EQ(warned.duplicates_size(), 2);
  EXPECT_EQ(warned.duplicates(0).index(), 0);
  EXPECT_EQ(warned.duplicates(0).external_key(), "dup-0");
  ASSERT_EQ(warned.duplicates(0).candidates_size(), 1);
  EXPECT_EQ(warned.duplicates(0).candidates(0).id(), acme.id());
  EXPECT_EQ(warned.duplicates(0).candidates(0).matches_size(), 2);
  const std::map<std::string, Account> stored = ByKey(ListAll({}, false));
  EXPECT_EQ(warned.duplicates(0).account_id(), stored.at("dup-0").id());
  EXPECT_EQ(warned.duplicates(1).index(), 2);
  ASSERT_EQ(warned.duplicates(1).candidates_size(), 1);
  EXPECT_EQ(warned.duplicates(1).candidates(0).id(), stored.at("dup-1").id()) << "an earlier row of the stream";

  auto duplicates = crm::v1::DuplicateService::NewStub(server_->channel());
  crm::v1::UpdateDuplicateSettingsRequest settings;
  settings.mutable_settings()->set_accounts(crm::v1::DUPLICATE_ACTION_REFUSE);
  settings.mutable_settings()->set_contacts(crm::v1::DUPLICATE_ACTION_WARN);
  settings.mutable_settings()->set_leads(crm::v1::DUPLICATE_ACTION_WARN);
  crm::v1::DuplicateSettings updated;
  ASSERT_GRPC_OK(duplicates->UpdateDuplicateSettings(CallAs().get(), settings, &updated));

  // REFUSE: matching rows are errors and write nothing; an update by key is not a new record.
  const std::vector<Account> rows = {named("dup-3", "Acme Corp", "acme.com"), named("dup-4", "Globex"),
                                     named("dup-5", "Globex Ltd"), named("dup-0", "ACME AG", "acme.de")};
  ImportAccountsResponse refused = MustImport(rows);
  EXPECT_EQ(refused.created(), 1);
  EXPECT_EQ(refused.updated(), 1);
  EXPECT_EQ(refused.failed(), 2);
  EXPECT_EQ(refused.possible_duplicates(), 0);
  ASSERT_EQ(refused.errors_size(), 2);
  EXPECT_TRUE(RowErrorIs(refused.errors(0), 0, "account", "confirm_duplicate"));
  EXPECT_TRUE(RowErrorIs(refused.errors(1), 2, "account", "Globex"));
  EXPECT_EQ(ByKey(ListAll({}, true)).count("dup-3"), 0u) << "a refused row wrote its account";

  // Confirmed: created, and still reported.
  ImportAccountsResponse confirmed = MustImport({rows[0]}, /*confirm_duplicates=*/true);
  EXPECT_EQ(confirmed.created(), 1);
  EXPECT_EQ(confirmed.failed(), 0);
  EXPECT_EQ(confirmed.possible_duplicates(), 1);
}

TEST_P(TransferTest, ARowTheDatabaseRejectsFailsAloneEvenInsideABatch) {
  // A trigger stands in for any failure validation cannot foresee. Rows are written in small
  // batches; the batch holding the poisoned row must fall back to one row per transaction.
  const std::string trigger =
      GetParam() == "sqlite"
          ? "CREATE TRIGGER poison BEFORE INSERT ON accounts WHEN NEW.name = 'poison'"
            " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
          : "CREATE TRIGGER poison BEFORE INSERT ON accounts FOR EACH ROW BEGIN"
            " IF NEW.name = 'poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END";
  ASSERT_TRUE(server_->runtime()
                  .db->WithSession([&](soci::session& sql) -> absl::Status {
                    sql << trigger;
                    return absl::OkStatus();
                  })
                  .ok());
  std::vector<Account> rows;
  for (int i = 0; i < 200; ++i) rows.push_back(Row(i));
  rows[137].set_name("poison");
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.created(), 199);
  EXPECT_EQ(response.failed(), 1);
  ASSERT_EQ(response.errors_size(), 1);
  EXPECT_TRUE(RowErrorIs(response.errors(0), 137, "account"));
  EXPECT_EQ(response.errors(0).external_key(), Key(137));
  EXPECT_EQ(ListAll({}, false).size(), 199u);
  EXPECT_EQ(CountEvents("account.created"), 199);
}

TEST_P(TransferTest, RowsAreAppliedInStreamOrderAndOwnerDefaultsToTheCaller) {
  Account first = Row(1);
  first.clear_owner();
  Account second = first;
  second.set_region("LATAM");
  Account third = second;  // same again: unchanged
  ImportAccountsResponse response = MustImport({first, second, third});
  EXPECT_EQ(response.created(), 1);
  EXPECT_EQ(response.updated(), 1);
  EXPECT_EQ(response.unchanged(), 1);
  const std::vector<Account> all = ListAll({}, false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].region(), "LATAM");
  EXPECT_EQ(all[0].owner(), "importer");

  // An empty owner on a later import keeps the stored owner rather than reassigning it.
  ImportAccountsResponse by_other;
  ASSERT_GRPC_OK(Import({third}, &by_other, "someone-else"));
  EXPECT_EQ(by_other.unchanged(), 1);
}

TEST_P(TransferTest, ExportedAccountsReimportUnchanged) {
  MustImport({Row(1), Row(2), Row(3)});
  std::vector<Account> exported = MustExport({});
  ASSERT_EQ(exported.size(), 3u);
  ImportAccountsResponse response = MustImport(exported);
  EXPECT_EQ(response.unchanged(), 3);
  EXPECT_EQ(response.failed(), 0);
}

TEST_P(TransferTest, ExportMatchesListAccountsWithAndWithoutFilter) {
  std::vector<Account> rows;
  for (int i = 0; i < 1200; ++i) rows.push_back(Row(i));
  ASSERT_EQ(MustImport(rows).created(), 1200);
  const std::vector<Account> listed = ListAll({}, false);
  for (int i : {5, 600, 1111}) {
    crm::v1::DeleteAccountRequest del;
    del.set_id(listed[i].id());
    Account deleted;
    ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  }

  crm::v1::ExportAccountsRequest request;
  std::vector<Account> all = MustExport(request);
  EXPECT_EQ(all.size(), 1197u);
  EXPECT_EQ(Ids(all), Ids(ListAll({}, false)));
  for (size_t i = 1; i < all.size(); ++i) ASSERT_LT(all[i - 1].id(), all[i].id());

  request.set_show_deleted(true);
  EXPECT_EQ(Ids(MustExport(request)), Ids(ListAll({}, true)));
  EXPECT_EQ(MustExport(request).size(), 1200u);

  std::vector<crm::v1::AccountFilter> filters(4);
  filters[0].set_owner("bob");
  filters[1].set_kind(crm::v1::ACCOUNT_KIND_PERSON);
  filters[1].set_region("APAC");
  filters[2].set_tag("vip");
  filters[2].set_industry("retail");
  filters[3].set_text("imported 11");
  for (const crm::v1::AccountFilter& filter : filters) {
    crm::v1::ExportAccountsRequest filtered;
    *filtered.mutable_filter() = filter;
    const std::vector<Account> exported = MustExport(filtered);
    EXPECT_FALSE(exported.empty()) << filter.ShortDebugString();
    EXPECT_EQ(Ids(exported), Ids(ListAll(filter, false))) << filter.ShortDebugString();
  }
}

TEST_P(TransferTest, ExportRejectsAnInvalidFilterBeforeStreaming) {
  MustImport({Row(1)});
  crm::v1::ExportAccountsRequest request;
  request.mutable_filter()->set_kind(static_cast<crm::v1::AccountKind>(9));
  grpc::Status status;
  EXPECT_TRUE(Export(request, &status).empty());
  EXPECT_TRUE(HasCodeAndField(status, grpc::StatusCode::INVALID_ARGUMENT, "filter.kind"));

  request.Clear();
  request.mutable_filter()->set_tier(static_cast<crm::v1::AccountTier>(-1));
  EXPECT_TRUE(Export(request, &status).empty());
  EXPECT_TRUE(HasCodeAndField(status, grpc::StatusCode::INVALID_ARGUMENT, "filter.tier"));
}

TEST_P(TransferTest, LargeExportStreamsCompletely) {
  std::vector<Account> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back(Row(i));
  ImportAccountsResponse response = MustImport(rows);
  ASSERT_EQ(response.created(), 3000);
  const std::vector<Account> all = MustExport({});
  ASSERT_EQ(all.size(), 3000u);
  EXPECT_EQ(Ids(all), Ids(ListAll({}, false)));
  std::set<std::string> keys;
  for (const Account& a : all) keys.insert(a.external_key());
  EXPECT_EQ(keys.size(), 3000u);
}

TEST_P(TransferTest, ClientCancellingAnExportLeavesTheServerHealthy) {
  std::vector<Account> rows;
  for (int i = 0; i < 1500; ++i) rows.push_back(Row(i));
  ASSERT_EQ(MustImport(rows).created(), 1500);

  // Cancel at different points: inside the first page, near a page boundary, later.
  for (int stop_after : {1, 5, 499, 700}) {
    auto context = CallAs("alice", kStreamTimeout);
    std::unique_ptr<grpc::ClientReader<Account>> reader = accounts_->ExportAccounts(context.get(), {});
    Account account;
    for (int i = 0; i < stop_after; ++i) ASSERT_TRUE(reader->Read(&account));
    context->TryCancel();
    while (reader->Read(&account)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED) << "after " << stop_after;

    crm::v1::GetAccountRequest get;
    get.set_id(account.id());
    Account fetched;
    ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &fetched));
  }
  EXPECT_EQ(MustExport({}).size(), 1500u);
}

TEST_P(TransferTest, ClientCancellingAnImportLeavesTheServerHealthy) {
  std::vector<Account> rows;
  for (int i = 0; i < 300; ++i) rows.push_back(Row(i));
  {
    auto context = CallAs("importer", kStreamTimeout);
    ImportAccountsResponse response;
    auto writer = accounts_->ImportAccounts(context.get(), &response);
    crm::v1::ImportAccountsRequest request;
    for (int i = 0; i < 120; ++i) {
      *request.mutable_account() = rows[i];
      ASSERT_TRUE(writer->Write(request));
    }
    context->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Whatever was written before the cancel is simply found again.
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.created() + response.unchanged(), 300);
  EXPECT_LE(response.unchanged(), 120);
  EXPECT_EQ(ListAll({}, false).size(), 300u);
}

TEST_P(TransferTest, DeadlineStopsAnImportWaitingOnTheDatabase) {
  // The importer's token is made (a write) before the lock is taken.
  server_->TokenFor("importer");
  // Hold a write lock every import row needs (the event counter) for a while.
  std::promise<void> locked;
  std::thread locker([&] {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      tx.session() << "UPDATE event_counter SET last_sequence = last_sequence WHERE id = 1";
      locked.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(2000));
      return absl::CancelledError("roll back");
    });
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  });
  locked.get_future().wait();

  std::vector<Account> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(Row(i));
  {
    auto context = CallAs("importer", absl::Milliseconds(700));
    ImportAccountsResponse response;
    auto writer = accounts_->ImportAccounts(context.get(), &response);
    crm::v1::ImportAccountsRequest request;
    for (const Account& row : rows) {
      *request.mutable_account() = row;
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  locker.join();

  // The batch already inside the database may complete; nothing after the deadline runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(ListAll({}, false).size(), 1u);
  ImportAccountsResponse response = MustImport(rows);
  EXPECT_EQ(response.created() + response.unchanged(), 10);
  EXPECT_EQ(ListAll({}, false).size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(Backends, TransferTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
