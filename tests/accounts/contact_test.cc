// AccountService contacts, through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Contact;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownContactId[] = "con_01ARZ3NDEKTSV4RRFFQ69G5FAV";

class ContactTest : public ::testing::TestWithParam<std::string> {
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

  Account MustCreateAccount(const std::string& name, const std::string& owner = "bob") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  void DeleteAccount(const std::string& id) {
    crm::v1::DeleteAccountRequest request;
    request.set_id(id);
    Account out;
    ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), request, &out));
  }

  static Contact MakeContact(const std::string& account_id, const std::string& name = "Jane Roe") {
    Contact c;
    c.set_account_id(account_id);
    c.set_full_name(name);
    c.set_title("Head of Purchasing");
    c.set_email("jane.roe@example.com");
    c.set_phone("+49 30 1234567");
    c.set_preferred_channel(crm::v1::CONTACT_CHANNEL_EMAIL);
    c.set_decision_role(crm::v1::DECISION_ROLE_DECISION_MAKER);
    return c;
  }

  grpc::Status Create(const Contact& contact, Contact* out, const std::string& request_id = "") {
    crm::v1::CreateContactRequest request;
    *request.mutable_contact() = contact;
    request.set_request_id(request_id);
    return accounts_->CreateContact(CallAs().get(), request, out);
  }

  Contact MustCreate(const Contact& contact) {
    Contact out;
    grpc::Status s = Create(contact, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, Contact* out) {
    crm::v1::GetContactRequest request;
    request.set_id(id);
    return accounts_->GetContact(CallAs().get(), request, out);
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  // Every contact of `account_id`, following page tokens; fails the test on a repeated id.
  std::vector<Contact> ListAll(const std::string& account_id, int page_size, int* pages = nullptr) {
    crm::v1::ListContactsRequest request;
    request.set_account_id(account_id);
    request.set_page_size(page_size);
    std::vector<Contact> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 100; ++n) {
      crm::v1::ListContactsResponse page;
      grpc::Status s = accounts_->ListContacts(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.contacts_size(), page_size);
      for (const Contact& c : page.contacts()) {
        EXPECT_TRUE(seen.insert(c.id()).second) << "repeated " << c.id();
        all.push_back(c);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(ContactTest, CreateThenGetReturnsTheStoredContact) {
  Account account = MustCreateAccount("Acme GmbH", "bob");
  Contact created = MustCreate(MakeContact(account.id()));
  EXPECT_EQ(created.id().substr(0, 4), "con_");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_TRUE(created.has_create_time());

  Contact fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.account_id(), account.id());
  EXPECT_EQ(fetched.full_name(), "Jane Roe");
  EXPECT_EQ(fetched.title(), "Head of Purchasing");
  EXPECT_EQ(fetched.email(), "jane.roe@example.com");
  EXPECT_EQ(fetched.phone(), "+49 30 1234567");
  EXPECT_EQ(fetched.preferred_channel(), crm::v1::CONTACT_CHANNEL_EMAIL);
  EXPECT_EQ(fetched.decision_role(), crm::v1::DECISION_ROLE_DECISION_MAKER);
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_EQ(fetched.create_time().seconds(), created.create_time().seconds());

  std::vector<crm::v1::Event> events = Events("contact.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "contact");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "bob");  // the account's owner
  EXPECT_EQ(events[0].actor(), "alice");
  std::set<std::string> fields;
  for (const auto& change : events[0].changes()) fields.insert(change.field());
  EXPECT_TRUE(fields.count("full_name"));
  EXPECT_TRUE(fields.count("email"));
}

TEST_P(ContactTest, CreateOnMissingOrDeletedAccountNamesTheAccount) {
  Contact out;
  EXPECT_TRUE(HasCodeAndField(Create(MakeContact(kUnknownAccountId), &out), grpc::StatusCode::NOT_FOUND,
                              "contact.account_id"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeContact(""), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "contact.account_id"));
  Account gone = MustCreateAccount("Gone Ltd");
  DeleteAccount(gone.id());
  EXPECT_TRUE(HasCodeAndField(Create(MakeContact(gone.id()), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "contact.account_id"));
  EXPECT_TRUE(Events("contact.").empty());
}

TEST_P(ContactTest, BadInputIsRejectedWithTheFieldNamedAndNothingWritten) {
  Account account = MustCreateAccount("Valid Co");
  Contact out;
  Contact c = MakeContact(account.id(), "");
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.full_name"));
  c = MakeContact(account.id(), "  ");
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.full_name"));
  c = MakeContact(account.id(), std::string(201, 'x'));
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.full_name"));
  c = MakeContact(account.id());
  c.set_email("not-an-email");
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.email"));
  c = MakeContact(account.id());
  c.set_phone("12ab");
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.phone"));
  c = MakeContact(account.id());
  c.set_title(std::string(201, 't'));
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.title"));
  c = MakeContact(account.id());
  c.set_preferred_channel(static_cast<crm::v1::ContactChannel>(42));
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.preferred_channel"));
  c = MakeContact(account.id());
  c.set_decision_role(static_cast<crm::v1::DecisionRole>(42));
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "contact.decision_role"));
  // Several problems are reported together.
  c = MakeContact(account.id(), "");
  c.set_email("@");
  grpc::Status both = Create(c, &out);
  EXPECT_TRUE(HasCodeAndField(both, grpc::StatusCode::INVALID_ARGUMENT, "contact.full_name"));
  EXPECT_TRUE(HasCodeAndField(both, grpc::StatusCode::INVALID_ARGUMENT, "contact.email"));
  crm::v1::CreateContactRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->CreateContact(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "contact"));

  EXPECT_TRUE(ListAll(account.id(), 10).empty());
  EXPECT_TRUE(Events("contact.").empty());
}

TEST_P(ContactTest, RetriedCreateWithSameRequestIdReturnsFirstResultAndWritesNothing) {
  Account account = MustCreateAccount("Once Ltd");
  Contact first, second;
  ASSERT_GRPC_OK(Create(MakeContact(account.id()), &first, "req-c1"));
  ASSERT_GRPC_OK(Create(MakeContact(account.id()), &second, "req-c1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(ListAll(account.id(), 10).size(), 1u);
  EXPECT_EQ(Events("contact.created").size(), 1u);

  Contact other;
  EXPECT_TRUE(HasCodeAndField(Create(MakeContact(account.id(), "Someone Else"), &other, "req-c1"),
                              grpc::StatusCode::ALREADY_EXISTS, "request_id"));
}

TEST_P(ContactTest, GetUnknownOrMalformedIdNamesTheField) {
  Contact out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownContactId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("'; DROP TABLE contacts; --", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(ContactTest, UpdateAppliesOnlyMaskedFieldsAndRecordsTheChange) {
  Account account = MustCreateAccount("Update Co", "carol");
  Contact created = MustCreate(MakeContact(account.id()));
  crm::v1::UpdateContactRequest update;
  update.mutable_contact()->set_id(created.id());
  update.mutable_contact()->set_email("jane@new.example.com");
  update.mutable_contact()->set_title("CEO");  // not in the mask: must not change
  update.mutable_update_mask()->add_paths("email");
  update.set_etag(created.etag());
  Contact updated;
  ASSERT_GRPC_OK(accounts_->UpdateContact(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.email(), "jane@new.example.com");
  EXPECT_EQ(updated.title(), "Head of Purchasing");
  EXPECT_EQ(updated.etag(), "\"r2\"");
  Contact fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.email(), "jane@new.example.com");
  EXPECT_EQ(fetched.etag(), updated.etag());

  std::vector<crm::v1::Event> events = Events("contact.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].user(), "carol");
  EXPECT_EQ(events[0].actor(), "alice");
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "email");
  EXPECT_EQ(events[0].changes(0).before(), "\"jane.roe@example.com\"");
  EXPECT_EQ(events[0].changes(0).after(), "\"jane@new.example.com\"");

  // An empty mask means every updatable field the request sets; the same values change nothing.
  crm::v1::UpdateContactRequest same;
  *same.mutable_contact() = fetched;
  Contact unchanged;
  ASSERT_GRPC_OK(accounts_->UpdateContact(CallAs().get(), same, &unchanged));
  EXPECT_EQ(unchanged.etag(), fetched.etag());
  EXPECT_EQ(Events("contact.updated").size(), 1u);
}

TEST_P(ContactTest, StaleEtagIsAbortedAndChangesNothing) {
  Account account = MustCreateAccount("Etag Co");
  Contact created = MustCreate(MakeContact(account.id()));
  crm::v1::UpdateContactRequest update;
  update.mutable_contact()->set_id(created.id());
  update.mutable_contact()->set_title("CFO");
  update.mutable_update_mask()->add_paths("title");
  update.set_etag(created.etag());
  Contact updated;
  ASSERT_GRPC_OK(accounts_->UpdateContact(CallAs().get(), update, &updated));

  update.mutable_contact()->set_title("CTO");
  Contact ignored;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), update, &ignored), grpc::StatusCode::ABORTED));
  Contact fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.title(), "CFO");
  EXPECT_EQ(fetched.etag(), updated.etag());

  update.set_etag("garbage");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), update, &ignored),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));
  EXPECT_EQ(Events("contact.updated").size(), 1u);
}

