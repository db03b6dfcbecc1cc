// Match keys for duplicate detection: what counts and what does not.
#include "common/duplicates/match_keys.h"

#include <gtest/gtest.h>

#include "common/duplicates/duplicate_store.h"

namespace crm::duplicates {
namespace {

TEST(MatchKeysTest, OrganisationNamesIgnoreCasePunctuationAndLegalForms) {
  EXPECT_EQ(OrganisationNameKey("Acme GmbH"), "acme");
  EXPECT_EQ(OrganisationNameKey("ACME, Inc."), "acme");
  EXPECT_EQ(OrganisationNameKey("  The Acme Company Ltd  "), "acme");
  EXPECT_EQ(OrganisationNameKey("Müller & Söhne KG"), "müller söhne");
  EXPECT_NE(OrganisationNameKey("Acme Tools"), OrganisationNameKey("Acme"));
  // Dotted legal forms are their plain spelling.
  EXPECT_EQ(OrganisationNameKey("Koch Capital B.V."), "koch capital");
  EXPECT_EQ(OrganisationNameKey("Rossi S.r.l."), OrganisationNameKey("Rossi SRL"));
  EXPECT_EQ(OrganisationNameKey("Meyer e.K."), "meyer");
  EXPECT_EQ(OrganisationNameKey("J. P. Morgan"), OrganisationNameKey("JP Morgan"));
  // Upper-case Latin-1 letters are lowered like ASCII ones.
  EXPECT_EQ(OrganisationNameKey("KÖHLER GMBH"), OrganisationNameKey("Köhler GmbH"));
  EXPECT_EQ(OrganisationNameKey("ÉCOLE ÀÞ × Ü"), "école àþ × ü");
  // A name of legal forms only keeps them, rather than matching every other such name.
  EXPECT_EQ(OrganisationNameKey("The Company"), "the company");
  EXPECT_EQ(OrganisationNameKey("  ,. "), "");
}

TEST(MatchKeysTest, PersonNamesIgnoreWordOrder) {
  EXPECT_EQ(PersonNameKey("Jane Roe"), "jane roe");
  EXPECT_EQ(PersonNameKey("Roe, Jane"), "jane roe");
  EXPECT_EQ(PersonNameKey("JANE  ROE"), "jane roe");
  EXPECT_NE(PersonNameKey("Jane Roe"), PersonNameKey("Jane Rowe"));
}

TEST(MatchKeysTest, EmailsIgnoreCaseAndPlusTags) {
  EXPECT_EQ(EmailKey(" Jane.Roe+crm@Example.COM "), "jane.roe@example.com");
  EXPECT_EQ(EmailKey("jane.roe@example.com"), "jane.roe@example.com");
  EXPECT_NE(EmailKey("janeroe@example.com"), EmailKey("jane.roe@example.com"));
  EXPECT_EQ(EmailKey("not an address"), "");
  EXPECT_EQ(EmailKey("@example.com"), "");
}

TEST(MatchKeysTest, PhonesCompareTheirLastNineDigits) {
  EXPECT_EQ(PhoneKey("+49 30 1234567"), PhoneKey("030 123-4567"));
  EXPECT_EQ(PhoneKey("+49 (30) 123 45 67"), "301234567");
  EXPECT_NE(PhoneKey("+49 30 1234567"), PhoneKey("+49 30 1234568"));
  EXPECT_EQ(PhoneKey("12-34"), "");  // too short to mean anything
}

TEST(MatchKeysTest, DomainsComeFromAddressesAndSkipFreeMail) {
  EXPECT_EQ(DomainKey("https://www.Acme.de/contact?x=1"), "acme.de");
  EXPECT_EQ(DomainKey("acme.de"), "acme.de");
  EXPECT_EQ(DomainKey("http://shop.acme.de:8080"), "shop.acme.de");
  EXPECT_EQ(DomainKey("localhost"), "");
  EXPECT_EQ(EmailDomainKey("jane@Acme.de"), "acme.de");
  EXPECT_EQ(EmailDomainKey("jane@gmail.com"), "");
  EXPECT_EQ(EmailDomainKey("nonsense"), "");
}

TEST(MatchKeysTest, AddKeySkipsEmptyAndRepeatedKeys) {
  std::vector<MatchKey> keys;
  AddKey(KeyKind::kOrganisationName, "acme", keys);
  AddKey(KeyKind::kOrganisationName, "acme", keys);
  AddKey(KeyKind::kDomain, "acme", keys);
  AddKey(KeyKind::kPhone, "", keys);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1].kind, KeyKind::kDomain);
  EXPECT_EQ(KeyKindName(keys[1].kind), "domain");
}

// Creates in different processes lock the same bucket for the same key only if every process
// computes it alike: FNV-1a over entity, kind and key (values worked out outside this code).
TEST(MatchKeysTest, KeyLockBucketsAreTheSameInEveryProcess) {
  EXPECT_EQ(KeyLockBucket(crm::v1::DUPLICATE_ENTITY_ACCOUNT, {KeyKind::kOrganisationName, "acme"}), 2631);
  EXPECT_EQ(KeyLockBucket(crm::v1::DUPLICATE_ENTITY_CONTACT, {KeyKind::kOrganisationName, "acme"}), 2106);
  EXPECT_EQ(KeyLockBucket(crm::v1::DUPLICATE_ENTITY_ACCOUNT, {KeyKind::kDomain, "acme"}), 77);
  for (const char* key : {"", "a", "jane.roe@acme.com", "+49301234567"}) {
    const int64_t bucket = KeyLockBucket(crm::v1::DUPLICATE_ENTITY_LEAD, {KeyKind::kEmail, key});
    EXPECT_GE(bucket, 0);
    EXPECT_LT(bucket, kKeyLockBuckets);
  }
}

}  // namespace
}  // namespace crm::duplicates
