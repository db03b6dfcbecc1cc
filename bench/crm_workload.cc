#include "bench/crm_workload.h"

#include <functional>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/bench_auth.h"

namespace crm::bench {
namespace {

const char* const kRegions[] = {"EMEA", "AMER", "APAC", "LATAM"};
const char* const kIndustries[] = {"Software", "Retail", "Manufacturing", "Logistics", "Finance"};

template <size_t N>
const char* Pick(const char* const (&values)[N], uint64_t index) {
  return values[index % N];
}

crm::v1::CreateAccountRequest NewAccountRequest(const std::string& key) {
  crm::v1::CreateAccountRequest request;
  request.set_request_id(absl::StrCat("crm-load-", key));
  crm::v1::Account* account = request.mutable_account();
  account->set_name(absl::StrCat("Load account ", key));
  account->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  const uint64_t hash = std::hash<std::string>()(key);
  account->set_industry(Pick(kIndustries, hash));
  account->set_region(Pick(kRegions, hash / 7));
  account->set_size_band(crm::v1::SIZE_BAND_SMALL);
  account->set_lifecycle_stage(crm::v1::LIFECYCLE_STAGE_PROSPECT);
  return request;
}

}  // namespace

const std::vector<std::string>& MixedOperationNames() {
  static const auto* names =
      new std::vector<std::string>{"GetAccount",      "ListAccounts", "CreateAccount", "UpdateAccount",
                                   "MoveOpportunity", "UpdateTicket", "GetFunnel",     "GetTierSummary"};
  return *names;
}

absl::StatusOr<std::map<std::string, double>> ParseMix(const std::string& text) {
  std::map<std::string, double> mix;
  for (const std::string& name : MixedOperationNames()) mix[name] = 0;
  double sum = 0;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(item, '=');
    double weight = 0;
    if (parts.size() != 2 || mix.count(parts[0]) == 0 || !absl::SimpleAtod(parts[1], &weight) || weight < 0) {
      return absl::InvalidArgumentError(absl::StrCat("--mix: \"", item, "\" is not Name=weight with Name one of ",
                                                     absl::StrJoin(MixedOperationNames(), ", "),
                                                     " and a weight of 0 or more"));
    }
    mix[parts[0]] = weight;
    sum += weight;
  }
  if (sum <= 0) return absl::InvalidArgumentError("--mix: no operation has a positive weight");
  return mix;
}

// Errors the mixed workload may meet on purpose, by operation:
//   - ABORTED on writes: the server's "concurrent change, try again" (a database conflict it did
//     not resolve itself). A client retries it, so under load it is a legitimate answer;
//   - FAILED_PRECONDITION on MoveOpportunity: each move goes to the open stage after the one the
//     benchmark last saw the opportunity in, so two concurrent moves of the same opportunity pick
//     the same stage and the second finds it "already in this stage".
// Every other error fails the run.
bool IsExpectedError(const std::string& operation, const std::string& code) {
  static const auto* expected = new std::map<std::string, std::set<std::string>>{
      {"CreateAccount", {"ABORTED"}},
      {"UpdateAccount", {"ABORTED"}},
      {"MoveOpportunity", {"ABORTED", "FAILED_PRECONDITION"}},
      {"UpdateTicket", {"ABORTED"}},
  };
  const auto found = expected->find(operation);
  return found != expected->end() && found->second.count(code) > 0;
}

crm::v1::Account SampleAccount() {
  crm::v1::Account account = NewAccountRequest("0000000000000-00-000000").account();
  account.set_id("acc_01JDX3V6Q8M4W0T2C9R5B7N1ZK");
  account.set_owner("admin");
  account.mutable_create_time()->set_seconds(1764000000);
  account.mutable_create_time()->set_nanos(123456000);
  *account.mutable_update_time() = account.create_time();
  account.set_etag("\"r1\"");
  return account;
}

CallOutcome CrmWorkload::KeepId::operator()(const std::string& id) const {
  if (id.empty()) return CallOutcome::BadResponse("created without an id");
  if (ids != nullptr) ids->push_back(id);
  return CallOutcome::Ok();
}

CrmWorkload::CrmWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::string token,
                         absl::Duration deadline, std::string tag, int most_slots)
    : token_(std::move(token)), deadline_(deadline), tag_(std::move(tag)) {
  for (const auto& channel : channels) {
    accounts_.push_back(crm::v1::AccountService::NewStub(channel));
    pipelines_.push_back(crm::v1::PipelineService::NewStub(channel));
    desk_.push_back(crm::v1::ServiceDeskService::NewStub(channel));
    kam_.push_back(crm::v1::KeyAccountService::NewStub(channel));
  }
  for (int slot = 0; slot < most_slots; ++slot) rngs_.emplace_back(0x10ad + slot);
}

