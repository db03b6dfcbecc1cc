// Access token secrets: 256 random bits, sent by callers, stored only as their SHA-256. The
// secrets are random, so the hash needs no salt and a lookup by hash finds the token.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace crm::auth {

// "crm_" and 43 base64url characters.
std::string NewTokenSecret();

// Hex SHA-256 of `secret`: what the database keeps.
std::string TokenSecretHash(absl::string_view secret);

}  // namespace crm::auth
