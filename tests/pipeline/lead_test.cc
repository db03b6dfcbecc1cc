// PipelineService leads: CRUD, lists, the status machine and ConvertLead, through a real
// in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <functional>
#include <map>
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

using crm::v1::Lead;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownLeadId[] = "lead_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownCampaignId[] = "cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownPipelineId[] = "pip_01ARZ3NDEKTSV4RRFFQ69G5FAV";

// What ConvertLead may write, counted straight from the tables.
struct Written {
  long long accounts = 0, contacts = 0, opportunities = 0, leads = 0, events = 0;
  bool operator==(const Written& o) const {
    return accounts == o.accounts && contacts == o.contacts && opportunities == o.opportunities && leads == o.leads &&
           events == o.events;
  }
};
std::ostream& operator<<(std::ostream& os, const Written& w) {
  return os << "{accounts " << w.accounts << ", contacts " << w.contacts << ", opportunities " << w.opportunities
            << ", leads " << w.leads << ", events " << w.events << "}";
}

class LeadTest : public ::testing::TestWithParam<std::string> {
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

  static Lead MakeLead(const std::string& name = "Jane Roe", const std::string& company = "Acme GmbH") {
    Lead l;
    l.set_full_name(name);
    l.set_company_name(company);
    l.set_title("Head of Purchasing");
    l.set_email("jane.roe@example.com");
    l.set_phone("+49 30 1234567");
    l.set_industry("manufacturing");
    l.set_region("EMEA");
    l.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_WEB);
    l.set_score(40);
    l.set_notes("Asked for a demo.");
    return l;
  }

  grpc::Status Create(const Lead& lead, Lead* out, const std::string& request_id = "",
                      const std::string& user = "alice") {
    crm::v1::CreateLeadRequest request;
    *request.mutable_lead() = lead;
    request.set_request_id(request_id);
    return pipeline_->CreateLead(CallAs(user).get(), request, out);
  }

  Lead MustCreate(const Lead& lead) {
    Lead out;
    grpc::Status s = Create(lead, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, Lead* out) {
    crm::v1::GetLeadRequest request;
    request.set_id(id);
    return pipeline_->GetLead(CallAs().get(), request, out);
  }

  Lead MustGet(const std::string& id) {
    Lead out;
    grpc::Status s = Get(id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Qualify(const std::string& id, Lead* out, const std::string& etag = "") {
    crm::v1::QualifyLeadRequest request;
    request.set_id(id);
    request.set_etag(etag);
    return pipeline_->QualifyLead(CallAs().get(), request, out);
  }

  grpc::Status Disqualify(const std::string& id, const std::string& reason, Lead* out, const std::string& etag = "") {
    crm::v1::DisqualifyLeadRequest request;
    request.set_id(id);
    request.set_reason(reason);
    request.set_etag(etag);
    return pipeline_->DisqualifyLead(CallAs().get(), request, out);
  }

  grpc::Status Convert(const crm::v1::ConvertLeadRequest& request, crm::v1::ConvertLeadResponse* out) {
    return pipeline_->ConvertLead(CallAs("carol").get(), request, out);
  }

  crm::v1::Campaign MustCreateCampaign(const std::string& name, crm::v1::LeadChannel channel) {
    crm::v1::CreateCampaignRequest request;
    request.mutable_campaign()->set_name(name);
    request.mutable_campaign()->set_channel(channel);
    crm::v1::Campaign out;
    grpc::Status s = pipeline_->CreateCampaign(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  crm::v1::Account MustCreateAccount(const std::string& name, const std::string& owner = "bob") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
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

  static std::map<std::string, crm::v1::FieldChange> Changes(const crm::v1::Event& event) {
    std::map<std::string, crm::v1::FieldChange> changes;
    for (const auto& change : event.changes()) changes[change.field()] = change;
    return changes;
  }

  long long CountRows(const std::string& table) {
    long long n = -1;
    absl::Status s = server_->runtime().db->Read([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  Written CountWritten() {
    return Written{CountRows("accounts"), CountRows("contacts"), CountRows("opportunities"), CountRows("leads"),
                   CountRows("events")};
  }

  // Every lead `request` lists, following page tokens; fails the test on a repeated id.
  std::vector<Lead> ListAll(crm::v1::ListLeadsRequest request, int page_size, int* pages = nullptr) {
    request.set_page_size(page_size);
    std::vector<Lead> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 200; ++n) {
      crm::v1::ListLeadsResponse page;
      grpc::Status s = pipeline_->ListLeads(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.leads_size(), page_size);
      for (const Lead& l : page.leads()) {
        EXPECT_TRUE(seen.insert(l.id()).second) << "repeated " << l.id();
        all.push_back(l);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  static std::set<std::string> Ids(const std::vector<Lead>& leads) {
    std::set<std::string> ids;
    for (const Lead& l : leads) ids.insert(l.id());
    return ids;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

// ---------------------------------------------------------------------------------------------
// CRUD

TEST_P(LeadTest, CreateThenGetReturnsTheStoredLeadOwnedByTheCaller) {
  Lead created = MustCreate(MakeLead());
  EXPECT_EQ(created.id().substr(0, 5), "lead_");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_EQ(created.status(), crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(created.owner(), "alice");  // the caller
  EXPECT_TRUE(created.has_create_time());

  Lead fetched = MustGet(created.id());
  EXPECT_EQ(fetched.full_name(), "Jane Roe");
  EXPECT_EQ(fetched.company_name(), "Acme GmbH");
  EXPECT_EQ(fetched.title(), "Head of Purchasing");
  EXPECT_EQ(fetched.email(), "jane.roe@example.com");
  EXPECT_EQ(fetched.phone(), "+49 30 1234567");
  EXPECT_EQ(fetched.industry(), "manufacturing");
  EXPECT_EQ(fetched.region(), "EMEA");
  EXPECT_EQ(fetched.source().channel(), crm::v1::LEAD_CHANNEL_WEB);
  EXPECT_EQ(fetched.source().campaign_id(), "");
  EXPECT_EQ(fetched.score(), 40);
  EXPECT_EQ(fetched.status(), crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(fetched.owner(), "alice");
  EXPECT_EQ(fetched.notes(), "Asked for a demo.");
  EXPECT_FALSE(fetched.has_convert_time());
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_EQ(fetched.create_time().seconds(), created.create_time().seconds());

  // Output-only fields are ignored; an explicit owner is kept.
  Lead sneaky = MakeLead("Sneaky");
  sneaky.set_status(crm::v1::LEAD_STATUS_CONVERTED);
  sneaky.set_converted_account_id(kUnknownAccountId);
  sneaky.set_disqualify_reason("no");
  sneaky.set_owner("dave");
  Lead plain = MustCreate(sneaky);
  EXPECT_EQ(plain.status(), crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(plain.converted_account_id(), "");
  EXPECT_EQ(plain.disqualify_reason(), "");
  EXPECT_EQ(plain.owner(), "dave");

  std::vector<crm::v1::Event> events = Events("lead.created");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].entity(), "lead");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "alice");
  EXPECT_EQ(events[0].actor(), "alice");
  auto changes = Changes(events[0]);
  EXPECT_EQ(changes["full_name"].after(), "\"Jane Roe\"");
  EXPECT_EQ(changes["score"].after(), "40");
  EXPECT_EQ(changes["status"].after(), "\"LEAD_STATUS_NEW\"");
  EXPECT_EQ(events[1].user(), "dave");
}

TEST_P(LeadTest, SourceCampaignMustExistAndLendsItsChannel) {
  crm::v1::Campaign campaign = MustCreateCampaign("Spring fair", crm::v1::LEAD_CHANNEL_EVENT);
  Lead lead = MakeLead();
  lead.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_UNSPECIFIED);
  lead.mutable_source()->set_campaign_id(campaign.id());
  Lead created = MustCreate(lead);
  EXPECT_EQ(created.source().campaign_id(), campaign.id());
  EXPECT_EQ(created.source().channel(), crm::v1::LEAD_CHANNEL_EVENT);  // from the campaign
  EXPECT_EQ(MustGet(created.id()).source().channel(), crm::v1::LEAD_CHANNEL_EVENT);

  // A channel given explicitly wins.
  lead.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_SOCIAL);
  EXPECT_EQ(MustCreate(lead).source().channel(), crm::v1::LEAD_CHANNEL_SOCIAL);

  Lead out;
  lead.mutable_source()->set_campaign_id(kUnknownCampaignId);
  EXPECT_TRUE(HasCodeAndField(Create(lead, &out), grpc::StatusCode::NOT_FOUND, "lead.source.campaign_id"));
  lead.mutable_source()->set_campaign_id("cmp 1; DROP TABLE leads");
  EXPECT_TRUE(HasCodeAndField(Create(lead, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.source.campaign_id"));
  EXPECT_EQ(Events("lead.created").size(), 2u);
}

TEST_P(LeadTest, BadInputIsRejectedWithTheFieldNamedAndNothingWritten) {
  Lead out;
  Lead l = MakeLead("");
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.full_name"));
  l = MakeLead("   ");
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.full_name"));
  l = MakeLead(std::string(201, 'x'));
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.full_name"));
  l = MakeLead("Fine", std::string(201, 'c'));
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.company_name"));
  l = MakeLead();
  l.set_email("not-an-email");
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.email"));
  l = MakeLead();
  l.set_phone("12ab");
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.phone"));
  l = MakeLead();
  l.set_score(101);
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.score"));
  l.set_score(-1);
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.score"));
  l = MakeLead();
  l.mutable_source()->set_channel(static_cast<crm::v1::LeadChannel>(42));
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.source.channel"));
  l = MakeLead();
  l.set_title(std::string("bad\x01title"));
  EXPECT_TRUE(HasCodeAndField(Create(l, &out), grpc::StatusCode::INVALID_ARGUMENT, "lead.title"));
  // Several problems are reported together.
  l = MakeLead("");
  l.set_email("@");
  l.set_score(500);
  grpc::Status all = Create(l, &out);
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "lead.full_name"));
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "lead.email"));
  EXPECT_TRUE(HasCodeAndField(all, grpc::StatusCode::INVALID_ARGUMENT, "lead.score"));
  crm::v1::CreateLeadRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->CreateLead(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead"));

  EXPECT_EQ(CountRows("leads"), 0);
  EXPECT_TRUE(Events("lead.").empty());
}

TEST_P(LeadTest, RetriedCreateWithSameRequestIdReturnsFirstResultAndWritesNothing) {
  Lead first, second;
  ASSERT_GRPC_OK(Create(MakeLead(), &first, "req-l1"));
  ASSERT_GRPC_OK(Create(MakeLead(), &second, "req-l1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(CountRows("leads"), 1);
  EXPECT_EQ(Events("lead.created").size(), 1u);

  Lead other;
  EXPECT_TRUE(
      HasCodeAndField(Create(MakeLead("Someone Else"), &other, "req-l1"), grpc::StatusCode::ALREADY_EXISTS, "request_id"));
}

TEST_P(LeadTest, GetUnknownOrMalformedIdNamesTheField) {
  Lead out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownLeadId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("'; DROP TABLE leads; --", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(LeadTest, UpdateAppliesOnlyMaskedFieldsUnderTheEtagAndRecordsTheChange) {
  Lead created = MustCreate(MakeLead());
  crm::v1::UpdateLeadRequest update;
  update.mutable_lead()->set_id(created.id());
  update.mutable_lead()->set_score(85);
  update.mutable_lead()->set_title("CEO");  // not in the mask: must not change
  update.mutable_update_mask()->add_paths("score");
  update.set_etag(created.etag());
  Lead updated;
  ASSERT_GRPC_OK(pipeline_->UpdateLead(CallAs().get(), update, &updated));
  EXPECT_EQ(updated.score(), 85);
  EXPECT_EQ(updated.title(), "Head of Purchasing");
  EXPECT_EQ(updated.etag(), "\"r2\"");
  Lead fetched = MustGet(created.id());
  EXPECT_EQ(fetched.score(), 85);
  EXPECT_EQ(fetched.etag(), updated.etag());

  std::vector<crm::v1::Event> events = Events("lead.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].user(), "alice");
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "score");
  EXPECT_EQ(events[0].changes(0).before(), "40");
  EXPECT_EQ(events[0].changes(0).after(), "85");

  // Stale etag: ABORTED, nothing changes.
  update.mutable_lead()->set_score(10);
  Lead ignored;
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), update, &ignored), grpc::StatusCode::ABORTED));
  EXPECT_EQ(MustGet(created.id()).score(), 85);
  update.set_etag("garbage");
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), update, &ignored),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));

  // An empty mask means every updatable field the request sets; the same values change nothing.
  crm::v1::UpdateLeadRequest same;
  *same.mutable_lead() = fetched;
  Lead unchanged;
  ASSERT_GRPC_OK(pipeline_->UpdateLead(CallAs().get(), same, &unchanged));
  EXPECT_EQ(unchanged.etag(), fetched.etag());

  // Moving the source to a campaign.
  crm::v1::Campaign campaign = MustCreateCampaign("Newsletter", crm::v1::LEAD_CHANNEL_EMAIL);
  crm::v1::UpdateLeadRequest source;
  source.mutable_lead()->set_id(created.id());
  source.mutable_lead()->mutable_source()->set_campaign_id(campaign.id());
  source.mutable_update_mask()->add_paths("source");
  Lead moved;
  ASSERT_GRPC_OK(pipeline_->UpdateLead(CallAs().get(), source, &moved));
  EXPECT_EQ(moved.source().campaign_id(), campaign.id());
  EXPECT_EQ(moved.source().channel(), crm::v1::LEAD_CHANNEL_EMAIL);
  EXPECT_EQ(Events("lead.updated").size(), 2u);
}

TEST_P(LeadTest, UpdateRejectsBadMasksAndValuesAndChangesNothing) {
  Lead created = MustCreate(MakeLead());
  Lead out;
  const auto update = [&](const std::string& path, const std::function<void(Lead*)>& set) {
    crm::v1::UpdateLeadRequest request;
    request.mutable_lead()->set_id(created.id());
    set(request.mutable_lead());
    request.mutable_update_mask()->add_paths(path);
    return pipeline_->UpdateLead(CallAs().get(), request, &out);
  };
  EXPECT_TRUE(HasCodeAndField(update("status", [](Lead* l) { l->set_status(crm::v1::LEAD_STATUS_CONVERTED); }),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  EXPECT_TRUE(HasCodeAndField(update("converted_account_id", [](Lead* l) { l->set_converted_account_id("x"); }),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  EXPECT_TRUE(HasCodeAndField(update("no_such_field", [](Lead*) {}), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[0]"));
  EXPECT_TRUE(HasCodeAndField(update("score", [](Lead* l) { l->set_score(101); }), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.score"));
  EXPECT_TRUE(HasCodeAndField(update("email", [](Lead* l) { l->set_email("broken@"); }),
                              grpc::StatusCode::INVALID_ARGUMENT, "lead.email"));
  EXPECT_TRUE(HasCodeAndField(update("phone", [](Lead* l) { l->set_phone("x"); }), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.phone"));
  EXPECT_TRUE(HasCodeAndField(update("full_name", [](Lead*) {}), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.full_name"));
  EXPECT_TRUE(HasCodeAndField(update("owner", [](Lead*) {}), grpc::StatusCode::INVALID_ARGUMENT, "lead.owner"));
  EXPECT_TRUE(HasCodeAndField(
      update("source", [](Lead* l) { l->mutable_source()->set_campaign_id(kUnknownCampaignId); }),
      grpc::StatusCode::NOT_FOUND, "lead.source.campaign_id"));

  crm::v1::UpdateLeadRequest unknown;
  unknown.mutable_lead()->set_id(kUnknownLeadId);
  unknown.mutable_lead()->set_score(1);
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), unknown, &out), grpc::StatusCode::NOT_FOUND,
                              "lead.id"));
  unknown.mutable_lead()->set_id("");
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), unknown, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "lead.id"));
  crm::v1::UpdateLeadRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead"));

  Lead fetched = MustGet(created.id());
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_EQ(fetched.score(), 40);
  EXPECT_TRUE(Events("lead.updated").empty());
}

TEST_P(LeadTest, DeleteHonoursTheEtagAndRecordsWhatWasRemoved) {
  Lead created = MustCreate(MakeLead());
  crm::v1::DeleteLeadRequest del;
  del.set_id(created.id());
  del.set_etag("\"r7\"");
  crm::v1::DeleteLeadResponse response;
  EXPECT_TRUE(HasCodeAndField(pipeline_->DeleteLead(CallAs().get(), del, &response), grpc::StatusCode::ABORTED));
  MustGet(created.id());
  del.set_etag("r1");
  EXPECT_TRUE(HasCodeAndField(pipeline_->DeleteLead(CallAs().get(), del, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));

  del.set_etag(created.etag());
  ASSERT_GRPC_OK(pipeline_->DeleteLead(CallAs().get(), del, &response));
  Lead out;
  EXPECT_TRUE(HasCodeAndField(Get(created.id(), &out), grpc::StatusCode::NOT_FOUND, "id"));
  del.clear_etag();
  EXPECT_TRUE(
      HasCodeAndField(pipeline_->DeleteLead(CallAs().get(), del, &response), grpc::StatusCode::NOT_FOUND, "id"));
  del.set_id("");
  EXPECT_TRUE(HasCodeAndField(pipeline_->DeleteLead(CallAs().get(), del, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "id"));

  std::vector<crm::v1::Event> events = Events("lead.deleted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_DELETED);
  EXPECT_EQ(events[0].user(), "alice");
  auto changes = Changes(events[0]);
  EXPECT_EQ(changes["full_name"].before(), "\"Jane Roe\"");
  EXPECT_EQ(changes["full_name"].after(), "");

  // A replayed create whose lead was deleted does not create a second one.
  Lead again;
  Lead first;
  ASSERT_GRPC_OK(Create(MakeLead("Replay"), &first, "req-del"));
  crm::v1::DeleteLeadRequest del_first;
  del_first.set_id(first.id());
  ASSERT_GRPC_OK(pipeline_->DeleteLead(CallAs().get(), del_first, &response));
  EXPECT_TRUE(HasCodeAndField(Create(MakeLead("Replay"), &again, "req-del"), grpc::StatusCode::NOT_FOUND,
                              "request_id"));
  EXPECT_EQ(CountRows("leads"), 0);
}

// ---------------------------------------------------------------------------------------------
// Status machine

TEST_P(LeadTest, QualifyAndDisqualifyFollowTheStatusMachine) {
  Lead lead = MustCreate(MakeLead());
  Lead out;
  // new → qualified
  EXPECT_TRUE(HasCodeAndField(Qualify(lead.id(), &out, "\"r9\""), grpc::StatusCode::ABORTED));
  ASSERT_GRPC_OK(Qualify(lead.id(), &out, lead.etag()));
  EXPECT_EQ(out.status(), crm::v1::LEAD_STATUS_QUALIFIED);
  EXPECT_EQ(out.etag(), "\"r2\"");
  EXPECT_EQ(MustGet(lead.id()).status(), crm::v1::LEAD_STATUS_QUALIFIED);
  // qualified → qualified: refused.
  EXPECT_TRUE(HasCodeAndField(Qualify(lead.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));

  // Disqualify needs a reason.
  EXPECT_TRUE(HasCodeAndField(Disqualify(lead.id(), "", &out), grpc::StatusCode::INVALID_ARGUMENT, "reason"));
  EXPECT_TRUE(HasCodeAndField(Disqualify(lead.id(), "  ", &out), grpc::StatusCode::INVALID_ARGUMENT, "reason"));
  // qualified → disqualified
  ASSERT_GRPC_OK(Disqualify(lead.id(), " No budget this year ", &out));
  EXPECT_EQ(out.status(), crm::v1::LEAD_STATUS_DISQUALIFIED);
  EXPECT_EQ(out.disqualify_reason(), "No budget this year");
  Lead fetched = MustGet(lead.id());
  EXPECT_EQ(fetched.disqualify_reason(), "No budget this year");
  // disqualified is closed: no qualify, no second disqualify.
  EXPECT_TRUE(HasCodeAndField(Qualify(lead.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Disqualify(lead.id(), "again", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(MustGet(lead.id()).etag(), fetched.etag());

  // new → disqualified directly.
  Lead other = MustCreate(MakeLead("Other"));
  ASSERT_GRPC_OK(Disqualify(other.id(), "Student", &out, other.etag()));
  EXPECT_EQ(out.status(), crm::v1::LEAD_STATUS_DISQUALIFIED);

  EXPECT_TRUE(HasCodeAndField(Qualify(kUnknownLeadId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Disqualify(kUnknownLeadId, "x", &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Qualify("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));

  std::vector<crm::v1::Event> qualified = Events("lead.qualified");
  ASSERT_EQ(qualified.size(), 1u);
  EXPECT_EQ(Changes(qualified[0])["status"].before(), "\"LEAD_STATUS_NEW\"");
  EXPECT_EQ(Changes(qualified[0])["status"].after(), "\"LEAD_STATUS_QUALIFIED\"");
  std::vector<crm::v1::Event> disqualified = Events("lead.disqualified");
  ASSERT_EQ(disqualified.size(), 2u);
  EXPECT_EQ(Changes(disqualified[0])["disqualify_reason"].after(), "\"No budget this year\"");
  EXPECT_EQ(disqualified[0].user(), "alice");
}

TEST_P(LeadTest, AConvertedLeadIsFinal) {
  Lead lead = MustCreate(MakeLead());
  crm::v1::ConvertLeadRequest convert;
  convert.set_id(lead.id());
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(Convert(convert, &converted));
  Lead out;
  EXPECT_TRUE(HasCodeAndField(Qualify(lead.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Disqualify(lead.id(), "late", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  crm::v1::UpdateLeadRequest update;
  update.mutable_lead()->set_id(lead.id());
  update.mutable_lead()->set_score(99);
  EXPECT_TRUE(HasCodeAndField(pipeline_->UpdateLead(CallAs().get(), update, &out),
                              grpc::StatusCode::FAILED_PRECONDITION, "lead.id"));
  crm::v1::DeleteLeadRequest del;
  del.set_id(lead.id());
  crm::v1::DeleteLeadResponse deleted;
  EXPECT_TRUE(HasCodeAndField(pipeline_->DeleteLead(CallAs().get(), del, &deleted),
                              grpc::StatusCode::FAILED_PRECONDITION, "id"));
  Lead fetched = MustGet(lead.id());
  EXPECT_EQ(fetched.status(), crm::v1::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(fetched.etag(), converted.lead().etag());
}

// ---------------------------------------------------------------------------------------------
// Lists

TEST_P(LeadTest, ListFiltersByEveryCriterion) {
  crm::v1::Campaign fair = MustCreateCampaign("Fair", crm::v1::LEAD_CHANNEL_EVENT);
  crm::v1::Campaign ads = MustCreateCampaign("Ads", crm::v1::LEAD_CHANNEL_ADVERTISING);
  struct Spec {
    std::string name, company, email, owner;
    crm::v1::LeadChannel channel;
    std::string campaign;
    int score;
  };
  const std::vector<Spec> specs = {
      {"Anna Berg", "Nordwind AG", "anna@nordwind.de", "alice", crm::v1::LEAD_CHANNEL_EVENT, fair.id(), 80},
      {"Ben Cole", "Cole & Sons", "ben@cole.co.uk", "bob", crm::v1::LEAD_CHANNEL_EVENT, fair.id(), 20},
      {"Cara Diaz", "", "cara@mail.example", "alice", crm::v1::LEAD_CHANNEL_ADVERTISING, ads.id(), 55},
      {"Dan 100% Evans", "Evans_Ltd", "dan@evans.example", "bob", crm::v1::LEAD_CHANNEL_WEB, "", 55},
      {"Eve Frost", "NORDWIND Services", "eve@frost.example", "carol", crm::v1::LEAD_CHANNEL_PHONE, "", 0},
  };
  std::vector<Lead> leads;
  for (const Spec& s : specs) {
    Lead l = MakeLead(s.name, s.company);
    l.set_email(s.email);
    l.set_owner(s.owner);
    l.mutable_source()->set_channel(s.channel);
    l.mutable_source()->set_campaign_id(s.campaign);
    l.set_score(s.score);
    leads.push_back(MustCreate(l));
  }
  Lead out;
  ASSERT_GRPC_OK(Qualify(leads[0].id(), &out));
  ASSERT_GRPC_OK(Disqualify(leads[1].id(), "no fit", &out));

  const auto ids = [&](std::initializer_list<int> indexes) {
    std::set<std::string> s;
    for (int i : indexes) s.insert(leads[i].id());
    return s;
  };
  crm::v1::ListLeadsRequest r;
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({0, 1, 2, 3, 4}));
  r = {};
  r.set_status(crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({2, 3, 4}));
  r = {};
  r.set_status(crm::v1::LEAD_STATUS_QUALIFIED);
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({0}));
  r = {};
  r.set_owner("bob");
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({1, 3}));
  r = {};
  r.set_channel(crm::v1::LEAD_CHANNEL_EVENT);
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({0, 1}));
  r = {};
  r.set_campaign_id(ads.id());
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({2}));
  r = {};
  r.set_text("nordwind");  // company, case-insensitive
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({0, 4}));
  r = {};
  r.set_text("CARA");  // name
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({2}));
  r = {};
  r.set_text("@cole.co");  // email
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({1}));
  r = {};
  r.set_text("100%");  // LIKE wildcards are literal
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({3}));
  r = {};
  r.set_text("n_1");  // as a LIKE pattern it would match "Dan 100%"
  EXPECT_TRUE(ListAll(r, 50).empty());
  r = {};
  r.set_text("s_l");
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({3}));
  r = {};
  r.set_min_score(55);
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({0, 2, 3}));
  r = {};
  r.set_min_score(55);
  r.set_owner("alice");
  r.set_channel(crm::v1::LEAD_CHANNEL_ADVERTISING);
  r.set_text("diaz");
  r.set_status(crm::v1::LEAD_STATUS_NEW);
  r.set_campaign_id(ads.id());
  EXPECT_EQ(Ids(ListAll(r, 50)), ids({2}));
}

TEST_P(LeadTest, ListRejectsBadFiltersAndForgedTokens) {
  for (int i = 0; i < 3; ++i) MustCreate(MakeLead("P" + std::to_string(i)));
  crm::v1::ListLeadsResponse out;
  const auto list = [&](const crm::v1::ListLeadsRequest& r) { return pipeline_->ListLeads(CallAs().get(), r, &out); };
  crm::v1::ListLeadsRequest r;
  r.set_status(static_cast<crm::v1::LeadStatus>(42));
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "status"));
  r = {};
  r.set_channel(static_cast<crm::v1::LeadChannel>(42));
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "channel"));
  r = {};
  r.set_min_score(101);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  r.set_min_score(-1);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  r = {};
  r.set_campaign_id("not an id!");
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "campaign_id"));
  r = {};
  r.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));

  crm::v1::ListLeadsRequest first;
  first.set_page_size(1);
  crm::v1::ListLeadsResponse page;
  ASSERT_GRPC_OK(pipeline_->ListLeads(CallAs().get(), first, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();
  crm::v1::ListLeadsRequest forged = first;
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  EXPECT_TRUE(HasCodeAndField(list(forged), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  forged.set_page_token("not a token at all");
  EXPECT_TRUE(HasCodeAndField(list(forged), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  // A real token, but issued for another filter.
  crm::v1::ListLeadsRequest foreign = first;
  foreign.set_owner("alice");
  foreign.set_page_token(token);
  EXPECT_TRUE(HasCodeAndField(list(foreign), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(LeadTest, ListPagesThroughEveryLeadOnceInIdOrder) {
  std::set<std::string> all_ids, bobs;
  for (int i = 0; i < 23; ++i) {
    Lead l = MakeLead("Person " + std::to_string(i));
    l.set_owner(i % 3 == 0 ? "bob" : "alice");
    Lead created = MustCreate(l);
    all_ids.insert(created.id());
    if (i % 3 == 0) bobs.insert(created.id());
    server_->clock().Advance(absl::Milliseconds(1));
  }
  for (int page_size : {1, 2, 5, 7, 23, 50}) {
    int pages = 0;
    std::vector<Lead> all = ListAll({}, page_size, &pages);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].id(), all[i].id());
    EXPECT_EQ(Ids(all), all_ids) << "page size " << page_size;
    EXPECT_EQ(pages, (23 + page_size - 1) / page_size) << "page size " << page_size;

    crm::v1::ListLeadsRequest by_owner;
    by_owner.set_owner("bob");
    EXPECT_EQ(Ids(ListAll(by_owner, page_size)), bobs) << "page size " << page_size;
  }
}

// ---------------------------------------------------------------------------------------------
// ConvertLead

TEST_P(LeadTest, ConvertCreatesAccountAndContactFromTheLeadInOneStep) {
  Lead lead = MakeLead();
  lead.set_owner("dave");
  lead = MustCreate(lead);
  Lead qualified;
  ASSERT_GRPC_OK(Qualify(lead.id(), &qualified));
  server_->clock().Advance(absl::Minutes(5));

  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_etag(qualified.etag());
  crm::v1::ConvertLeadResponse response;
  ASSERT_GRPC_OK(Convert(request, &response));
  EXPECT_EQ(response.account_id().substr(0, 4), "acc_");
  EXPECT_EQ(response.contact_id().substr(0, 4), "con_");
  EXPECT_EQ(response.opportunity_id(), "");
  EXPECT_EQ(response.lead().status(), crm::v1::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(response.lead().converted_account_id(), response.account_id());
  EXPECT_EQ(response.lead().converted_contact_id(), response.contact_id());
  EXPECT_EQ(response.lead().converted_opportunity_id(), "");
  EXPECT_TRUE(response.lead().has_convert_time());
  EXPECT_EQ(response.lead().etag(), "\"r3\"");

  Lead fetched = MustGet(lead.id());
  EXPECT_EQ(fetched.status(), crm::v1::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(fetched.converted_account_id(), response.account_id());
  EXPECT_EQ(fetched.converted_contact_id(), response.contact_id());
  EXPECT_EQ(fetched.convert_time().seconds(), response.lead().convert_time().seconds());
  EXPECT_EQ(fetched.convert_time().seconds(), lead.create_time().seconds() + 300);

  crm::v1::GetAccountRequest get_account;
  get_account.set_id(response.account_id());
  crm::v1::Account account;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get_account, &account));
  EXPECT_EQ(account.name(), "Acme GmbH");
  EXPECT_EQ(account.kind(), crm::v1::ACCOUNT_KIND_COMPANY);
  EXPECT_EQ(account.industry(), "manufacturing");
  EXPECT_EQ(account.region(), "EMEA");
  EXPECT_EQ(account.owner(), "dave");  // the lead's owner, not the caller
  EXPECT_EQ(account.lifecycle_stage(), crm::v1::LIFECYCLE_STAGE_PROSPECT);

  crm::v1::GetContactRequest get_contact;
  get_contact.set_id(response.contact_id());
  crm::v1::Contact contact;
  ASSERT_GRPC_OK(accounts_->GetContact(CallAs().get(), get_contact, &contact));
  EXPECT_EQ(contact.account_id(), account.id());
  EXPECT_EQ(contact.full_name(), "Jane Roe");
  EXPECT_EQ(contact.title(), "Head of Purchasing");
  EXPECT_EQ(contact.email(), "jane.roe@example.com");
  EXPECT_EQ(contact.phone(), "+49 30 1234567");

  // The same events the accounts service emits, plus the lead's own.
  std::vector<crm::v1::Event> account_events = Events("account.created");
  ASSERT_EQ(account_events.size(), 1u);
  EXPECT_EQ(account_events[0].entity_id(), account.id());
  EXPECT_EQ(account_events[0].user(), "dave");
  EXPECT_EQ(account_events[0].actor(), "carol");
  EXPECT_EQ(Changes(account_events[0])["name"].after(), "\"Acme GmbH\"");
  std::vector<crm::v1::Event> contact_events = Events("contact.created");
  ASSERT_EQ(contact_events.size(), 1u);
  EXPECT_EQ(contact_events[0].entity_id(), contact.id());
  EXPECT_EQ(contact_events[0].user(), "dave");
  std::vector<crm::v1::Event> lead_events = Events("lead.converted");
  ASSERT_EQ(lead_events.size(), 1u);
  EXPECT_EQ(lead_events[0].entity_id(), lead.id());
  EXPECT_EQ(lead_events[0].actor(), "carol");
  auto changes = Changes(lead_events[0]);
  EXPECT_EQ(changes["status"].before(), "\"LEAD_STATUS_QUALIFIED\"");
  EXPECT_EQ(changes["status"].after(), "\"LEAD_STATUS_CONVERTED\"");
  EXPECT_EQ(changes["converted_account_id"].after(), "\"" + account.id() + "\"");
  EXPECT_EQ(changes["converted_contact_id"].after(), "\"" + contact.id() + "\"");
  EXPECT_EQ(changes.count("convert_time"), 1u);
}

TEST_P(LeadTest, ConvertWithoutCompanyMakesAPersonAccount) {
  Lead lead = MustCreate(MakeLead("Sam Single", ""));
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  crm::v1::ConvertLeadResponse response;
  ASSERT_GRPC_OK(Convert(request, &response));
  crm::v1::GetAccountRequest get;
  get.set_id(response.account_id());
  crm::v1::Account account;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &account));
  EXPECT_EQ(account.name(), "Sam Single");
  EXPECT_EQ(account.kind(), crm::v1::ACCOUNT_KIND_PERSON);
  EXPECT_EQ(account.owner(), "alice");
}

TEST_P(LeadTest, ConvertAttachesToAnExistingLiveAccount) {
  crm::v1::Account existing = MustCreateAccount("Existing Co", "erin");
  crm::v1::Account gone = MustCreateAccount("Gone Co");
  crm::v1::DeleteAccountRequest del;
  del.set_id(gone.id());
  crm::v1::Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  Lead lead = MustCreate(MakeLead());
  const Written before = CountWritten();

  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  crm::v1::ConvertLeadResponse response;
  request.set_existing_account_id(kUnknownAccountId);
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::NOT_FOUND, "existing_account_id"));
  request.set_existing_account_id(gone.id());
  EXPECT_TRUE(
      HasCodeAndField(Convert(request, &response), grpc::StatusCode::FAILED_PRECONDITION, "existing_account_id"));
  request.set_existing_account_id("bad id");
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::INVALID_ARGUMENT, "existing_account_id"));
  EXPECT_EQ(CountWritten(), before);

  request.set_existing_account_id(existing.id());
  ASSERT_GRPC_OK(Convert(request, &response));
  EXPECT_EQ(response.account_id(), existing.id());
  Written after = CountWritten();
  EXPECT_EQ(after.accounts, before.accounts);
  EXPECT_EQ(after.contacts, before.contacts + 1);
  crm::v1::GetContactRequest get_contact;
  get_contact.set_id(response.contact_id());
  crm::v1::Contact contact;
  ASSERT_GRPC_OK(accounts_->GetContact(CallAs().get(), get_contact, &contact));
  EXPECT_EQ(contact.account_id(), existing.id());
  EXPECT_EQ(Events("account.created").size(), 2u);  // only the two made above
  std::vector<crm::v1::Event> contact_events = Events("contact.created");
  ASSERT_EQ(contact_events.size(), 1u);
  EXPECT_EQ(contact_events[0].user(), "erin");  // the account's owner, as ContactLogic does
}

TEST_P(LeadTest, ConvertWithOpportunityCarriesTheSourceAndDefaults) {
  crm::v1::Campaign campaign = MustCreateCampaign("Webinar", crm::v1::LEAD_CHANNEL_SOCIAL);
  Lead lead = MakeLead();
  lead.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_UNSPECIFIED);
  lead.mutable_source()->set_campaign_id(campaign.id());
  lead.set_owner("dave");
  lead = MustCreate(lead);

  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_create_opportunity(true);
  request.mutable_opportunity()->mutable_amount()->set_currency_code("EUR");
  request.mutable_opportunity()->mutable_amount()->set_units(25000);
  request.mutable_opportunity()->mutable_expected_close_date()->set_year(2026);
  request.mutable_opportunity()->mutable_expected_close_date()->set_month(6);
  request.mutable_opportunity()->mutable_expected_close_date()->set_day(30);
  request.mutable_opportunity()->set_owner("ignored");  // other fields are ignored
  crm::v1::ConvertLeadResponse response;
  ASSERT_GRPC_OK(Convert(request, &response));
  ASSERT_FALSE(response.opportunity_id().empty());
  EXPECT_EQ(response.lead().converted_opportunity_id(), response.opportunity_id());

  crm::v1::GetOpportunityRequest get;
  get.set_id(response.opportunity_id());
  crm::v1::Opportunity opportunity;
  ASSERT_GRPC_OK(pipeline_->GetOpportunity(CallAs().get(), get, &opportunity));
  EXPECT_EQ(opportunity.name(), "Acme GmbH deal");
  EXPECT_EQ(opportunity.account_id(), response.account_id());
  EXPECT_EQ(opportunity.amount().currency_code(), "EUR");
  EXPECT_EQ(opportunity.amount().units(), 25000);
  EXPECT_EQ(opportunity.expected_close_date().month(), 6);
  EXPECT_EQ(opportunity.owner(), "dave");
  EXPECT_EQ(opportunity.source_campaign_id(), campaign.id());
  EXPECT_EQ(opportunity.source_channel(), crm::v1::LEAD_CHANNEL_SOCIAL);
  EXPECT_EQ(opportunity.lead_id(), lead.id());
  EXPECT_EQ(opportunity.status(), crm::v1::OPPORTUNITY_STATUS_OPEN);
  // Default pipeline, its first open stage, that stage's probability.
  crm::v1::ListPipelinesRequest list_pipelines;
  crm::v1::ListPipelinesResponse pipelines;
  ASSERT_GRPC_OK(pipeline_->ListPipelines(CallAs().get(), list_pipelines, &pipelines));
  const crm::v1::Pipeline* default_pipeline = nullptr;
  for (const auto& p : pipelines.pipelines()) {
    if (p.is_default()) default_pipeline = &p;
  }
  ASSERT_NE(default_pipeline, nullptr);
  EXPECT_EQ(opportunity.pipeline_id(), default_pipeline->id());
  EXPECT_EQ(opportunity.stage_id(), default_pipeline->stages(0).id());
  EXPECT_EQ(opportunity.probability(), default_pipeline->stages(0).probability());
  ASSERT_EQ(Events("opportunity.created").size(), 1u);

  // An explicit name, a person lead's default name.
  Lead person = MustCreate(MakeLead("Pat Solo", ""));
  request.set_id(person.id());
  request.mutable_opportunity()->clear_amount();
  ASSERT_GRPC_OK(Convert(request, &response));
  get.set_id(response.opportunity_id());
  ASSERT_GRPC_OK(pipeline_->GetOpportunity(CallAs().get(), get, &opportunity));
  EXPECT_EQ(opportunity.name(), "Pat Solo deal");
  Lead named = MustCreate(MakeLead("Nia Named"));
  request.set_id(named.id());
  request.mutable_opportunity()->set_name("Fleet renewal");
  ASSERT_GRPC_OK(Convert(request, &response));
  get.set_id(response.opportunity_id());
  ASSERT_GRPC_OK(pipeline_->GetOpportunity(CallAs().get(), get, &opportunity));
  EXPECT_EQ(opportunity.name(), "Fleet renewal");
}

TEST_P(LeadTest, ConvertingTwiceFailsCleanlyAndWritesNothing) {
  Lead lead = MustCreate(MakeLead());
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_create_opportunity(true);
  crm::v1::ConvertLeadResponse first;
  ASSERT_GRPC_OK(Convert(request, &first));
  const Written before = CountWritten();
  crm::v1::ConvertLeadResponse second;
  EXPECT_TRUE(HasCodeAndField(Convert(request, &second), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  request.set_existing_account_id(first.account_id());
  EXPECT_TRUE(HasCodeAndField(Convert(request, &second), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(CountWritten(), before);
  EXPECT_EQ(MustGet(lead.id()).etag(), first.lead().etag());
}

TEST_P(LeadTest, ConvertingADisqualifiedLeadIsRefused) {
  Lead lead = MustCreate(MakeLead());
  Lead out;
  ASSERT_GRPC_OK(Disqualify(lead.id(), "competitor", &out));
  const Written before = CountWritten();
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  crm::v1::ConvertLeadResponse response;
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(CountWritten(), before);
  EXPECT_EQ(MustGet(lead.id()).status(), crm::v1::LEAD_STATUS_DISQUALIFIED);
}

TEST_P(LeadTest, AnyFailureInsideTheConversionWritesNothingAtAll) {
  Lead lead = MustCreate(MakeLead());
  const Written before = CountWritten();
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_create_opportunity(true);
  crm::v1::ConvertLeadResponse response;

  // The account and contact are written before the opportunity is refused: all rolled back.
  request.mutable_opportunity()->mutable_amount()->set_currency_code("EUR");
  request.mutable_opportunity()->mutable_amount()->set_units(-5);
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount"));
  EXPECT_EQ(CountWritten(), before);
  request.mutable_opportunity()->mutable_amount()->set_currency_code("euro");
  request.mutable_opportunity()->mutable_amount()->set_units(5);
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.amount.currency_code"));
  EXPECT_EQ(CountWritten(), before);
  request.mutable_opportunity()->clear_amount();
  request.mutable_opportunity()->set_pipeline_id(kUnknownPipelineId);
  EXPECT_TRUE(HasCodeAndField(Convert(request, &response), grpc::StatusCode::NOT_FOUND, "opportunity.pipeline_id"));
  EXPECT_EQ(CountWritten(), before);

  // Problems found before the transaction.
  crm::v1::ConvertLeadRequest stray;
  stray.set_id(lead.id());
  stray.mutable_opportunity()->set_name("no create_opportunity");
  EXPECT_TRUE(HasCodeAndField(Convert(stray, &response), grpc::StatusCode::INVALID_ARGUMENT, "opportunity"));
  crm::v1::ConvertLeadRequest stale;
  stale.set_id(lead.id());
  stale.set_etag("\"r5\"");
  EXPECT_TRUE(HasCodeAndField(Convert(stale, &response), grpc::StatusCode::ABORTED));
  stale.set_etag("nonsense");
  EXPECT_TRUE(HasCodeAndField(Convert(stale, &response), grpc::StatusCode::INVALID_ARGUMENT, "etag"));
  crm::v1::ConvertLeadRequest unknown;
  unknown.set_id(kUnknownLeadId);
  EXPECT_TRUE(HasCodeAndField(Convert(unknown, &response), grpc::StatusCode::NOT_FOUND, "id"));
  unknown.set_id("");
  EXPECT_TRUE(HasCodeAndField(Convert(unknown, &response), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_EQ(CountWritten(), before);

  Lead fetched = MustGet(lead.id());
  EXPECT_EQ(fetched.status(), crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(fetched.etag(), lead.etag());
  EXPECT_TRUE(Events("account.").empty());
  EXPECT_TRUE(Events("contact.").empty());
  EXPECT_TRUE(Events("opportunity.").empty());
  EXPECT_TRUE(Events("lead.converted").empty());

  // The same request, corrected, then succeeds.
  request.mutable_opportunity()->clear_pipeline_id();
  ASSERT_GRPC_OK(Convert(request, &response));
  Written after = CountWritten();
  EXPECT_EQ(after.accounts, before.accounts + 1);
  EXPECT_EQ(after.contacts, before.contacts + 1);
  EXPECT_EQ(after.opportunities, before.opportunities + 1);
  EXPECT_EQ(after.leads, before.leads);
}

TEST_P(LeadTest, RetriedConvertWithTheSameRequestIdReturnsTheFirstResult) {
  Lead lead = MustCreate(MakeLead());
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_etag(lead.etag());  // stale on the retry: the replay answers before the etag check
  request.set_create_opportunity(true);
  request.set_request_id("convert-1");
  crm::v1::ConvertLeadResponse first;
  ASSERT_GRPC_OK(Convert(request, &first));
  const Written before = CountWritten();
  crm::v1::ConvertLeadResponse again;
  ASSERT_GRPC_OK(Convert(request, &again));
  EXPECT_EQ(again.account_id(), first.account_id());
  EXPECT_EQ(again.contact_id(), first.contact_id());
  EXPECT_EQ(again.opportunity_id(), first.opportunity_id());
  EXPECT_EQ(again.lead().etag(), first.lead().etag());
  EXPECT_EQ(again.lead().status(), crm::v1::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(CountWritten(), before);

  // The same request id for another conversion is a conflict, not a replay.
  Lead other = MustCreate(MakeLead("Other"));
  crm::v1::ConvertLeadRequest reused;
  reused.set_id(other.id());
  reused.set_request_id("convert-1");
  EXPECT_TRUE(HasCodeAndField(Convert(reused, &again), grpc::StatusCode::ALREADY_EXISTS, "request_id"));
  EXPECT_EQ(MustGet(other.id()).status(), crm::v1::LEAD_STATUS_NEW);
}

INSTANTIATE_TEST_SUITE_P(Backends, LeadTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