TEST_P(ContactTest, UpdateRejectsBadMasksValuesAndMoves) {
  Account account = MustCreateAccount("Mask Co");
  Account other = MustCreateAccount("Other Co");
  Contact created = MustCreate(MakeContact(account.id()));
  Contact out;

  crm::v1::UpdateContactRequest update;
  update.mutable_contact()->set_id(created.id());
  update.mutable_contact()->set_account_id(other.id());
  update.mutable_update_mask()->add_paths("account_id");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("full_name");
  update.mutable_update_mask()->add_paths("no_such_field");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]"));
  // Naming another account in the body is a move, which contacts do not support.
  update.mutable_update_mask()->Clear();
  update.mutable_contact()->set_full_name("Moved Person");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "contact.account_id"));

  crm::v1::UpdateContactRequest bad;
  bad.mutable_contact()->set_id(created.id());
  bad.mutable_contact()->set_email("broken@");
  bad.mutable_update_mask()->add_paths("email");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "contact.email"));
  bad.mutable_update_mask()->Clear();
  bad.mutable_update_mask()->add_paths("full_name");  // clearing the name
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "contact.full_name"));
  bad.mutable_contact()->set_full_name("Fine");
  bad.mutable_contact()->set_id(kUnknownContactId);
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), bad, &out), grpc::StatusCode::NOT_FOUND,
                              "contact.id"));
  bad.mutable_contact()->set_id("");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "contact.id"));
  crm::v1::UpdateContactRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateContact(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "contact"));

  Contact fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.account_id(), account.id());
  EXPECT_EQ(fetched.full_name(), "Jane Roe");
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_TRUE(Events("contact.updated").empty());
}