template <typename Request, typename Response>
std::unique_ptr<UnaryCall<Request, Response>> CrmWorkload::NewCall() const {
  auto call = std::make_unique<UnaryCall<Request, Response>>();
  PrepareCall(call->context, token_, deadline_);
  return call;
}

size_t CrmWorkload::PickIndex(size_t size, int slot) {
  return std::uniform_int_distribution<size_t>(0, size - 1)(rngs_[slot]);
}

absl::Status CrmWorkload::LoadPipeline() {
  grpc::ClientContext context;
  PrepareCall(context, token_, deadline_);
  crm::v1::ListPipelinesRequest request;
  request.set_page_size(100);
  crm::v1::ListPipelinesResponse response;
  const grpc::Status status = pipelines_[0]->ListPipelines(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("ListPipelines: ", StatusCodeName(status.error_code()), ": ", status.error_message()));
  }
  // The default pipeline, else the first.
  for (const crm::v1::Pipeline& pipeline : response.pipelines()) {
    if (!pipeline.is_default() && !pipeline_id_.empty()) continue;
    pipeline_id_ = pipeline.id();
    open_stages_.clear();
    for (const crm::v1::Stage& stage : pipeline.stages()) {
      if (stage.kind() == crm::v1::STAGE_KIND_OPEN && !stage.retired()) open_stages_.push_back(stage.id());
    }
    if (pipeline.is_default()) break;
  }
  if (pipeline_id_.empty() || open_stages_.size() < 2) {
    return absl::FailedPreconditionError(
        "the server has no pipeline with two open stages to move opportunities between");
  }
  return absl::OkStatus();
}

PhaseResult CrmWorkload::SeedStep(const std::string& name, const AsyncLoadOptions& options,
                                  std::vector<std::string>& ids, const SeedCall& start) {
  std::vector<std::vector<std::string>> by_slot(options.in_flight);
  const Operation operation{name, 1, [&](int slot, int64_t seq, CallDone done) {
                              start(slot, seq, KeepId{&by_slot[slot]}, std::move(done));
                            }};
  PhaseResult result = RunLoad(name, options, {operation}).total;
  for (auto& list : by_slot) ids.insert(ids.end(), list.begin(), list.end());
  return result;
}

std::vector<PhaseResult> CrmWorkload::Seed(const SeedPlan& plan) {
  AsyncLoadOptions options;
  options.in_flight = plan.in_flight;
  options.warmup = absl::ZeroDuration();
  options.measure = absl::Minutes(30);  // a bound only: each step ends when its calls are done
  options.server_pid = plan.server_pid;
  std::vector<PhaseResult> steps;

  options.call_limit = plan.accounts;
  steps.push_back(
      SeedStep("seed CreateAccount", options, account_ids_, [this](int slot, int64_t seq, KeepId keep, CallDone done) {
        StartCreateAccount(slot, NewAccountRequest(absl::StrCat(tag_, "-seed-", seq)), keep, std::move(done));
      }));
  if (account_ids_.empty()) return steps;

  const int every = plan.opportunity_every;
  options.call_limit = (static_cast<int64_t>(account_ids_.size()) + every - 1) / every;
  steps.push_back(SeedStep("seed CreateOpportunity", options, opportunity_ids_,
                           [this, every](int slot, int64_t seq, KeepId keep, CallDone done) {
                             auto call = NewCall<crm::v1::CreateOpportunityRequest, crm::v1::Opportunity>();
                             crm::v1::Opportunity* opportunity = call->request.mutable_opportunity();
                             opportunity->set_account_id(account_ids_[static_cast<size_t>(seq) * every]);
                             opportunity->set_name(absl::StrCat("Load deal ", tag_, "-", seq));
                             opportunity->set_pipeline_id(pipeline_id_);
                             opportunity->set_stage_id(open_stages_[0]);
                             opportunity->mutable_amount()->set_currency_code("EUR");
                             opportunity->mutable_amount()->set_units(1000 + seq % 50000);
                             call->request.set_request_id(absl::StrCat("crm-load-", tag_, "-deal-", seq));
                             StartUnaryCall(
                                 Pipelines(slot), &PipelinesAsync::CreateOpportunity, std::move(call),
                                 [keep](const crm::v1::CreateOpportunityRequest&,
                                        const crm::v1::Opportunity& response) { return keep(response.id()); },
                                 std::move(done));
                           }));
  // Zero, i.e. open_stages_[0], where every opportunity was created.
  opportunity_stage_ = std::make_unique<std::atomic<int>[]>(opportunity_ids_.size());

  if (plan.tickets > 0) {
    options.call_limit = plan.tickets;
    steps.push_back(
        SeedStep("seed CreateTicket", options, ticket_ids_, [this](int slot, int64_t seq, KeepId keep, CallDone done) {
          auto call = NewCall<crm::v1::CreateTicketRequest, crm::v1::Ticket>();
          crm::v1::Ticket* ticket = call->request.mutable_ticket();
          ticket->set_account_id(PickOf(account_ids_, slot));
          ticket->set_priority(static_cast<crm::v1::TicketPriority>(1 + seq % 4));
          ticket->set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
          ticket->set_category("billing");
          ticket->set_subject(absl::StrCat("Invoice question ", seq));
          ticket->set_description("The customer asks why the last invoice differs from the order.");
          call->request.set_request_id(absl::StrCat("crm-load-", tag_, "-ticket-", seq));
          StartUnaryCall(
              Desk(slot), &DeskAsync::CreateTicket, std::move(call),
              [keep](const crm::v1::CreateTicketRequest&, const crm::v1::Ticket& response) {
                return keep(response.id());
              },
              std::move(done));
        }));
  }
  return steps;
}

