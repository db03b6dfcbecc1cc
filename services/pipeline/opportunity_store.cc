#include "services/pipeline/opportunity_store.h"
