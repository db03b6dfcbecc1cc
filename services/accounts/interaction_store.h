// SQL for the interaction log: every statement named once here, rows mapped once
// (soci::type_conversion in interaction_store.cc). Append-only: there is no update or delete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/account.pb.h"

namespace soci {
class session;
}

namespace crm::accounts {

// Newest first: occur_time descending, then id descending.
struct InteractionListQuery {
  // At least one of the two is set.
  std::string account_id;
  std::string contact_id;
  // Half-open range [start_micros, end_micros) on occur_time.
  std::optional<int64_t> start_micros;
  std::optional<int64_t> end_micros;
  // Keyset position: rows strictly after (after_occur_micros, after_id) in the order above.
  std::optional<int64_t> after_occur_micros;
  std::string after_id;
  int limit = 50;
};

class InteractionStore {
 public:
  // nullopt when no interaction has this id.
  static absl::StatusOr<std::optional<crm::v1::Interaction>> Find(soci::session& sql, const std::string& id);
  static absl::Status Insert(db::Tx& tx, const crm::v1::Interaction& interaction);
  static absl::StatusOr<std::vector<crm::v1::Interaction>> List(soci::session& sql,
                                                                const InteractionListQuery& query);
};

}  // namespace crm::accounts
