#include "services/pipeline/target_logic.h"
