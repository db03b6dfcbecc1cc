#include "services/accounts/contact_store.h"
