// ServiceDeskService knowledge base: solution CRUD under etags and request ids, lists, full-text
// search, links to tickets and usage counts, through a real in-process server and stub, on every
// backend.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Solution;
using testing::CallAs;
using ::testing::ElementsAre;
using testing::HasCodeAndField;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kUnknownSolutionId[] = "sol_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownTicketId[] = "tkt_01ARZ3NDEKTSV4RRFFQ69G5FAV";

// Solutions sharing no word with the ones under test, so that in InnoDB's TF-IDF the searched
// words are rare enough to weigh something.
const std::vector<std::vector<std::string>> kFillers = {
    {"Password reset", "Request a new password from the self-service portal."},
    {"Mailbox quota", "Archive old mail to free space in the mailbox."},
    {"Monitor flickers", "Check the cable first, then the refresh rate."},
};

class KnowledgeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  static Solution MakeSolution(const std::string& title, const std::string& body,
                               const std::vector<std::string>& tags = {}, const std::string& category = "") {
    Solution s;
    s.set_title(title);
    s.set_body(body);
    for (const std::string& tag : tags) s.add_tags(tag);
    s.set_category(category);
    return s;
  }

  grpc::Status Create(const Solution& solution, Solution* out, const std::string& request_id = "",
                      const std::string& user = "alice") {
    crm::v1::CreateSolutionRequest request;
    *request.mutable_solution() = solution;
    request.set_request_id(request_id);
    return desk_->CreateSolution(CallAs(user).get(), request, out);
  }

  Solution MustCreate(const Solution& solution) {
    Solution out;
    grpc::Status s = Create(solution, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  void CreateFillers() {
    for (const auto& filler : kFillers) MustCreate(MakeSolution(filler[0], filler[1]));
  }

  grpc::Status Get(const std::string& id, Solution* out) {
    crm::v1::GetSolutionRequest request;
    request.set_id(id);
    return desk_->GetSolution(CallAs().get(), request, out);
  }

  grpc::Status Update(const Solution& patch, const std::vector<std::string>& paths, const std::string& etag,
                      Solution* out) {
    crm::v1::UpdateSolutionRequest request;
    *request.mutable_solution() = patch;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_etag(etag);
    return desk_->UpdateSolution(CallAs("bob").get(), request, out);
  }

  grpc::Status Delete(const std::string& id, const std::string& etag = "") {
    crm::v1::DeleteSolutionRequest request;
    request.set_id(id);
    request.set_etag(etag);
    crm::v1::DeleteSolutionResponse response;
    return desk_->DeleteSolution(CallAs().get(), request, &response);
  }

  grpc::Status List(const crm::v1::ListSolutionsRequest& request, crm::v1::ListSolutionsResponse* out) {
    return desk_->ListSolutions(CallAs().get(), request, out);
  }

  // Every solution `request` lists, following page tokens; fails the test on a repeated id.
  std::vector<std::string> ListAllIds(crm::v1::ListSolutionsRequest request, int page_size) {
    request.set_page_size(page_size);
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (int n = 0; n < 100; ++n) {
      crm::v1::ListSolutionsResponse page;
      grpc::Status s = List(request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.solutions_size(), page_size);
      for (const Solution& solution : page.solutions()) {
        EXPECT_TRUE(seen.insert(solution.id()).second) << "repeated " << solution.id();
        ids.push_back(solution.id());
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return ids;
  }

  grpc::Status Search(const std::string& query, crm::v1::SearchSolutionsResponse* out, const std::string& category = "",
                      int page_size = 0) {
    crm::v1::SearchSolutionsRequest request;
    request.set_query(query);
    request.set_category(category);
    request.set_page_size(page_size);
    return desk_->SearchSolutions(CallAs().get(), request, out);
  }

  // The ids `query` finds, best first; fails the test on an error.
  std::vector<std::string> Find(const std::string& query, const std::string& category = "", int page_size = 0) {
    crm::v1::SearchSolutionsResponse response;
    grpc::Status s = Search(query, &response, category, page_size);
    EXPECT_TRUE(s.ok()) << query << ": " << s.error_message();
    std::vector<std::string> ids;
    for (const auto& hit : response.hits()) ids.push_back(hit.solution().id());
    return ids;
  }

  grpc::Status Link(const std::string& ticket_id, const std::string& solution_id, crm::v1::SolutionLink* out,
                    const std::string& user = "carol") {
    crm::v1::LinkSolutionRequest request;
    request.set_ticket_id(ticket_id);
    request.set_solution_id(solution_id);
    return desk_->LinkSolution(CallAs(user).get(), request, out);
  }

  grpc::Status ListLinks(const std::string& ticket_id, const std::string& solution_id,
                         crm::v1::ListSolutionLinksResponse* out, int page_size = 0, const std::string& token = "") {
    crm::v1::ListSolutionLinksRequest request;
    request.set_ticket_id(ticket_id);
    request.set_solution_id(solution_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return desk_->ListSolutionLinks(CallAs().get(), request, out);
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

  // A ticket of the test account through CreateTicket (assigned to dave), moved to `status` with
  // ChangeTicketStatus along the shortest legal path.
  std::string NewTicket(crm::v1::TicketStatus status = crm::v1::TICKET_STATUS_NEW) {
    if (account_id_.empty()) {
      crm::v1::CreateAccountRequest request;
      request.mutable_account()->set_name("Acme GmbH");
      crm::v1::Account account;
      grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &account);
      EXPECT_TRUE(s.ok()) << s.error_message();
      account_id_ = account.id();
    }
    crm::v1::CreateTicketRequest create;
    create.mutable_ticket()->set_account_id(account_id_);
    create.mutable_ticket()->set_subject("Printer offline");
    create.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P3);
    create.mutable_ticket()->set_assignee("dave");
    crm::v1::Ticket ticket;
    grpc::Status s = desk_->CreateTicket(CallAs().get(), create, &ticket);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<crm::v1::TicketStatus> steps;
    if (status == crm::v1::TICKET_STATUS_CLOSED) {
      steps = {crm::v1::TICKET_STATUS_RESOLVED, crm::v1::TICKET_STATUS_CLOSED};
    } else if (status != crm::v1::TICKET_STATUS_NEW) {
      steps = {status};
    }
    for (crm::v1::TicketStatus step : steps) {
      crm::v1::ChangeTicketStatusRequest change;
      change.set_id(ticket.id());
      change.set_status(step);
      change.set_reason("test setup");
      s = desk_->ChangeTicketStatus(CallAs("dave").get(), change, &ticket);
      EXPECT_TRUE(s.ok()) << crm::v1::TicketStatus_Name(step) << ": " << s.error_message();
    }
    EXPECT_EQ(ticket.status(), status);
    return ticket.id();
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

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::string account_id_;
};

TEST_P(KnowledgeTest, CreateGetUpdateDeleteRoundTrip) {
  Solution created;
  ASSERT_GRPC_OK(Create(MakeSolution("  VPN drops every hour ", "Renew the certificate.\nThen reconnect.",
                                     {" vpn ", "network", "vpn"}, " Networking "),
                        &created));
  EXPECT_THAT(created.id(), ::testing::StartsWith("sol_"));
  EXPECT_EQ(created.title(), "VPN drops every hour");
  EXPECT_EQ(created.body(), "Renew the certificate.\nThen reconnect.");
  EXPECT_THAT(created.tags(), ElementsAre("vpn", "network"));
  EXPECT_EQ(created.category(), "Networking");
  EXPECT_EQ(created.author(), "alice");
  EXPECT_EQ(created.usage_count(), 0);
  EXPECT_TRUE(created.has_create_time());
  EXPECT_FALSE(created.etag().empty());

  Solution got;
  ASSERT_GRPC_OK(Get(created.id(), &got));
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  server_->clock().Advance(absl::Minutes(5));
  Solution patch;
  patch.set_id(created.id());
  patch.set_title("VPN drops every hour on Wi-Fi");
  patch.add_tags("wifi");
  Solution updated;
  ASSERT_GRPC_OK(Update(patch, {"title", "tags"}, created.etag(), &updated));
  EXPECT_EQ(updated.title(), "VPN drops every hour on Wi-Fi");
  EXPECT_THAT(updated.tags(), ElementsAre("wifi"));
  EXPECT_EQ(updated.body(), created.body());
  EXPECT_EQ(updated.category(), "Networking");
  EXPECT_EQ(updated.author(), "alice");  // the editor does not become the author
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_GT(updated.update_time().seconds(), created.update_time().seconds());
  ASSERT_GRPC_OK(Get(created.id(), &got));
  EXPECT_EQ(got.SerializeAsString(), updated.SerializeAsString());

  // An update that changes nothing writes nothing and keeps the etag.
  Solution same;
  ASSERT_GRPC_OK(Update(patch, {"title", "tags"}, updated.etag(), &same));
  EXPECT_EQ(same.etag(), updated.etag());

  ASSERT_GRPC_OK(Delete(created.id(), updated.etag()));
  EXPECT_TRUE(HasCodeAndField(Get(created.id(), &got), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"title"}, "", &same), grpc::StatusCode::NOT_FOUND, "solution.id"));
  EXPECT_TRUE(HasCodeAndField(Delete(created.id()), grpc::StatusCode::NOT_FOUND, "id"));
  crm::v1::ListSolutionsResponse listed;
  ASSERT_GRPC_OK(List({}, &listed));
  EXPECT_THAT(listed.solutions(), IsEmpty());

  ASSERT_EQ(Events("solution.created").size(), 1u);
  std::vector<crm::v1::Event> updates = Events("solution.updated");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].entity_id(), created.id());
  EXPECT_EQ(updates[0].actor(), "bob");
  EXPECT_EQ(updates[0].user(), "alice");
  EXPECT_EQ(Changes(updates[0]).count("title"), 1u);
  EXPECT_EQ(Changes(updates[0]).count("body"), 0u);
  ASSERT_EQ(Events("solution.deleted").size(), 1u);
  EXPECT_EQ(Events("solution.deleted")[0].change(), crm::v1::CHANGE_KIND_DELETED);
}

