// DuplicateClient and crmctl's duplicate commands against a real in-process server, on every
// backend: a create refused as a duplicate comes back through the gateway client with its
// candidates; crmctl warns of possible duplicates on stderr (stdout stays the record), shows a
// refusal's candidates with the hint to pass --confirm-duplicate, finds candidates of a stored
// record or a draft, shows and changes the settings, and converts a lead into existing records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/duplicates/duplicate_finder.h"
#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"

namespace crm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The ids of candidates (a vector or a repeated field), in order.
template <typename Candidates>
std::vector<std::string> IdsOf(const Candidates& candidates) {
  std::vector<std::string> ids;
  for (const v1::DuplicateCandidate& candidate : candidates) ids.push_back(candidate.id());
  return ids;
}

// The ids of a JSON array of candidates, in order.
std::vector<std::string> JsonIds(const nlohmann::json& candidates) {
  std::vector<std::string> ids;
  for (const nlohmann::json& candidate : candidates) ids.push_back(candidate.value("id", ""));
  return ids;
}

class DuplicateEndToEndTest : public ClientEndToEndTest {
 protected:
  // `duplicates settings <actions...>` through crmctl; the settings it printed.
  nlohmann::json SetActions(const std::vector<std::string>& actions) {
    std::vector<std::string> args = {"duplicates", "settings"};
    args.insert(args.end(), actions.begin(), actions.end());
    return CrmctlJson(args);
  }

  // crmctl's exit code, with stdout and stderr kept in out_ and err_.
  int Run(const std::vector<std::string>& args) { return Crmctl(args, &out_, &err_); }

  // Weber Logistik as an account with Jonas Weber as its contact, and a lead for the same
  // person; ids in weber_, jonas_, lead_.
  void CreateWeber() {
    weber_ = CrmctlJson({"accounts", "create", "name=Weber Logistik GmbH",
                         "website=https://weber-logistik.de"})
                 .value("id", "");
    jonas_ = CrmctlJson({"contacts", "create", "account=" + weber_, "full_name=Jonas Weber",
                         "email=jonas@weber-logistik.de"})
                 .value("id", "");
    lead_ = CrmctlJson({"leads", "create", "full_name=Jonas Weber", "company_name=Weber Logistik",
                        "email=Jonas@weber-logistik.de", "channel=web"})
                .value("id", "");
    ASSERT_FALSE(weber_.empty() || jonas_.empty() || lead_.empty());
  }

  std::string out_, err_;
  std::string weber_, jonas_, lead_;
};

TEST_P(DuplicateEndToEndTest, ARefusedCreateCarriesItsCandidatesThroughTheGatewayClient) {
  client::DuplicateClient duplicates = gateway_->duplicates();
  absl::StatusOr<v1::DuplicateSettings> settings = duplicates.GetDuplicateSettings({});
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->accounts(), v1::DUPLICATE_ACTION_WARN);

  v1::UpdateDuplicateSettingsRequest refuse;
  refuse.mutable_settings()->set_accounts(v1::DUPLICATE_ACTION_REFUSE);
  refuse.mutable_update_mask()->add_paths("accounts");
  refuse.set_etag(settings->etag());
  settings = duplicates.UpdateDuplicateSettings(refuse);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->accounts(), v1::DUPLICATE_ACTION_REFUSE);
  EXPECT_EQ(settings->contacts(), v1::DUPLICATE_ACTION_WARN);

  v1::CreateAccountRequest create;
  create.mutable_account()->set_name("Acme GmbH");
  create.mutable_account()->set_website("acme.com");
  absl::StatusOr<v1::Account> acme = gateway_->accounts().CreateAccount(create);
  ASSERT_TRUE(acme.ok()) << acme.status();
  EXPECT_EQ(acme->website(), "acme.com");

  create.mutable_account()->set_name("ACME AG");
  create.mutable_account()->set_website("https://www.acme.com/en");
  absl::StatusOr<v1::Account> refused = gateway_->accounts().CreateAccount(create);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(IdsOf(duplicates::CandidatesOf(refused.status())), ElementsAre(acme->id()));
  const std::vector<v1::DuplicateCandidate> carried =
      client::DuplicateCandidatesOf(refused.status());
  ASSERT_THAT(IdsOf(carried), ElementsAre(acme->id()));
  EXPECT_EQ(carried[0].entity(), v1::DUPLICATE_ENTITY_ACCOUNT);
  EXPECT_EQ(carried[0].display_name(), "Acme GmbH");
  EXPECT_EQ(carried[0].matches_size(), 2);  // the name and the web domain

  create.set_confirm_duplicate(true);
  absl::StatusOr<v1::Account> confirmed = gateway_->accounts().CreateAccount(create);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_THAT(IdsOf(confirmed->possible_duplicates()), ElementsAre(acme->id()));

  v1::FindDuplicatesRequest find;
  find.mutable_record()->set_entity(v1::DUPLICATE_ENTITY_ACCOUNT);
  find.mutable_record()->set_id(acme->id());
  absl::StatusOr<v1::FindDuplicatesResponse> found = duplicates.FindDuplicates(find);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_THAT(IdsOf(found->candidates()), ElementsAre(confirmed->id()));
}

