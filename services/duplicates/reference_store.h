// SQL of a merge's moves: the rows of every module that name a merged account or contact are
// re-pointed to the survivor, in the merge's transaction. Each UPDATE runs over the table's
// index by account, and bumps the revision of versioned rows so that an etag read before the
// merge is stale. Tables of a module this database never had (a pipeline server's database
// without the service desk) are skipped.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/database.h"

namespace crm::duplicates {

// Rows moved, by table.
using MovedRows = std::map<std::string, int64_t>;

class ReferenceStore {
 public:
  // Everything of account `from` but its contacts (the logic moves those through ContactStore,
  // whose duplicate keys depend on the account): interactions, activities, converted leads,
  // opportunities and their funnel attribution, orders, payments, tickets, account plans and a
  // qualitative assessment the survivor lacks. The merged account's key-account classification
  // and tier override are dropped (the next classification run counts the survivor anew); its
  // tier history stays.
  static absl::Status MoveAccountRows(db::Tx& tx, const std::string& from, const std::string& to, absl::Time now,
                                      MovedRows& moved);
  // Everything of contact `from` of account `account_id`: its interactions, activities, tickets
  // and converted leads.
  static absl::Status MoveContactRows(db::Tx& tx, const std::string& account_id, const std::string& from,
                                      const std::string& to, absl::Time now, MovedRows& moved);
};

}  // namespace crm::duplicates
