#include "services/pipeline/pipelines_store.h"
