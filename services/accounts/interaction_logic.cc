#include "services/accounts/interaction_logic.h"
