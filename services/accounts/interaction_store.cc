#include "services/accounts/interaction_store.h"