TEST_P(KnowledgeTest, StaleEtagIsAbortedAndChangesNothing) {
  Solution created = MustCreate(MakeSolution("Printer offline", "Restart the spooler."));
  Solution patch;
  patch.set_id(created.id());
  patch.set_body("Reinstall the driver.");
  Solution updated;
  ASSERT_GRPC_OK(Update(patch, {"body"}, created.etag(), &updated));

  patch.set_body("Replace the printer.");
  Solution out;
  EXPECT_EQ(Update(patch, {"body"}, created.etag(), &out).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Delete(created.id(), created.etag()).error_code(), grpc::StatusCode::ABORTED);
  Solution got;
  ASSERT_GRPC_OK(Get(created.id(), &got));
  EXPECT_EQ(got.body(), "Reinstall the driver.");
  EXPECT_EQ(got.etag(), updated.etag());
  EXPECT_EQ(Events("solution.updated").size(), 1u);
  EXPECT_TRUE(Events("solution.deleted").empty());
  // A malformed etag names the field.
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"body"}, "not-an-etag", &out), grpc::StatusCode::INVALID_ARGUMENT, "etag"));
}

TEST_P(KnowledgeTest, RequestIdReplayReturnsTheFirstSolution) {
  const Solution solution = MakeSolution("Scanner jams", "Clean the rollers.");
  Solution first, second;
  ASSERT_GRPC_OK(Create(solution, &first, "req-1"));
  ASSERT_GRPC_OK(Create(solution, &second, "req-1"));
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(second.etag(), first.etag());
  EXPECT_EQ(CountRows("solutions"), 1);
  EXPECT_EQ(Events("solution.created").size(), 1u);

  // The same request id with another body is a client bug, not a retry.
  Solution other;
  EXPECT_TRUE(HasCodeAndField(Create(MakeSolution("Scanner jams", "Replace the scanner."), &other, "req-1"),
                              grpc::StatusCode::ALREADY_EXISTS, "request_id"));
  // Another request id creates another solution.
  ASSERT_GRPC_OK(Create(solution, &other, "req-2"));
  EXPECT_NE(other.id(), first.id());
  EXPECT_EQ(CountRows("solutions"), 2);
}