void CrmWorkload::StartCreateAccount(int slot, crm::v1::CreateAccountRequest request, KeepId keep, CallDone done) {
  auto call = NewCall<crm::v1::CreateAccountRequest, crm::v1::Account>();
  call->request = std::move(request);
  StartUnaryCall(
      Accounts(slot), &AccountsAsync::CreateAccount, std::move(call),
      [keep](const crm::v1::CreateAccountRequest& sent, const crm::v1::Account& response) {
        if (response.name() != sent.account().name()) {
          return CallOutcome::BadResponse(absl::StrCat("create answered name \"", response.name(), "\""));
        }
        return keep(response.id());
      },
      std::move(done));
}

Operation CrmWorkload::GetAccount() {
  return {"GetAccount", 1, [this](int slot, int64_t seq, CallDone done) {
            auto call = NewCall<crm::v1::GetAccountRequest, crm::v1::Account>();
            call->request.set_id(PickOf(account_ids_, slot));
            StartUnaryCall(
                Accounts(slot), &AccountsAsync::GetAccount, std::move(call),
                [this, seq](const crm::v1::GetAccountRequest& request, const crm::v1::Account& response) {
                  if (response.id() != request.id()) {
                    return CallOutcome::BadResponse(
                        absl::StrCat("get ", request.id(), " answered id \"", response.id(), "\""));
                  }
                  if (seq == 0) account_response_bytes_.store(response.ByteSizeLong());
                  return CallOutcome::Ok();
                },
                std::move(done));
          }};
}

Operation CrmWorkload::ListAccounts() {
  return {"ListAccounts", 1, [this](int slot, int64_t, CallDone done) {
            auto call = NewCall<crm::v1::ListAccountsRequest, crm::v1::ListAccountsResponse>();
            call->request.set_page_size(20);
            call->request.mutable_filter()->set_region(Pick(kRegions, PickIndex(std::size(kRegions), slot)));
            StartUnaryCall(
                Accounts(slot), &AccountsAsync::ListAccounts, std::move(call),
                [](const crm::v1::ListAccountsRequest& request, const crm::v1::ListAccountsResponse& response) {
                  for (const crm::v1::Account& account : response.accounts()) {
                    if (account.region() != request.filter().region()) {
                      return CallOutcome::BadResponse(
                          absl::StrCat("list of region ", request.filter().region(), " answered ", account.region()));
                    }
                  }
                  return CallOutcome::Ok();
                },
                std::move(done));
          }};
}

Operation CrmWorkload::CreateAccount() {
  return {"CreateAccount", 1, [this](int slot, int64_t, CallDone done) {
            // A counter of the workload's own, not seq: seq starts again in every phase, and a
            // repeated request id would be answered as a replay instead of a write.
            StartCreateAccount(slot, NewAccountRequest(absl::StrCat(tag_, "-", next_create_.fetch_add(1))),
                               KeepId{nullptr}, std::move(done));
          }};
}

