// Random idempotency keys for create requests (and correlation ids for calls).
#pragma once

#include <string>

namespace crm::client {

// A random (version 4) UUID in its usual 8-4-4-4-12 lower-case hex form.
std::string NewRequestId();

}  // namespace crm::client
