// PipelineService campaigns: CRUD, lists by channel, and performance checked against an
// independent computation over generated data, through a real in-process server and stub, on
// every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Campaign;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownCampaignId[] = "cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV";

crm::v1::Date MakeDate(int year, int month, int day) {
  crm::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

crm::v1::Money MakeMoney(const std::string& currency, int64_t units, int32_t nanos = 0) {
  crm::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

int64_t MicrosOf(const crm::v1::Money& m) { return m.units() * 1000000 + m.nanos() / 1000; }

// An exchange rate as the test knows it: the decimal text sent to the server, and the same value
// as an exact fraction for the independent computation.
struct TestRate {
  std::string currency;
  std::string text;
  int64_t numerator;
  int64_t denominator;
};

// value × numerator / denominator, rounded half away from zero, computed here independently of
// the server's money code.
int64_t ConvertExactly(int64_t micros, const TestRate& rate) {
  const __int128 product = static_cast<__int128>(micros) * rate.numerator;
  const __int128 magnitude = product < 0 ? -product : product;
  __int128 quotient = magnitude / rate.denominator;
  if ((magnitude % rate.denominator) * 2 >= rate.denominator) ++quotient;
  return static_cast<int64_t>(product < 0 ? -quotient : quotient);
}

class CampaignTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  static Campaign MakeCampaign(const std::string& name = "Spring fair",
                               crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_EVENT) {
    Campaign c;
    c.set_name(name);
    c.set_channel(channel);
    *c.mutable_cost() = MakeMoney("EUR", 12000, 500000000);
    *c.mutable_start_date() = MakeDate(2026, 3, 1);
    *c.mutable_end_date() = MakeDate(2026, 3, 31);
    return c;
  }

  grpc::Status Create(const Campaign& campaign, Campaign* out, const std::string& request_id = "") {
    crm::v1::CreateCampaignRequest request;
    *request.mutable_campaign() = campaign;
    request.set_request_id(request_id);
    return pipeline_->CreateCampaign(CallAs().get(), request, out);
  }

  Campaign MustCreate(const Campaign& campaign) {
    Campaign out;
    grpc::Status s = Create(campaign, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, Campaign* out) {
    crm::v1::GetCampaignRequest request;
    request.set_id(id);
    return pipeline_->GetCampaign(CallAs().get(), request, out);
  }

  Campaign MustGet(const std::string& id) {
    Campaign out;
    grpc::Status s = Get(id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Performance(const std::string& id, crm::v1::CampaignPerformance* out) {
    crm::v1::GetCampaignPerformanceRequest request;
    request.set_id(id);
    return pipeline_->GetCampaignPerformance(CallAs().get(), request, out);
  }

  crm::v1::CampaignPerformance MustPerformance(const std::string& id) {
    crm::v1::CampaignPerformance out;
    grpc::Status s = Performance(id, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    return out;
  }

  void SetRates(const std::vector<TestRate>& rates) {
    crm::v1::UpdateSalesSettingsRequest request;
    for (const TestRate& r : rates) {
      auto* rate = request.mutable_settings()->add_rates();
      rate->set_currency_code(r.currency);
      rate->set_rate(r.text);
    }
    request.mutable_update_mask()->add_paths("rates");
    crm::v1::SalesSettings out;
    ASSERT_GRPC_OK(pipeline_->UpdateSalesSettings(CallAs().get(), request, &out));
  }

  std::string BaseCurrency() {
    crm::v1::GetSalesSettingsRequest request;
    crm::v1::SalesSettings out;
    grpc::Status s = pipeline_->GetSalesSettings(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.base_currency();
  }

  crm::v1::Account MustCreateAccount(const std::string& name) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  crm::v1::Lead MustCreateLead(const std::string& name, const std::string& campaign_id) {
    crm::v1::CreateLeadRequest request;
    request.mutable_lead()->set_full_name(name);
    request.mutable_lead()->set_company_name(name + " Ltd");
    request.mutable_lead()->mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_WEB);
    request.mutable_lead()->mutable_source()->set_campaign_id(campaign_id);
    crm::v1::Lead out;
    grpc::Status s = pipeline_->CreateLead(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  crm::v1::Opportunity MustCreateOpportunity(const std::string& account_id, const std::string& campaign_id,
                                             const crm::v1::Money& amount) {
    crm::v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_account_id(account_id);
    request.mutable_opportunity()->set_name("Direct deal");
    request.mutable_opportunity()->set_source_campaign_id(campaign_id);
    *request.mutable_opportunity()->mutable_amount() = amount;
    crm::v1::Opportunity out;
    grpc::Status s = pipeline_->CreateOpportunity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  void MustClose(const std::string& opportunity_id, bool won) {
    crm::v1::CloseOpportunityRequest request;
    request.set_id(opportunity_id);
    request.set_won(won);
    if (!won) request.set_lost_reason("price");
    crm::v1::Opportunity out;
    ASSERT_GRPC_OK(pipeline_->CloseOpportunity(CallAs().get(), request, &out));
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

  std::vector<Campaign> ListAll(crm::v1::ListCampaignsRequest request, int page_size, int* pages = nullptr) {
    request.set_page_size(page_size);
    std::vector<Campaign> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 100; ++n) {
      crm::v1::ListCampaignsResponse page;
      grpc::Status s = pipeline_->ListCampaigns(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.campaigns_size(), page_size);
      for (const Campaign& c : page.campaigns()) {
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
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

// ---------------------------------------------------------------------------------------------
// CRUD

TEST_P(CampaignTest, CreateThenGetReturnsTheStoredCampaignOwnedByTheCaller) {
  Campaign created = MustCreate(MakeCampaign());
  EXPECT_EQ(created.id().substr(0, 4), "cmp_");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_EQ(created.owner(), "alice");

  Campaign fetched = MustGet(created.id());
  EXPECT_EQ(fetched.name(), "Spring fair");
  EXPECT_EQ(fetched.channel(), crm::v1::LEAD_CHANNEL_EVENT);
  EXPECT_EQ(fetched.cost().currency_code(), "EUR");
  EXPECT_EQ(fetched.cost().units(), 12000);
  EXPECT_EQ(fetched.cost().nanos(), 500000000);
  EXPECT_EQ(fetched.start_date().year(), 2026);
  EXPECT_EQ(fetched.start_date().month(), 3);
  EXPECT_EQ(fetched.start_date().day(), 1);
  EXPECT_EQ(fetched.end_date().day(), 31);
  EXPECT_EQ(fetched.owner(), "alice");
  EXPECT_EQ(fetched.etag(), created.etag());

  // Cost and period are optional; start = end is a one-day campaign.
  Campaign bare;
  bare.set_name("Always on");
  bare.set_channel(crm::v1::LEAD_CHANNEL_WEB);
  bare.set_owner("bob");
  Campaign stored = MustGet(MustCreate(bare).id());
  EXPECT_FALSE(stored.has_cost());
  EXPECT_FALSE(stored.has_start_date());
  EXPECT_FALSE(stored.has_end_date());
  EXPECT_EQ(stored.owner(), "bob");
  Campaign one_day = MakeCampaign("One day");
  *one_day.mutable_end_date() = one_day.start_date();
  MustCreate(one_day);

  std::vector<crm::v1::Event> events = Events("campaign.created");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].entity(), "campaign");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "alice");
  std::set<std::string> fields;
  for (const auto& change : events[0].changes()) fields.insert(change.field());
  EXPECT_TRUE(fields.count("name"));
  EXPECT_TRUE(fields.count("cost"));
  EXPECT_TRUE(fields.count("start_date"));
  EXPECT_EQ(events[1].user(), "bob");
}

TEST_P(CampaignTest, BadInputIsRejectedWithTheFieldNamedAndNothingWritten) {
  Campaign out;
  Campaign c = MakeCampaign("");
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.name"));
  c = MakeCampaign("Fine", crm::v1::LEAD_CHANNEL_UNSPECIFIED);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.channel"));
  c = MakeCampaign("Fine", static_cast<crm::v1::LeadChannel>(42));
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.channel"));
  c = MakeCampaign();
  *c.mutable_cost() = MakeMoney("EUR", -1);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost"));
  *c.mutable_cost() = MakeMoney("EUR", 0, -5000);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost"));
  *c.mutable_cost() = MakeMoney("eur", 10);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost.currency_code"));
  *c.mutable_cost() = MakeMoney("EUR", 10, 1);  // below a micro
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost.nanos"));
  *c.mutable_cost() = MakeMoney("EUR", 1, -5000);  // signs differ
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost.nanos"));
  c = MakeCampaign();
  *c.mutable_end_date() = MakeDate(2026, 2, 28);  // before the start
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.end_date"));
  c = MakeCampaign();
  *c.mutable_start_date() = MakeDate(2026, 2, 30);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.start_date"));
  c = MakeCampaign();
  *c.mutable_end_date() = MakeDate(2026, 13, 1);
  EXPECT_TRUE(HasCodeAndField(Create(c, &out), grpc::StatusCode::INVALID_ARGUMENT, "campaign.end_date"));
  // Several problems together.
  c = MakeCampaign("", crm::v1::LEAD_CHANNEL_UNSPECIFIED);
  *c.mutable_cost() = MakeMoney("EUR", -3);
  grpc::Status all = Create(c, &out);
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "campaign.name"));
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "campaign.channel"));
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost"));
  crm::v1::CreateCampaignRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->CreateCampaign(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "campaign"));

  EXPECT_TRUE(ListAll({}, 50).empty());
  EXPECT_TRUE(Events("campaign.").empty());
}

TEST_P(CampaignTest, RetriedCreateWithSameRequestIdReturnsFirstResult) {
  Campaign first, second;
  ASSERT_GRPC_OK(Create(MakeCampaign(), &first, "req-cmp"));
  ASSERT_GRPC_OK(Create(MakeCampaign(), &second, "req-cmp"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(ListAll({}, 50).size(), 1u);
  EXPECT_EQ(Events("campaign.created").size(), 1u);
  Campaign other;
  EXPECT_TRUE(HasCodeAndField(Create(MakeCampaign("Other"), &other, "req-cmp"), grpc::StatusCode::ALREADY_EXISTS,
                              "request_id"));
}

TEST_P(CampaignTest, GetUnknownOrMalformedIdNamesTheField) {
  Campaign out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownCampaignId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  crm::v1::CampaignPerformance performance;
  EXPECT_TRUE(HasCodeAndField(Performance(kUnknownCampaignId, &performance), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Performance("bad id", &performance), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(CampaignTest, UpdateAppliesOnlyMaskedFieldsUnderTheEtag) {
  Campaign created = MustCreate(MakeCampaign());
  crm::v1::UpdateCampaignRequest update;
  update.mutable_campaign()->set_id(created.id());
  *update.mutable_campaign()->mutable_cost() = MakeMoney("EUR", 15000);
  update.mutable_campaign()->set_name("Renamed");  // not in the mask
  update.mutable_update_mask()->add_paths("cost");
  update.set_etag(created.etag());
  Campaign updated;
  ASSERT_GRPC_OK(pipeline_->UpdateCampaign(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.cost().units(), 15000);
  EXPECT_EQ(updated.cost().nanos(), 0);
  EXPECT_EQ(updated.name(), "Spring fair");
  EXPECT_EQ(updated.etag(), "\"r2\"");
  EXPECT_EQ(MustGet(created.id()).cost().units(), 15000);

  std::vector<crm::v1::Event> events = Events("campaign.updated");
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "cost");
  EXPECT_NE(events[0].changes(0).before(), events[0].changes(0).after());

  Campaign out;
  update.mutable_campaign()->mutable_cost()->set_units(1);
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateCampaign(CallAs().get(), update, &out), grpc::StatusCode::ABORTED));

  const auto patch = [&](const std::string& path, const std::function<void(Campaign*)>& set) {
    crm::v1::UpdateCampaignRequest request;
    request.mutable_campaign()->set_id(created.id());
    set(request.mutable_campaign());
    request.mutable_update_mask()->add_paths(path);
    return pipeline_->UpdateCampaign(CallAs().get(), request, &out);
  };
  EXPECT_TRUE(HasCodeAndField(patch("end_date", [](Campaign* c) { *c->mutable_end_date() = MakeDate(2026, 1, 1); }),
                              grpc::StatusCode::INVALID_ARGUMENT, "campaign.end_date"));
  EXPECT_TRUE(HasCodeAndField(patch("cost", [](Campaign* c) { *c->mutable_cost() = MakeMoney("EUR", -1); }),
                              grpc::StatusCode::INVALID_ARGUMENT, "campaign.cost"));
  EXPECT_TRUE(HasCodeAndField(patch("channel", [](Campaign*) {}), grpc::StatusCode::INVALID_ARGUMENT,
                              "campaign.channel"));
  EXPECT_TRUE(HasCodeAndField(patch("owner", [](Campaign*) {}), grpc::StatusCode::INVALID_ARGUMENT, "campaign.owner"));
  EXPECT_TRUE(HasCodeAndField(patch("create_time", [](Campaign*) {}), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[0]"));
  crm::v1::UpdateCampaignRequest unknown;
  unknown.mutable_campaign()->set_id(kUnknownCampaignId);
  unknown.mutable_campaign()->set_name("x");
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateCampaign(CallAs().get(), unknown, &out), grpc::StatusCode::NOT_FOUND,
                              "campaign.id"));
  EXPECT_EQ(MustGet(created.id()).etag(), updated.etag());
  EXPECT_EQ(Events("campaign.updated").size(), 1u);

  // Clearing the cost and moving the period (an empty mask means every field the request sets).
  ASSERT_GRPC_OK(patch("cost", [](Campaign*) {}));
  EXPECT_FALSE(MustGet(created.id()).has_cost());
  crm::v1::UpdateCampaignRequest period;
  period.mutable_campaign()->set_id(created.id());
  *period.mutable_campaign()->mutable_start_date() = MakeDate(2026, 4, 1);
  *period.mutable_campaign()->mutable_end_date() = MakeDate(2026, 4, 30);
  ASSERT_GRPC_OK(pipeline_->UpdateCampaign(CallAs().get(), period, &out));
  EXPECT_EQ(MustGet(created.id()).end_date().month(), 4);
  EXPECT_EQ(Events("campaign.updated").size(), 3u);
}

TEST_P(CampaignTest, ListByChannelPagesThroughEveryCampaignOnce) {
  std::set<std::string> all_ids, events_only;
  for (int i = 0; i < 11; ++i) {
    const auto channel = i % 3 == 0 ? crm::v1::LEAD_CHANNEL_EVENT : crm::v1::LEAD_CHANNEL_EMAIL;
    Campaign c = MustCreate(MakeCampaign("C" + std::to_string(i), channel));
    all_ids.insert(c.id());
    if (channel == crm::v1::LEAD_CHANNEL_EVENT) events_only.insert(c.id());
    server_->clock().Advance(absl::Milliseconds(1));
  }
  for (int page_size : {1, 2, 4, 11, 50}) {
    int pages = 0;
    std::vector<Campaign> all = ListAll({}, page_size, &pages);
    std::set<std::string> ids;
    for (size_t i = 0; i < all.size(); ++i) {
      ids.insert(all[i].id());
      if (i > 0) {
        EXPECT_LT(all[i - 1].id(), all[i].id());
      }
    }
    EXPECT_EQ(ids, all_ids);
    EXPECT_EQ(pages, (11 + page_size - 1) / page_size);
    crm::v1::ListCampaignsRequest by_channel;
    by_channel.set_channel(crm::v1::LEAD_CHANNEL_EVENT);
    std::set<std::string> channel_ids;
    for (const Campaign& c : ListAll(by_channel, page_size)) {
      EXPECT_EQ(c.channel(), crm::v1::LEAD_CHANNEL_EVENT);
      channel_ids.insert(c.id());
    }
    EXPECT_EQ(channel_ids, events_only);
  }

  crm::v1::ListCampaignsResponse out;
  crm::v1::ListCampaignsRequest bad;
  bad.set_channel(static_cast<crm::v1::LeadChannel>(42));
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListCampaigns(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "channel"));
  crm::v1::ListCampaignsRequest first;
  first.set_page_size(1);
  ASSERT_GRPC_OK(pipeline_->ListCampaigns(CallAs().get(), first, &out));
  crm::v1::ListCampaignsRequest foreign;
  foreign.set_page_size(1);
  foreign.set_channel(crm::v1::LEAD_CHANNEL_EMAIL);
  foreign.set_page_token(out.next_page_token());
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListCampaigns(CallAs().get(), foreign, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  first.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListCampaigns(CallAs().get(), first, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

// ---------------------------------------------------------------------------------------------
// Performance

TEST_P(CampaignTest, PerformanceOfANewCampaignIsZeroAndRoiNeedsACost) {
  ASSERT_EQ(BaseCurrency(), "EUR");
  Campaign with_cost = MustCreate(MakeCampaign());
  crm::v1::CampaignPerformance p = MustPerformance(with_cost.id());
  EXPECT_EQ(p.campaign_id(), with_cost.id());
  EXPECT_EQ(p.leads(), 0);
  EXPECT_EQ(p.conversions(), 0);
  EXPECT_EQ(p.opportunities(), 0);
  EXPECT_EQ(p.won_opportunities(), 0);
  EXPECT_EQ(p.won_revenue().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(p.won_revenue()), 0);
  EXPECT_EQ(p.cost().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(p.cost()), 12000500000);
  ASSERT_TRUE(p.has_roi());
  EXPECT_DOUBLE_EQ(p.roi(), -1.0);

  Campaign no_cost = MakeCampaign("Free");
  no_cost.clear_cost();
  p = MustPerformance(MustCreate(no_cost).id());
  EXPECT_EQ(MicrosOf(p.cost()), 0);
  EXPECT_EQ(p.cost().currency_code(), "EUR");
  EXPECT_FALSE(p.has_roi());
  Campaign zero_cost = MakeCampaign("Zero");
  *zero_cost.mutable_cost() = MakeMoney("EUR", 0);
  p = MustPerformance(MustCreate(zero_cost).id());
  EXPECT_FALSE(p.has_roi());
}

TEST_P(CampaignTest, AmountsWithoutARateAreRefusedNotSummed) {
  crm::v1::Account account = MustCreateAccount("Yen Buyer");
  Campaign campaign = MustCreate(MakeCampaign());
  crm::v1::Opportunity yen = MustCreateOpportunity(account.id(), campaign.id(), MakeMoney("JPY", 1000000));
  crm::v1::CampaignPerformance p;
  // Open in JPY: not revenue yet, so no rate is needed.
  ASSERT_GRPC_OK(Performance(campaign.id(), &p));
  EXPECT_EQ(p.opportunities(), 1);
  MustClose(yen.id(), true);
  EXPECT_TRUE(HasCodeAndField(Performance(campaign.id(), &p), grpc::StatusCode::FAILED_PRECONDITION,
                              "opportunity.amount.currency_code"));
  SetRates({{"JPY", "0.0061", 61, 10000}});
  p = MustPerformance(campaign.id());
  EXPECT_EQ(p.won_opportunities(), 1);
  EXPECT_EQ(MicrosOf(p.won_revenue()), 6100000000);  // 1,000,000 JPY × 0.0061

  Campaign krona = MakeCampaign("Krona");
  *krona.mutable_cost() = MakeMoney("SEK", 5000);
  Campaign stored = MustCreate(krona);
  EXPECT_TRUE(HasCodeAndField(Performance(stored.id(), &p), grpc::StatusCode::FAILED_PRECONDITION,
                              "campaign.cost.currency_code"));
}

// Generated leads and opportunities over several campaigns, every figure compared with what the
// test itself adds up from what it created.
TEST_P(CampaignTest, PerformanceMatchesAnIndependentComputationOverGeneratedData) {
  const std::vector<TestRate> rates = {
      {"USD", "0.9183", 9183, 10000}, {"GBP", "1.1675", 11675, 10000}, {"CHF", "1.043721", 1043721, 1000000}};
  SetRates(rates);
  std::map<std::string, TestRate> rate_of;
  for (const TestRate& r : rates) rate_of[r.currency] = r;
  rate_of["EUR"] = TestRate{"EUR", "1", 1, 1};
  const std::vector<std::string> currencies = {"EUR", "USD", "GBP", "CHF"};

  struct Expected {
    int64_t leads = 0, conversions = 0, opportunities = 0, won = 0;
    std::map<std::string, int64_t> won_micros;  // per currency
    crm::v1::Money cost;
  };
  std::vector<Campaign> campaigns;
  std::map<std::string, Expected> expected;
  const std::vector<crm::v1::Money> costs = {MakeMoney("EUR", 20000), MakeMoney("USD", 7500, 250000000),
                                             MakeMoney("GBP", 0), MakeMoney("CHF", 3333, 330000000)};
  for (size_t i = 0; i < costs.size(); ++i) {
    Campaign c = MakeCampaign("Generated " + std::to_string(i));
    *c.mutable_cost() = costs[i];
    campaigns.push_back(MustCreate(c));
    expected[campaigns.back().id()].cost = costs[i];
  }
  // A campaign with nothing attached, and leads with no campaign, must not leak into the others.
  Campaign idle = MustCreate(MakeCampaign("Idle"));
  expected[idle.id()].cost = idle.cost();

  std::mt19937 random(20260101);
  const auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const auto random_amount = [&]() {
    // Up to 6 decimals, so every amount is exact in micros.
    return MakeMoney(currencies[pick(4)], 100 + pick(90000), pick(1000000) * 1000);
  };
  const auto campaign_of = [&](int k) { return k < static_cast<int>(campaigns.size()) ? campaigns[k].id() : ""; };
  std::vector<std::pair<std::string, crm::v1::Money>> open;  // opportunity id, amount; for closing later
  std::map<std::string, std::string> campaign_of_opportunity;

  for (int i = 0; i < 36; ++i) {
    const std::string campaign_id = campaign_of(pick(static_cast<int>(campaigns.size()) + 1));
    crm::v1::Lead lead = MustCreateLead("Lead " + std::to_string(i), campaign_id);
    if (!campaign_id.empty()) ++expected[campaign_id].leads;
    const int fate = pick(5);  // 0 stays new, 1 disqualified, 2 converted plain, 3-4 converted with a deal
    if (fate == 1) {
      crm::v1::DisqualifyLeadRequest request;
      request.set_id(lead.id());
      request.set_reason("not a fit");
      crm::v1::Lead out;
      ASSERT_GRPC_OK(pipeline_->DisqualifyLead(CallAs().get(), request, &out));
    } else if (fate >= 2) {
      crm::v1::ConvertLeadRequest request;
      request.set_id(lead.id());
      crm::v1::Money amount = random_amount();
      if (fate >= 3) {
        request.set_create_opportunity(true);
        *request.mutable_opportunity()->mutable_amount() = amount;
      }
      crm::v1::ConvertLeadResponse out;
      ASSERT_GRPC_OK(pipeline_->ConvertLead(CallAs().get(), request, &out));
      if (!campaign_id.empty()) ++expected[campaign_id].conversions;
      if (fate >= 3) {
        open.emplace_back(out.opportunity_id(), amount);
        campaign_of_opportunity[out.opportunity_id()] = campaign_id;
      }
    }
  }
  // Opportunities with a campaign as source that never were leads.
  crm::v1::Account account = MustCreateAccount("Direct Buyer");
  for (int i = 0; i < 14; ++i) {
    const std::string campaign_id = campaign_of(pick(static_cast<int>(campaigns.size()) + 1));
    crm::v1::Money amount = random_amount();
    crm::v1::Opportunity opportunity = MustCreateOpportunity(account.id(), campaign_id, amount);
    open.emplace_back(opportunity.id(), amount);
    campaign_of_opportunity[opportunity.id()] = campaign_id;
  }
  for (const auto& [id, amount] : open) {
    const std::string& campaign_id = campaign_of_opportunity[id];
    if (!campaign_id.empty()) ++expected[campaign_id].opportunities;
    const int fate = pick(3);  // 0 stays open, 1 won, 2 lost
    if (fate == 0) continue;
    MustClose(id, fate == 1);
    if (fate == 1 && !campaign_id.empty()) {
      ++expected[campaign_id].won;
      expected[campaign_id].won_micros[amount.currency_code()] += MicrosOf(amount);
    }
  }

  int64_t total_won = 0, total_conversions = 0, total_lost_or_open = 0;
  std::set<std::string> won_currencies;
  for (const auto& [campaign_id, want] : expected) {
    SCOPED_TRACE(campaign_id);
    crm::v1::CampaignPerformance p = MustPerformance(campaign_id);
    EXPECT_EQ(p.campaign_id(), campaign_id);
    EXPECT_EQ(p.leads(), want.leads);
    EXPECT_EQ(p.conversions(), want.conversions);
    EXPECT_EQ(p.opportunities(), want.opportunities);
    EXPECT_EQ(p.won_opportunities(), want.won);
    // Each currency's sum converted once, rounded half away from zero to a micro.
    int64_t won_base = 0;
    for (const auto& [currency, micros] : want.won_micros) won_base += ConvertExactly(micros, rate_of[currency]);
    const int64_t cost_base = ConvertExactly(MicrosOf(want.cost), rate_of[want.cost.currency_code()]);
    EXPECT_EQ(p.won_revenue().currency_code(), "EUR");
    EXPECT_EQ(MicrosOf(p.won_revenue()), won_base);
    EXPECT_EQ(p.won_revenue().nanos() % 1000, 0);
    EXPECT_EQ(p.cost().currency_code(), "EUR");
    EXPECT_EQ(MicrosOf(p.cost()), cost_base);
    if (cost_base == 0) {
      EXPECT_FALSE(p.has_roi());
    } else {
      ASSERT_TRUE(p.has_roi());
      EXPECT_DOUBLE_EQ(p.roi(), static_cast<double>(won_base - cost_base) / static_cast<double>(cost_base));
    }
    total_won += want.won;
    total_conversions += want.conversions;
    total_lost_or_open += want.opportunities - want.won;
    for (const auto& [currency, micros] : want.won_micros) won_currencies.insert(currency);
  }
  // The generated data did exercise the interesting paths: conversions, deals not won, won
  // revenue in several currencies.
  EXPECT_GT(total_won, 0);
  EXPECT_GT(total_conversions, 0);
  EXPECT_GT(total_lost_or_open, 0);
  EXPECT_GE(won_currencies.size(), 3u);
  EXPECT_EQ(MustPerformance(idle.id()).leads(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
