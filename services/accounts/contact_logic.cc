#include "services/accounts/contact_logic.h"
