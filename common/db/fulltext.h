// Full-text search ranked by relevance, written once for both backends: SQLite FTS5 and MariaDB
// InnoDB FULLTEXT. A feature describes its searchable collection as a FullTextIndex, adds
// FullTextSchema() to one of its migrations, keeps documents current with UpsertDocument /
// RemoveDocument inside its own write transactions, and asks Search() for ranked doc ids.
//
// Storage: one keyed table `fulltext_<name>` (doc_id + one text column per field) on both
// backends. SQLite adds an external-content FTS5 table `fulltext_<name>_fts` kept in step by
// triggers; MariaDB puts FULLTEXT indexes on the field columns (one over all of them, which
// finds the matches, and one per field, which lets weights apply at search time).
//
// What differs between the backends (callers and tests must not rely on these):
//  - MariaDB does not index words shorter than innodb_ft_min_token_size (server-wide, default 3,
//    read-only at runtime): "pc" or "ip" find nothing there, while SQLite finds them. Lower it
//    in the server configuration (and rebuild the indexes) if short words matter.
//  - MariaDB sees a write only after its transaction commits (SQLite sees it at once, inside the
//    transaction). Search after commit.
//  - The text is compared case- and accent-insensitively on both ("cafe" finds "café"), through
//    FTS5's `remove_diacritics 2` and MariaDB's utf8mb4_unicode_ci collation on the field columns.
//  - Stopwords: the MariaDB index is created without InnoDB's stopword list, so "how to" and
//    "about" are searchable as on SQLite.
//  - Scores are comparable only within one result list and one backend (FTS5 BM25 negated, so
//    higher is better; InnoDB's TF-IDF). InnoDB drops no word for being in more than half the
//    rows (that is MyISAM), but a word present in every row weighs almost nothing.
//  - Word boundaries: the documents are split by each engine's tokenizer; FTS5 splits at '_' and
//    apostrophes, InnoDB keeps "foo_bar" as one word.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/database.h"
#include "common/db/dialect.h"

namespace soci {
class session;
}

namespace crm::db {

// One searchable collection. `name` and `fields` become SQL identifiers: lower-case letters,
// digits and '_' only. Changing the fields needs a new migration (drop and rebuild the index).
struct FullTextIndex {
  std::string name;                 // e.g. "solutions" → table fulltext_solutions
  std::vector<std::string> fields;  // e.g. {"title", "body"}
  // Optional relevance weight per field (e.g. {3, 1}: a word in the title counts three times);
  // empty means 1 each. Read at search time only, so it can change without a migration.
  std::vector<double> weights;
};

struct SearchHit {
  std::string doc_id;
  double score = 0;  // higher is more relevant; comparable only within one result list
};

// The table holding the documents of `index` (e.g. to drop it in a later migration).
std::string FullTextTable(const FullTextIndex& index);

// Statements creating the index's tables, for Migration::statements. Idempotent. On MariaDB the
// statements switch the session's innodb_ft_enable_stopword off around the CREATE TABLE.
std::vector<std::string> FullTextSchema(const FullTextIndex& index, Backend backend);

// Stores (or replaces) a document's text: `field_values` in the order of `index.fields`.
// doc_id is at most 64 bytes. Runs inside the caller's transaction and is undone with it.
absl::Status UpsertDocument(Tx& tx, const FullTextIndex& index, const std::string& doc_id,
                            const std::vector<std::string>& field_values);

// Removes a document; removing one that is not there is not an error.
absl::Status RemoveDocument(Tx& tx, const FullTextIndex& index, const std::string& doc_id);

// The words of a user's query: runs of ASCII letters and digits, where any non-ASCII byte counts
// as a letter (so UTF-8 words stay whole). Everything else separates words, so query syntax
// (quotes, * - + ( ), ...) never reaches the engine.
std::vector<std::string> SearchWords(absl::string_view query);

// Which documents a query finds; the ranking is the same in both modes.
enum class FullTextMatch {
  // Documents with at least one word of the query.
  kAnyWord,
  // Documents with every word of the query, each in any field. A word the engine does not index
  // (on MariaDB one shorter than innodb_ft_min_token_size; on both, one its tokenizer drops
  // whole, such as an emoji) is in no document, so such a query finds nothing.
  kAllWords,
};

// The documents matching the words of `query` as `match` says, most relevant first (ties by
// doc_id), at most `limit`. A document matching more of the words, or matching them more often,
// ranks higher. A query without words is INVALID_ARGUMENT naming `field`.
// `limit` must be positive (INVALID_ARGUMENT otherwise). The backend is taken from the session.
absl::StatusOr<std::vector<SearchHit>> Search(soci::session& session, const FullTextIndex& index,
                                              absl::string_view query, int limit,
                                              absl::string_view field = "query",
                                              FullTextMatch match = FullTextMatch::kAnyWord);

}  // namespace crm::db
