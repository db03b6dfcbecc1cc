// The benchmarks' loaders use the shared multi-row insert under its bench name.
#pragma once

#include "common/db/bulk_insert.h"

namespace crm::bench {
using db::BulkInsert;
}  // namespace crm::bench
