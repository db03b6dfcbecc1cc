// Duplicates: match keys kept with accounts, contacts and leads as they are written, changed and
// deleted; FindDuplicates and its reasons; the create-time check under the settings (warn,
// refuse unless confirmed, off); what lead conversion offers and uses. A real in-process server
// on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/duplicates/duplicate_finder.h"
#include "common/server/grpc_status.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/duplicates/duplicate_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Contact;
using crm::v1::DuplicateCandidate;
using crm::v1::Lead;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr auto kAccountEntity = crm::v1::DUPLICATE_ENTITY_ACCOUNT;
constexpr auto kContactEntity = crm::v1::DUPLICATE_ENTITY_CONTACT;
constexpr auto kLeadEntity = crm::v1::DUPLICATE_ENTITY_LEAD;

// "<id>:<reason>,<reason>" per candidate, in the order given: what a test compares.
std::vector<std::string> Described(const google::protobuf::RepeatedPtrField<DuplicateCandidate>& candidates) {
  std::vector<std::string> out;
  for (const DuplicateCandidate& c : candidates) {
    std::string text = c.id() + ":";
    for (int i = 0; i < c.matches_size(); ++i) {
      if (i > 0) text += ",";
      text += crm::v1::MatchReason_Name(c.matches(i).reason()).substr(std::string("MATCH_REASON_").size());
    }
    out.push_back(text);
  }
  return out;
}

