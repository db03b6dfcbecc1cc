// Reads AccountData (account_facts.h) for every live account, or for one, in a handful of
// aggregate queries: accounts, orders grouped by account and currency, open P1 tickets, survey
// scores and qualitative inputs, each in account id order and merged by id. The orders pass
// (ten orders per account and more) runs in several account-id ranges at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "services/kam/account_facts.h"

namespace soci {
class session;
}

namespace crm::kam {

class FactsStore {
 public:
  // Every account not deleted, in id order. `on_progress(rows_read)` is called now and then
  // (rows of any of the queries) so a caller can report progress and notice cancellation; it
  // returns false to stop (CANCELLED). FAILED_PRECONDITION naming the currency when an order's
  // currency has no exchange rate.
  // The orders pass runs in `partitions` account-id ranges on their own pooled sessions at once
  // (each a snapshot of its own: an order written meanwhile may be seen by one range and not
  // another, as it would be by a later read).
  static absl::StatusOr<std::vector<AccountData>> ReadAll(db::Database& db, absl::Time deadline,
                                                          const FactsWindow& window,
                                                          const std::function<bool(int64_t)>& on_progress = {},
                                                          int partitions = 2);
  // One account; nullopt when it does not exist or is deleted.
  static absl::StatusOr<std::optional<AccountData>> ReadOne(soci::session& sql, const FactsWindow& window,
                                                            const std::string& account_id);
};

}  // namespace crm::kam
