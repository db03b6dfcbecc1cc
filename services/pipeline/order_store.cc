#include "services/pipeline/order_store.h"
