#include "clients/crmctl/columns.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/crmctl/field_text.h"
#include "crm/v1/duplicate.pb.h"
#include "crm/v1/duplicate_service.pb.h"
#include "crm/v1/event.pb.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;

}  // namespace

std::vector<Column> AccountColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("NAME", "name", kTextWidth),
          FieldColumn("KIND", "kind"),
          FieldColumn("OWNER", "owner"),
          FieldColumn("STAGE", "lifecycle_stage"),
          FieldColumn("TIER", "tier"),
          FieldColumn("INDUSTRY", "industry"),
          FieldColumn("REGION", "region"),
          FieldColumn("SIZE", "size_band"),
          FieldColumn("REVENUE", "annual_revenue"),
          FieldColumn("DELETED", "delete_time")};
}

std::vector<Column> ContactColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("NAME", "full_name", kTextWidth),
          FieldColumn("TITLE", "title"),
          FieldColumn("EMAIL", "email"),
          FieldColumn("PHONE", "phone"),
          FieldColumn("CHANNEL", "preferred_channel"),
          FieldColumn("ROLE", "decision_role")};
}

std::vector<Column> InteractionColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("WHEN", "occur_time"),
          FieldColumn("CHANNEL", "channel"),
          FieldColumn("DIRECTION", "direction"),
          FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("CONTACT", "contact_id"),
          FieldColumn("USER", "user"),
          FieldColumn("SUBJECT", "subject", kTextWidth)};
}

std::vector<Column> ActivityColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("DUE", "due_time"),
          FieldColumn("KIND", "kind"),
          FieldColumn("STATUS", "status"),
          FieldColumn("ASSIGNEE", "assignee"),
          FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("SUBJECT", "subject", kTextWidth)};
}

std::vector<Column> EventColumns() {
  return {FieldColumn("SEQ", "sequence"),
          FieldColumn("TIME", "time"),
          FieldColumn("TYPE", "type"),
          FieldColumn("ENTITY", "entity_id"),
          FieldColumn("USER", "user"),
          FieldColumn("ACTOR", "actor"),
          Column{"CHANGED",
                 [](const google::protobuf::Message& message) {
                   const auto* event = dynamic_cast<const v1::Event*>(&message);
                   std::vector<std::string> fields;
                   if (event == nullptr) return std::string();
                   for (const v1::FieldChange& change : event->changes())
                     fields.push_back(change.field());
                   return absl::StrJoin(fields, ",");
                 },
                 kTextWidth}};
}

std::vector<Column> PipelineColumns() {
  return {FieldColumn("ID", "id"), FieldColumn("NAME", "name", kTextWidth),
          FieldColumn("DEFAULT", "is_default"),
          Column{"STAGES",
                 [](const google::protobuf::Message& message) {
                   const auto* pipeline = dynamic_cast<const v1::Pipeline*>(&message);
                   std::vector<std::string> names;
                   if (pipeline == nullptr) return std::string();
                   for (const v1::Stage& stage : pipeline->stages()) {
                     if (!stage.retired()) names.push_back(stage.name());
                   }
                   return absl::StrJoin(names, ", ");
                 },
                 2 * kTextWidth}};
}

std::vector<Column> StageColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("NAME", "name", kTextWidth),
          FieldColumn("KIND", "kind"),
          FieldColumn("PROBABILITY", "probability"),
          FieldColumn("DAYS", "expected_days"),
          FieldColumn("RETIRED", "retired")};
}

std::vector<Column> OpportunityColumns(std::map<std::string, std::string> stage_names) {
  return {FieldColumn("ID", "id"),
          FieldColumn("NAME", "name", kTextWidth),
          FieldColumn("ACCOUNT", "account_id"),
          Column{"STAGE",
                 [stage_names = std::move(stage_names)](const google::protobuf::Message& message) {
                   const std::string id = FieldText(message, "stage_id");
                   auto name = stage_names.find(id);
                   return name == stage_names.end() ? id : name->second;
                 }},
          FieldColumn("STATUS", "status"),
          FieldColumn("AMOUNT", "amount"),
          FieldColumn("PROB", "probability"),
          FieldColumn("CLOSE", "expected_close_date"),
          FieldColumn("OWNER", "owner")};
}

std::vector<Column> StageChangeColumns() {
  return {FieldColumn("SEQ", "sequence"),     FieldColumn("TIME", "change_time"),
          FieldColumn("FROM", "from_stage_name"), FieldColumn("TO", "to_stage_name"),
          FieldColumn("BY", "changed_by")};
}

std::vector<Column> LeadColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("NAME", "full_name", kTextWidth),
          FieldColumn("COMPANY", "company_name", kTextWidth),
          FieldColumn("EMAIL", "email"),
          FieldColumn("STATUS", "status"),
          FieldColumn("SCORE", "score"),
          FieldColumn("CHANNEL", "source.channel"),
          FieldColumn("OWNER", "owner")};
}

std::vector<Column> FunnelStageColumns() {
  return {FieldColumn("STAGE", "stage_name", kTextWidth),
          FieldColumn("KIND", "kind"),
          FieldColumn("ENTERED", "entered"),
          FieldColumn("CURRENT", "current_count"),
          FieldColumn("AMOUNT", "current_amount"),
          FieldColumn("TO NEXT", "conversion_to_next"),
          FieldColumn("AVG DAYS", "average_days_in_stage")};
}

std::vector<Column> ForecastPeriodColumns() {
  return {FieldColumn("START", "period_start"),    FieldColumn("END", "period_end"),
          FieldColumn("OPEN", "open_opportunities"), FieldColumn("WEIGHTED", "weighted"),
          FieldColumn("BEST CASE", "best_case"),    FieldColumn("WON", "closed_won")};
}

std::vector<Column> DuplicateCandidateColumns() {
  return {FieldColumn("ENTITY", "entity"), FieldColumn("ID", "id"),
          FieldColumn("NAME", "display_name", kTextWidth),
          TypedColumn<v1::DuplicateCandidate>("MATCHES", [](const v1::DuplicateCandidate& c) {
            std::vector<std::string> matches;
            for (const v1::DuplicateMatch& match : c.matches()) {
              matches.push_back(absl::StrCat(FieldText(match, "reason"), "=", match.key()));
            }
            return absl::StrJoin(matches, "; ");
          })};
}

std::vector<Column> MergeColumns() {
  return {FieldColumn("ID", "id"), FieldColumn("ENTITY", "entity"), FieldColumn("SURVIVOR", "survivor_id"),
          TypedColumn<v1::Merge>("MERGED",
                                 [](const v1::Merge& m) {
                                   std::vector<std::string> ids;
                                   for (const v1::Account& a : m.merged_accounts()) ids.push_back(a.id());
                                   for (const v1::Contact& c : m.merged_contacts()) ids.push_back(c.id());
                                   return absl::StrJoin(ids, ",");
                                 }),
          FieldColumn("ACTOR", "actor"), FieldColumn("TIME", "merge_time")};
}

std::vector<size_t> EventColumnWidths() { return {8, 20, 28, 30, 12, 12, 0}; }

}  // namespace crm::crmctl
