#include "common/db/fulltext.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/core/errors.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/sql_error.h"

namespace crm::db {
namespace {

// Matches the doc_id column: VARCHAR(64), which MariaDB's strict mode enforces and SQLite does
// not, so it is checked here for both.
constexpr size_t kMaxDocIdBytes = 64;

// FTS5 folds case and strips accents itself; on MariaDB the field columns get a case- and
// accent-insensitive collation (the table's default is binary) so both backends agree.
constexpr absl::string_view kMysqlTextCollation = "utf8mb4_unicode_ci";

bool IsIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 40) return false;  // leaves room for prefixes and suffixes
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Names spliced into SQL come from code, never from requests; this guards against typos and
// names the storage needs for itself (FTS5 reserves rowid and rank).
absl::Status ValidateIndex(const FullTextIndex& index) {
  if (!IsIdentifier(index.name)) {
    return absl::InternalError(absl::StrCat("bad full-text index name \"", index.name, "\""));
  }
  if (index.fields.empty()) return absl::InternalError(absl::StrCat("full-text index ", index.name, " has no fields"));
  absl::flat_hash_set<std::string> seen = {"id", "doc_id", "rowid", "rank"};
  for (const std::string& field : index.fields) {
    if (!IsIdentifier(field) || !seen.insert(field).second) {
      return absl::InternalError(absl::StrCat("bad field \"", field, "\" in full-text index ", index.name));
    }
  }
  if (!index.weights.empty()) {
    bool positive = true;
    for (double weight : index.weights) positive = positive && weight > 0;
    if (index.weights.size() != index.fields.size() || !positive) {
      return absl::InternalError(absl::StrCat("full-text index ", index.name, " needs one positive weight per field"));
    }
  }
  return absl::OkStatus();
}

bool HasDistinctWeights(const FullTextIndex& index) {
  for (double weight : index.weights) {
    if (weight != index.weights.front()) return true;
  }
  return false;
}

std::string FtsTable(const FullTextIndex& index) { return absl::StrCat(FullTextTable(index), "_fts"); }

std::vector<std::string> SqliteSchema(const FullTextIndex& index) {
  const std::string table = FullTextTable(index);
  const std::string fts = FtsTable(index);
  const std::string fields = absl::StrJoin(index.fields, ", ");
  const std::string new_values = absl::StrJoin(index.fields, ", ", [](std::string* out, const std::string& f) {
    absl::StrAppend(out, "new.", f);
  });
  const std::string old_values = absl::StrJoin(index.fields, ", ", [](std::string* out, const std::string& f) {
    absl::StrAppend(out, "old.", f);
  });
  std::string columns;
  for (const std::string& field : index.fields) absl::StrAppend(&columns, ", ", field, " TEXT NOT NULL");
  // The text lives once, in a keyed table; the FTS5 table holds only the index over it
  // (external content) and addresses rows by the integer id, which VACUUM keeps stable because
  // it is declared. A lookup by doc_id therefore uses a B-tree instead of scanning FTS5 rows.
  const std::string insert_new =
      absl::StrCat("INSERT INTO ", fts, " (rowid, ", fields, ") VALUES (new.id, ", new_values, ");");
  const std::string delete_old = absl::StrCat("INSERT INTO ", fts, " (", fts, ", rowid, ", fields,
                                              ") VALUES ('delete', old.id, ", old_values, ");");
  return {
      absl::StrCat("CREATE TABLE IF NOT EXISTS ", table,
                   " (id INTEGER PRIMARY KEY, doc_id VARCHAR(64) NOT NULL UNIQUE", columns, ")"),
      // remove_diacritics 2 also folds accents on letters built from several code points.
      absl::StrCat("CREATE VIRTUAL TABLE IF NOT EXISTS ", fts, " USING fts5(", fields, ", content='", table,
                   "', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"),
      absl::StrCat("CREATE TRIGGER IF NOT EXISTS ", table, "_ai AFTER INSERT ON ", table, " BEGIN ", insert_new,
                   " END"),
      absl::StrCat("CREATE TRIGGER IF NOT EXISTS ", table, "_ad AFTER DELETE ON ", table, " BEGIN ", delete_old,
                   " END"),
      absl::StrCat("CREATE TRIGGER IF NOT EXISTS ", table, "_au AFTER UPDATE ON ", table, " BEGIN ", delete_old,
                   " ", insert_new, " END"),
  };
}

std::vector<std::string> MysqlSchema(const FullTextIndex& index) {
  const std::string table = FullTextTable(index);
  std::string columns;
  for (const std::string& field : index.fields) {
    absl::StrAppend(&columns, ", ", field, " MEDIUMTEXT COLLATE ", kMysqlTextCollation, " NOT NULL");
  }
  // One index per field besides the one over all fields, so that weights can be applied at
  // search time (InnoDB scores a MATCH only against an index over exactly its columns).
  std::string indexes = absl::StrCat(", FULLTEXT KEY ", table, "_words (", absl::StrJoin(index.fields, ", "), ")");
  if (index.fields.size() > 1) {
    for (const std::string& field : index.fields) {
      absl::StrAppend(&indexes, ", FULLTEXT KEY ", table, "_", field, " (", field, ")");
    }
  }
  return {
      // The stopword list is fixed into a FULLTEXT index when it is created. Without it, words
      // such as "how", "about" or "when" stay searchable, as on SQLite (FTS5 has no stopwords).
      "SET SESSION innodb_ft_enable_stopword = OFF",
      Dialect(Backend::kMysql)
          .ExpandDdl(absl::StrCat("CREATE TABLE IF NOT EXISTS ", table, " (doc_id VARCHAR(64) NOT NULL PRIMARY KEY",
                                  columns, indexes, "){{TABLE_OPTIONS}}")),
      "SET SESSION innodb_ft_enable_stopword = DEFAULT",
  };
}

// "w1" OR "w2" ... (or AND, for all the words): each word a quoted FTS5 string (a quote inside
// doubled), so nothing in it is syntax. OR ranks a document matching more of the words higher
// rather than requiring all of them.
std::string Fts5Query(const std::vector<std::string>& words, FullTextMatch match) {
  return absl::StrJoin(words, match == FullTextMatch::kAllWords ? " AND " : " OR ",
                       [](std::string* out, const std::string& word) {
                         out->push_back('"');
                         for (char c : word) {
                           if (c == '"') out->push_back('"');
                           out->push_back(c);
                         }
                         out->push_back('"');
                       });
}

}  // namespace

