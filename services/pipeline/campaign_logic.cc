#include "services/pipeline/campaign_logic.h"
