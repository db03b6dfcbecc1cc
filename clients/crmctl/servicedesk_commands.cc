#include "clients/crmctl/servicedesk_commands.h"

#include <ostream>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "clients/crmctl/field_text.h"

namespace crm::crmctl {
namespace {

std::string Percent(bool has, double ratio) {
  return has ? absl::StrFormat("%.1f%%", ratio * 100.0) : "";
}

std::vector<Column> MetricsRowColumns() {
  using Row = v1::ServiceMetricsRow;
  return {
      TypedColumn<Row>("KEY", [](const Row& r) { return r.key().empty() ? "(all)" : r.key(); }),
      FieldColumn("CREATED", "tickets_created"),
      FieldColumn("RESOLVED", "tickets_resolved"),
      TypedColumn<Row>("FR MEAN",
                       [](const Row& r) { return DurationText(r.first_response().mean()); }),
      TypedColumn<Row>("FR P90",
                       [](const Row& r) { return DurationText(r.first_response().p90()); }),
      TypedColumn<Row>("RES MEAN",
                       [](const Row& r) { return DurationText(r.resolution().mean()); }),
      TypedColumn<Row>("RES P90", [](const Row& r) { return DurationText(r.resolution().p90()); }),
      TypedColumn<Row>("FR SLA",
                       [](const Row& r) {
                         return Percent(r.has_first_response_compliance(),
                                        r.first_response_compliance());
                       }),
      TypedColumn<Row>("RES SLA",
                       [](const Row& r) {
                         return Percent(r.has_resolution_compliance(), r.resolution_compliance());
                       }),
      TypedColumn<Row>("CSAT",
                       [](const Row& r) {
                         return r.has_csat_mean() ? absl::StrFormat("%.2f", r.csat_mean())
                                                  : std::string();
                       }),
      TypedColumn<Row>(
          "SURVEYED",
          [](const Row& r) { return Percent(r.has_csat_response_rate(), r.csat_response_rate()); }),
      FieldColumn("ESCALATIONS", "escalations"),
  };
}

// `survey submit <ticket-id> score=1..5 [comment=]`.
int SubmitSurvey(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<ticket-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::SubmitSurveyRequest request;
  request.mutable_survey()->set_ticket_id(id->front());
  if (absl::Status s = context.ApplyArguments({{request.mutable_survey()}}); !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintResult(ServiceDesk(context).SubmitSurvey(request));
}

int GetSurvey(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<ticket-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetSurveyRequest request;
  request.set_ticket_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(ServiceDesk(context).GetSurvey(request));
}

// Totals and groups in one table (totals first, as "(all)"), then the backlog by priority.
int GetMetrics(CommandContext& context) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::GetServiceMetricsRequest request;
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"from", "period_start"}, {"to", "period_end"}, {"group", "group_by"}};
  if (absl::Status s = context.ApplyArguments({{&request}}, *kAliases); !s.ok()) {
    return context.Usage(s);
  }
  absl::StatusOr<v1::ServiceMetrics> metrics = ServiceDesk(context).GetServiceMetrics(request);
  if (!metrics.ok()) return context.Fail(metrics.status());
  if (context.format() == OutputFormat::kJson) {
    context.PrintMessage(*metrics);
    return kExitOk;
  }
  Table rows(MetricsRowColumns());
  rows.Add(metrics->totals());
  for (const v1::ServiceMetricsRow& row : metrics->rows()) rows.Add(row);
  rows.Print(context.out());
  Table backlog({FieldColumn("PRIORITY", "priority"), FieldColumn("OPEN", "open"),
                 FieldColumn("BREACHED", "breached")});
  for (const v1::BacklogCount& count : metrics->backlog()) backlog.Add(count);
  context.out() << "\nBacklog now:\n";
  backlog.Print(context.out());
  return kExitOk;
}

}  // namespace

client::ServiceDeskClient ServiceDesk(CommandContext& context) { return context.servicedesk(); }

std::string DurationText(const google::protobuf::Duration& duration) {
  const absl::Duration length =
      absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos());
  if (length == absl::ZeroDuration()) return "";
  // Whole seconds at SLA scale; milliseconds only for what is shorter than a second.
  const absl::Duration unit =
      absl::AbsDuration(length) < absl::Seconds(1) ? absl::Milliseconds(1) : absl::Seconds(1);
  return absl::FormatDuration(absl::Trunc(length, unit));
}

std::vector<Command> SurveyCommands() {
  return {
      {"survey", "submit", "<ticket-id> score=1..5 [comment=...]",
       "Record the customer's satisfaction with a resolved ticket (one per ticket)", SubmitSurvey},
      {"survey", "get", "<ticket-id>", "Show a ticket's satisfaction survey", GetSurvey},
  };
}

std::vector<Command> ServiceMetricsCommands() {
  return {
      {"service-metrics", "get",
       "[period_start=<date>] [period_end=<date>] [tier=strategic|key|standard|potential] "
       "[agent=<user>] "
       "[group_by=tier|agent|priority]",
       "First response and resolution times (mean, p90), SLA compliance, CSAT, escalations of "
       "the tickets created in the period; the backlog by priority now",
       GetMetrics},
  };
}

}  // namespace crm::crmctl
