// Unit tests of common/core: ids, page tokens, etags, field masks, validation.
#include <gtest/gtest.h>

#include <set>

#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "crm/v1/account.pb.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using testing::HasCodeAndField;

TEST(IdsTest, IdsAreUniqueWellFormedAndSortInCreationOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(NewId("acc"));
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_TRUE(HasIdShape(ids[0], "acc"));
  EXPECT_FALSE(HasIdShape(ids[0], "con"));
  EXPECT_FALSE(HasIdShape("acc_short", "acc"));
  // Later times sort later even across processes (time is the prefix).
  EXPECT_LT(NewIdAt("x", absl::FromUnixSeconds(1000)), NewIdAt("x", absl::FromUnixSeconds(2000)));
}

TEST(PageTokenTest, RoundTripsAndRefusesTamperingOrOtherQueries) {
  PageTokenCodec codec("secret-1");
  const std::string token = codec.Encode("accounts.list", "q1", {"name|with|bars", "acc_1"});
  absl::StatusOr<std::vector<std::string>> cursor = codec.Decode(token, "accounts.list", "q1");
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(*cursor, (std::vector<std::string>{"name|with|bars", "acc_1"}));

  EXPECT_TRUE(HasCodeAndField(codec.Decode(token, "accounts.list", "q2").status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(HasCodeAndField(codec.Decode(token, "contacts.list", "q1").status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(HasCodeAndField(PageTokenCodec("other-secret").Decode(token, "accounts.list", "q1").status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Decode(tampered, "accounts.list", "q1").ok()) << "position " << i;
  }
  EXPECT_FALSE(codec.Decode("", "accounts.list", "q1").ok());
  EXPECT_FALSE(codec.Decode(std::string(10000, 'A'), "accounts.list", "q1").ok());
}

TEST(PageTokenTest, PageSizeRules) {
  EXPECT_EQ(*ResolvePageSize(0), kDefaultPageSize);
  EXPECT_EQ(*ResolvePageSize(7), 7);
  EXPECT_EQ(*ResolvePageSize(5000), kMaxPageSize);
  EXPECT_TRUE(HasCodeAndField(ResolvePageSize(-1).status(), absl::StatusCode::kInvalidArgument, "page_size"));
}

TEST(PageTokenTest, FingerprintIgnoresPagingFieldsOnly) {
  crm::v1::ListAccountsRequest a, b;
  a.set_page_size(5);
  a.set_page_token("x");
  b.set_page_size(50);
  EXPECT_EQ(ListQueryFingerprint(a), ListQueryFingerprint(b));
  b.mutable_filter()->set_owner("bob");
  EXPECT_NE(ListQueryFingerprint(a), ListQueryFingerprint(b));
}

TEST(KeysetPageTest, WalksEveryRowOnceAndRefusesTokensOfOtherQueries) {
  PageTokenCodec codec("s");
  std::vector<int> all(23);
  for (int i = 0; i < 23; ++i) all[i] = i * 10;
  crm::v1::ListAccountsRequest request;
  std::vector<int> seen;
  for (int round = 0; round < 10; ++round) {
    absl::StatusOr<KeysetPage> page = KeysetPage::Open(codec, "test.list", request, 5, 1);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->fetch_limit(), 6);
    int64_t after = -1;
    if (!page->first()) after = *page->IntAt(0);
    std::vector<int> rows;
    for (int v : all) {
      if (v > after && static_cast<int>(rows.size()) < page->fetch_limit()) rows.push_back(v);
    }
    const std::string next = page->Finish(&rows, [](int v) { return KeysetPage::Cursor{std::to_string(v)}; });
    EXPECT_LE(rows.size(), 5u);
    seen.insert(seen.end(), rows.begin(), rows.end());
    if (next.empty()) break;
    request.set_page_token(next);
  }
  EXPECT_EQ(seen, all);

  // A token must be for this scope, this query and this cursor shape.
  crm::v1::ListAccountsRequest other = request;
  other.mutable_filter()->set_owner("x");
  EXPECT_TRUE(HasCodeAndField(KeysetPage::Open(codec, "test.list", other, 5, 1).status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(HasCodeAndField(KeysetPage::Open(codec, "other.list", request, 5, 1).status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_TRUE(HasCodeAndField(KeysetPage::Open(codec, "test.list", request, 5, 2).status(),
                              absl::StatusCode::kInvalidArgument, "page_token"));
  crm::v1::ListAccountsRequest text_key;
  text_key.set_page_token(codec.Encode("test.list", ListQueryFingerprint(text_key), {"not-a-number"}));
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(codec, "test.list", text_key, 5, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(HasCodeAndField(page->IntAt(0).status(), absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST(EtagTest, FormatsAndParses) {
  EXPECT_EQ(**ParseEtag(FormatEtag(42)), 42);
  EXPECT_FALSE(ParseEtag("").value().has_value());
  EXPECT_TRUE(HasCodeAndField(ParseEtag("42").status(), absl::StatusCode::kInvalidArgument, "etag"));
  EXPECT_TRUE(HasCodeAndField(ParseEtag("\"r-1\"").status(), absl::StatusCode::kInvalidArgument, "etag"));
  EXPECT_EQ(StaleEtag("account").code(), absl::StatusCode::kAborted);
}

TEST(FieldMaskTest, ResolvesAppliesAndDiffs) {
  crm::v1::Account patch;
  patch.set_name("New");
  patch.set_region("APAC");
  const absl::flat_hash_set<std::string> updatable = {"name", "region", "industry", "tags"};

  google::protobuf::FieldMask mask;
  mask.add_paths("name");
  mask.add_paths("industry");  // set to empty in the patch: clears it
  auto paths = ResolveUpdatePaths(patch, mask, updatable);
  ASSERT_TRUE(paths.ok());
  crm::v1::Account target;
  target.set_name("Old");
  target.set_industry("retail");
  target.set_region("EMEA");
  const crm::v1::Account before = target;
  ApplyPaths(patch, *paths, &target);
  EXPECT_EQ(target.name(), "New");
  EXPECT_EQ(target.industry(), "");
  EXPECT_EQ(target.region(), "EMEA");
  std::vector<FieldDelta> deltas = DiffMessages(&before, target);
  ASSERT_EQ(deltas.size(), 2u);
  EXPECT_EQ(deltas[0].field, "name");
  EXPECT_EQ(deltas[1].field, "industry");
  EXPECT_EQ(deltas[1].before, "\"retail\"");
  EXPECT_EQ(deltas[1].after, "");

  // Empty mask: the fields the patch sets.
  auto implied = ResolveUpdatePaths(patch, google::protobuf::FieldMask(), updatable);
  ASSERT_TRUE(implied.ok());
  EXPECT_EQ(*implied, (std::vector<std::string>{"name", "region"}));

  mask.add_paths("bogus");
  EXPECT_TRUE(HasCodeAndField(ResolveUpdatePaths(patch, mask, updatable).status(),
                              absl::StatusCode::kInvalidArgument, "update_mask.paths[2]"));
  google::protobuf::FieldMask read_only;
  read_only.add_paths("tier");
  EXPECT_TRUE(HasCodeAndField(ResolveUpdatePaths(patch, read_only, updatable).status(),
                              absl::StatusCode::kInvalidArgument, "update_mask.paths[0]"));
}

TEST(TimeUtilTest, TimestampsBeyondTheMicrosecondRangeSaturate) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1767225600);
  ts.set_nanos(999999999);
  EXPECT_EQ(TimestampToMicros(ts), 1767225600999999);
  // Found by fuzzing SetTierOverride: a far-future expire_time overflowed before it was refused.
  ts.set_seconds(4253309735859724408);
  EXPECT_EQ(TimestampToMicros(ts), INT64_MAX);
  ts.set_seconds(INT64_MIN);
  ts.set_nanos(-999999999);
  EXPECT_EQ(TimestampToMicros(ts), INT64_MIN);
  ts.set_seconds(INT64_MAX / 1000000 - 3);
  ts.set_nanos(INT32_MAX);
  EXPECT_EQ(TimestampToMicros(ts), (INT64_MAX / 1000000 - 3) * 1000000 + INT32_MAX / 1000);
}

TEST(ValidationTest, TextEmailPhoneEnumMoney) {
  EXPECT_TRUE(Validator().OptionalEmail("a.b+c@example.co.uk", "email").ok());
  for (const char* bad : {"plain", "@x.com", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@b..com"}) {
    EXPECT_TRUE(HasCodeAndField(Validator().OptionalEmail(bad, "email").status(), absl::StatusCode::kInvalidArgument,
                                "email"))
        << bad;
  }
  EXPECT_TRUE(Validator().OptionalPhone("+49 (30) 123-4567", "phone").ok());
  EXPECT_TRUE(Validator().OptionalPhone("030/1234567", "phone").ok());
  for (const char* bad : {"12", "phone", "+1+2345678", "1234567890123456789"}) {
    EXPECT_FALSE(Validator().OptionalPhone(bad, "phone").ok()) << bad;
  }
  EXPECT_FALSE(Validator().RequiredText("a\x01" "b", "t", 10).ok());
  EXPECT_FALSE(Validator().RequiredText("\xC0\xAF", "t", 10).ok());   // overlong
  EXPECT_FALSE(Validator().RequiredText("\xED\xA0\x80", "t", 10).ok());  // surrogate
  EXPECT_TRUE(Validator().RequiredText("Zürich 東京", "t", 10).ok());
  EXPECT_FALSE(Validator().RequiredText("Zürich 東京!!", "t", 10).ok());
  EXPECT_FALSE(Validator().Enum(99, crm::v1::AccountKind_IsValid, "kind", false).ok());
  EXPECT_FALSE(Validator().Enum(0, crm::v1::AccountKind_IsValid, "kind", true).ok());
  crm::v1::Money money;
  money.set_currency_code("USD");
  money.set_units(1);
  money.set_nanos(-5);
  EXPECT_TRUE(HasCodeAndField(Validator().OptionalMoney(money, true, "m", true).status(),
                              absl::StatusCode::kInvalidArgument, "m.nanos"));
  // Several problems are reported together.
  Validator v;
  v.RequiredText("", "a", 10).RequiredText("", "b", 10);
  EXPECT_EQ(testing::ViolatedFields(v.status()), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace crm
