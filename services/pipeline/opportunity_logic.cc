#include "services/pipeline/opportunity_logic.h"
