// Etags derive from a row's revision counter. Updates are conditional on the revision in SQL
// (`... WHERE id = ? AND revision = ?`), so a stale etag changes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm {

std::string FormatEtag(int64_t revision);
// Empty etag → nullopt (unconditional); malformed → INVALID_ARGUMENT on `field`.
absl::StatusOr<std::optional<int64_t>> ParseEtag(absl::string_view etag,
                                                 absl::string_view field = "etag");
// The ABORTED status returned when the etag no longer matches.
absl::Status StaleEtag(absl::string_view entity);

}  // namespace crm
