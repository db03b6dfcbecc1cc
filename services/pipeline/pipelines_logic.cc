#include "services/pipeline/pipelines_logic.h"
