#include "services/kam/risk.h"

namespace crm::kam {

// Not scored yet: every account gets 0 until the risk model lands.
ChurnAssessment AssessChurnRisk(const AccountData&, absl::Time) { return ChurnAssessment{}; }

}  // namespace crm::kam
