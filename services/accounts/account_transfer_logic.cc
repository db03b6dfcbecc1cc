#include "services/accounts/account_transfer_logic.h"
