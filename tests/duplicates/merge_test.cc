// Merging accounts and contacts: everything of the merged records moves to the survivor in one
// transaction, the survivor takes the values it lacked, merged records leave tombstones that say
// where they went, the merge record keeps what was merged, and etags decide between a merge and
// concurrent edits. A real in-process server on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/core/time_util.h"
#include "common/duplicates/candidate_details.h"
#include "common/server/grpc_status.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/duplicates/duplicate_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Contact;
using testing::CallAs;
using testing::HasCodeAndField;

crm::v1::Money Euros(int64_t units) {
  crm::v1::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

class MergeTest : public testing::DuplicateServerTest {
 protected:
  Account NewAccount(const std::string& name, const std::string& industry = "", const std::string& website = "") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    request.mutable_account()->set_industry(industry);
    request.mutable_account()->set_website(website);
    Account out;
    EXPECT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), request, &out));
    return out;
  }
  Account GetAccount(const std::string& id) {
    crm::v1::GetAccountRequest request;
    request.set_id(id);
    Account out;
    EXPECT_GRPC_OK(accounts_->GetAccount(CallAs().get(), request, &out));
    return out;
  }
  Contact NewContact(const std::string& account_id, const std::string& name, const std::string& email = "",
                     const std::string& title = "") {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(account_id);
    request.mutable_contact()->set_full_name(name);
    request.mutable_contact()->set_email(email);
    request.mutable_contact()->set_title(title);
    Contact out;
    EXPECT_GRPC_OK(accounts_->CreateContact(CallAs().get(), request, &out));
    return out;
  }
  grpc::Status GetContact(const std::string& id, Contact* out) {
    crm::v1::GetContactRequest request;
    request.set_id(id);
    return accounts_->GetContact(CallAs().get(), request, out);
  }
  std::vector<std::string> ContactIdsOf(const std::string& account_id) {
    crm::v1::ListContactsRequest request;
    request.set_account_id(account_id);
    request.set_page_size(1000);
    crm::v1::ListContactsResponse response;
    EXPECT_GRPC_OK(accounts_->ListContacts(CallAs().get(), request, &response));
    std::vector<std::string> ids;
    for (const Contact& c : response.contacts()) ids.push_back(c.id());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  crm::v1::Ticket NewTicket(const std::string& account_id, const std::string& contact_id = "") {
    crm::v1::CreateTicketRequest request;
    crm::v1::Ticket& ticket = *request.mutable_ticket();
    ticket.set_account_id(account_id);
    ticket.set_contact_id(contact_id);
    ticket.set_subject("Invoice portal rejects the login");
    ticket.set_description("Since Monday every login ends on an error page.");
    ticket.set_category("billing");
    ticket.set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
    ticket.set_priority(crm::v1::TICKET_PRIORITY_P3);
    crm::v1::Ticket out;
    EXPECT_GRPC_OK(desk_->CreateTicket(CallAs().get(), request, &out));
    return out;
  }
  crm::v1::Ticket GetTicket(const std::string& id) {
    crm::v1::GetTicketRequest request;
    request.set_id(id);
    crm::v1::Ticket out;
    EXPECT_GRPC_OK(desk_->GetTicket(CallAs().get(), request, &out));
    return out;
  }
  crm::v1::Interaction LogInteraction(const std::string& account_id, const std::string& contact_id) {
    crm::v1::LogInteractionRequest request;
    crm::v1::Interaction& interaction = *request.mutable_interaction();
    interaction.set_account_id(account_id);
    interaction.set_contact_id(contact_id);
    interaction.set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
    interaction.set_direction(crm::v1::DIRECTION_OUTBOUND);
    interaction.set_subject("Renewal call");
    crm::v1::Interaction out;
    EXPECT_GRPC_OK(accounts_->LogInteraction(CallAs().get(), request, &out));
    return out;
  }

  grpc::Status MergeAccounts(const Account& survivor, const std::vector<Account>& merged,
                             crm::v1::MergeAccountsResponse* out, const std::string& request_id = "") {
    crm::v1::MergeAccountsRequest request;
    request.set_survivor_id(survivor.id());
    request.set_survivor_etag(survivor.etag());
    for (const Account& a : merged) {
      crm::v1::MergedRecord* ref = request.add_merged();
      ref->set_id(a.id());
      ref->set_etag(a.etag());
    }
    request.set_request_id(request_id);
    return duplicates_->MergeAccounts(CallAs("maria").get(), request, out);
  }
  grpc::Status MergeContacts(const Contact& survivor, const std::vector<Contact>& merged,
                             crm::v1::MergeContactsResponse* out) {
    crm::v1::MergeContactsRequest request;
    request.set_survivor_id(survivor.id());
    for (const Contact& c : merged) request.add_merged()->set_id(c.id());
    return duplicates_->MergeContacts(CallAs().get(), request, out);
  }
  std::vector<crm::v1::Merge> ListMerges(const crm::v1::ListMergesRequest& request) {
    crm::v1::ListMergesResponse response;
    EXPECT_GRPC_OK(duplicates_->ListMerges(CallAs("bob").get(), request, &response));
    return {response.merges().begin(), response.merges().end()};
  }
};