TEST_P(ContactTest, DeleteHonoursTheEtagAndLeavesHistoryReferencingTheContact) {
  Account account = MustCreateAccount("Delete Co", "dave");
  Contact created = MustCreate(MakeContact(account.id()));
  crm::v1::LogInteractionRequest log;
  log.mutable_interaction()->set_account_id(account.id());
  log.mutable_interaction()->set_contact_id(created.id());
  log.mutable_interaction()->set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
  crm::v1::Interaction logged;
  ASSERT_GRPC_OK(accounts_->LogInteraction(CallAs().get(), log, &logged));

  crm::v1::DeleteContactRequest del;
  del.set_id(created.id());
  del.set_etag("\"r7\"");
  crm::v1::DeleteContactResponse response;
  EXPECT_TRUE(HasCodeAndField(accounts_->DeleteContact(CallAs().get(), del, &response), grpc::StatusCode::ABORTED));
  Contact still;
  ASSERT_GRPC_OK(Get(created.id(), &still));
  del.set_etag("r1");
  EXPECT_TRUE(HasCodeAndField(accounts_->DeleteContact(CallAs().get(), del, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));

  del.set_etag(created.etag());
  ASSERT_GRPC_OK(accounts_->DeleteContact(CallAs().get(), del, &response));
  Contact out;
  EXPECT_TRUE(HasCodeAndField(Get(created.id(), &out), grpc::StatusCode::NOT_FOUND, "id"));
  del.clear_etag();
  EXPECT_TRUE(HasCodeAndField(accounts_->DeleteContact(CallAs().get(), del, &response), grpc::StatusCode::NOT_FOUND,
                              "id"));
  del.set_id("");
  EXPECT_TRUE(HasCodeAndField(accounts_->DeleteContact(CallAs().get(), del, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(ListAll(account.id(), 10).empty());

  std::vector<crm::v1::Event> events = Events("contact.deleted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_DELETED);
  EXPECT_EQ(events[0].user(), "dave");
  bool saw_name = false;
  for (const auto& change : events[0].changes()) {
    if (change.field() == "full_name") {
      saw_name = true;
      EXPECT_EQ(change.before(), "\"Jane Roe\"");
      EXPECT_EQ(change.after(), "");
    }
  }
  EXPECT_TRUE(saw_name);

  // The interaction log is history: it keeps naming the deleted contact.
  crm::v1::GetInteractionRequest get;
  get.set_id(logged.id());
  crm::v1::Interaction kept;
  ASSERT_GRPC_OK(accounts_->GetInteraction(CallAs().get(), get, &kept));
  EXPECT_EQ(kept.contact_id(), created.id());
}

TEST_P(ContactTest, ListPagesThroughOneAccountsContactsInIdOrder) {
  Account account = MustCreateAccount("Many Contacts");
  Account other = MustCreateAccount("Neighbour");
  std::set<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    expected.insert(MustCreate(MakeContact(account.id(), "Person " + std::to_string(i))).id());
    server_->clock().Advance(absl::Milliseconds(1));
  }
  for (int i = 0; i < 3; ++i) MustCreate(MakeContact(other.id(), "Elsewhere " + std::to_string(i)));

  for (int page_size : {1, 2, 3, 7, 50}) {
    int pages = 0;
    std::vector<Contact> all = ListAll(account.id(), page_size, &pages);
    std::set<std::string> ids;
    for (size_t i = 0; i < all.size(); ++i) {
      ids.insert(all[i].id());
      EXPECT_EQ(all[i].account_id(), account.id());
      if (i > 0) {
        EXPECT_LT(all[i - 1].id(), all[i].id());
      }
    }
    EXPECT_EQ(ids, expected) << "page size " << page_size;
    EXPECT_EQ(pages, (7 + page_size - 1) / page_size) << "page size " << page_size;
  }
}

TEST_P(ContactTest, ListRejectsMissingAccountsAndForgedTokens) {
  Account account = MustCreateAccount("Token Co");
  Account other = MustCreateAccount("Other Token Co");
  for (int i = 0; i < 3; ++i) MustCreate(MakeContact(account.id(), "P" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) MustCreate(MakeContact(other.id(), "Q" + std::to_string(i)));
  crm::v1::ListContactsResponse out;

  crm::v1::ListContactsRequest none;
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), none, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  crm::v1::ListContactsRequest unknown;
  unknown.set_account_id(kUnknownAccountId);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), unknown, &out), grpc::StatusCode::NOT_FOUND,
                              "account_id"));

  crm::v1::ListContactsRequest list;
  list.set_account_id(account.id());
  list.set_page_size(1);
  crm::v1::ListContactsResponse page;
  ASSERT_GRPC_OK(accounts_->ListContacts(CallAs().get(), list, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();

  crm::v1::ListContactsRequest forged = list;
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  forged.set_page_token("not a token at all");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  // A real token, but issued for another account's list.
  crm::v1::ListContactsRequest foreign = list;
  foreign.set_account_id(other.id());
  foreign.set_page_token(token);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), foreign, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListContactsRequest negative = list;
  negative.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListContacts(CallAs().get(), negative, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

TEST_P(ContactTest, ContactsOfASoftDeletedAccountStayReadable) {
  Account account = MustCreateAccount("Sleeping Co");
  Contact created = MustCreate(MakeContact(account.id()));
  DeleteAccount(account.id());
  Contact fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(ListAll(account.id(), 10).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ContactTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
