#include "common/server/unary.h"

#include <exception>

#include "absl/strings/str_cat.h"

namespace crm::server {

absl::Status StatusFromException() {
  try {
    throw;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("internal error: ", e.what()));
  } catch (...) {
    return absl::InternalError("internal error");
  }
}

}  // namespace crm::server