class DuplicateTest : public testing::DuplicateServerTest {
 protected:
  static Account AccountDraft(const std::string& name, const std::string& website = "", const std::string& phone = "") {
    Account a;
    a.set_name(name);
    a.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    a.set_website(website);
    a.set_phone(phone);
    return a;
  }
  grpc::Status CreateAccount(const Account& draft, Account* out, bool confirm = false) {
    crm::v1::CreateAccountRequest request;
    *request.mutable_account() = draft;
    request.set_confirm_duplicate(confirm);
    return accounts_->CreateAccount(CallAs().get(), request, out);
  }
  Account MustCreateAccount(const Account& draft) {
    Account out;
    grpc::Status s = CreateAccount(draft, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status CreateContact(const std::string& account_id, const std::string& name, const std::string& email,
                             const std::string& phone, Contact* out, bool confirm = false) {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(account_id);
    request.mutable_contact()->set_full_name(name);
    request.mutable_contact()->set_email(email);
    request.mutable_contact()->set_phone(phone);
    request.set_confirm_duplicate(confirm);
    return accounts_->CreateContact(CallAs().get(), request, out);
  }
  Contact MustCreateContact(const std::string& account_id, const std::string& name, const std::string& email,
                            const std::string& phone = "") {
    Contact out;
    grpc::Status s = CreateContact(account_id, name, email, phone, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  static Lead LeadDraft(const std::string& name, const std::string& company, const std::string& email,
                        const std::string& phone = "") {
    Lead lead;
    lead.set_full_name(name);
    lead.set_company_name(company);
    lead.set_email(email);
    lead.set_phone(phone);
    lead.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_WEB);
    return lead;
  }
  grpc::Status CreateLead(const Lead& draft, Lead* out, bool confirm = false) {
    crm::v1::CreateLeadRequest request;
    *request.mutable_lead() = draft;
    request.set_confirm_duplicate(confirm);
    return pipeline_->CreateLead(CallAs().get(), request, out);
  }
  Lead MustCreateLead(const Lead& draft) {
    Lead out;
    grpc::Status s = CreateLead(draft, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  crm::v1::FindDuplicatesResponse FindFor(const crm::v1::FindDuplicatesRequest& request) {
    crm::v1::FindDuplicatesResponse response;
    grpc::Status s = duplicates_->FindDuplicates(CallAs("bob").get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
  std::vector<std::string> FindOfRecord(crm::v1::DuplicateEntity entity, const std::string& id,
                                        std::vector<crm::v1::DuplicateEntity> among = {}) {
    crm::v1::FindDuplicatesRequest request;
    request.mutable_record()->set_entity(entity);
    request.mutable_record()->set_id(id);
    for (auto e : among) request.add_among(e);
    return Described(FindFor(request).candidates());
  }

  void SetActions(crm::v1::DuplicateAction accounts, crm::v1::DuplicateAction contacts,
                  crm::v1::DuplicateAction leads) {
    crm::v1::UpdateDuplicateSettingsRequest request;
    request.mutable_settings()->set_accounts(accounts);
    request.mutable_settings()->set_contacts(contacts);
    request.mutable_settings()->set_leads(leads);
    crm::v1::DuplicateSettings out;
    ASSERT_GRPC_OK(duplicates_->UpdateDuplicateSettings(CallAs().get(), request, &out));
    EXPECT_EQ(out.accounts(), accounts);
    EXPECT_EQ(out.leads(), leads);
  }
};

TEST_P(DuplicateTest, AccountsMatchByNameWebDomainAndPhoneWithTheReasons) {
  const Account acme = MustCreateAccount(AccountDraft("Acme GmbH", "https://www.acme.com/de", "+49 30 1234567"));
  const Account acme_inc = MustCreateAccount(AccountDraft("ACME, Inc."));
  const Account portal = MustCreateAccount(AccountDraft("Roadrunner Portal", "acme.com"));
  const Account reseller = MustCreateAccount(AccountDraft("Coyote Reseller", "", "030 123-4567"));
  MustCreateAccount(AccountDraft("Acme Tools", "acmetools.com", "+1 555 0100 999"));

  // A stored account: never its own candidate; the one sharing most keys first.
  EXPECT_EQ(FindOfRecord(kAccountEntity, acme.id()),
            (std::vector<std::string>{acme_inc.id() + ":ORGANISATION_NAME", portal.id() + ":WEB_DOMAIN",
                                      reseller.id() + ":PHONE"}));

  // A record not yet stored (a form being filled in): name and domain shared with the first.
  crm::v1::FindDuplicatesRequest draft;
  *draft.mutable_account() = AccountDraft("acme", "ACME.com");
  const crm::v1::FindDuplicatesResponse found = FindFor(draft);
  ASSERT_GE(found.candidates_size(), 3);
  EXPECT_EQ(found.candidates(0).id(), acme.id());
  EXPECT_EQ(found.candidates(0).display_name(), "Acme GmbH");
  ASSERT_EQ(found.candidates(0).matches_size(), 2);
  EXPECT_EQ(found.candidates(0).matches(0).reason(), crm::v1::MATCH_REASON_ORGANISATION_NAME);
  EXPECT_EQ(found.candidates(0).matches(0).key(), "acme");
  EXPECT_EQ(found.candidates(0).matches(1).key(), "acme.com");

  draft.set_max_candidates(1);
  EXPECT_EQ(FindFor(draft).candidates_size(), 1);
}

TEST_P(DuplicateTest, CreateWarnsByDefaultAndTheAnswerAloneCarriesTheCandidates) {
  const Account acme = MustCreateAccount(AccountDraft("Acme GmbH"));
  EXPECT_EQ(acme.possible_duplicates_size(), 0);
  const Account second = MustCreateAccount(AccountDraft("Acme Ltd."));
  EXPECT_EQ(Described(second.possible_duplicates()), std::vector<std::string>{acme.id() + ":ORGANISATION_NAME"});

  crm::v1::GetAccountRequest get;
  get.set_id(second.id());
  Account read;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &read));
  EXPECT_EQ(read.possible_duplicates_size(), 0);
  EXPECT_EQ(read.website(), "");
}

// A create retried with its request id (its answer was lost) answers the same record, and its
// possible duplicates again, for accounts, contacts and leads.
TEST_P(DuplicateTest, ARetriedCreateAnswersItsCandidatesAgain) {
  const Account acme = MustCreateAccount(AccountDraft("Acme GmbH"));
  crm::v1::CreateAccountRequest account_request;
  *account_request.mutable_account() = AccountDraft("Acme Ltd.");
  account_request.set_request_id("retry-account");
  Account first, again;
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account_request, &first));
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account_request, &again));
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(Described(again.possible_duplicates()), std::vector<std::string>{acme.id() + ":ORGANISATION_NAME"});

  const Contact jane = MustCreateContact(acme.id(), "Jane Roe", "jane.roe@acme.com");
  crm::v1::CreateContactRequest contact_request;
  contact_request.mutable_contact()->set_account_id(acme.id());
  contact_request.mutable_contact()->set_full_name("J. Roe");
  contact_request.mutable_contact()->set_email("jane.roe@acme.com");
  contact_request.set_request_id("retry-contact");
  Contact first_contact, contact_again;
  ASSERT_GRPC_OK(accounts_->CreateContact(CallAs().get(), contact_request, &first_contact));
  ASSERT_GRPC_OK(accounts_->CreateContact(CallAs().get(), contact_request, &contact_again));
  EXPECT_EQ(contact_again.id(), first_contact.id());
  EXPECT_EQ(Described(contact_again.possible_duplicates()), Described(first_contact.possible_duplicates()));
  EXPECT_EQ(Described(contact_again.possible_duplicates()), std::vector<std::string>{jane.id() + ":EMAIL"});

  const Lead lee = MustCreateLead(LeadDraft("Lee Park", "Initech", "lee@initech.com"));
  crm::v1::CreateLeadRequest lead_request;
  *lead_request.mutable_lead() = LeadDraft("Lee Park", "Initech", "LEE@initech.com");
  lead_request.set_request_id("retry-lead");
  Lead first_lead, lead_again;
  ASSERT_GRPC_OK(pipeline_->CreateLead(CallAs().get(), lead_request, &first_lead));
  ASSERT_GRPC_OK(pipeline_->CreateLead(CallAs().get(), lead_request, &lead_again));
  EXPECT_EQ(lead_again.id(), first_lead.id());
  ASSERT_EQ(lead_again.possible_duplicates_size(), 1);
  EXPECT_EQ(lead_again.possible_duplicates(0).id(), lee.id());
  EXPECT_EQ(Described(lead_again.possible_duplicates()), Described(first_lead.possible_duplicates()));

  // With the check off a retry lists nothing, as a create would.
  SetActions(crm::v1::DUPLICATE_ACTION_OFF, crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_WARN);
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account_request, &again));
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(again.possible_duplicates_size(), 0);
}

