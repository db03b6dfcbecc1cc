// common/db/fulltext on every backend: ranking, replacing and removing documents, rollback, query
// text that looks like FTS / boolean syntax, non-ASCII words, empty queries, limits.
#include "common/db/fulltext.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/db/database.h"
#include "common/db/migrations.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_backends.h"

namespace crm {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// Text that shares no word with the documents under test, so that in InnoDB's TF-IDF the
// searched words are rare enough to weigh something.
const std::vector<std::vector<std::string>> kFillers = {
    {"password reset", "request a new password from the portal"},
    {"mailbox quota", "archive old mail to free space"},
    {"monitor flickers", "check the cable, then the refresh rate"},
};

class FullTextTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*test_db_);
    auto opened = testing::OpenDatabase(*test_db_, 2, {db::CommonMigrations()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = *std::move(opened);
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  bool IsMysql() const { return GetParam() == "mysql"; }

  // A fresh index {title, body} named `name`, with the filler documents in it.
  db::FullTextIndex CreateIndex(const std::string& name, std::vector<double> weights = {}) {
    db::FullTextIndex index{name, {"title", "body"}, std::move(weights)};
    db::MigrationSet set{"fulltext_" + name, {{1, "index", db::FullTextSchema(index, db_->backend())}}};
    absl::Status status = db::ApplyMigrations(*db_, {set});
    EXPECT_TRUE(status.ok()) << status;
    for (size_t i = 0; i < kFillers.size(); ++i) Upsert(index, "filler" + std::to_string(i), kFillers[i]);
    return index;
  }

  void Upsert(const db::FullTextIndex& index, const std::string& doc_id, const std::vector<std::string>& values) {
    absl::Status status =
        db_->Write([&](db::Tx& tx) { return db::UpsertDocument(tx, index, doc_id, values); });
    ASSERT_TRUE(status.ok()) << status;
  }

  absl::StatusOr<std::vector<db::SearchHit>> Search(const db::FullTextIndex& index, const std::string& query,
                                                    int limit = 10, absl::string_view field = "query",
                                                    db::FullTextMatch match = db::FullTextMatch::kAnyWord) {
    absl::StatusOr<std::vector<db::SearchHit>> hits;
    absl::Status status = db_->Read([&](soci::session& sql) {
      hits = db::Search(sql, index, query, limit, field, match);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return hits;
  }

  // The doc ids `query` finds, best first; fails the test on an error.
  std::vector<std::string> Find(const db::FullTextIndex& index, const std::string& query, int limit = 10,
                                db::FullTextMatch match = db::FullTextMatch::kAnyWord) {
    absl::StatusOr<std::vector<db::SearchHit>> hits = Search(index, query, limit, "query", match);
    EXPECT_TRUE(hits.ok()) << "query " << query << ": " << hits.status();
    std::vector<std::string> ids;
    if (hits.ok()) {
      for (const db::SearchHit& hit : *hits) ids.push_back(hit.doc_id);
    }
    return ids;
  }

  // Like Find, for documents with every word of `query`.
  std::vector<std::string> FindAll(const db::FullTextIndex& index, const std::string& query, int limit = 10) {
    return Find(index, query, limit, db::FullTextMatch::kAllWords);
  }

  // All-words hits must be the any-word hits without the documents missing a word, in the same
  // order and with the same scores: the mode filters, it does not rank.
  void ExpectAllWordsRankAsAnyWord(const db::FullTextIndex& index, const std::string& query,
                                   const std::vector<std::string>& missing_a_word) {
    absl::StatusOr<std::vector<db::SearchHit>> any = Search(index, query, 100);
    absl::StatusOr<std::vector<db::SearchHit>> all = Search(index, query, 100, "query", db::FullTextMatch::kAllWords);
    ASSERT_TRUE(any.ok()) << any.status();
    ASSERT_TRUE(all.ok()) << all.status();
    std::vector<db::SearchHit> expected;
    for (const db::SearchHit& hit : *any) {
      if (std::find(missing_a_word.begin(), missing_a_word.end(), hit.doc_id) == missing_a_word.end()) {
        expected.push_back(hit);
      }
    }
    ASSERT_EQ(all->size(), expected.size()) << query;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ((*all)[i].doc_id, expected[i].doc_id) << query << " #" << i;
      EXPECT_DOUBLE_EQ((*all)[i].score, expected[i].score) << query << " #" << i;
    }
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<db::Database> db_;
};

TEST_P(FullTextTest, FindsDocumentsMostRelevantFirst) {
  db::FullTextIndex index = CreateIndex("ranking");
  Upsert(index, "driver", {"printer offline", "the printer went offline after a driver update; reinstall the driver"});
  Upsert(index, "jam", {"printer paper jam", "open the tray and remove the paper"});
  Upsert(index, "vpn", {"vpn disconnects", "the client drops the tunnel every few minutes"});

  // More of the words, and more often: "driver" before "jam"; "vpn" matches none of them.
  EXPECT_THAT(Find(index, "printer driver"), ElementsAre("driver", "jam"));
  EXPECT_THAT(Find(index, "paper"), ElementsAre("jam"));
  EXPECT_THAT(Find(index, "tunnel"), ElementsAre("vpn"));
  EXPECT_THAT(Find(index, "keyboard"), IsEmpty());
  // Case does not matter; scores are positive and fall with relevance.
  absl::StatusOr<std::vector<db::SearchHit>> hits = Search(index, "PRINTER Driver");
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_GT((*hits)[0].score, (*hits)[1].score);
  EXPECT_GT((*hits)[1].score, 0);
}

TEST_P(FullTextTest, AllWordsFindsOnlyDocumentsWithEveryWord) {
  db::FullTextIndex index = CreateIndex("all_words");
  Upsert(index, "driver", {"printer offline", "the printer went offline after a driver update; reinstall the driver"});
  Upsert(index, "jam", {"printer paper jam", "open the tray and remove the paper"});
  Upsert(index, "spread", {"label printer", "its driver needs the vendor utility"});
  Upsert(index, "graphics", {"graphics driver outdated", "update it from the vendor"});

  // The words may sit in different fields; a document lacking one of them is left out.
  EXPECT_THAT(FindAll(index, "printer driver"), UnorderedElementsAre("driver", "spread"));
  EXPECT_THAT(FindAll(index, "printer driver vendor"), ElementsAre("spread"));
  EXPECT_THAT(FindAll(index, "PRINTER, \"Driver\"!"), UnorderedElementsAre("driver", "spread"));
  EXPECT_THAT(FindAll(index, "driver driver printer"), UnorderedElementsAre("driver", "spread"));
  EXPECT_THAT(FindAll(index, "paper"), ElementsAre("jam"));
  // A word in no document: nothing, however well the other words match.
  EXPECT_THAT(FindAll(index, "printer keyboard"), IsEmpty());
  EXPECT_THAT(FindAll(index, "keyboard"), IsEmpty());

  // Same order and scores as matching any word, minus the documents missing a word.
  ExpectAllWordsRankAsAnyWord(index, "printer driver", {"jam", "graphics"});
  ExpectAllWordsRankAsAnyWord(index, "driver vendor", {"driver"});
  ExpectAllWordsRankAsAnyWord(index, "printer", {});

  // Matching any word is unchanged, and the default.
  EXPECT_THAT(Find(index, "printer keyboard"), UnorderedElementsAre("driver", "jam", "spread"));
  EXPECT_THAT(Find(index, "printer driver"), UnorderedElementsAre("driver", "jam", "spread", "graphics"));
  EXPECT_THAT(Find(index, "printer driver", 10, db::FullTextMatch::kAnyWord), Find(index, "printer driver"));
}

TEST_P(FullTextTest, AllWordsKeepsWeightsLimitsTiesAndPlainWords) {
  // Weighted fields take another path on MariaDB (one MATCH per field for the score).
  db::FullTextIndex weighted = CreateIndex("all_weighted", {5, 1});
  Upsert(weighted, "in_title", {"scanner cover", "open it"});
  Upsert(weighted, "in_body", {"stuck", "open the scanner cover"});
  Upsert(weighted, "no_cover", {"scanner slow", "clean the glass"});
  EXPECT_THAT(FindAll(weighted, "scanner cover"), ElementsAre("in_title", "in_body"));
  ExpectAllWordsRankAsAnyWord(weighted, "scanner cover", {"no_cover"});

  db::FullTextIndex index = CreateIndex("all_limit");
  for (const std::string id : {"w5", "w3", "w1", "w4", "w2"}) Upsert(index, id, {"widget", "a broken widget"});
  Upsert(index, "whole", {"widget", "a whole widget"});
  EXPECT_THAT(FindAll(index, "broken widget", 3), ElementsAre("w1", "w2", "w3"));
  EXPECT_EQ(FindAll(index, "broken widget", 100).size(), 5u);

  // Query syntax is still plain words, each of them required.
  Upsert(index, "doc", {"printer driver", "the printer driver needs an update and a reboot"});
  for (const std::string query : {"\"printer driver\"", "printer* driver", "-printer -driver", "+printer driver",
                                  "(printer) (driver)", "printer\"driver\"", "~printer >driver <update",
                                  "printer:driver", "@printer %driver", "«printer» driver"}) {
    EXPECT_THAT(FindAll(index, query), ElementsAre("doc")) << query;
  }
  for (const std::string query : {"printer OR keyboard", "printer NOT driver", "printer -keyboard"}) {
    EXPECT_THAT(FindAll(index, query), IsEmpty()) << query;
  }
  EXPECT_TRUE(testing::HasCodeAndField(Search(index, "-+()", 10, "query", db::FullTextMatch::kAllWords).status(),
                                       absl::StatusCode::kInvalidArgument, "query"));
}

TEST_P(FullTextTest, UpsertReplacesTheTextAndRemoveDropsTheDocument) {
  db::FullTextIndex index = CreateIndex("replace");
  Upsert(index, "doc", {"router firmware", "upgrade the router"});
  EXPECT_THAT(Find(index, "router"), ElementsAre("doc"));

  Upsert(index, "doc", {"scanner settings", "set the scanner resolution"});
  EXPECT_THAT(Find(index, "router"), IsEmpty());
  EXPECT_THAT(Find(index, "scanner"), ElementsAre("doc"));

  ASSERT_TRUE(db_->Write([&](db::Tx& tx) { return db::RemoveDocument(tx, index, "doc"); }).ok());
  EXPECT_THAT(Find(index, "scanner"), IsEmpty());
  // Removing what is not there is fine.
  EXPECT_TRUE(db_->Write([&](db::Tx& tx) { return db::RemoveDocument(tx, index, "doc"); }).ok());
}

TEST_P(FullTextTest, RolledBackWritesLeaveTheIndexUnchanged) {
  db::FullTextIndex index = CreateIndex("rollback");
  Upsert(index, "kept", {"projector bulb", "replace the projector bulb"});
  absl::Status status = db_->Write([&](db::Tx& tx) -> absl::Status {
    if (absl::Status s = db::UpsertDocument(tx, index, "kept", {"toner", "order toner"}); !s.ok()) return s;
    if (absl::Status s = db::UpsertDocument(tx, index, "new", {"toner cartridge", "toner"}); !s.ok()) return s;
    if (absl::Status s = db::RemoveDocument(tx, index, "filler0"); !s.ok()) return s;
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(Find(index, "toner"), IsEmpty());
  EXPECT_THAT(Find(index, "projector"), ElementsAre("kept"));
  EXPECT_THAT(Find(index, "password"), ElementsAre("filler0"));
}

TEST_P(FullTextTest, QuerySyntaxIsSearchedAsPlainWords) {
  db::FullTextIndex index = CreateIndex("syntax");
  Upsert(index, "doc", {"printer driver", "the printer driver needs an update and a reboot"});
  for (const std::string query :
       {"\"printer", "printer\"", "printer*", "-printer", "+printer", "(printer)", "printer NEAR driver",
        "NEAR(printer driver)", "printer AND driver", "printer OR driver", "NOT printer", "printer -driver",
        "title:printer", "^printer", "'printer'", "printer\"driver\"", "~printer >driver <update",
        "printer \\ driver", "@printer", "printer; DROP TABLE fulltext_syntax; --", "«printer»",
        "printer 🖨️", "printer \xff\xfe"}) {
    EXPECT_THAT(Find(index, query), ElementsAre("doc")) << query;
  }
  // Operator words alone are ordinary words, found only where the text has them.
  for (const std::string query : {"AND", "\"\" AND", "and)"}) {
    EXPECT_THAT(Find(index, query), ElementsAre("doc")) << query;
  }
  for (const std::string query : {"OR", "NEAR", "NOT", "«»"}) {
    EXPECT_THAT(Find(index, query), IsEmpty()) << query;
  }
  EXPECT_THAT(Find(index, "needs"), ElementsAre("doc"));
}

TEST_P(FullTextTest, FindsNonAsciiWords) {
  db::FullTextIndex index = CreateIndex("unicode");
  Upsert(index, "de", {"Überweisung fehlgeschlagen", "Die Überweisung wurde abgelehnt"});
  Upsert(index, "fr", {"café fermé", "le café ouvre à midi"});
  Upsert(index, "ru", {"пароль", "сбросить пароль"});
  EXPECT_THAT(Find(index, "Überweisung"), ElementsAre("de"));
  EXPECT_THAT(Find(index, "überweisung"), ElementsAre("de"));
  EXPECT_THAT(Find(index, "café"), ElementsAre("fr"));
  // Accents are folded on both backends.
  EXPECT_THAT(Find(index, "cafe"), ElementsAre("fr"));
  EXPECT_THAT(Find(index, "пароль"), ElementsAre("ru"));
}

TEST_P(FullTextTest, QueryWithoutWordsIsInvalidArgument) {
  db::FullTextIndex index = CreateIndex("empty");
  for (const std::string query : {"", "   ", "\"", "*", "-+()\"*", "?!."}) {
    EXPECT_TRUE(testing::HasCodeAndField(Search(index, query).status(), absl::StatusCode::kInvalidArgument, "query"))
        << "[" << query << "]";
  }
  EXPECT_TRUE(testing::HasCodeAndField(Search(index, "--", 10, "search_text").status(),
                                       absl::StatusCode::kInvalidArgument, "search_text"));
}

TEST_P(FullTextTest, LimitIsRespectedAndTiesGoByDocId) {
  db::FullTextIndex index = CreateIndex("limit");
  for (const std::string id : {"w5", "w3", "w1", "w4", "w2"}) Upsert(index, id, {"widget", "a broken widget"});
  EXPECT_THAT(Find(index, "widget", 3), ElementsAre("w1", "w2", "w3"));
  EXPECT_THAT(Find(index, "widget", 1), ElementsAre("w1"));
  EXPECT_EQ(Find(index, "widget", 100).size(), 5u);
}

TEST_P(FullTextTest, FieldWeightsDecideBetweenTitleAndBodyMatches) {
  // The same word once in one field of each document; the weights decide which ranks first.
  const std::vector<std::string> in_title = {"scanner jam", "open the cover"};
  const std::vector<std::string> in_body = {"cover stuck", "open the scanner"};
  db::FullTextIndex title_first = CreateIndex("title_first", {5, 1});
  Upsert(title_first, "in_title", in_title);
  Upsert(title_first, "in_body", in_body);
  EXPECT_THAT(Find(title_first, "scanner"), ElementsAre("in_title", "in_body"));

  db::FullTextIndex body_first = CreateIndex("body_first", {1, 5});
  Upsert(body_first, "in_title", in_title);
  Upsert(body_first, "in_body", in_body);
  EXPECT_THAT(Find(body_first, "scanner"), ElementsAre("in_body", "in_title"));
}

TEST_P(FullTextTest, StopwordsAreSearchable) {
  db::FullTextIndex index = CreateIndex("stopwords");
  Upsert(index, "howto", {"how to map a drive", "about network drives"});
  EXPECT_THAT(Find(index, "how"), ElementsAre("howto"));
  EXPECT_THAT(Find(index, "about"), ElementsAre("howto"));
}

// Documented differences, pinned so that a change in either engine is noticed.
TEST_P(FullTextTest, BackendDifferences) {
  db::FullTextIndex index = CreateIndex("differences");
  Upsert(index, "short", {"pc boots slowly", "the pc fan is loud"});
  // Words under innodb_ft_min_token_size (3) are not indexed by MariaDB.
  EXPECT_EQ(Find(index, "pc").size(), IsMysql() ? 0u : 1u);
  EXPECT_THAT(Find(index, "boots"), ElementsAre("short"));
  // With all words required, a word the engine does not index finds nothing.
  EXPECT_EQ(FindAll(index, "pc boots").size(), IsMysql() ? 0u : 1u);
  EXPECT_THAT(FindAll(index, "boots 🖨️"), IsEmpty());

  // MariaDB's full-text index sees a write only after commit.
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) -> absl::Status {
                   if (absl::Status s = db::UpsertDocument(tx, index, "fresh", {"lantern", "lantern"}); !s.ok()) {
                     return s;
                   }
                   absl::StatusOr<std::vector<db::SearchHit>> hits = db::Search(tx.session(), index, "lantern", 10);
                   EXPECT_TRUE(hits.ok()) << hits.status();
                   if (hits.ok()) {
                     EXPECT_EQ(hits->size(), IsMysql() ? 0u : 1u);
                   }
                   return absl::OkStatus();
                 }).ok());
  EXPECT_THAT(Find(index, "lantern"), ElementsAre("fresh"));
}

TEST_P(FullTextTest, RejectsBadDocIds) {
  db::FullTextIndex index = CreateIndex("ids");
  for (const std::string& id : {std::string(), std::string(65, 'x')}) {
    absl::Status status = db_->Write([&](db::Tx& tx) { return db::UpsertDocument(tx, index, id, {"a", "b"}); });
    EXPECT_TRUE(testing::HasCodeAndField(status, absl::StatusCode::kInvalidArgument, "doc_id"));
  }
  Upsert(index, std::string(64, 'x'), {"longest id", "sixty four bytes"});
  EXPECT_THAT(Find(index, "longest"), ElementsAre(std::string(64, 'x')));
}

TEST_P(FullTextTest, RejectsBadDefinitionsAndLimits) {
  db::FullTextIndex bad{"Bad-Name", {"title"}};
  db::MigrationSet set{"fulltext_bad", {{1, "index", db::FullTextSchema(bad, db_->backend())}}};
  EXPECT_FALSE(db::ApplyMigrations(*db_, {set}).ok());
  EXPECT_EQ(Search(bad, "word").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Search({"reserved", {"title", "rank"}}, "word").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Search({"weights", {"title", "body"}, {1}}, "word").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Search({"weights", {"title"}, {0}}, "word").status().code(), absl::StatusCode::kInternal);
  db::FullTextIndex index = CreateIndex("limits");
  EXPECT_EQ(Search(index, "word", 0).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status status = db_->Write([&](db::Tx& tx) { return db::UpsertDocument(tx, index, "doc", {"one value"}); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
}

TEST(SearchWordsTest, SplitsOnAsciiPunctuationAndKeepsUtf8Whole) {
  EXPECT_THAT(db::SearchWords("  \"Wi-Fi\" (drops) *after* 2 mins; Überweisung, café!"),
              ElementsAre("Wi", "Fi", "drops", "after", "2", "mins", "Überweisung", "café"));
  EXPECT_THAT(db::SearchWords("-+*()\"'"), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Backends, FullTextTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
