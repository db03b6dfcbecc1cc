#include "services/pipeline/analytics_logic.h"
