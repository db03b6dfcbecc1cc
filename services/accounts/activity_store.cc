#include "services/accounts/activity_store.h"