TEST_P(DuplicateTest, RefuseWritesNothingUntilTheCallerConfirms) {
  const Account acme = MustCreateAccount(AccountDraft("Acme GmbH", "acme.com"));
  SetActions(crm::v1::DUPLICATE_ACTION_REFUSE, crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_WARN);

  Account out;
  grpc::Status refused = CreateAccount(AccountDraft("ACME AG", "http://acme.com"), &out);
  EXPECT_TRUE(HasCodeAndField(refused, grpc::StatusCode::FAILED_PRECONDITION, "account"));
  EXPECT_NE(refused.error_message().find("confirm_duplicate"), std::string::npos) << refused.error_message();
  const std::vector<DuplicateCandidate> carried = duplicates::CandidatesOf(server::FromGrpcStatus(refused));
  ASSERT_EQ(carried.size(), 1u);
  EXPECT_EQ(carried[0].id(), acme.id());
  EXPECT_EQ(carried[0].matches_size(), 2);

  crm::v1::ListAccountsResponse listed;
  ASSERT_GRPC_OK(accounts_->ListAccounts(CallAs().get(), crm::v1::ListAccountsRequest(), &listed));
  EXPECT_EQ(listed.accounts_size(), 1) << "a refused create wrote the account";

  // Not a duplicate: no refusal under the same policy.
  MustCreateAccount(AccountDraft("Initech"));

  ASSERT_GRPC_OK(CreateAccount(AccountDraft("ACME AG", "http://acme.com"), &out, /*confirm=*/true));
  EXPECT_EQ(Described(out.possible_duplicates()), std::vector<std::string>{acme.id() + ":ORGANISATION_NAME,WEB_DOMAIN"});

  // Off: no check at all, and FindDuplicates still answers.
  SetActions(crm::v1::DUPLICATE_ACTION_OFF, crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_WARN);
  ASSERT_GRPC_OK(CreateAccount(AccountDraft("Acme"), &out));
  EXPECT_EQ(out.possible_duplicates_size(), 0);
  EXPECT_EQ(FindOfRecord(kAccountEntity, out.id()).size(), 2u);
}