TEST_P(MergeTest, TheSurvivorTakesEverythingAndTheMergedAccountPointsToIt) {
  const Account survivor = NewAccount("Acme GmbH");
  Account merged = NewAccount("ACME Inc.", "manufacturing", "acme.com");
  const Contact jane = NewContact(merged.id(), "Jane Roe", "jane@acme.com");
  LogInteraction(merged.id(), jane.id());
  crm::v1::CreateActivityRequest activity_request;
  activity_request.mutable_activity()->set_account_id(merged.id());
  activity_request.mutable_activity()->set_kind(crm::v1::ACTIVITY_KIND_CALL);
  activity_request.mutable_activity()->set_subject("Follow up on the offer");
  *activity_request.mutable_activity()->mutable_due_time() =
      TimeToTimestamp(server_->clock().Now() + absl::Hours(48));
  crm::v1::Activity activity;
  ASSERT_GRPC_OK(accounts_->CreateActivity(CallAs().get(), activity_request, &activity));
  crm::v1::CreateOpportunityRequest opportunity_request;
  opportunity_request.mutable_opportunity()->set_account_id(merged.id());
  opportunity_request.mutable_opportunity()->set_name("Service contract");
  *opportunity_request.mutable_opportunity()->mutable_amount() = Euros(25000);
  crm::v1::Opportunity opportunity;
  ASSERT_GRPC_OK(pipeline_->CreateOpportunity(CallAs().get(), opportunity_request, &opportunity));
  crm::v1::CreateOrderRequest order_request;
  order_request.mutable_order()->set_account_id(merged.id());
  crm::v1::OrderLine* line = order_request.mutable_order()->add_lines();
  line->set_description("Service contract, one year");
  line->set_quantity(2);
  *line->mutable_unit_price() = Euros(500);
  crm::v1::Order order;
  ASSERT_GRPC_OK(pipeline_->CreateOrder(CallAs().get(), order_request, &order));
  crm::v1::RecordPaymentRequest payment_request;
  payment_request.mutable_payment()->set_order_id(order.id());
  *payment_request.mutable_payment()->mutable_amount() = Euros(400);
  crm::v1::Payment payment;
  ASSERT_GRPC_OK(pipeline_->RecordPayment(CallAs().get(), payment_request, &payment));
  const crm::v1::Ticket ticket = NewTicket(merged.id(), jane.id());
  crm::v1::CreateAccountPlanRequest plan_request;
  plan_request.mutable_plan()->set_account_id(merged.id());
  plan_request.mutable_plan()->add_objectives("Renew the service contract");
  crm::v1::AccountPlan plan;
  ASSERT_GRPC_OK(kam_->CreateAccountPlan(CallAs().get(), plan_request, &plan));
  merged = GetAccount(merged.id());  // etag after everything above

  crm::v1::MergeAccountsResponse response;
  ASSERT_GRPC_OK(MergeAccounts(survivor, {merged}, &response));
  const crm::v1::Merge& merge = response.merge();
  EXPECT_EQ(merge.entity(), crm::v1::DUPLICATE_ENTITY_ACCOUNT);
  EXPECT_EQ(merge.survivor_id(), survivor.id());
  EXPECT_EQ(merge.actor(), "maria");
  ASSERT_EQ(merge.merged_accounts_size(), 1);
  EXPECT_EQ(merge.merged_accounts(0).name(), "ACME Inc.");
  EXPECT_EQ(merge.merged_accounts(0).etag(), merged.etag()) << "the record as it was before the merge";
  EXPECT_EQ(merge.moved().at("contacts"), 1);
  for (const char* table : {"interactions", "activities", "opportunities", "orders", "payments", "tickets",
                            "kam_account_plans"}) {
    ASSERT_TRUE(merge.moved().contains(table)) << table;
    EXPECT_EQ(merge.moved().at(table), 1) << table;
  }
  // The survivor had no industry or website of its own; its name stays.
  EXPECT_EQ(response.survivor().name(), "Acme GmbH");
  EXPECT_EQ(response.survivor().industry(), "manufacturing");
  EXPECT_EQ(response.survivor().website(), "acme.com");
  EXPECT_NE(std::find(merge.filled_fields().begin(), merge.filled_fields().end(), "industry"),
            merge.filled_fields().end());
  EXPECT_NE(response.survivor().etag(), survivor.etag());

  // The tombstone says where the account went and takes no change.
  const Account tombstone = GetAccount(merged.id());
  EXPECT_EQ(tombstone.merged_into_id(), survivor.id());
  EXPECT_TRUE(tombstone.has_delete_time());
  crm::v1::UndeleteAccountRequest undelete;
  undelete.set_id(merged.id());
  Account ignored;
  EXPECT_TRUE(HasCodeAndField(accounts_->UndeleteAccount(CallAs().get(), undelete, &ignored),
                              grpc::StatusCode::FAILED_PRECONDITION, "id"));
  crm::v1::UpdateAccountRequest rename;
  rename.mutable_account()->set_id(merged.id());
  rename.mutable_account()->set_name("ACME again");
  rename.mutable_update_mask()->add_paths("name");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateAccount(CallAs().get(), rename, &ignored),
                              grpc::StatusCode::FAILED_PRECONDITION, "account.id"));

  // Everything is under the survivor now.
  EXPECT_EQ(ContactIdsOf(survivor.id()), std::vector<std::string>{jane.id()});
  EXPECT_TRUE(ContactIdsOf(merged.id()).empty());
  EXPECT_EQ(GetTicket(ticket.id()).account_id(), survivor.id());
  EXPECT_EQ(GetTicket(ticket.id()).contact_id(), jane.id());
  crm::v1::ListOpportunitiesRequest opportunities;
  opportunities.set_account_id(survivor.id());
  crm::v1::ListOpportunitiesResponse listed_opportunities;
  ASSERT_GRPC_OK(pipeline_->ListOpportunities(CallAs().get(), opportunities, &listed_opportunities));
  ASSERT_EQ(listed_opportunities.opportunities_size(), 1);
  EXPECT_EQ(listed_opportunities.opportunities(0).id(), opportunity.id());
  crm::v1::ListOrdersRequest orders;
  orders.set_account_id(survivor.id());
  crm::v1::ListOrdersResponse listed_orders;
  ASSERT_GRPC_OK(pipeline_->ListOrders(CallAs().get(), orders, &listed_orders));
  ASSERT_EQ(listed_orders.orders_size(), 1);
  crm::v1::ListInteractionsRequest interactions;
  interactions.set_account_id(survivor.id());
  crm::v1::ListInteractionsResponse listed_interactions;
  ASSERT_GRPC_OK(accounts_->ListInteractions(CallAs().get(), interactions, &listed_interactions));
  EXPECT_EQ(listed_interactions.interactions_size(), 1);

  // The merged account is no duplicate candidate any more.
  crm::v1::FindDuplicatesRequest find;
  find.mutable_record()->set_entity(crm::v1::DUPLICATE_ENTITY_ACCOUNT);
  find.mutable_record()->set_id(survivor.id());
  crm::v1::FindDuplicatesResponse candidates;
  ASSERT_GRPC_OK(duplicates_->FindDuplicates(CallAs().get(), find, &candidates));
  for (const auto& c : candidates.candidates()) EXPECT_NE(c.id(), merged.id());

  // The merge record, by id, by survivor and by the merged account.
  crm::v1::GetMergeRequest get;
  get.set_id(merge.id());
  crm::v1::Merge stored;
  ASSERT_GRPC_OK(duplicates_->GetMerge(CallAs("bob").get(), get, &stored));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(stored, merge)) << stored.DebugString();
  crm::v1::ListMergesRequest by_survivor;
  by_survivor.set_survivor_id(survivor.id());
  EXPECT_EQ(ListMerges(by_survivor).size(), 1u);
  crm::v1::ListMergesRequest by_merged;
  by_merged.set_merged_id(merged.id());
  ASSERT_EQ(ListMerges(by_merged).size(), 1u);
  by_merged.set_entity(crm::v1::DUPLICATE_ENTITY_CONTACT);
  EXPECT_TRUE(ListMerges(by_merged).empty());
}