TEST_P(KnowledgeTest, ListFiltersByCategoryAndTagAndPages) {
  std::vector<std::string> network, all;
  for (int i = 0; i < 5; ++i) {
    Solution s =
        MustCreate(MakeSolution("Network issue " + std::to_string(i), "Body", {i % 2 == 0 ? "VPN" : "dns"}, "network"));
    network.push_back(s.id());
    all.push_back(s.id());
  }
  all.push_back(MustCreate(MakeSolution("Toner low", "Order toner.", {"printer"}, "hardware")).id());

  EXPECT_EQ(ListAllIds({}, 2), all);
  EXPECT_EQ(ListAllIds({}, 100), all);
  crm::v1::ListSolutionsRequest by_category;
  by_category.set_category("network");
  EXPECT_EQ(ListAllIds(by_category, 2), network);
  crm::v1::ListSolutionsRequest by_tag;
  by_tag.set_tag("vpn");  // tags match whatever their case
  EXPECT_EQ(ListAllIds(by_tag, 1), (std::vector<std::string>{network[0], network[2], network[4]}));
  by_tag.set_tag("printer");
  by_tag.set_category("network");
  EXPECT_THAT(ListAllIds(by_tag, 10), IsEmpty());

  // A token is only good for the query it was issued for.
  crm::v1::ListSolutionsRequest first_page;
  first_page.set_page_size(2);
  crm::v1::ListSolutionsResponse page;
  ASSERT_GRPC_OK(List(first_page, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  by_category.set_page_token(page.next_page_token());
  EXPECT_TRUE(HasCodeAndField(List(by_category, &page), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));

  crm::v1::ListSolutionsRequest bad_order;
  bad_order.set_order_by("title");
  EXPECT_TRUE(HasCodeAndField(List(bad_order, &page), grpc::StatusCode::INVALID_ARGUMENT, "order_by"));
}

TEST_P(KnowledgeTest, SearchRanksATitleMatchAboveABodyMention) {
  CreateFillers();
  Solution mention = MustCreate(
      MakeSolution("Slow laptop", "Close the browser tabs; if the docking station printer is shared, unplug it."));
  Solution title = MustCreate(MakeSolution("Printer prints blank pages", "Replace the toner cartridge."));

  crm::v1::SearchSolutionsResponse response;
  ASSERT_GRPC_OK(Search("printer", &response));
  ASSERT_EQ(response.hits_size(), 2);
  EXPECT_EQ(response.hits(0).solution().id(), title.id());
  EXPECT_EQ(response.hits(1).solution().id(), mention.id());
  EXPECT_GT(response.hits(0).relevance(), response.hits(1).relevance());
  EXPECT_GT(response.hits(1).relevance(), 0);
  // The hits carry the whole solution.
  EXPECT_EQ(response.hits(0).solution().SerializeAsString(), title.SerializeAsString());
  // Case does not matter.
  EXPECT_THAT(Find("PRINTER"), ElementsAre(title.id(), mention.id()));
}

TEST_P(KnowledgeTest, SearchFindsByTag) {
  CreateFillers();
  Solution tagged = MustCreate(MakeSolution("Headset crackles", "Update the firmware.", {"bluetooth", "audio"}));
  MustCreate(MakeSolution("Headset too quiet", "Raise the input level.", {"audio"}));
  EXPECT_THAT(Find("bluetooth"), ElementsAre(tagged.id()));
}

TEST_P(KnowledgeTest, MultiWordQueriesFindSolutionsWithEveryWord) {
  CreateFillers();
  Solution both = MustCreate(MakeSolution("Printer driver crashes", "Reinstall the driver from the vendor site."));
  Solution printer_only = MustCreate(MakeSolution("Printer paper jam", "Open the tray and remove the paper."));
  Solution driver_only = MustCreate(MakeSolution("Graphics driver outdated", "Update it from the vendor."));
  Solution spread = MustCreate(MakeSolution("Label printer", "Its driver needs the vendor utility.", {"labels"}));

  EXPECT_THAT(Find("printer driver"), UnorderedElementsAre(both.id(), spread.id()));
  EXPECT_EQ(Find("printer driver").front(), both.id());  // both words in the title
  EXPECT_THAT(Find("driver, \"PRINTER\"!"), UnorderedElementsAre(both.id(), spread.id()));
  EXPECT_THAT(Find("printer driver vendor labels"), ElementsAre(spread.id()));
  EXPECT_THAT(Find("printer keyboard"), IsEmpty());
  EXPECT_THAT(Find("printer"), UnorderedElementsAre(both.id(), printer_only.id(), spread.id()));
  EXPECT_THAT(Find("driver"), UnorderedElementsAre(both.id(), driver_only.id(), spread.id()));
}

TEST_P(KnowledgeTest, SearchFiltersByCategoryAndLimitsThePage) {
  CreateFillers();
  std::vector<std::string> hardware;
  for (int i = 0; i < 4; ++i) {
    hardware.push_back(
        MustCreate(MakeSolution("Keyboard fault " + std::to_string(i), "Swap it.", {}, "hardware")).id());
  }
  Solution software = MustCreate(MakeSolution("Keyboard layout wrong", "Change the layout.", {}, "software"));

  EXPECT_THAT(Find("keyboard", "software"), ElementsAre(software.id()));
  EXPECT_EQ(Find("keyboard", "hardware").size(), 4u);
  EXPECT_EQ(Find("keyboard").size(), 5u);
  EXPECT_EQ(Find("keyboard", "", 2).size(), 2u);
  EXPECT_THAT(Find("keyboard", "hardware", 3), ::testing::IsSubsetOf(hardware));
  EXPECT_EQ(Find("keyboard", "hardware", 3).size(), 3u);
  EXPECT_THAT(Find("keyboard", "nothing"), IsEmpty());

  // Twenty hits by default, best first.
  for (int i = 0; i < 17; ++i) {
    MustCreate(MakeSolution("Spare keyboard " + std::to_string(i), "Keyboard stock is in room " + std::to_string(i), {},
                            "stock"));
  }
  crm::v1::SearchSolutionsResponse response;
  ASSERT_GRPC_OK(Search("keyboard", &response));
  ASSERT_EQ(response.hits_size(), 20);
  for (int i = 1; i < response.hits_size(); ++i) {
    EXPECT_GE(response.hits(i - 1).relevance(), response.hits(i).relevance()) << i;
  }
  EXPECT_EQ(Find("keyboard", "", 100).size(), 22u);
}

TEST_P(KnowledgeTest, DeletedSolutionDisappearsFromSearch) {
  CreateFillers();
  Solution gone = MustCreate(MakeSolution("Projector bulb", "Replace the projector bulb."));
  Solution kept = MustCreate(MakeSolution("Projector remote", "Change the remote's batteries."));
  EXPECT_THAT(Find("projector"), UnorderedElementsAre(gone.id(), kept.id()));
  ASSERT_GRPC_OK(Delete(gone.id()));
  EXPECT_THAT(Find("projector"), ElementsAre(kept.id()));
  EXPECT_THAT(Find("bulb"), IsEmpty());
}

TEST_P(KnowledgeTest, UpdatedSolutionIsFoundByItsNewWordsOnly) {
  CreateFillers();
  Solution s = MustCreate(MakeSolution("Router firmware", "Upgrade the router.", {"wan"}));
  EXPECT_THAT(Find("router"), ElementsAre(s.id()));
  Solution patch;
  patch.set_id(s.id());
  patch.set_title("Scanner settings");
  patch.set_body("Set the scanner resolution.");
  patch.add_tags("imaging");
  Solution updated;
  ASSERT_GRPC_OK(Update(patch, {"title", "body", "tags"}, s.etag(), &updated));
  EXPECT_THAT(Find("router"), IsEmpty());
  EXPECT_THAT(Find("wan"), IsEmpty());
  EXPECT_THAT(Find("scanner"), ElementsAre(s.id()));
  EXPECT_THAT(Find("imaging"), ElementsAre(s.id()));
  // A failed update leaves the index as it was.
  patch.set_title("");
  Solution out;
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"title"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "solution.title"));
  EXPECT_THAT(Find("scanner"), ElementsAre(s.id()));
}