TEST_P(DuplicateTest, ContactsMatchByEmailPhoneAndByNameOnlyAtTheSameAccount) {
  const Account acme = MustCreateAccount(AccountDraft("Acme"));
  const Account initech = MustCreateAccount(AccountDraft("Initech"));
  const Contact jane = MustCreateContact(acme.id(), "Jane Roe", "jane.roe@acme.com", "+49 30 1234567");
  // The same name at another company is another person.
  const Contact other_jane = MustCreateContact(initech.id(), "Jane Roe", "jroe@initech.com");
  EXPECT_EQ(other_jane.possible_duplicates_size(), 0);

  Contact again;
  ASSERT_GRPC_OK(CreateContact(acme.id(), "Roe, Jane", "", "", &again));
  EXPECT_EQ(Described(again.possible_duplicates()), std::vector<std::string>{jane.id() + ":PERSON_NAME"});
  Contact moved;
  ASSERT_GRPC_OK(CreateContact(initech.id(), "J. Roe", "Jane.Roe+crm@ACME.com", "0301234567", &moved));
  EXPECT_EQ(Described(moved.possible_duplicates()), std::vector<std::string>{jane.id() + ":EMAIL,PHONE"});

  SetActions(crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_REFUSE, crm::v1::DUPLICATE_ACTION_WARN);
  Contact refused;
  EXPECT_TRUE(HasCodeAndField(CreateContact(initech.id(), "Someone", "jane.roe@acme.com", "", &refused),
                              grpc::StatusCode::FAILED_PRECONDITION, "contact"));
  ASSERT_GRPC_OK(CreateContact(initech.id(), "Someone", "jane.roe@acme.com", "", &refused, /*confirm=*/true));
}

TEST_P(DuplicateTest, LeadsMatchPeopleNotColleagues) {
  const Lead jonas = MustCreateLead(LeadDraft("Jonas Weber", "Weber Logistik GmbH", "jonas@weber-logistik.de"));
  // A colleague: same company and e-mail domain, another person.
  const Lead colleague = MustCreateLead(LeadDraft("Anna Schmidt", "Weber Logistik", "anna@weber-logistik.de"));
  EXPECT_EQ(colleague.possible_duplicates_size(), 0);
  const Lead again = MustCreateLead(LeadDraft("weber jonas", "Weber Logistik", "j.weber@gmail.com"));
  EXPECT_EQ(Described(again.possible_duplicates()), std::vector<std::string>{jonas.id() + ":PERSON_NAME"});

  SetActions(crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_REFUSE);
  Lead out;
  EXPECT_TRUE(HasCodeAndField(CreateLead(LeadDraft("J W", "", "Jonas@Weber-Logistik.de"), &out),
                              grpc::StatusCode::FAILED_PRECONDITION, "lead"));
}