Operation CrmWorkload::UpdateAccount() {
  return {
      "UpdateAccount", 1, [this](int slot, int64_t seq, CallDone done) {
        auto call = NewCall<crm::v1::UpdateAccountRequest, crm::v1::Account>();
        call->request.mutable_account()->set_id(PickOf(account_ids_, slot));
        call->request.mutable_account()->set_industry(Pick(kIndustries, seq));
        call->request.mutable_update_mask()->add_paths("industry");
        StartUnaryCall(
            Accounts(slot), &AccountsAsync::UpdateAccount, std::move(call),
            [](const crm::v1::UpdateAccountRequest& request, const crm::v1::Account& response) {
              if (response.industry() != request.account().industry()) {
                return CallOutcome::BadResponse(absl::StrCat("update answered industry \"", response.industry(), "\""));
              }
              return CallOutcome::Ok();
            },
            std::move(done));
      }};
}

Operation CrmWorkload::MoveOpportunity() {
  return {"MoveOpportunity", 1, [this](int slot, int64_t, CallDone done) {
            const size_t index = PickIndex(opportunity_ids_.size(), slot);
            const int to_stage = (opportunity_stage_[index].load() + 1) % static_cast<int>(open_stages_.size());
            auto call = NewCall<crm::v1::MoveOpportunityRequest, crm::v1::Opportunity>();
            call->request.set_id(opportunity_ids_[index]);
            call->request.set_stage_id(open_stages_[to_stage]);
            StartUnaryCall(
                Pipelines(slot), &PipelinesAsync::MoveOpportunity, std::move(call),
                [this, index, to_stage](const crm::v1::MoveOpportunityRequest& request,
                                        const crm::v1::Opportunity& response) {
                  if (response.stage_id() != request.stage_id()) {
                    return CallOutcome::BadResponse(absl::StrCat("move answered stage ", response.stage_id()));
                  }
                  opportunity_stage_[index].store(to_stage);
                  return CallOutcome::Ok();
                },
                std::move(done));
          }};
}

Operation CrmWorkload::UpdateTicket() {
  return {"UpdateTicket", 1, [this](int slot, int64_t seq, CallDone done) {
            auto call = NewCall<crm::v1::UpdateTicketRequest, crm::v1::Ticket>();
            crm::v1::Ticket* ticket = call->request.mutable_ticket();
            ticket->set_id(PickOf(ticket_ids_, slot));
            ticket->set_subject(absl::StrCat("Invoice question, update ", seq));
            ticket->set_priority(static_cast<crm::v1::TicketPriority>(1 + seq % 4));
            call->request.mutable_update_mask()->add_paths("subject");
            call->request.mutable_update_mask()->add_paths("priority");
            StartUnaryCall(
                Desk(slot), &DeskAsync::UpdateTicket, std::move(call),
                [](const crm::v1::UpdateTicketRequest& request, const crm::v1::Ticket& response) {
                  if (response.subject() != request.ticket().subject()) {
                    return CallOutcome::BadResponse(
                        absl::StrCat("ticket update answered subject \"", response.subject(), "\""));
                  }
                  return CallOutcome::Ok();
                },
                std::move(done));
          }};
}

Operation CrmWorkload::GetFunnel() {
  return {"GetFunnel", 1, [this](int slot, int64_t, CallDone done) {
            auto call = NewCall<crm::v1::GetFunnelRequest, crm::v1::Funnel>();
            call->request.mutable_filter()->set_pipeline_id(pipeline_id_);
            StartUnaryCall(
                Pipelines(slot), &PipelinesAsync::GetFunnel, std::move(call),
                [](const crm::v1::GetFunnelRequest&, const crm::v1::Funnel& response) {
                  if (response.stages().empty()) return CallOutcome::BadResponse("funnel without stages");
                  return CallOutcome::Ok();
                },
                std::move(done));
          }};
}

Operation CrmWorkload::GetTierSummary() {
  return {"GetTierSummary", 1, [this](int slot, int64_t, CallDone done) {
            StartUnaryCall(
                Kam(slot), &KamAsync::GetTierSummary, NewCall<crm::v1::GetTierSummaryRequest, crm::v1::TierSummary>(),
                [](const crm::v1::GetTierSummaryRequest&, const crm::v1::TierSummary&) { return CallOutcome::Ok(); },
                std::move(done));
          }};
}

std::vector<Operation> CrmWorkload::Mixed(const std::map<std::string, double>& weights) {
  std::vector<Operation> operations = {GetAccount(),      ListAccounts(), CreateAccount(), UpdateAccount(),
                                       MoveOpportunity(), UpdateTicket(), GetFunnel(),     GetTierSummary()};
  for (Operation& operation : operations) {
    const auto found = weights.find(operation.name);
    operation.weight = found == weights.end() ? 0 : found->second;
  }
  return operations;
}

}  // namespace crm::bench
