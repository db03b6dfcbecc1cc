// Server-assigned ids: a short entity prefix plus a 26-character ULID-style body
// (48-bit millisecond time + 80 random bits, Crockford base32), so ids sort by creation time
// across processes and are monotonic within one.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace crm {

// e.g. NewId("acc") -> "acc_01JDX3V6Q8M4W0T2C9R5B7N1ZK".
std::string NewId(absl::string_view prefix);
// Same, with an explicit creation time (used by tests and bulk generators).
std::string NewIdAt(absl::string_view prefix, absl::Time time);
// True when `id` has the given prefix and a well-formed body.
bool HasIdShape(absl::string_view id, absl::string_view prefix);

}  // namespace crm
