#include "services/accounts/activity_logic.h"
