#include "services/accounts/reminder_job.h"