std::string FullTextTable(const FullTextIndex& index) { return absl::StrCat("fulltext_", index.name); }

std::vector<std::string> FullTextSchema(const FullTextIndex& index, Backend backend) {
  if (absl::Status valid = ValidateIndex(index); !valid.ok()) {
    // A migration cannot carry a status, and the bad names must not reach SQL; this statement
    // fails the migration instead, naming the problem.
    return {"SELECT * FROM invalid_fulltext_index_definition"};
  }
  return backend == Backend::kSqlite ? SqliteSchema(index) : MysqlSchema(index);
}

absl::Status UpsertDocument(Tx& tx, const FullTextIndex& index, const std::string& doc_id,
                            const std::vector<std::string>& field_values) {
  if (absl::Status valid = ValidateIndex(index); !valid.ok()) return valid;
  if (doc_id.empty() || doc_id.size() > kMaxDocIdBytes) {
    return InvalidField("doc_id", absl::StrCat("must be 1 to ", kMaxDocIdBytes, " bytes"));
  }
  if (field_values.size() != index.fields.size()) {
    return absl::InternalError(absl::StrCat("full-text index ", index.name, " has ", index.fields.size(),
                                            " fields, got ", field_values.size(), " values"));
  }
  const std::string table = FullTextTable(index);
  // Delete then insert: the same two statements on both backends, and on SQLite the triggers
  // turn them into the FTS5 'delete' and insert that an external-content table needs.
  SqlQuery remove(absl::StrCat("DELETE FROM ", table));
  remove.Where("doc_id = ?", doc_id);
  SqlQuery insert(absl::StrCat("INSERT INTO ", table, " (doc_id, ", absl::StrJoin(index.fields, ", "), ")"));
  insert.Append(" VALUES (?", doc_id);
  for (const std::string& value : field_values) insert.Append(", ?", value);
  insert.Append(")");
  return Guard(absl::StrCat("index ", index.name, " document"), [&]() -> absl::Status {
    Execute(tx.session(), remove);
    Execute(tx.session(), insert);
    return absl::OkStatus();
  });
}