TEST_P(KnowledgeTest, LinksCountUsageOncePerTicket) {
  const std::string ticket_a = NewTicket();
  const std::string ticket_b = NewTicket();
  Solution solution = MustCreate(MakeSolution("Reset MFA", "Issue a new enrolment code."));
  Solution other = MustCreate(MakeSolution("Unlock account", "Clear the lockout."));

  crm::v1::SolutionLink link;
  ASSERT_GRPC_OK(Link(ticket_a, solution.id(), &link));
  EXPECT_EQ(link.ticket_id(), ticket_a);
  EXPECT_EQ(link.solution_id(), solution.id());
  EXPECT_EQ(link.linked_by(), "carol");
  EXPECT_TRUE(link.has_create_time());
  Solution got;
  ASSERT_GRPC_OK(Get(solution.id(), &got));
  EXPECT_EQ(got.usage_count(), 1);
  // Usage does not move the etag: an editor's etag stays good.
  EXPECT_EQ(got.etag(), solution.etag());

  // The same pair again: ALREADY_EXISTS, the count stays.
  EXPECT_TRUE(HasCodeAndField(Link(ticket_a, solution.id(), &link), grpc::StatusCode::ALREADY_EXISTS, "solution_id"));
  ASSERT_GRPC_OK(Get(solution.id(), &got));
  EXPECT_EQ(got.usage_count(), 1);

  ASSERT_GRPC_OK(Link(ticket_b, solution.id(), &link));
  ASSERT_GRPC_OK(Link(ticket_a, other.id(), &link));
  ASSERT_GRPC_OK(Get(solution.id(), &got));
  EXPECT_EQ(got.usage_count(), 2);
  ASSERT_GRPC_OK(Get(other.id(), &got));
  EXPECT_EQ(got.usage_count(), 1);

  std::vector<crm::v1::Event> linked = Events("solution.linked");
  ASSERT_EQ(linked.size(), 3u);
  EXPECT_EQ(linked[0].entity_id(), solution.id());
  EXPECT_EQ(linked[0].actor(), "carol");
  EXPECT_EQ(Changes(linked[0])["ticket_id"].after(), "\"" + ticket_a + "\"");
  EXPECT_EQ(Changes(linked[1])["usage_count"].after(), "2");

  // Most used first.
  crm::v1::ListSolutionsRequest by_usage;
  by_usage.set_order_by("usage_count desc");
  Solution unused = MustCreate(MakeSolution("Rename a share", "Ask the file server team."));
  EXPECT_EQ(ListAllIds(by_usage, 1), (std::vector<std::string>{solution.id(), other.id(), unused.id()}));

  crm::v1::ListSolutionLinksResponse links;
  ASSERT_GRPC_OK(ListLinks(ticket_a, "", &links));
  std::vector<std::string> solutions_of_a;
  for (const auto& l : links.links()) solutions_of_a.push_back(l.solution_id());
  EXPECT_THAT(solutions_of_a, UnorderedElementsAre(solution.id(), other.id()));

  // Paged by solution: one link a page.
  ASSERT_GRPC_OK(ListLinks("", solution.id(), &links, 1));
  ASSERT_EQ(links.links_size(), 1);
  ASSERT_FALSE(links.next_page_token().empty());
  const std::string first_ticket = links.links(0).ticket_id();
  ASSERT_GRPC_OK(ListLinks("", solution.id(), &links, 1, links.next_page_token()));
  ASSERT_EQ(links.links_size(), 1);
  EXPECT_THAT((std::vector<std::string>{first_ticket, links.links(0).ticket_id()}),
              UnorderedElementsAre(ticket_a, ticket_b));
  EXPECT_TRUE(links.next_page_token().empty());

  // A deleted solution takes no new links, and its links stay.
  ASSERT_GRPC_OK(Delete(solution.id()));
  const std::string ticket_c = NewTicket();
  EXPECT_TRUE(HasCodeAndField(Link(ticket_c, solution.id(), &link), grpc::StatusCode::NOT_FOUND, "solution_id"));
  ASSERT_GRPC_OK(ListLinks("", solution.id(), &links));
  EXPECT_EQ(links.links_size(), 2);
}