TEST_P(DuplicateTest, KeysFollowUpdatesDeletesAndUndeletes) {
  const Account acme = MustCreateAccount(AccountDraft("Acme"));
  const Account initech = MustCreateAccount(AccountDraft("Initech"));
  EXPECT_TRUE(FindOfRecord(kAccountEntity, acme.id()).empty());

  // Renamed: matches under its new name, no longer under the old one.
  crm::v1::UpdateAccountRequest rename;
  rename.mutable_account()->set_id(initech.id());
  rename.mutable_account()->set_name("Acme Corp.");
  rename.mutable_update_mask()->add_paths("name");
  Account renamed;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), rename, &renamed));
  EXPECT_EQ(FindOfRecord(kAccountEntity, acme.id()), std::vector<std::string>{initech.id() + ":ORGANISATION_NAME"});
  crm::v1::FindDuplicatesRequest old_name;
  *old_name.mutable_account() = AccountDraft("Initech");
  EXPECT_EQ(FindFor(old_name).candidates_size(), 0);

  // A website added later is matched too.
  crm::v1::UpdateAccountRequest site;
  site.mutable_account()->set_id(acme.id());
  site.mutable_account()->set_website("www.acme.io");
  site.mutable_update_mask()->add_paths("website");
  Account with_site;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), site, &with_site));
  EXPECT_EQ(with_site.website(), "www.acme.io");
  crm::v1::FindDuplicatesRequest by_site;
  *by_site.mutable_account() = AccountDraft("Something else", "https://acme.io/contact");
  EXPECT_EQ(Described(FindFor(by_site).candidates()), std::vector<std::string>{acme.id() + ":WEB_DOMAIN"});

  // Soft-deleted accounts are no candidates; undeleted ones are again.
  crm::v1::DeleteAccountRequest remove;
  remove.set_id(initech.id());
  Account removed;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), remove, &removed));
  EXPECT_TRUE(FindOfRecord(kAccountEntity, acme.id()).empty());
  crm::v1::UndeleteAccountRequest restore;
  restore.set_id(initech.id());
  ASSERT_GRPC_OK(accounts_->UndeleteAccount(CallAs().get(), restore, &removed));
  EXPECT_EQ(FindOfRecord(kAccountEntity, acme.id()).size(), 1u);

  // A deleted contact and a deleted lead leave the index.
  const Contact jane = MustCreateContact(acme.id(), "Jane Roe", "jane@acme.io");
  const Contact dup = MustCreateContact(acme.id(), "Jane Roe", "");
  EXPECT_EQ(FindOfRecord(kContactEntity, dup.id()), std::vector<std::string>{jane.id() + ":PERSON_NAME"});
  crm::v1::DeleteContactRequest drop;
  drop.set_id(jane.id());
  crm::v1::DeleteContactResponse dropped;
  ASSERT_GRPC_OK(accounts_->DeleteContact(CallAs().get(), drop, &dropped));
  EXPECT_TRUE(FindOfRecord(kContactEntity, dup.id()).empty());

  const Lead first = MustCreateLead(LeadDraft("Max Muster", "Muster AG", "max@muster.de"));
  const Lead second = MustCreateLead(LeadDraft("Max Muster", "Muster AG", ""));
  EXPECT_EQ(FindOfRecord(kLeadEntity, second.id()), std::vector<std::string>{first.id() + ":PERSON_NAME"});
  crm::v1::DeleteLeadRequest drop_lead;
  drop_lead.set_id(first.id());
  crm::v1::DeleteLeadResponse dropped_lead;
  ASSERT_GRPC_OK(pipeline_->DeleteLead(CallAs().get(), drop_lead, &dropped_lead));
  EXPECT_TRUE(FindOfRecord(kLeadEntity, second.id()).empty());
}

TEST_P(DuplicateTest, LeadConversionOffersAndUsesTheMatchingAccountAndContact) {
  const Account weber = MustCreateAccount(AccountDraft("Weber Logistik GmbH", "weber-logistik.de"));
  const Contact jonas = MustCreateContact(weber.id(), "Jonas Weber", "jonas@weber-logistik.de");
  const Lead lead = MustCreateLead(LeadDraft("Jonas Weber", "Weber Logistik", "Jonas@weber-logistik.de"));

  // What conversion would match: the account by name and domain, the contact by e-mail.
  EXPECT_EQ(FindOfRecord(kLeadEntity, lead.id(), {kAccountEntity, kContactEntity}),
            (std::vector<std::string>{weber.id() + ":ORGANISATION_NAME,WEB_DOMAIN", jonas.id() + ":EMAIL"}));

  crm::v1::ConvertLeadRequest convert;
  convert.set_id(lead.id());
  convert.set_existing_account_id(weber.id());
  convert.set_existing_contact_id(jonas.id());
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(pipeline_->ConvertLead(CallAs().get(), convert, &converted));
  EXPECT_EQ(converted.account_id(), weber.id());
  EXPECT_EQ(converted.contact_id(), jonas.id());
  EXPECT_EQ(converted.lead().converted_contact_id(), jonas.id());
  EXPECT_EQ(converted.possible_duplicates_size(), 0);
  crm::v1::ListContactsRequest contacts;
  contacts.set_account_id(weber.id());
  crm::v1::ListContactsResponse listed;
  ASSERT_GRPC_OK(accounts_->ListContacts(CallAs().get(), contacts, &listed));
  EXPECT_EQ(listed.contacts_size(), 1) << "conversion made a second contact";

  // A contact of another account is refused.
  const Account other = MustCreateAccount(AccountDraft("Other"));
  const Lead second = MustCreateLead(LeadDraft("Eva Braun", "Weber Logistik", "eva@weber-logistik.de"));
  convert.set_id(second.id());
  convert.set_existing_account_id(other.id());
  EXPECT_TRUE(HasCodeAndField(pipeline_->ConvertLead(CallAs().get(), convert, &converted),
                              grpc::StatusCode::INVALID_ARGUMENT, "existing_contact_id"));

  // Creating a new account that matches: warned on the answer; refused when accounts refuse.
  SetActions(crm::v1::DUPLICATE_ACTION_REFUSE, crm::v1::DUPLICATE_ACTION_WARN, crm::v1::DUPLICATE_ACTION_WARN);
  convert.clear_existing_account_id();
  convert.clear_existing_contact_id();
  grpc::Status refused = pipeline_->ConvertLead(CallAs().get(), convert, &converted);
  EXPECT_TRUE(HasCodeAndField(refused, grpc::StatusCode::FAILED_PRECONDITION, "existing_account_id"))
      << refused.error_message();
  EXPECT_EQ(duplicates::CandidatesOf(server::FromGrpcStatus(refused)).size(), 1u);
  convert.set_confirm_duplicate(true);
  ASSERT_GRPC_OK(pipeline_->ConvertLead(CallAs().get(), convert, &converted));
  EXPECT_NE(converted.account_id(), weber.id());
  EXPECT_EQ(Described(converted.possible_duplicates()),
            std::vector<std::string>{weber.id() + ":ORGANISATION_NAME,WEB_DOMAIN"});
}

