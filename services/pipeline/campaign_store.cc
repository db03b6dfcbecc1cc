#include "services/pipeline/campaign_store.h"
