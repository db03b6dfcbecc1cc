#include "services/pipeline/lead_logic.h"
