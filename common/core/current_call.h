// The call whose work runs on this thread. The server names it once, around the handler's work
// (ScopedCurrentCall), so that the layers below the handler — the outbox, which audits every
// change and checks who may change owned records — know who acts without every function passing
// it down. Work without a current call is the server's own (background jobs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm {

// The owners whose accounts, leads and opportunities a caller may change and list: a sales rep's
// own, a sales manager's team's, everyone's for the other roles (whose policy decides what they
// may call at all).
class OwnerScope {
 public:
  // No restriction.
  static OwnerScope Everyone() { return OwnerScope(); }
  // Only `owners`; errors name the caller as `holder` ("sales rep bob") and the scope as `reach`
  // ("the records it owns").
  static OwnerScope Only(std::vector<std::string> owners, std::string holder, std::string reach);

  bool restricted() const { return restricted_; }
  // Sorted, without duplicates; empty when unrestricted.
  const std::vector<std::string>& owners() const { return owners_; }
  bool Covers(absl::string_view owner) const;

  // The owners a list filtered on `requested_owner` ("" for any) may show: nullopt for no
  // restriction; PERMISSION_DENIED naming `field` when the caller asks for an owner outside it.
  absl::StatusOr<std::optional<std::vector<std::string>>> ListOwners(const std::string& requested_owner,
                                                                    absl::string_view field) const;
  // OK when a change to `entity` `id`, owned by `before_owner` (nullopt: a new record) and by
  // `after_owner` once changed, stays within the scope; otherwise PERMISSION_DENIED saying why.
  absl::Status CheckChange(absl::string_view entity, absl::string_view id,
                           const std::optional<std::string>& before_owner, const std::string& after_owner) const;

 private:
  bool restricted_ = false;
  std::vector<std::string> owners_;
  std::string holder_;
  std::string reach_;
};

// The records whose owner an OwnerScope restricts, as events name them.
bool IsOwnedEntity(absl::string_view entity);

struct CurrentCall {
  std::string actor;
  // "crm.v1.AccountService/UpdateAccount".
  std::string method;
  // The caller's x-request-id.
  std::string correlation_id;
  OwnerScope owners;
};

// Names `call` as this thread's current call until destroyed.
class ScopedCurrentCall {
 public:
  explicit ScopedCurrentCall(CurrentCall call);
  ~ScopedCurrentCall();
  ScopedCurrentCall(const ScopedCurrentCall&) = delete;
  ScopedCurrentCall& operator=(const ScopedCurrentCall&) = delete;

 private:
  const CurrentCall* previous_;
  CurrentCall call_;
};

// Names another thread's current call (it must outlive this) as this thread's until destroyed:
// for work done on a caller's behalf by a thread of its own (the database's group writer).
class ScopedBorrowedCall {
 public:
  explicit ScopedBorrowedCall(const CurrentCall* call);
  ~ScopedBorrowedCall();
  ScopedBorrowedCall(const ScopedBorrowedCall&) = delete;
  ScopedBorrowedCall& operator=(const ScopedBorrowedCall&) = delete;

 private:
  const CurrentCall* previous_;
};

// This thread's current call, or nullptr.
const CurrentCall* ThisThreadCall();

}  // namespace crm
