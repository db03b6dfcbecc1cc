#include "services/pipeline/target_store.h"