TEST_P(KnowledgeTest, RacingLinksOfOnePairCountOnce) {
  const std::string ticket = NewTicket();
  Solution solution = MustCreate(MakeSolution("Reset MFA", "Issue a new enrolment code."));
  constexpr int kRacers = 6;
  std::atomic<int> ok{0}, already_exists{0}, other{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&] {
      crm::v1::SolutionLink link;
      grpc::Status s = Link(ticket, solution.id(), &link);
      if (s.ok()) {
        ++ok;
      } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        ++already_exists;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : racers) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already_exists.load(), kRacers - 1);
  EXPECT_EQ(other.load(), 0);
  Solution got;
  ASSERT_GRPC_OK(Get(solution.id(), &got));
  EXPECT_EQ(got.usage_count(), 1);
  EXPECT_EQ(CountRows("solution_links"), 1);
  EXPECT_EQ(Events("solution.linked").size(), 1u);
}

TEST_P(KnowledgeTest, LinkNeedsAnExistingTicketAndSolution) {
  const std::string ticket = NewTicket();
  Solution solution = MustCreate(MakeSolution("Reset MFA", "Issue a new enrolment code."));
  crm::v1::SolutionLink link;
  EXPECT_TRUE(HasCodeAndField(Link(kUnknownTicketId, solution.id(), &link), grpc::StatusCode::NOT_FOUND, "ticket_id"));
  EXPECT_TRUE(HasCodeAndField(Link(ticket, kUnknownSolutionId, &link), grpc::StatusCode::NOT_FOUND, "solution_id"));
  EXPECT_TRUE(HasCodeAndField(Link("", solution.id(), &link), grpc::StatusCode::INVALID_ARGUMENT, "ticket_id"));
  EXPECT_TRUE(HasCodeAndField(Link(ticket, "bad id!", &link), grpc::StatusCode::INVALID_ARGUMENT, "solution_id"));
  EXPECT_EQ(CountRows("solution_links"), 0);
  EXPECT_TRUE(Events("solution.linked").empty());
  Solution got;
  ASSERT_GRPC_OK(Get(solution.id(), &got));
  EXPECT_EQ(got.usage_count(), 0);

  crm::v1::ListSolutionLinksResponse links;
  EXPECT_TRUE(HasCodeAndField(ListLinks("", "", &links), grpc::StatusCode::INVALID_ARGUMENT, "ticket_id"));
  EXPECT_TRUE(
      HasCodeAndField(ListLinks(ticket, solution.id(), &links), grpc::StatusCode::INVALID_ARGUMENT, "solution_id"));
  EXPECT_TRUE(HasCodeAndField(ListLinks(ticket, "", &links, -1), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

TEST_P(KnowledgeTest, BadInputIsRejectedWithTheFieldNamedAndNothingWritten) {
  struct Case {
    Solution solution;
    std::string field;
  };
  std::vector<Case> cases = {
      {MakeSolution("", "Body"), "solution.title"},
      {MakeSolution("   ", "Body"), "solution.title"},
      {MakeSolution(std::string(201, 't'), "Body"), "solution.title"},
      {MakeSolution("Title", ""), "solution.body"},
      {MakeSolution("Title", " \n "), "solution.body"},
      {MakeSolution("Title", std::string(20001, 'b')), "solution.body"},
      {MakeSolution("Title", "Body", {"ok", "a|b"}), "solution.tags[1]"},
      {MakeSolution("Title", "Body", {" "}), "solution.tags[0]"},
      {MakeSolution("Title", "Body", {std::string(51, 'x')}), "solution.tags[0]"},
      {MakeSolution("Title", "Body", std::vector<std::string>(51, "tag")), "solution.tags"},
      {MakeSolution("Title", "Body", {}, std::string(201, 'c')), "solution.category"},
      {MakeSolution("Bad \x01 title", "Body"), "solution.title"},
  };
  for (const Case& c : cases) {
    Solution out;
    EXPECT_TRUE(HasCodeAndField(Create(c.solution, &out), grpc::StatusCode::INVALID_ARGUMENT, c.field)) << c.field;
  }
  crm::v1::CreateSolutionRequest empty;
  Solution out;
  EXPECT_TRUE(HasCodeAndField(desk_->CreateSolution(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "solution"));
  EXPECT_EQ(CountRows("solutions"), 0);
  EXPECT_EQ(CountRows("fulltext_solutions"), 0);
  EXPECT_TRUE(Events("solution.").empty());

  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownSolutionId, &out), grpc::StatusCode::NOT_FOUND, "id"));

  Solution s = MustCreate(MakeSolution("Title", "Body"));
  Solution patch;
  patch.set_id(s.id());
  patch.set_usage_count(99);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"usage_count"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[0]"));
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"title", "nonsense"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[1]"));
  patch.set_body("");
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"body"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "solution.body"));
  Solution no_id;
  no_id.set_title("x");
  EXPECT_TRUE(HasCodeAndField(Update(no_id, {"title"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "solution.id"));
  Solution got;
  ASSERT_GRPC_OK(Get(s.id(), &got));
  EXPECT_EQ(got.SerializeAsString(), s.SerializeAsString());

  CreateFillers();  // a word in every solution would weigh nothing on MariaDB
  crm::v1::SearchSolutionsResponse found;
  for (const std::string query : {"", "   ", "?!.", "\"*\"", "-+()"}) {
    EXPECT_TRUE(HasCodeAndField(Search(query, &found), grpc::StatusCode::INVALID_ARGUMENT, "query")) << query;
  }
  EXPECT_TRUE(HasCodeAndField(Search(std::string(501, 'q'), &found), grpc::StatusCode::INVALID_ARGUMENT, "query"));
  EXPECT_TRUE(HasCodeAndField(Search("title", &found, "", -1), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  // Query syntax is searched as plain words.
  EXPECT_THAT(Find("title* (\"body"), ElementsAre(s.id()));
  // Above the maximum page size is the maximum.
  EXPECT_THAT(Find("title", "", 1000), ElementsAre(s.id()));

  crm::v1::ListSolutionsRequest list;
  list.set_page_size(-1);
  crm::v1::ListSolutionsResponse page;
  EXPECT_TRUE(HasCodeAndField(List(list, &page), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  list.set_page_size(0);
  list.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(List(list, &page), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

INSTANTIATE_TEST_SUITE_P(Backends, KnowledgeTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
