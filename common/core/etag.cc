#include "common/core/etag.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"

namespace crm {

std::string FormatEtag(int64_t revision) { return absl::StrCat("\"r", revision, "\""); }

absl::StatusOr<std::optional<int64_t>> ParseEtag(absl::string_view etag, absl::string_view field) {
  if (etag.empty()) return std::optional<int64_t>();
  int64_t revision = 0;
  if (etag.size() < 4 || etag.front() != '"' || etag[1] != 'r' || etag.back() != '"' ||
      !absl::SimpleAtoi(etag.substr(2, etag.size() - 3), &revision) || revision < 1) {
    return InvalidField(field, "is not an etag issued by this service");
  }
  return std::optional<int64_t>(revision);
}

absl::Status StaleEtag(absl::string_view entity) {
  return absl::AbortedError(absl::StrCat(
      "etag: the ", entity, " was changed by someone else; read it again and retry"));
}

}  // namespace crm
