#include "common/auth/access_policy.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace crm::auth {
namespace {

using crm::v1::Role;

constexpr RoleSet kAdmin = RoleBit(Role::ROLE_ADMIN);
constexpr RoleSet kSalesManager = RoleBit(Role::ROLE_SALES_MANAGER);
constexpr RoleSet kSalesRep = RoleBit(Role::ROLE_SALES_REP);
constexpr RoleSet kServiceManager = RoleBit(Role::ROLE_SERVICE_MANAGER);
constexpr RoleSet kServiceAgent = RoleBit(Role::ROLE_SERVICE_AGENT);
constexpr RoleSet kAnalyst = RoleBit(Role::ROLE_ANALYST);

// Reads are open to every role. Whose accounts, leads and opportunities a sales rep or a team's
// manager may change, list and analyse is narrowed elsewhere, once (OwnerScope in
// common/core/current_call.h, applied by the outbox and the list queries).
constexpr RoleSet kEveryRole = kAdmin | kSalesManager | kSalesRep | kServiceManager | kServiceAgent | kAnalyst;
constexpr RoleSet kSales = kAdmin | kSalesManager | kSalesRep;
constexpr RoleSet kSalesManagers = kAdmin | kSalesManager;
constexpr RoleSet kService = kAdmin | kServiceManager | kServiceAgent;
constexpr RoleSet kServiceManagers = kAdmin | kServiceManager;
// People who work with customers on either side: contacts, interactions, activities.
constexpr RoleSet kCustomerFacing = kSales | kServiceManager | kServiceAgent;
// Bulk reads leave the system: not for agents and reps.
constexpr RoleSet kBulkReaders = kAdmin | kSalesManager | kAnalyst;

struct Entry {
  const char* method;
  RoleSet roles;
  bool mutates;
};

constexpr bool kRead = false;
constexpr bool kWrite = true;

// The table. Keep it grouped by service and in the order of the .proto files.
constexpr Entry kPolicies[] = {
    // AccountService
    {"crm.v1.AccountService/CreateAccount", kSales, kWrite},
    {"crm.v1.AccountService/GetAccount", kEveryRole, kRead},
    {"crm.v1.AccountService/UpdateAccount", kSales, kWrite},
    {"crm.v1.AccountService/DeleteAccount", kSalesManagers, kWrite},
    {"crm.v1.AccountService/UndeleteAccount", kSalesManagers, kWrite},
    {"crm.v1.AccountService/ListAccounts", kEveryRole, kRead},
    {"crm.v1.AccountService/CreateContact", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/GetContact", kEveryRole, kRead},
    {"crm.v1.AccountService/UpdateContact", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/DeleteContact", kSalesManagers | kServiceManager, kWrite},
    {"crm.v1.AccountService/ListContacts", kEveryRole, kRead},
    {"crm.v1.AccountService/LogInteraction", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/GetInteraction", kEveryRole, kRead},
    {"crm.v1.AccountService/ListInteractions", kEveryRole, kRead},
    {"crm.v1.AccountService/CreateActivity", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/GetActivity", kEveryRole, kRead},
    {"crm.v1.AccountService/UpdateActivity", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/CompleteActivity", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/CancelActivity", kCustomerFacing, kWrite},
    {"crm.v1.AccountService/ListActivities", kEveryRole, kRead},
    {"crm.v1.AccountService/ImportAccounts", kSalesManagers, kWrite},
    {"crm.v1.AccountService/ExportAccounts", kBulkReaders, kRead},
    // EventService
    {"crm.v1.EventService/Subscribe", kEveryRole, kRead},
    {"crm.v1.EventService/ListEvents", kEveryRole, kRead},
    // KeyAccountService
    {"crm.v1.KeyAccountService/GetScoringModel", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/ListScoringModels", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/UpdateScoringModel", kSalesManagers, kWrite},
    {"crm.v1.KeyAccountService/Reclassify", kSalesManagers, kWrite},
    {"crm.v1.KeyAccountService/GetClassification", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/ListClassifications", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/SetQualitativeInputs", kSales, kWrite},
    {"crm.v1.KeyAccountService/SetTierOverride", kSalesManagers, kWrite},
    {"crm.v1.KeyAccountService/ClearTierOverride", kSalesManagers, kWrite},
    {"crm.v1.KeyAccountService/ListTierChanges", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/ListTierPolicies", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/UpdateTierPolicy", kSalesManagers, kWrite},
    {"crm.v1.KeyAccountService/ListAccountsWithoutManager", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/ListOverdueContacts", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/CreateAccountPlan", kSales, kWrite},
    {"crm.v1.KeyAccountService/GetAccountPlan", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/UpdateAccountPlan", kSales, kWrite},
    {"crm.v1.KeyAccountService/ListAccountPlans", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/GetChurnRisk", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/ListAccountsAtRisk", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/GetLifetimeValue", kEveryRole, kRead},
    {"crm.v1.KeyAccountService/GetTierSummary", kEveryRole, kRead},
    // PipelineService
    {"crm.v1.PipelineService/CreatePipeline", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/GetPipeline", kEveryRole, kRead},
    {"crm.v1.PipelineService/ListPipelines", kEveryRole, kRead},
    {"crm.v1.PipelineService/UpdatePipeline", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/CreateLead", kSales, kWrite},
    {"crm.v1.PipelineService/GetLead", kEveryRole, kRead},
    {"crm.v1.PipelineService/UpdateLead", kSales, kWrite},
    {"crm.v1.PipelineService/DeleteLead", kSales, kWrite},
    {"crm.v1.PipelineService/ListLeads", kEveryRole, kRead},
    {"crm.v1.PipelineService/QualifyLead", kSales, kWrite},
    {"crm.v1.PipelineService/DisqualifyLead", kSales, kWrite},
    {"crm.v1.PipelineService/ConvertLead", kSales, kWrite},
    {"crm.v1.PipelineService/CreateOpportunity", kSales, kWrite},
    {"crm.v1.PipelineService/GetOpportunity", kEveryRole, kRead},
    {"crm.v1.PipelineService/UpdateOpportunity", kSales, kWrite},
    {"crm.v1.PipelineService/ListOpportunities", kEveryRole, kRead},
    {"crm.v1.PipelineService/MoveOpportunity", kSales, kWrite},
    {"crm.v1.PipelineService/CloseOpportunity", kSales, kWrite},
    {"crm.v1.PipelineService/ReopenOpportunity", kSales, kWrite},
    {"crm.v1.PipelineService/ListStageChanges", kEveryRole, kRead},
    {"crm.v1.PipelineService/CreateOrder", kSales, kWrite},
    {"crm.v1.PipelineService/GetOrder", kEveryRole, kRead},
    {"crm.v1.PipelineService/ListOrders", kEveryRole, kRead},
    {"crm.v1.PipelineService/CancelOrder", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/RecordPayment", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/ListPayments", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetReceivables", kEveryRole, kRead},
    {"crm.v1.PipelineService/CreateCampaign", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/GetCampaign", kEveryRole, kRead},
    {"crm.v1.PipelineService/UpdateCampaign", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/ListCampaigns", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetCampaignPerformance", kEveryRole, kRead},
    {"crm.v1.PipelineService/SetTeam", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/ListTeams", kEveryRole, kRead},
    {"crm.v1.PipelineService/SetTarget", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/ListTargets", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetSalesSettings", kEveryRole, kRead},
    {"crm.v1.PipelineService/UpdateSalesSettings", kSalesManagers, kWrite},
    {"crm.v1.PipelineService/GetFunnel", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetForecast", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetOwnerPerformance", kEveryRole, kRead},
    {"crm.v1.PipelineService/GetTargetGroupDistribution", kEveryRole, kRead},
    // ServiceDeskService (a sales rep may open a ticket for its customer)
    {"crm.v1.ServiceDeskService/CreateTicket", kService | kSales, kWrite},
    {"crm.v1.ServiceDeskService/GetTicket", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/ListTickets", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/UpdateTicket", kService, kWrite},
    {"crm.v1.ServiceDeskService/AssignTicket", kService, kWrite},
    {"crm.v1.ServiceDeskService/ChangeTicketStatus", kService, kWrite},
    {"crm.v1.ServiceDeskService/ReopenTicket", kService, kWrite},
    {"crm.v1.ServiceDeskService/EscalateTicket", kService, kWrite},
    {"crm.v1.ServiceDeskService/AddComment", kService, kWrite},
    {"crm.v1.ServiceDeskService/ListComments", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/ListTicketHistory", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/ExplainDeadline", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/CreateCalendar", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/GetCalendar", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/ListCalendars", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/UpdateCalendar", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/CreateSlaPolicy", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/GetSlaPolicy", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/ListSlaPolicies", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/UpdateSlaPolicy", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/DeleteSlaPolicy", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/CreateSolution", kService, kWrite},
    {"crm.v1.ServiceDeskService/GetSolution", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/UpdateSolution", kService, kWrite},
    {"crm.v1.ServiceDeskService/DeleteSolution", kServiceManagers, kWrite},
    {"crm.v1.ServiceDeskService/ListSolutions", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/SearchSolutions", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/LinkSolution", kService, kWrite},
    {"crm.v1.ServiceDeskService/ListSolutionLinks", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/SubmitSurvey", kService, kWrite},
    {"crm.v1.ServiceDeskService/GetSurvey", kEveryRole, kRead},
    {"crm.v1.ServiceDeskService/GetServiceMetrics", kEveryRole, kRead},
    // AdminService
    {"crm.v1.AdminService/SetUser", kAdmin, kWrite},
    {"crm.v1.AdminService/GetUser", kAdmin, kRead},
    {"crm.v1.AdminService/ListUsers", kAdmin, kRead},
    {"crm.v1.AdminService/CreateAccessToken", kAdmin, kWrite},
    {"crm.v1.AdminService/RevokeAccessToken", kAdmin, kWrite},
    {"crm.v1.AdminService/ListAccessTokens", kAdmin, kRead},
    {"crm.v1.AdminService/WhoAmI", kEveryRole, kRead},
    {"crm.v1.AdminService/ListAuditRecords", kAdmin, kRead},
    // CustomFieldService: administrators shape the records; everyone reads the shape.
    {"crm.v1.CustomFieldService/CreateCustomField", kAdmin, kWrite},
    {"crm.v1.CustomFieldService/GetCustomField", kEveryRole, kRead},
    {"crm.v1.CustomFieldService/UpdateCustomField", kAdmin, kWrite},
    {"crm.v1.CustomFieldService/DeleteCustomField", kAdmin, kWrite},
    {"crm.v1.CustomFieldService/UndeleteCustomField", kAdmin, kWrite},
    {"crm.v1.CustomFieldService/ListCustomFields", kEveryRole, kRead},
    {"crm.v1.CustomFieldService/ListCustomFieldVersions", kEveryRole, kRead},
    // DuplicateService: whoever creates accounts, contacts or leads may look for duplicates;
    // administrators set what a create does about them.
    {"crm.v1.DuplicateService/FindDuplicates", kEveryRole, kRead},
    {"crm.v1.DuplicateService/GetDuplicateSettings", kEveryRole, kRead},
    {"crm.v1.DuplicateService/UpdateDuplicateSettings", kAdmin, kWrite},
    // A merge rewrites records of many owners and removes some, as a delete does.
    {"crm.v1.DuplicateService/MergeAccounts", kSalesManagers, kWrite},
    {"crm.v1.DuplicateService/MergeContacts", kSalesManagers | kServiceManager, kWrite},
    {"crm.v1.DuplicateService/GetMerge", kEveryRole, kRead},
    {"crm.v1.DuplicateService/ListMerges", kEveryRole, kRead},
};

// Served by gRPC itself, without a token: load balancers and orchestrators probe health, and
// reflection describes the published contract only.
constexpr const char* kOpenMethods[] = {
    "grpc.health.v1.Health/Check",
    "grpc.health.v1.Health/Watch",
    "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
};

const absl::flat_hash_map<std::string, MethodPolicy>& Table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<std::string, MethodPolicy>();
    for (const Entry& e : kPolicies) t->emplace(e.method, MethodPolicy{false, e.roles, e.mutates});
    for (const char* m : kOpenMethods) t->emplace(m, MethodPolicy{true, kEveryRole, false});
    return t;
  }();
  return *table;
}

}  // namespace

const MethodPolicy* FindMethodPolicy(absl::string_view method) {
  absl::ConsumePrefix(&method, "/");
  const auto& table = Table();
  auto it = table.find(method);
  return it == table.end() ? nullptr : &it->second;
}

std::vector<std::string> PolicyMethods() {
  std::vector<std::string> methods;
  for (const Entry& e : kPolicies) methods.emplace_back(e.method);
  for (const char* m : kOpenMethods) methods.emplace_back(m);
  return methods;
}

std::string RoleDisplayName(crm::v1::Role role) {
  const std::string& name = crm::v1::Role_Name(role);
  return absl::AsciiStrToLower(absl::StrReplaceAll(absl::StripPrefix(name, "ROLE_"), {{"_", " "}}));
}

}  // namespace crm::auth