TEST_P(DuplicateEndToEndTest, CrmctlWarnsOnStderrAndShowsARefusalsCandidates) {
  const std::string acme = CrmctlJson({"accounts", "create", "name=Acme GmbH", "website=acme.com",
                                       "phone=+49 30 1234567"})
                               .value("id", "");
  ASSERT_FALSE(acme.empty());

  // Warned by default: the record on stdout, the candidates on stderr.
  ASSERT_EQ(Run({"accounts", "create", "name=ACME AG", "website=www.acme.com"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("ACME AG"));
  EXPECT_THAT(out_, Not(HasSubstr(acme)));
  EXPECT_THAT(out_, Not(HasSubstr("possible_duplicates")));
  EXPECT_THAT(err_, HasSubstr("warning: possible duplicates"));
  EXPECT_THAT(err_, HasSubstr(acme));
  EXPECT_THAT(err_, HasSubstr("Acme GmbH"));
  EXPECT_THAT(err_, HasSubstr("organisation_name=acme"));
  EXPECT_THAT(err_, HasSubstr("web_domain=acme.com"));
  // JSON keeps them in the answer.
  nlohmann::json warned = CrmctlJson({"accounts", "create", "name=Acme", "phone=030 1234567"});
  EXPECT_THAT(JsonIds(warned["possible_duplicates"]), ::testing::Contains(acme));

  nlohmann::json settings = SetActions({"accounts=refuse", "leads=off"});
  EXPECT_EQ(settings.value("accounts", ""), "DUPLICATE_ACTION_REFUSE");
  EXPECT_EQ(settings.value("contacts", ""), "DUPLICATE_ACTION_WARN");
  EXPECT_EQ(settings.value("leads", ""), "DUPLICATE_ACTION_OFF");
  const std::string shown = CrmctlTable({"duplicates", "settings"});
  EXPECT_THAT(shown, HasSubstr("refuse"));
  EXPECT_THAT(shown, HasSubstr("off"));

  EXPECT_EQ(Run({"accounts", "create", "name=Acme Inc."}), 1);
  EXPECT_THAT(err_, HasSubstr("error: FAILED_PRECONDITION"));
  EXPECT_THAT(err_, HasSubstr(acme));
  EXPECT_THAT(err_, HasSubstr("organisation_name=acme"));
  EXPECT_THAT(err_, HasSubstr("--confirm-duplicate"));
  EXPECT_EQ(out_, "");

  ASSERT_EQ(Run({"accounts", "create", "name=Acme Inc.", "--confirm-duplicate"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Acme Inc."));
  EXPECT_THAT(err_, HasSubstr("warning: possible duplicates"));

  // Leads are off: no check, no warning.
  ASSERT_EQ(Run({"leads", "create", "full_name=Lee Park", "company_name=Acme", "channel=web"}), 0);
  ASSERT_EQ(Run({"leads", "create", "full_name=Lee Park", "company_name=Acme", "channel=web"}), 0);
  EXPECT_EQ(err_, "");

  // website= and phone= change on an update too.
  nlohmann::json updated =
      CrmctlJson({"accounts", "update", acme, "website=acme.de", "phone=+49 89 7654321"});
  EXPECT_EQ(updated.value("website", ""), "acme.de");
  EXPECT_EQ(updated.value("phone", ""), "+49 89 7654321");
}

TEST_P(DuplicateEndToEndTest, ContactAndLeadCreatesAreConfirmedTheSameWay) {
  CreateWeber();
  SetActions({"contacts=refuse", "leads=refuse"});

  EXPECT_EQ(Run({"contacts", "create", "account=" + weber_, "full_name=J. Weber",
                 "email=jonas@weber-logistik.de"}),
            1);
  EXPECT_THAT(err_, HasSubstr(jonas_));
  EXPECT_THAT(err_, HasSubstr("email=jonas@weber-logistik.de"));
  EXPECT_THAT(err_, HasSubstr("--confirm-duplicate"));
  ASSERT_EQ(Run({"contacts", "create", "account=" + weber_, "full_name=J. Weber",
                 "email=jonas@weber-logistik.de", "--confirm-duplicate"}),
            0)
      << err_;
  EXPECT_THAT(err_, HasSubstr(jonas_));

  EXPECT_EQ(Run({"leads", "create", "full_name=Weber Jonas", "company_name=Weber Logistik",
                 "channel=web"}),
            1);
  EXPECT_THAT(err_, HasSubstr(lead_));
  EXPECT_THAT(err_, HasSubstr("person_name="));
  ASSERT_EQ(Run({"leads", "create", "full_name=Weber Jonas", "company_name=Weber Logistik",
                 "channel=web", "--confirm-duplicate"}),
            0)
      << err_;
}

TEST_P(DuplicateEndToEndTest, FindTakesAStoredRecordOrADraft) {
  CreateWeber();
  const std::string initech = CrmctlJson({"accounts", "create", "name=Initech"}).value("id", "");
  const std::string weber_ag =
      CrmctlJson({"accounts", "create", "name=WEBER LOGISTIK AG"}).value("id", "");

  std::string table = CrmctlTable({"duplicates", "find", "--account=" + weber_});
  EXPECT_THAT(table, HasSubstr("MATCHES"));
  EXPECT_THAT(table, HasSubstr(weber_ag));
  EXPECT_THAT(table, HasSubstr("organisation_name=weber logistik"));
  EXPECT_THAT(table, Not(HasSubstr(initech)));

  // A draft: both Weber accounts; at most one with --max.
  table = CrmctlTable({"duplicates", "find", "account", "name=Weber Logistik"});
  EXPECT_THAT(table, HasSubstr(weber_));
  EXPECT_THAT(table, HasSubstr(weber_ag));
  nlohmann::json one =
      CrmctlJson({"duplicates", "find", "account", "name=Weber Logistik", "--max=1"});
  EXPECT_EQ(one["candidates"].size(), 1u) << one.dump();

  // A contact draft's account= is its account.
  nlohmann::json contacts =
      CrmctlJson({"duplicates", "find", "contact", "account=" + weber_, "full_name=Weber, Jonas"});
  EXPECT_THAT(JsonIds(contacts["candidates"]), ElementsAre(jonas_));

  // A lead among accounts and contacts: what conversion would match.
  nlohmann::json offered =
      CrmctlJson({"duplicates", "find", "--lead=" + lead_, "--among=account,contact"});
  EXPECT_THAT(JsonIds(offered["candidates"]), ::testing::IsSupersetOf({weber_, jonas_}));
  EXPECT_THAT(JsonIds(CrmctlJson({"duplicates", "find", "--lead=" + lead_})["candidates"]),
              ::testing::IsEmpty());

  EXPECT_EQ(Run({"duplicates", "find"}), 2);
  EXPECT_THAT(err_, HasSubstr("name one record"));
  EXPECT_EQ(Run({"duplicates", "find", "--account=" + weber_, "--lead=" + lead_}), 2);
  EXPECT_EQ(Run({"duplicates", "find", "opportunity", "name=x"}), 2);
  EXPECT_EQ(Run({"duplicates", "find", "account", "colour=red"}), 2);
  EXPECT_THAT(err_, HasSubstr("unknown argument 'colour'"));
  EXPECT_EQ(Run({"duplicates", "find", "--account=no-such-id"}), 1);
  EXPECT_THAT(err_, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Run({"duplicates", "settings", "accounts=sometimes"}), 2);
  EXPECT_EQ(Run({"duplicates", "settings", "etag=1"}), 2);
  EXPECT_THAT(err_, HasSubstr("nothing to change"));
}

TEST_P(DuplicateEndToEndTest, LeadsConvertIntoExistingRecordsOrConfirmsNewOnes) {
  CreateWeber();
  nlohmann::json converted = CrmctlJson(
      {"leads", "convert", lead_, "existing_account=" + weber_, "existing_contact=" + jonas_});
  EXPECT_EQ(converted.value("account_id", ""), weber_);
  EXPECT_EQ(converted.value("contact_id", ""), jonas_);

  const std::string eva = CrmctlJson({"leads", "create", "full_name=Eva Braun",
                                      "company_name=Weber Logistik", "channel=web"})
                              .value("id", "");
  SetActions({"accounts=refuse"});
  EXPECT_EQ(Run({"leads", "convert", eva}), 1);
  EXPECT_THAT(err_, HasSubstr(weber_));
  EXPECT_THAT(err_, HasSubstr("--confirm-duplicate"));
  EXPECT_THAT(err_, HasSubstr("existing_account=<id>"));

  ASSERT_EQ(Run({"--output=json", "leads", "convert", eva, "--confirm-duplicate"}), 0) << err_;
  nlohmann::json confirmed = nlohmann::json::parse(out_, nullptr, false);
  ASSERT_TRUE(confirmed.is_object()) << out_;
  EXPECT_NE(confirmed.value("account_id", ""), weber_);
  EXPECT_THAT(JsonIds(confirmed["possible_duplicates"]), ElementsAre(weber_));
  EXPECT_THAT(err_, HasSubstr("warning: possible duplicates"));
}

// `accounts import`: new rows matching existing accounts are created and listed on stderr, or
// refused as row errors where the settings say so, unless --confirm-duplicate.
TEST_P(DuplicateEndToEndTest, CrmctlImportListsOrRefusesDuplicateRows) {
  const std::string acme = CrmctlJson({"accounts", "create", "name=Acme GmbH", "website=acme.com"}).value("id", "");
  ASSERT_FALSE(acme.empty());
  const auto write_csv = [this](const std::string& name, const std::string& text) {
    const std::string path = server_->data_dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  };

  const std::string first = write_csv("first.csv",
                                      "external_key,name,website\n"
                                      "imp-1,ACME AG,https://acme.com\n"
                                      "imp-2,Umbrella Corp,\n");
  ASSERT_EQ(Run({"accounts", "import", first}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("created 2"));
  EXPECT_THAT(out_, HasSubstr("possible duplicates 1"));
  EXPECT_THAT(err_, HasSubstr("created, matching existing accounts"));
  EXPECT_THAT(err_, HasSubstr("row 1 (line 2) external_key=imp-1"));
  EXPECT_THAT(err_, HasSubstr(acme));
  EXPECT_THAT(err_, Not(HasSubstr("imp-2")));

  SetActions({"accounts=refuse"});
  const std::string second = write_csv("second.csv",
                                       "external_key,name\n"
                                       "imp-3,Umbrella Corp.\n"
                                       "imp-4,Soylent\n");
  EXPECT_EQ(Run({"accounts", "import", second}), 1);
  EXPECT_THAT(out_, HasSubstr("created 1"));
  EXPECT_THAT(out_, HasSubstr("failed 1"));
  EXPECT_THAT(err_, HasSubstr("row 1 (line 2) external_key=imp-3: account: matches 1 existing account"));
  EXPECT_THAT(err_, HasSubstr("confirm_duplicate"));

  ASSERT_EQ(Run({"accounts", "import", second, "--confirm-duplicate"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("created 1"));
  EXPECT_THAT(out_, HasSubstr("unchanged 1"));
  EXPECT_THAT(out_, HasSubstr("possible duplicates 1"));
}

TEST_P(DuplicateEndToEndTest, MergesThroughTheGatewayClientAndCrmctl) {
  CreateWeber();
  const std::string twin =
      CrmctlJson({"accounts", "create", "name=WEBER LOGISTIK AG", "industry=logistics"}).value("id", "");
  const std::string twin_contact =
      CrmctlJson({"contacts", "create", "account=" + twin, "full_name=Jonas Weber", "title=CEO"}).value("id", "");

  // crmctl: accounts, with the merged account's etag.
  const std::string etag = CrmctlJson({"accounts", "get", twin}).value("etag", "");
  ASSERT_EQ(Run({"--output=json", "duplicates", "merge-accounts", weber_, "--merged=" + twin + "@" + etag}), 0)
      << err_;
  nlohmann::json merged = nlohmann::json::parse(out_, nullptr, false);
  ASSERT_TRUE(merged.is_object()) << out_;
  EXPECT_EQ(merged["survivor"].value("industry", ""), "logistics");
  EXPECT_EQ(merged["merge"]["moved"].value("contacts", ""), "1");  // int64 in JSON is a string
  EXPECT_EQ(CrmctlJson({"accounts", "get", twin}).value("merged_into_id", ""), weber_);
  ASSERT_EQ(Run({"duplicates", "merges", "--survivor=" + weber_}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr(twin));

  // The gateway client: contacts, with a request id it fills in; a Get of the merged contact
  // says where it went.
  v1::MergeContactsRequest request;
  request.set_survivor_id(jonas_);
  request.add_merged()->set_id(twin_contact);
  absl::StatusOr<v1::MergeContactsResponse> contacts = gateway_->duplicates().MergeContacts(request);
  ASSERT_TRUE(contacts.ok()) << contacts.status();
  EXPECT_EQ(contacts->survivor().title(), "CEO");
  EXPECT_FALSE(contacts->merge().request_id().empty()) << "the client gives a merge a request id";
  v1::GetContactRequest get;
  get.set_id(twin_contact);
  absl::StatusOr<v1::Contact> gone = gateway_->accounts().GetContact(get);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  const std::optional<v1::MergedInto> where = client::MergedIntoOf(gone.status());
  ASSERT_TRUE(where.has_value()) << gone.status();
  EXPECT_EQ(where->survivor_id(), jonas_);
  EXPECT_EQ(Run({"contacts", "get", twin_contact}), 1);
  EXPECT_THAT(err_, HasSubstr("was merged into"));
}

INSTANTIATE_TEST_SUITE_P(Backends, DuplicateEndToEndTest,
                         ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
