#include "services/pipeline/lead_store.h"
