// SQL for the knowledge base: solutions, their links to tickets and their full-text index. Every
// statement is named once in knowledge_store.cc; rows map once (soci::type_conversion there).
// Deleted solutions are invisible to every read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "common/db/fulltext.h"
#include "crm/v1/servicedesk.pb.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

// The solutions' full-text index: title (weighted highest), body and tags (joined by spaces).
const db::FullTextIndex& SolutionSearchIndex();
// A solution's text in the order of SolutionSearchIndex().fields.
std::vector<std::string> SolutionSearchText(const crm::v1::Solution& solution);

enum class SolutionOrder { kId, kUsageCountDesc };

struct SolutionListQuery {
  std::string category;  // exact; "" = any
  std::string tag;       // one of the tags, case-insensitive; "" = any
  SolutionOrder order = SolutionOrder::kId;
  // Keyset position: the last row of the previous page (after_usage_count only in usage order).
  int64_t after_usage_count = 0;
  std::string after_id;  // "" = from the start
  int limit = 50;
};

// Links of one ticket (ordered by solution id) or of one solution (ordered by ticket id).
struct SolutionLinkListQuery {
  std::string ticket_id;
  std::string solution_id;
  std::string after_id;  // the other side's id of the previous page's last link
  int limit = 50;
};

class SolutionStore {
 public:
  // nullopt when no live solution has this id.
  static absl::StatusOr<std::optional<crm::v1::Solution>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Solution>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1 and usage_count 0.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Solution& solution);
  // Writes the editable columns and update_time, bumping the revision, only if the stored
  // revision is still `expected_revision`. False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Solution& solution, int64_t expected_revision);
  // Marks the solution deleted at `solution.update_time()`, under the same revision rule.
  static absl::StatusOr<bool> SoftDelete(db::Tx& tx, const crm::v1::Solution& solution, int64_t expected_revision);
  static absl::Status IncrementUsage(db::Tx& tx, const std::string& id);
  static absl::StatusOr<std::vector<crm::v1::Solution>> List(soci::session& sql, const SolutionListQuery& query);
  // The live solutions among `ids` (in no particular order), in `category` unless it is "".
  static absl::StatusOr<std::vector<crm::v1::Solution>> FindMany(soci::session& sql,
                                                                 const std::vector<std::string>& ids,
                                                                 const std::string& category);
};

class SolutionLinkStore {
 public:
  // ALREADY_EXISTS when the pair is linked already.
  static absl::Status Insert(db::Tx& tx, const crm::v1::SolutionLink& link);
  static absl::StatusOr<std::vector<crm::v1::SolutionLink>> List(soci::session& sql,
                                                                 const SolutionLinkListQuery& query);
};

}  // namespace crm::servicedesk
