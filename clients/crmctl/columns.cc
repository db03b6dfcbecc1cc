#include "clients/crmctl/columns.h"

#include "absl/strings/str_join.h"
#include "crm/v1/event.pb.h"

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

std::vector<size_t> EventColumnWidths() { return {8, 20, 28, 30, 12, 12, 0}; }

}  // namespace crm::crmctl
