#include "services/pipeline/analytics_store.h"
