#include "services/pipeline/order_logic.h"