absl::Status RemoveDocument(Tx& tx, const FullTextIndex& index, const std::string& doc_id) {
  if (absl::Status valid = ValidateIndex(index); !valid.ok()) return valid;
  SqlQuery remove(absl::StrCat("DELETE FROM ", FullTextTable(index)));
  remove.Where("doc_id = ?", doc_id);
  return Guard(absl::StrCat("remove ", index.name, " document"), [&]() -> absl::Status {
    Execute(tx.session(), remove);
    return absl::OkStatus();
  });
}

std::vector<std::string> SearchWords(absl::string_view query) {
  std::vector<std::string> words;
  std::string word;
  for (char c : query) {
    const unsigned char byte = static_cast<unsigned char>(c);
    const bool in_word =
        byte >= 0x80 || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9');
    if (in_word) {
      word.push_back(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<std::vector<SearchHit>> Search(soci::session& session, const FullTextIndex& index,
                                              absl::string_view query, int limit, absl::string_view field,
                                              FullTextMatch match) {
  if (absl::Status valid = ValidateIndex(index); !valid.ok()) return valid;
  if (limit <= 0) return absl::InvalidArgumentError(absl::StrCat("search limit must be positive, got ", limit));
  const std::vector<std::string> words = SearchWords(query);
  if (words.empty()) return InvalidField(field, "must contain at least one word");

  const std::string table = FullTextTable(index);
  std::string sql;
  std::vector<std::string> bound;  // the match text, once per placeholder
  if (IsSqlite(session)) {
    const std::string fts = FtsTable(index);
    std::string weights;
    for (double weight : index.weights) absl::StrAppend(&weights, ", ", weight);
    // bm25() is lower-is-better; negated so that higher is better on both backends.
    sql = absl::StrCat("SELECT d.doc_id, -bm25(", fts, weights, ") AS score FROM ", fts, " JOIN ", table,
                       " d ON d.id = ", fts, ".rowid WHERE ", fts, " MATCH :q0 ORDER BY score DESC, d.doc_id LIMIT :n");
    bound = {Fts5Query(words, match)};
  } else {
    // The cleaned words only: natural language mode has no operators besides double quotes,
    // which SearchWords never returns. MariaDB computes a repeated identical MATCH once.
    const std::string text = absl::StrJoin(words, " ");
    auto natural = [&](absl::string_view columns) {
      bound.push_back(text);
      return absl::StrCat("MATCH(", columns, ") AGAINST(:q", bound.size() - 1, " IN NATURAL LANGUAGE MODE)");
    };
    const std::string all_fields = absl::StrJoin(index.fields, ", ");
    std::string score;
    if (HasDistinctWeights(index)) {
      for (size_t i = 0; i < index.fields.size(); ++i) {
        absl::StrAppend(&score, i == 0 ? "" : " + ", index.weights[i], " * ", natural(index.fields[i]));
      }
    } else {
      score = natural(all_fields);
    }
    std::string filter;
    if (match == FullTextMatch::kAllWords) {
      // Boolean mode only decides which rows match ('+' = required); the score stays the natural
      // language one above, so both modes rank alike. The words hold no boolean operators
      // (SearchWords keeps only letters, digits and non-ASCII bytes).
      bound.push_back(absl::StrJoin(words, " ", [](std::string* out, const std::string& word) {
        absl::StrAppend(out, "+", word);
      }));
      filter = absl::StrCat("MATCH(", all_fields, ") AGAINST(:q", bound.size() - 1, " IN BOOLEAN MODE)");
    } else {
      filter = natural(all_fields);
    }
    sql = absl::StrCat("SELECT doc_id, ", score, " AS score FROM ", table, " WHERE ", filter,
                       " ORDER BY score DESC, doc_id LIMIT :n");
  }

  std::vector<SearchHit> hits;
  absl::Status status = Guard(absl::StrCat("search ", index.name), [&]() -> absl::Status {
    SearchHit hit;
    soci::statement statement(session);
    statement.alloc();
    statement.prepare(sql);
    for (const std::string& text : bound) statement.exchange(soci::use(text));
    statement.exchange(soci::use(limit));
    statement.exchange(soci::into(hit.doc_id));
    statement.exchange(soci::into(hit.score));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) hits.push_back(hit);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return hits;
}

}  // namespace crm::db
