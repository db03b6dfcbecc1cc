// crmctl's custom-field arguments on contacts, leads, opportunities and tickets against a real
// in-process server, on every backend: `create --custom` stores a value of the field's type, `update
// --custom=<key>=<value>` changes only that value (and `--custom=<key>=` clears it), and `list
// --custom-filter` / `--custom-min` / `--custom-max` find the records by value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"

namespace crm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CustomFieldCommandsTest : public ClientEndToEndTest {
 protected:
  // A filterable text field and a filterable number field of `entity`.
  void DefineFields(const std::string& entity) {
    CrmctlJson({"fields", "create", entity, "code", "label=Code", "type=text", "--filterable"});
    CrmctlJson({"fields", "create", entity, "seats", "label=Seats", "type=number", "--filterable"});
  }

  // `noun list` with `args` succeeds and shows the record `listed` and not the record `unlisted`
  // (ids).
  void ExpectListed(const std::string& noun, std::vector<std::string> args, const std::string& listed,
                    const std::string& unlisted) {
    args.insert(args.begin(), {noun, "list"});
    std::string table, err;
    EXPECT_EQ(Crmctl(args, &table, &err), 0) << err;
    EXPECT_THAT(table, HasSubstr(listed));
    EXPECT_THAT(table, Not(HasSubstr(unlisted)));
  }
};

TEST_P(CustomFieldCommandsTest, LeadsTakeCustomValuesOnCreateUpdateAndList) {
  DefineFields("lead");
  nlohmann::json small =
      CrmctlJson({"leads", "create", "full_name=Sam Small", "--custom=code=S-1", "--custom=seats=5"});
  EXPECT_EQ(small["custom_fields"]["code"].value("text_value", ""), "S-1");
  EXPECT_EQ(small["custom_fields"]["seats"].value("number_value", 0.0), 5);
  const std::string big =
      CrmctlJson({"leads", "create", "full_name=Bea Big", "--custom=seats=500"}).value("id", "");

  nlohmann::json updated =
      CrmctlJson({"leads", "update", small.value("id", ""), "--custom=code=", "title=CTO"});
  EXPECT_FALSE(updated["custom_fields"].contains("code")) << updated.dump();
  EXPECT_EQ(updated["custom_fields"]["seats"].value("number_value", 0.0), 5);
  EXPECT_EQ(updated.value("title", ""), "CTO");

  ExpectListed("leads", {"--custom-min=seats=100"}, big, small.value("id", ""));

  std::string out, err;
  EXPECT_EQ(Crmctl({"leads", "create", "full_name=Typo", "--custom=seets=1"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--custom: no lead field 'seets'"));
}

TEST_P(CustomFieldCommandsTest, OpportunitiesTakeCustomValuesOnCreateUpdateAndList) {
  DefineFields("opportunity");
  const std::string account = MustCreate("Acme GmbH").id();
  nlohmann::json small = CrmctlJson({"opportunities", "create", "account=" + account, "name=Small deal",
                                     "--custom=seats=5", "--custom=code=O-1"});
  EXPECT_EQ(small["custom_fields"]["seats"].value("number_value", 0.0), 5);
  const std::string big = CrmctlJson({"opportunities", "create", "account=" + account, "name=Big deal",
                                      "--custom=seats=500"})
                              .value("id", "");

  nlohmann::json updated =
      CrmctlJson({"opportunities", "update", small.value("id", ""), "--custom=seats=50"});
  EXPECT_EQ(updated["custom_fields"]["seats"].value("number_value", 0.0), 50);
  EXPECT_EQ(updated["custom_fields"]["code"].value("text_value", ""), "O-1");

  ExpectListed("opportunities", {"--custom-filter=seats=50"}, small.value("id", ""), big);
}

TEST_P(CustomFieldCommandsTest, TicketsTakeCustomValuesOnCreateUpdateAndList) {
  DefineFields("ticket");
  const std::string account = MustCreate("Acme GmbH").id();
  nlohmann::json first = CrmctlJson({"tickets", "create", "account=" + account, "subject=Login fails",
                                     "priority=p2", "--custom=code=T-1", "--custom=seats=3"});
  EXPECT_EQ(first["custom_fields"]["code"].value("text_value", ""), "T-1");
  const std::string second = CrmctlJson({"tickets", "create", "account=" + account, "subject=Slow page",
                                         "priority=p3", "--custom=code=T-2"})
                                 .value("id", "");

  nlohmann::json updated =
      CrmctlJson({"tickets", "update", first.value("id", ""), "--custom=seats=", "category=auth"});
  EXPECT_FALSE(updated["custom_fields"].contains("seats")) << updated.dump();
  EXPECT_EQ(updated["custom_fields"]["code"].value("text_value", ""), "T-1");
  EXPECT_EQ(updated.value("category", ""), "auth");

  ExpectListed("tickets", {"--custom-filter=code=T-2"}, second, first.value("id", ""));
}

TEST_P(CustomFieldCommandsTest, ContactsTakeCustomValuesOnCreateUpdateAndList) {
  DefineFields("contact");
  const std::string account = MustCreate("Acme GmbH").id();
  nlohmann::json small = CrmctlJson({"contacts", "create", "account=" + account, "full_name=Sam Small",
                                     "--custom=code=C-1", "--custom=seats=5"});
  EXPECT_EQ(small["custom_fields"]["code"].value("text_value", ""), "C-1");
  EXPECT_EQ(small["custom_fields"]["seats"].value("number_value", 0.0), 5);
  const std::string small_id = small.value("id", "");
  const std::string big = CrmctlJson({"contacts", "create", "account=" + account, "full_name=Bea Big",
                                      "--custom=seats=500", "--custom=code=C-2"})
                              .value("id", "");

  nlohmann::json updated = CrmctlJson({"contacts", "update", small_id, "--custom=code=", "title=CTO"});
  EXPECT_FALSE(updated["custom_fields"].contains("code")) << updated.dump();
  EXPECT_EQ(updated["custom_fields"]["seats"].value("number_value", 0.0), 5);
  EXPECT_EQ(updated.value("title", ""), "CTO");
  updated = CrmctlJson({"contacts", "update", small_id, "--custom=seats=7"});
  EXPECT_EQ(updated["custom_fields"]["seats"].value("number_value", 0.0), 7);
  EXPECT_EQ(updated.value("title", ""), "CTO");

  ExpectListed("contacts", {"account=" + account, "--custom-min=seats=100"}, big, small_id);
  ExpectListed("contacts", {"account=" + account, "--custom-max=seats=10"}, small_id, big);
  ExpectListed("contacts", {"account=" + account, "--custom-filter=code=C-2"}, big, small_id);

  std::string out, err;
  EXPECT_EQ(Crmctl({"contacts", "create", "account=" + account, "full_name=Typo", "--custom=seets=1"},
                   &out, &err),
            2);
  EXPECT_THAT(err, HasSubstr("--custom: no contact field 'seets'"));
  EXPECT_EQ(Crmctl({"contacts", "update", big, "--custom=seats=many"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--custom: seats:"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomFieldCommandsTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
