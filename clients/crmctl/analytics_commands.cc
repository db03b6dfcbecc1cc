#include "clients/crmctl/analytics_commands.h"

#include "clients/crmctl/columns.h"

namespace crm::crmctl {
namespace {

// `get [key=value ...]`: arguments set fields of the request or of its AnalyticsFilter (so
// `owner=alice` means filter.owner); prints the report's summary and its rows as a table.
template <typename Request, typename Call>
int RunReport(CommandContext& context, const std::string& rows, std::vector<Column> columns,
              Call call) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  Request request;
  if (absl::Status s = context.ApplyArguments({{&request}, {request.mutable_filter()}});
      !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintWithRows(call(request), rows, std::move(columns));
}

int Funnel(CommandContext& context) {
  return RunReport<v1::GetFunnelRequest>(
      context, "stages", FunnelStageColumns(),
      [&](const auto& r) { return context.pipeline().GetFunnel(r); });
}

int Forecast(CommandContext& context) {
  return RunReport<v1::GetForecastRequest>(
      context, "periods", ForecastPeriodColumns(),
      [&](const auto& r) { return context.pipeline().GetForecast(r); });
}

constexpr char kFilters[] =
    "[pipeline=<id>] [owner= | team=<id>] [period_start=<date>] [period_end=<date>] "
    "[region=] [industry=] [source_channel=] [source_campaign=<id>]";

}  // namespace

std::vector<Command> AnalyticsCommands() {
  return {
      {"funnel", "get", kFilters,
       "Per stage: entered, current count and amount, conversion to the next, days in stage; "
       "win rate, deal size, cycle",
       Funnel},
      {"forecast", "get", std::string("[granularity=month|quarter] ") + kFilters,
       "Weighted pipeline, best case and won amount per close period", Forecast},
  };
}

}  // namespace crm::crmctl