TEST_P(MergeTest, EtagsDecideAndARefusedMergeChangesNothing) {
  const Account survivor = NewAccount("Initech");
  const Account merged = NewAccount("Initech Corp");
  const Contact peter = NewContact(merged.id(), "Peter Gibbons");

  // Someone changed the merged account after the caller read it.
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id(merged.id());
  update.mutable_account()->set_industry("software");
  update.mutable_update_mask()->add_paths("industry");
  Account changed;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), update, &changed));
  crm::v1::MergeAccountsResponse response;
  EXPECT_EQ(MergeAccounts(survivor, {merged}, &response).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ContactIdsOf(merged.id()), std::vector<std::string>{peter.id()});
  EXPECT_TRUE(GetAccount(merged.id()).merged_into_id().empty());
  EXPECT_EQ(GetAccount(survivor.id()).etag(), survivor.etag());
  crm::v1::ListMergesRequest all;
  EXPECT_TRUE(ListMerges(all).empty());

  // With the etag read again the merge goes through; a contact etag read before it is stale
  // (the contact moved), so an edit made on that copy cannot undo the move.
  ASSERT_GRPC_OK(MergeAccounts(survivor, {changed}, &response));
  crm::v1::UpdateContactRequest stale;
  stale.mutable_contact()->set_id(peter.id());
  stale.mutable_contact()->set_title("Programmer");
  stale.mutable_update_mask()->add_paths("title");
  stale.set_etag(peter.etag());
  Contact edited;
  EXPECT_EQ(accounts_->UpdateContact(CallAs().get(), stale, &edited).error_code(), grpc::StatusCode::ABORTED);
  Contact fresh;
  ASSERT_GRPC_OK(GetContact(peter.id(), &fresh));
  EXPECT_EQ(fresh.account_id(), survivor.id());
  stale.set_etag(fresh.etag());
  ASSERT_GRPC_OK(accounts_->UpdateContact(CallAs().get(), stale, &edited));
  EXPECT_EQ(edited.account_id(), survivor.id());
  EXPECT_EQ(edited.title(), "Programmer");

  // A merged account merges no more, into anything.
  const Account third = NewAccount("Initrode");
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(third, {GetAccount(merged.id())}, &response),
                              grpc::StatusCode::FAILED_PRECONDITION, "merged[0].id"));
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(GetAccount(merged.id()), {third}, &response),
                              grpc::StatusCode::FAILED_PRECONDITION, "survivor_id"));
}

