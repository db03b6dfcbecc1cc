// The table columns crmctl shows for each entity in lists (`get` shows every field instead).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clients/crmctl/output.h"

namespace crm::crmctl {

std::vector<Column> AccountColumns();
std::vector<Column> ContactColumns();
std::vector<Column> InteractionColumns();
std::vector<Column> ActivityColumns();
std::vector<Column> EventColumns();
std::vector<Column> PipelineColumns();
std::vector<Column> StageColumns();
// STAGE shows the stage's name when `stage_names` (stage id -> name) knows it, else its id.
std::vector<Column> OpportunityColumns(std::map<std::string, std::string> stage_names = {});
std::vector<Column> StageChangeColumns();
std::vector<Column> LeadColumns();
std::vector<Column> FunnelStageColumns();
std::vector<Column> ForecastPeriodColumns();
// Duplicate candidates: ENTITY, ID, NAME and MATCHES, each shared key as reason=key
// ("organisation_name=acme; web_domain=acme.com").
std::vector<Column> DuplicateCandidateColumns();
std::vector<Column> MergeColumns();
// Fixed widths of EventColumns for `events follow`, which prints events as they arrive.
std::vector<size_t> EventColumnWidths();

}  // namespace crm::crmctl
