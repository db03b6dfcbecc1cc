// The service desk honours the tier service policy: a ticket's SLA policy is chosen for the tier
// its account's tier maps to through tier_policies.sla_tier (no row or 0: the tier itself),
// while the ticket keeps the account's real tier. UpdateTierPolicy through KeyAccountService
// changes what the next ticket gets, and a tier change re-targets open tickets under the mapped
// tier. Through a real in-process server, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "services/servicedesk/ticket_jobs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountTier;
using crm::v1::Ticket;
using testing::CallAs;

// Monday 2026-11-30 09:00 UTC, inside the calendar's working hours.
const absl::Time kMonday9 = absl::FromCivil(absl::CivilMinute(2026, 11, 30, 9, 0), absl::UTCTimeZone());

crm::v1::SlaPriorityTarget Target(crm::v1::TicketPriority priority, int64_t first, int64_t resolution) {
  crm::v1::SlaPriorityTarget t;
  t.set_priority(priority);
  t.set_first_response_minutes(first);
  t.set_resolution_minutes(resolution);
  return t;
}

class TierPolicySlaTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    server_->clock().Set(kMonday9);
    ASSERT_NO_FATAL_FAILURE(SetUpSla());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // One policy per tier (P1 targets: strategic 30/120, key 45/180, standard 60/240).
  void SetUpSla() {
    crm::v1::CreateCalendarRequest calendar_request;
    crm::v1::BusinessCalendar* c = calendar_request.mutable_calendar();
    c->set_name("Office");
    c->set_time_zone("UTC");
    for (int day = 1; day <= 5; ++day) {
      crm::v1::WorkingHours* h = c->add_hours();
      h->set_weekday(day);
      h->set_start_minute(8 * 60);
      h->set_end_minute(18 * 60);
    }
    crm::v1::BusinessCalendar calendar;
    ASSERT_GRPC_OK(desk_->CreateCalendar(CallAs().get(), calendar_request, &calendar));
    strategic_policy_ = MustCreatePolicy(calendar.id(), "Strategic", crm::v1::ACCOUNT_TIER_STRATEGIC, 30, 120);
    key_policy_ = MustCreatePolicy(calendar.id(), "Key", crm::v1::ACCOUNT_TIER_KEY, 45, 180);
    standard_policy_ = MustCreatePolicy(calendar.id(), "Standard", crm::v1::ACCOUNT_TIER_STANDARD, 60, 240);
  }

  std::string MustCreatePolicy(const std::string& calendar_id, const std::string& name, AccountTier tier,
                               int64_t first, int64_t resolution) {
    crm::v1::CreateSlaPolicyRequest request;
    crm::v1::SlaPolicy* p = request.mutable_policy();
    p->set_name(name);
    p->set_precedence(static_cast<int>(tier));
    p->add_tiers(tier);
    p->set_calendar_id(calendar_id);
    *p->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, first, resolution);
    crm::v1::SlaPolicy out;
    grpc::Status s = desk_->CreateSlaPolicy(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  // The tier column belongs to key-account management's reclassification; tests write it.
  void WriteTier(const std::string& account_id, AccountTier tier) {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = tier;
      tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(number, "tier"),
          soci::use(account_id, "id");
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  // Writes the tier and announces it as key-account management does (account.updated with a
  // tier change), so the service desk's tier follower sees it.
  void ChangeTier(const std::string& account_id, AccountTier from, AccountTier to) {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = to;
      tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(number, "tier"),
          soci::use(account_id, "id");
      return server_->runtime().outbox->AppendChange(
          tx, "account.updated", "account", account_id, crm::v1::CHANGE_KIND_UPDATED,
          {{"tier", absl::StrCat("\"", crm::v1::AccountTier_Name(from), "\""),
            absl::StrCat("\"", crm::v1::AccountTier_Name(to), "\"")}},
          "bob", "kam", "", server_->clock().Now());
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string MustCreateAccount(const std::string& name, AccountTier tier) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner("bob");
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    WriteTier(out.id(), tier);
    return out.id();
  }

  Ticket MustCreateTicket(const std::string& account_id) {
    crm::v1::CreateTicketRequest request;
    Ticket* t = request.mutable_ticket();
    t->set_account_id(account_id);
    t->set_priority(crm::v1::TICKET_PRIORITY_P1);
    t->set_subject("Checkout is down");
    t->set_channel(crm::v1::TICKET_CHANNEL_PHONE);
    Ticket out;
    grpc::Status s = desk_->CreateTicket(CallAs("alice").get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Ticket MustGetTicket(const std::string& id) {
    crm::v1::GetTicketRequest request;
    request.set_id(id);
    Ticket out;
    grpc::Status s = desk_->GetTicket(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status MapSlaTier(AccountTier tier, AccountTier sla_tier, crm::v1::TierPolicy* out) {
    crm::v1::UpdateTierPolicyRequest request;
    request.mutable_policy()->set_tier(tier);
    request.mutable_policy()->set_sla_tier(sla_tier);
    request.mutable_update_mask()->add_paths("sla_tier");
    return kam_->UpdateTierPolicy(CallAs("admin").get(), request, out);
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::string strategic_policy_;
  std::string key_policy_;
  std::string standard_policy_;
};

TEST_P(TierPolicySlaTest, DefaultPoliciesServeEachTierByItsOwnSla) {
  const Ticket key = MustCreateTicket(MustCreateAccount("Key AG", crm::v1::ACCOUNT_TIER_KEY));
  EXPECT_EQ(key.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(key.sla_policy_id(), key_policy_);
  EXPECT_EQ(key.first_response().target_minutes(), 45);
  const Ticket standard = MustCreateTicket(MustCreateAccount("Standard AG", crm::v1::ACCOUNT_TIER_STANDARD));
  EXPECT_EQ(standard.sla_policy_id(), standard_policy_);
}

TEST_P(TierPolicySlaTest, KeyTierMappedToStrategicGetsTheStrategicTargets) {
  const std::string account = MustCreateAccount("Key AG", crm::v1::ACCOUNT_TIER_KEY);
  const Ticket before = MustCreateTicket(account);
  ASSERT_EQ(before.sla_policy_id(), key_policy_);

  crm::v1::TierPolicy policy;
  ASSERT_GRPC_OK(MapSlaTier(crm::v1::ACCOUNT_TIER_KEY, crm::v1::ACCOUNT_TIER_STRATEGIC, &policy));
  EXPECT_EQ(policy.sla_tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);

  const Ticket after = MustCreateTicket(account);
  EXPECT_EQ(after.sla_policy_id(), strategic_policy_);
  EXPECT_EQ(after.first_response().target_minutes(), 30);
  EXPECT_EQ(after.resolution().target_minutes(), 120);
  EXPECT_EQ(absl::FromUnixSeconds(after.first_response().due_time().seconds()), kMonday9 + absl::Minutes(30));
  // The ticket still records the account's real tier.
  EXPECT_EQ(after.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  // Tickets created earlier keep their policy: the mapping applies from the next choice on.
  EXPECT_EQ(MustGetTicket(before.id()).sla_policy_id(), key_policy_);
  // Other tiers are unaffected.
  EXPECT_EQ(MustCreateTicket(MustCreateAccount("Standard AG", crm::v1::ACCOUNT_TIER_STANDARD)).sla_policy_id(),
            standard_policy_);

  // Unset (0) maps the tier to itself again.
  ASSERT_GRPC_OK(MapSlaTier(crm::v1::ACCOUNT_TIER_KEY, crm::v1::ACCOUNT_TIER_UNSPECIFIED, &policy));
  EXPECT_EQ(policy.sla_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(MustCreateTicket(account).sla_policy_id(), key_policy_);
}

TEST_P(TierPolicySlaTest, TierWithoutPolicyRowUsesItsOwnSla) {
  crm::v1::TierPolicy policy;
  ASSERT_GRPC_OK(MapSlaTier(crm::v1::ACCOUNT_TIER_KEY, crm::v1::ACCOUNT_TIER_STRATEGIC, &policy));
  absl::Status removed = server_->runtime().db->Write([](db::Tx& tx) -> absl::Status {
    tx.session() << "DELETE FROM tier_policies WHERE tier = 2";
    return absl::OkStatus();
  });
  ASSERT_TRUE(removed.ok()) << removed;
  EXPECT_EQ(MustCreateTicket(MustCreateAccount("Key AG", crm::v1::ACCOUNT_TIER_KEY)).sla_policy_id(), key_policy_);
}

TEST_P(TierPolicySlaTest, TierChangeRetargetsOpenTicketsThroughTheMapping) {
  crm::v1::TierPolicy policy;
  ASSERT_GRPC_OK(MapSlaTier(crm::v1::ACCOUNT_TIER_KEY, crm::v1::ACCOUNT_TIER_STRATEGIC, &policy));
  const std::string account = MustCreateAccount("Rising AG", crm::v1::ACCOUNT_TIER_STANDARD);
  const Ticket open = MustCreateTicket(account);
  ASSERT_EQ(open.sla_policy_id(), standard_policy_);

  servicedesk::TicketJobs jobs(server_->runtime());
  server_->clock().Set(kMonday9 + absl::Minutes(5));
  ChangeTier(account, crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_KEY);
  absl::StatusOr<int64_t> handled = jobs.CatchUpTierChanges();
  ASSERT_TRUE(handled.ok()) << handled.status();

  const Ticket t = MustGetTicket(open.id());
  EXPECT_EQ(t.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(t.sla_policy_id(), strategic_policy_);
  EXPECT_EQ(t.first_response().target_minutes(), 30);
}

INSTANTIATE_TEST_SUITE_P(Backends, TierPolicySlaTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