// Creates under the merged account while the merge runs: each either lands before the merge
// (and moves with it) or is refused after it; none is left behind under the tombstone.
TEST_P(MergeTest, CreatesRacingAMergeMoveWithItOrAreRefused) {
  for (int round = 0; round < 3; ++round) {
    const Account survivor = NewAccount("Hooli " + std::to_string(round));
    const Account merged = NewAccount("Hooli XYZ " + std::to_string(round));
    std::vector<std::string> contacts, tickets;
    // Creates go on until both kinds were refused (the merge is done) or 200 rounds passed.
    std::thread creator([&] {
      bool contact_refused = false, ticket_refused = false;
      for (int i = 0; i < 200 && !(contact_refused && ticket_refused); ++i) {
        crm::v1::CreateContactRequest contact_request;
        contact_request.mutable_contact()->set_account_id(merged.id());
        contact_request.mutable_contact()->set_full_name("Racer " + std::to_string(i));
        Contact contact;
        const grpc::Status contact_status = accounts_->CreateContact(CallAs().get(), contact_request, &contact);
        if (contact_status.ok()) {
          contacts.push_back(contact.id());
        } else {
          EXPECT_EQ(contact_status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << contact_status.error_message();
          contact_refused = true;
        }
        crm::v1::CreateTicketRequest ticket_request;
        crm::v1::Ticket& draft = *ticket_request.mutable_ticket();
        draft.set_account_id(merged.id());
        draft.set_subject("Racing ticket");
        draft.set_description("Filed while the account is merged.");
        draft.set_category("billing");
        draft.set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
        draft.set_priority(crm::v1::TICKET_PRIORITY_P3);
        crm::v1::Ticket ticket;
        const grpc::Status ticket_status = desk_->CreateTicket(CallAs().get(), ticket_request, &ticket);
        if (ticket_status.ok()) {
          tickets.push_back(ticket.id());
        } else {
          EXPECT_EQ(ticket_status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << ticket_status.error_message();
          ticket_refused = true;
        }
      }
    });
    absl::SleepFor(absl::Milliseconds(30 + 20 * round));
    Account survivor_any_version = survivor, merged_any_version = merged;
    survivor_any_version.clear_etag();
    merged_any_version.clear_etag();
    crm::v1::MergeAccountsResponse response;
    const grpc::Status status = MergeAccounts(survivor_any_version, {merged_any_version}, &response);
    creator.join();
    ASSERT_GRPC_OK(status);
    EXPECT_TRUE(ContactIdsOf(merged.id()).empty()) << "a contact was left under the tombstone";
    const std::vector<std::string> under_survivor = ContactIdsOf(survivor.id());
    for (const std::string& id : contacts) {
      EXPECT_TRUE(std::binary_search(under_survivor.begin(), under_survivor.end(), id)) << id;
    }
    for (const std::string& id : tickets) EXPECT_EQ(GetTicket(id).account_id(), survivor.id()) << id;
  }
}

TEST_P(MergeTest, BadRequestsNameTheField) {
  const Account a = NewAccount("Globex");
  const Account b = NewAccount("Globex Corporation");
  crm::v1::MergeAccountsResponse response;
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {}, &response), grpc::StatusCode::INVALID_ARGUMENT, "merged"));
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {a}, &response), grpc::StatusCode::INVALID_ARGUMENT, "merged[0].id"));
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {b, b}, &response), grpc::StatusCode::INVALID_ARGUMENT,
                              "merged[1].id"));
  std::vector<Account> too_many(11, b);
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, too_many, &response), grpc::StatusCode::INVALID_ARGUMENT, "merged"));
  Account missing = b;
  missing.set_id("acc_does_not_exist");
  missing.clear_etag();
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {b, missing}, &response), grpc::StatusCode::NOT_FOUND,
                              "merged[1].id"));
  Account bad_etag = b;
  bad_etag.set_etag("not-an-etag");
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {bad_etag}, &response), grpc::StatusCode::INVALID_ARGUMENT,
                              "merged[0].etag"));

  // A deleted account is undeleted first.
  crm::v1::DeleteAccountRequest remove;
  remove.set_id(b.id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), remove, &deleted));
  EXPECT_TRUE(HasCodeAndField(MergeAccounts(a, {deleted}, &response), grpc::StatusCode::FAILED_PRECONDITION,
                              "merged[0].id"));

  // Sales reps do not merge.
  crm::v1::MergeAccountsRequest request;
  request.set_survivor_id(a.id());
  request.add_merged()->set_id(b.id());
  server_->TokenFor("carol", crm::v1::ROLE_SALES_REP);
  EXPECT_EQ(duplicates_->MergeAccounts(CallAs("carol").get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(MergeTest, ARetriedMergeReturnsTheFirst) {
  const Account survivor = NewAccount("Umbrella");
  const Account merged = NewAccount("Umbrella Corp");
  crm::v1::MergeAccountsResponse first;
  ASSERT_GRPC_OK(MergeAccounts(survivor, {merged}, &first, "merge-umbrella-1"));
  crm::v1::MergeAccountsResponse again;
  ASSERT_GRPC_OK(MergeAccounts(survivor, {merged}, &again, "merge-umbrella-1"));
  EXPECT_EQ(again.merge().id(), first.merge().id());
  EXPECT_EQ(ListMerges(crm::v1::ListMergesRequest()).size(), 1u);
}

TEST_P(MergeTest, MergedContactsHandOverTheirHistoryAndSayWhereTheyWent) {
  const Account acme = NewAccount("Acme");
  const Contact jane = NewContact(acme.id(), "Jane Roe");
  const Contact jane_again = NewContact(acme.id(), "Roe, Jane", "jane.roe@acme.com", "Head of purchasing");
  const crm::v1::Interaction call = LogInteraction(acme.id(), jane_again.id());
  const crm::v1::Ticket ticket = NewTicket(acme.id(), jane_again.id());

  crm::v1::MergeContactsResponse response;
  ASSERT_GRPC_OK(MergeContacts(jane, {jane_again}, &response));
  EXPECT_EQ(response.survivor().email(), "jane.roe@acme.com");
  EXPECT_EQ(response.survivor().title(), "Head of purchasing");
  EXPECT_EQ(response.survivor().full_name(), "Jane Roe");
  EXPECT_EQ(response.merge().moved().at("interactions"), 1);
  EXPECT_EQ(response.merge().moved().at("tickets"), 1);
  ASSERT_EQ(response.merge().merged_contacts_size(), 1);
  EXPECT_EQ(response.merge().merged_contacts(0).email(), "jane.roe@acme.com");

  EXPECT_EQ(GetTicket(ticket.id()).contact_id(), jane.id());
  crm::v1::ListInteractionsRequest by_contact;
  by_contact.set_contact_id(jane.id());
  crm::v1::ListInteractionsResponse interactions;
  ASSERT_GRPC_OK(accounts_->ListInteractions(CallAs().get(), by_contact, &interactions));
  ASSERT_EQ(interactions.interactions_size(), 1);
  EXPECT_EQ(interactions.interactions(0).id(), call.id());
  EXPECT_EQ(ContactIdsOf(acme.id()), std::vector<std::string>{jane.id()});

  Contact gone;
  const grpc::Status status = GetContact(jane_again.id(), &gone);
  EXPECT_TRUE(HasCodeAndField(status, grpc::StatusCode::NOT_FOUND, "id"));
  const std::optional<crm::v1::MergedInto> where = duplicates::MergedIntoOf(server::FromGrpcStatus(status));
  ASSERT_TRUE(where.has_value()) << status.error_message();
  EXPECT_EQ(where->survivor_id(), jane.id());
  EXPECT_EQ(where->merge_id(), response.merge().id());
  EXPECT_NE(status.error_message().find(jane.id()), std::string::npos) << status.error_message();

  // Contacts of two accounts: their accounts are merged first.
  const Account other = NewAccount("Other");
  const Contact elsewhere = NewContact(other.id(), "Jane Roe");
  EXPECT_TRUE(HasCodeAndField(MergeContacts(jane, {elsewhere}, &response), grpc::StatusCode::FAILED_PRECONDITION,
                              "merged[0].id"));
  // A contact merged away already.
  EXPECT_TRUE(HasCodeAndField(MergeContacts(jane, {jane_again}, &response), grpc::StatusCode::NOT_FOUND,
                              "merged[0].id"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MergeTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
