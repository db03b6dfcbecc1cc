#include "common/core/current_call.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace crm {
namespace {

thread_local const CurrentCall* this_thread_call = nullptr;

}  // namespace

OwnerScope OwnerScope::Only(std::vector<std::string> owners, std::string holder, std::string reach) {
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  OwnerScope scope;
  scope.restricted_ = true;
  scope.owners_ = std::move(owners);
  scope.holder_ = std::move(holder);
  scope.reach_ = std::move(reach);
  return scope;
}

bool OwnerScope::Covers(absl::string_view owner) const {
  return !restricted_ || std::binary_search(owners_.begin(), owners_.end(), owner);
}

absl::StatusOr<std::optional<std::vector<std::string>>> OwnerScope::ListOwners(const std::string& requested_owner,
                                                                              absl::string_view field) const {
  if (!restricted_) {
    if (requested_owner.empty()) return std::optional<std::vector<std::string>>();
    return std::optional<std::vector<std::string>>(std::vector<std::string>{requested_owner});
  }
  if (requested_owner.empty()) return std::optional<std::vector<std::string>>(owners_);
  if (!Covers(requested_owner)) {
    return absl::PermissionDeniedError(absl::StrCat(holder_, " may list only ", reach_, "; ", field, " ",
                                                    requested_owner, " is outside them"));
  }
  return std::optional<std::vector<std::string>>(std::vector<std::string>{requested_owner});
}

absl::Status OwnerScope::CheckChange(absl::string_view entity, absl::string_view id,
                                     const std::optional<std::string>& before_owner,
                                     const std::string& after_owner) const {
  if (!restricted_) return absl::OkStatus();
  const std::string prefix = absl::StrCat(holder_, " may change only ", reach_, "; ");
  if (before_owner && !Covers(*before_owner)) {
    return absl::PermissionDeniedError(absl::StrCat(prefix, entity, " ", id, " is owned by ",
                                                    before_owner->empty() ? "nobody" : *before_owner));
  }
  if (!Covers(after_owner)) {
    return absl::PermissionDeniedError(
        before_owner ? absl::StrCat(prefix, entity, " ", id, " cannot be given to ", after_owner)
                     : absl::StrCat(prefix, "a new ", entity, " cannot be owned by ", after_owner));
  }
  return absl::OkStatus();
}

bool IsOwnedEntity(absl::string_view entity) {
  return entity == "account" || entity == "lead" || entity == "opportunity";
}

ScopedCurrentCall::ScopedCurrentCall(CurrentCall call) : previous_(this_thread_call), call_(std::move(call)) {
  this_thread_call = &call_;
}

ScopedCurrentCall::~ScopedCurrentCall() { this_thread_call = previous_; }

ScopedBorrowedCall::ScopedBorrowedCall(const CurrentCall* call) : previous_(this_thread_call) {
  this_thread_call = call;
}

ScopedBorrowedCall::~ScopedBorrowedCall() { this_thread_call = previous_; }

const CurrentCall* ThisThreadCall() { return this_thread_call; }

}  // namespace crm
