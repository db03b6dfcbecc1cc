// KeyAccountService tier policies, manager coverage and contact cadence: the four policies and
// their updates (field mask, validation naming the field, events), accounts lacking a required
// dedicated manager, and key accounts overdue for contact (order, days overdue, owner filter,
// paging), through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountTier;
using crm::v1::TierPolicy;
using testing::CallAs;
using testing::HasCodeAndField;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 12, 0, 0), absl::UTCTimeZone());

absl::Time DaysAgo(double days) { return kNow - absl::Hours(24 * days); }

class PolicyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    server_->clock().Set(kNow);
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // An account created at `created` with this owner ("" = none) and tier. The tier (key-account
  // management's reclassification) and an empty owner (CreateAccount defaults it to the caller)
  // are written directly.
  std::string MustCreateAccount(const std::string& name, AccountTier tier, const std::string& owner,
                                absl::Time created = DaysAgo(365)) {
    server_->clock().Set(created);
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner.empty() ? "placeholder" : owner);
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    server_->clock().Set(kNow);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::Status written = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = tier;
      tx.session() << "UPDATE accounts SET tier = :tier, owner = :owner WHERE id = :id", soci::use(number, "tier"),
          soci::use(owner, "owner"), soci::use(out.id(), "id");
      return absl::OkStatus();
    });
    EXPECT_TRUE(written.ok()) << written;
    return out.id();
  }

  void MustDeleteAccount(const std::string& id) {
    crm::v1::DeleteAccountRequest request;
    request.set_id(id);
    crm::v1::Account out;
    ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), request, &out));
  }

  void MustLogInteraction(const std::string& account_id, absl::Time when) {
    crm::v1::LogInteractionRequest request;
    request.mutable_interaction()->set_account_id(account_id);
    request.mutable_interaction()->set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
    request.mutable_interaction()->set_subject("check-in");
    *request.mutable_interaction()->mutable_occur_time() = TimeToTimestamp(when);
    crm::v1::Interaction out;
    ASSERT_GRPC_OK(accounts_->LogInteraction(CallAs().get(), request, &out));
  }

  std::vector<TierPolicy> MustListPolicies() {
    crm::v1::ListTierPoliciesResponse out;
    grpc::Status s = kam_->ListTierPolicies(CallAs().get(), crm::v1::ListTierPoliciesRequest(), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.policies().begin(), out.policies().end()};
  }

  grpc::Status UpdatePolicy(const TierPolicy& patch, const std::vector<std::string>& paths, TierPolicy* out) {
    crm::v1::UpdateTierPolicyRequest request;
    *request.mutable_policy() = patch;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    return kam_->UpdateTierPolicy(CallAs("admin").get(), request, out);
  }

  grpc::Status ListWithoutManager(int page_size, const std::string& token,
                                  crm::v1::ListAccountsWithoutManagerResponse* out) {
    crm::v1::ListAccountsWithoutManagerRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    return kam_->ListAccountsWithoutManager(CallAs().get(), request, out);
  }

  grpc::Status ListOverdue(const std::string& owner, int page_size, const std::string& token,
                           crm::v1::ListOverdueContactsResponse* out) {
    crm::v1::ListOverdueContactsRequest request;
    request.set_owner(owner);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return kam_->ListOverdueContacts(CallAs().get(), request, out);
  }

  // Every page of the overdue list, in order.
  std::vector<crm::v1::OverdueContact> AllOverdue(const std::string& owner = "", int page_size = 0) {
    std::vector<crm::v1::OverdueContact> all;
    std::string token;
    for (int pages = 0; pages < 100; ++pages) {
      crm::v1::ListOverdueContactsResponse out;
      grpc::Status s = ListOverdue(owner, page_size, token, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      all.insert(all.end(), out.contacts().begin(), out.contacts().end());
      token = out.next_page_token();
      if (token.empty()) break;
    }
    return all;
  }

  static std::vector<std::string> Ids(const std::vector<crm::v1::OverdueContact>& contacts) {
    std::vector<std::string> ids;
    for (const auto& c : contacts) ids.push_back(c.account().account_id());
    return ids;
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse out;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.events().begin(), out.events().end()};
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TierPolicy Policy(AccountTier tier) {
  TierPolicy p;
  p.set_tier(tier);
  return p;
}

TEST_P(PolicyTest, ListsTheSeededPoliciesHighestTierFirst) {
  const std::vector<TierPolicy> policies = MustListPolicies();
  ASSERT_EQ(policies.size(), 4u);
  EXPECT_EQ(policies[0].tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(policies[1].tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(policies[2].tier(), crm::v1::ACCOUNT_TIER_STANDARD);
  EXPECT_EQ(policies[3].tier(), crm::v1::ACCOUNT_TIER_POTENTIAL);
  // The defaults of accounts_schema.cc migration 3.
  EXPECT_TRUE(policies[0].dedicated_manager_required());
  EXPECT_EQ(policies[0].review_every_days(), 30);
  EXPECT_EQ(policies[0].contact_every_days(), 14);
  EXPECT_TRUE(policies[1].dedicated_manager_required());
  EXPECT_EQ(policies[1].contact_every_days(), 30);
  EXPECT_FALSE(policies[2].dedicated_manager_required());
  EXPECT_EQ(policies[2].review_every_days(), 180);
  EXPECT_EQ(policies[3].contact_every_days(), 0);
  for (const TierPolicy& p : policies) {
    EXPECT_EQ(p.sla_tier(), p.tier());
    EXPECT_FALSE(p.has_update_time());
  }
}

TEST_P(PolicyTest, UpdateChangesOnlyTheMaskedFieldsAndWritesAnEvent) {
  TierPolicy patch = Policy(crm::v1::ACCOUNT_TIER_KEY);
  patch.set_contact_every_days(7);
  patch.set_review_every_days(999);  // not in the mask: ignored
  patch.set_dedicated_manager_required(false);
  TierPolicy out;
  ASSERT_GRPC_OK(UpdatePolicy(patch, {"contact_every_days", "dedicated_manager_required"}, &out));
  EXPECT_EQ(out.tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(out.contact_every_days(), 7);
  EXPECT_FALSE(out.dedicated_manager_required());
  EXPECT_EQ(out.review_every_days(), 90);
  EXPECT_EQ(out.sla_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(TimestampToTime(out.update_time()), kNow);

  const std::vector<TierPolicy> policies = MustListPolicies();
  ASSERT_EQ(policies.size(), 4u);
  EXPECT_EQ(policies[1].contact_every_days(), 7);
  EXPECT_FALSE(policies[1].dedicated_manager_required());
  EXPECT_EQ(policies[0].contact_every_days(), 14);  // other tiers untouched

  std::vector<crm::v1::Event> events = Events("tier_policy.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "tier_policy");
  EXPECT_EQ(events[0].entity_id(), "ACCOUNT_TIER_KEY");
  EXPECT_EQ(events[0].actor(), "admin");
  std::vector<std::string> fields;
  for (const auto& change : events[0].changes()) fields.push_back(change.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"dedicated_manager_required", "contact_every_days"}));

  // Without a mask, the fields set in the patch; the same values again write nothing.
  TierPolicy same = Policy(crm::v1::ACCOUNT_TIER_KEY);
  same.set_contact_every_days(7);
  ASSERT_GRPC_OK(UpdatePolicy(same, {}, &out));
  EXPECT_EQ(out.contact_every_days(), 7);
  EXPECT_EQ(Events("tier_policy.updated").size(), 1u);
}

TEST_P(PolicyTest, UpdateRejectsBadInputNamingTheField) {
  TierPolicy out;
  TierPolicy patch;
  patch.set_contact_every_days(3);
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(patch, {"contact_every_days"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "policy.tier"));
  patch.set_tier(static_cast<AccountTier>(42));
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(patch, {"contact_every_days"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "policy.tier"));

  TierPolicy negative_review = Policy(crm::v1::ACCOUNT_TIER_STRATEGIC);
  negative_review.set_review_every_days(-1);
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(negative_review, {"review_every_days"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "policy.review_every_days"));
  TierPolicy negative_contact = Policy(crm::v1::ACCOUNT_TIER_STRATEGIC);
  negative_contact.set_contact_every_days(-5);
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(negative_contact, {}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "policy.contact_every_days"));
  TierPolicy unknown_sla = Policy(crm::v1::ACCOUNT_TIER_STRATEGIC);
  unknown_sla.set_sla_tier(static_cast<AccountTier>(9));
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(unknown_sla, {"sla_tier"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "policy.sla_tier"));
  // The tier names the policy; it is not a field to change.
  EXPECT_TRUE(HasCodeAndField(UpdatePolicy(Policy(crm::v1::ACCOUNT_TIER_KEY), {"tier"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  crm::v1::UpdateTierPolicyRequest empty;
  EXPECT_TRUE(HasCodeAndField(kam_->UpdateTierPolicy(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "policy"));

  // Nothing was written.
  const std::vector<TierPolicy> policies = MustListPolicies();
  EXPECT_EQ(policies[0].review_every_days(), 30);
  EXPECT_EQ(policies[0].contact_every_days(), 14);
  EXPECT_EQ(policies[0].sla_tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_TRUE(Events("tier_policy.updated").empty());
}

TEST_P(PolicyTest, ListsLiveAccountsLackingARequiredManagerByTierThenId) {
  const std::string key1 = MustCreateAccount("Key one", crm::v1::ACCOUNT_TIER_KEY, "");
  const std::string strategic = MustCreateAccount("Strategic", crm::v1::ACCOUNT_TIER_STRATEGIC, "");
  const std::string key2 = MustCreateAccount("Key two", crm::v1::ACCOUNT_TIER_KEY, "");
  MustCreateAccount("Managed key", crm::v1::ACCOUNT_TIER_KEY, "olga");
  const std::string standard = MustCreateAccount("Standard", crm::v1::ACCOUNT_TIER_STANDARD, "");
  MustCreateAccount("Potential", crm::v1::ACCOUNT_TIER_POTENTIAL, "");
  const std::string gone = MustCreateAccount("Gone", crm::v1::ACCOUNT_TIER_STRATEGIC, "");
  MustDeleteAccount(gone);  // soft-deleted accounts are not listed

  // One row per page: the pages run through the tiers in order.
  std::vector<crm::v1::AccountRef> listed;
  std::string token;
  int pages = 0;
  do {
    crm::v1::ListAccountsWithoutManagerResponse out;
    ASSERT_GRPC_OK(ListWithoutManager(1, token, &out));
    listed.insert(listed.end(), out.accounts().begin(), out.accounts().end());
    token = out.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed[0].account_id(), strategic);
  EXPECT_EQ(listed[0].tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(listed[0].name(), "Strategic");
  EXPECT_EQ(listed[0].owner(), "");
  // Within a tier, by id (creation order).
  EXPECT_EQ(listed[1].account_id(), key1);
  EXPECT_EQ(listed[2].account_id(), key2);

  // Requiring a manager for the standard tier adds its ownerless account at the end.
  TierPolicy patch = Policy(crm::v1::ACCOUNT_TIER_STANDARD);
  patch.set_dedicated_manager_required(true);
  TierPolicy updated;
  ASSERT_GRPC_OK(UpdatePolicy(patch, {"dedicated_manager_required"}, &updated));
  crm::v1::ListAccountsWithoutManagerResponse all;
  ASSERT_GRPC_OK(ListWithoutManager(0, "", &all));
  ASSERT_EQ(all.accounts_size(), 4);
  EXPECT_EQ(all.accounts(3).account_id(), standard);
  EXPECT_TRUE(all.next_page_token().empty());

  // A token that this list did not issue.
  EXPECT_TRUE(
      HasCodeAndField(ListWithoutManager(1, "forged", &all), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  EXPECT_TRUE(HasCodeAndField(ListWithoutManager(-1, "", &all), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

TEST_P(PolicyTest, OverdueContactsMostOverdueFirst) {
  // Cadences (defaults): strategic 14 days, key 30, standard 90, potential none.
  const std::string a = MustCreateAccount("A strategic", crm::v1::ACCOUNT_TIER_STRATEGIC, "olga");
  MustLogInteraction(a, DaysAgo(40));
  MustLogInteraction(a, DaysAgo(20));  // the last one counts: 6 days overdue
  const std::string b = MustCreateAccount("B key", crm::v1::ACCOUNT_TIER_KEY, "olga");
  MustLogInteraction(b, DaysAgo(40.5));  // 10.5 days overdue
  const std::string c = MustCreateAccount("C key", crm::v1::ACCOUNT_TIER_KEY, "pete");
  MustLogInteraction(c, DaysAgo(10));  // within its cadence
  const std::string d = MustCreateAccount("D strategic", crm::v1::ACCOUNT_TIER_STRATEGIC, "pete", DaysAgo(30));
  // never contacted, created 30 days ago: 16 days past the cadence
  const std::string e = MustCreateAccount("E standard", crm::v1::ACCOUNT_TIER_STANDARD, "pete");
  MustLogInteraction(e, DaysAgo(100));  // 10 days overdue
  const std::string f = MustCreateAccount("F potential", crm::v1::ACCOUNT_TIER_POTENTIAL, "pete");  // no cadence
  const std::string g = MustCreateAccount("G key", crm::v1::ACCOUNT_TIER_KEY, "pete", DaysAgo(1));
  // never contacted, created yesterday: listed, 0 days overdue
  const std::string gone = MustCreateAccount("Gone", crm::v1::ACCOUNT_TIER_STRATEGIC, "pete");
  MustDeleteAccount(gone);
  const std::string future = MustCreateAccount("H strategic", crm::v1::ACCOUNT_TIER_STRATEGIC, "pete");
  MustLogInteraction(future, DaysAgo(13.9));  // due in a few hours: not yet overdue

  std::vector<crm::v1::OverdueContact> all = AllOverdue();
  EXPECT_EQ(Ids(all), (std::vector<std::string>{d, b, e, a, g}));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].days_overdue(), 16);
  EXPECT_FALSE(all[0].has_last_interaction_time());
  EXPECT_EQ(all[0].cadence_days(), 14);
  EXPECT_EQ(all[1].days_overdue(), 10);
  EXPECT_EQ(TimestampToTime(all[1].last_interaction_time()), DaysAgo(40.5));
  EXPECT_EQ(all[1].cadence_days(), 30);
  EXPECT_EQ(all[2].days_overdue(), 10);
  EXPECT_EQ(all[2].cadence_days(), 90);
  EXPECT_EQ(all[3].days_overdue(), 6);
  EXPECT_EQ(TimestampToTime(all[3].last_interaction_time()), DaysAgo(20));
  EXPECT_EQ(all[3].account().owner(), "olga");
  EXPECT_EQ(all[3].account().tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(all[3].account().name(), "A strategic");
  EXPECT_EQ(all[4].days_overdue(), 0);

  // Paged two at a time: the same rows in the same order.
  EXPECT_EQ(Ids(AllOverdue("", 2)), Ids(all));
  crm::v1::ListOverdueContactsResponse page;
  ASSERT_GRPC_OK(ListOverdue("", 2, "", &page));
  EXPECT_EQ(page.contacts_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());
  // A token is only good for the query it was issued for.
  crm::v1::ListOverdueContactsResponse other;
  EXPECT_TRUE(HasCodeAndField(ListOverdue("olga", 2, page.next_page_token(), &other),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));

  // One manager's accounts.
  EXPECT_EQ(Ids(AllOverdue("olga")), (std::vector<std::string>{b, a}));
  EXPECT_TRUE(AllOverdue("nobody").empty());

  // A new interaction takes D off the list; time passing puts H on it.
  MustLogInteraction(d, kNow - absl::Hours(1));
  server_->clock().Set(kNow + absl::Hours(12));
  all = AllOverdue();
  EXPECT_EQ(Ids(all), (std::vector<std::string>{b, e, a, future, g}));

  // Dropping the standard tier's cadence drops E.
  TierPolicy patch = Policy(crm::v1::ACCOUNT_TIER_STANDARD);
  patch.set_contact_every_days(0);
  TierPolicy updated;
  ASSERT_GRPC_OK(UpdatePolicy(patch, {"contact_every_days"}, &updated));
  EXPECT_EQ(Ids(AllOverdue()), (std::vector<std::string>{b, a, future, g}));
  (void)c;
  (void)f;
}

TEST_P(PolicyTest, OverdueTiesAreOrderedByAccountId) {
  const std::string first = MustCreateAccount("First", crm::v1::ACCOUNT_TIER_KEY, "olga");
  const std::string second = MustCreateAccount("Second", crm::v1::ACCOUNT_TIER_KEY, "olga");
  const std::string third = MustCreateAccount("Third", crm::v1::ACCOUNT_TIER_KEY, "olga");
  for (const std::string& id : {third, first, second}) MustLogInteraction(id, DaysAgo(45));
  EXPECT_EQ(Ids(AllOverdue("olga", 1)), (std::vector<std::string>{first, second, third}));
}

INSTANTIATE_TEST_SUITE_P(Backends, PolicyTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