TEST_P(DuplicateTest, BadRequestsNameTheField) {
  crm::v1::FindDuplicatesResponse out;
  EXPECT_TRUE(HasCodeAndField(duplicates_->FindDuplicates(CallAs().get(), crm::v1::FindDuplicatesRequest(), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "subject"));
  crm::v1::FindDuplicatesRequest request;
  request.mutable_record()->set_entity(kAccountEntity);
  request.mutable_record()->set_id("acc_missing");
  EXPECT_TRUE(HasCodeAndField(duplicates_->FindDuplicates(CallAs().get(), request, &out),
                              grpc::StatusCode::NOT_FOUND, "record.id"));
  request.mutable_record()->set_entity(crm::v1::DUPLICATE_ENTITY_UNSPECIFIED);
  EXPECT_TRUE(HasCodeAndField(duplicates_->FindDuplicates(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "record.entity"));
  *request.mutable_account() = AccountDraft("Acme");
  request.add_among(static_cast<crm::v1::DuplicateEntity>(9));
  EXPECT_TRUE(HasCodeAndField(duplicates_->FindDuplicates(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "among[0]"));
  request.clear_among();
  request.set_max_candidates(101);
  EXPECT_TRUE(HasCodeAndField(duplicates_->FindDuplicates(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "max_candidates"));

  Account bad;
  EXPECT_TRUE(HasCodeAndField(CreateAccount(AccountDraft("Acme", "not a web address"), &bad),
                              grpc::StatusCode::INVALID_ARGUMENT, "account.website"));
  EXPECT_TRUE(HasCodeAndField(CreateAccount(AccountDraft("Acme", "", "call me"), &bad),
                              grpc::StatusCode::INVALID_ARGUMENT, "account.phone"));

  crm::v1::UpdateDuplicateSettingsRequest update;
  update.mutable_settings()->set_accounts(crm::v1::DUPLICATE_ACTION_REFUSE);
  update.mutable_update_mask()->add_paths("contacts");
  crm::v1::DuplicateSettings settings;
  EXPECT_TRUE(HasCodeAndField(duplicates_->UpdateDuplicateSettings(CallAs().get(), update, &settings),
                              grpc::StatusCode::INVALID_ARGUMENT, "settings.contacts"));
}

TEST_P(DuplicateTest, SettingsChangeUnderEtagsByAdministratorsWithAnEvent) {
  crm::v1::DuplicateSettings settings;
  ASSERT_GRPC_OK(duplicates_->GetDuplicateSettings(CallAs("bob").get(), crm::v1::GetDuplicateSettingsRequest(),
                                                   &settings));
  EXPECT_EQ(settings.accounts(), crm::v1::DUPLICATE_ACTION_WARN);
  EXPECT_EQ(settings.contacts(), crm::v1::DUPLICATE_ACTION_WARN);
  EXPECT_EQ(settings.leads(), crm::v1::DUPLICATE_ACTION_WARN);

  crm::v1::UpdateDuplicateSettingsRequest update;
  update.mutable_settings()->set_accounts(crm::v1::DUPLICATE_ACTION_REFUSE);
  update.set_etag(settings.etag());
  crm::v1::DuplicateSettings updated;
  server_->TokenFor("rep", crm::v1::ROLE_SALES_REP);
  EXPECT_EQ(duplicates_->UpdateDuplicateSettings(CallAs("rep").get(), update, &updated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_GRPC_OK(duplicates_->UpdateDuplicateSettings(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.accounts(), crm::v1::DUPLICATE_ACTION_REFUSE);
  EXPECT_EQ(updated.contacts(), crm::v1::DUPLICATE_ACTION_WARN) << "an empty mask changed an unset action";
  EXPECT_NE(updated.etag(), settings.etag());
  EXPECT_TRUE(updated.has_update_time());
  // The etag it was read with is stale now.
  update.mutable_settings()->set_accounts(crm::v1::DUPLICATE_ACTION_OFF);
  EXPECT_EQ(duplicates_->UpdateDuplicateSettings(CallAs().get(), update, &updated).error_code(),
            grpc::StatusCode::ABORTED);

  crm::v1::ListEventsRequest events;
  events.add_types("duplicate_settings.updated");
  crm::v1::ListEventsResponse listed;
  ASSERT_GRPC_OK(events_->ListEvents(CallAs().get(), events, &listed));
  ASSERT_EQ(listed.events_size(), 1);
  EXPECT_EQ(listed.events(0).type(), "duplicate_settings.updated");
}

// Creates of one duplicate that race each other: under REFUSE exactly one of them is written
// and every other is refused with the winner as its candidate, on every backend (MariaDB runs
// them side by side, so each create must see the keys of those that committed before it).
TEST_P(DuplicateTest, RacingCreatesOfOneDuplicateWriteOneUnderRefuse) {
  SetActions(crm::v1::DUPLICATE_ACTION_REFUSE, crm::v1::DUPLICATE_ACTION_REFUSE, crm::v1::DUPLICATE_ACTION_WARN);
  const Account home = MustCreateAccount(AccountDraft("Racing Home Ltd"));
  constexpr int kRacers = 8;
  constexpr int kRounds = 4;
  // Person names that match nothing else, so that the shared email is the one match.
  const char* const kGivenNames[kRacers] = {"Alma", "Bert", "Cora", "Dirk", "Edda", "Finn", "Gita", "Hugo"};
  const char* const kFamilyNames[kRounds] = {"Quist", "Ruiz", "Stahl", "Tamm"};
  for (int round = 0; round < kRounds; ++round) {
    const std::string suffix = std::to_string(round);
    std::atomic<bool> go{false};
    std::vector<grpc::Status> account_results(kRacers);
    std::vector<grpc::Status> contact_results(kRacers);
    std::vector<Account> accounts(kRacers);
    std::vector<Contact> contacts(kRacers);
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        if (i % 2 == 0) {
          account_results[i] = CreateAccount(AccountDraft("Photo Finish " + suffix + " GmbH"), &accounts[i]);
        } else {
          contact_results[i] = CreateContact(home.id(), std::string(kGivenNames[i]) + " " + kFamilyNames[round],
                                             "photo.finish" + suffix + "@racing.example", "", &contacts[i]);
        }
      });
    }
    go = true;
    for (std::thread& racer : racers) racer.join();
    for (const auto* results : {&account_results, &contact_results}) {
      int written = 0;
      for (int i = 0; i < kRacers; ++i) {
        const bool ran = (results == &account_results) == (i % 2 == 0);
        if (!ran) continue;
        const grpc::Status& s = (*results)[i];
        if (s.ok()) {
          ++written;
        } else {
          EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
          EXPECT_EQ(duplicates::CandidatesOf(server::FromGrpcStatus(s)).size(), 1u) << s.error_message();
        }
      }
      EXPECT_EQ(written, 1) << (results == &account_results ? "accounts" : "contacts") << " written in round "
                            << round;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DuplicateTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
