// Request ids: random version-4 UUIDs.
#include "clients/gateway/request_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace crm::client {
namespace {

TEST(RequestIdTest, IsAVersion4Uuid) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRequestId();
    EXPECT_THAT(id, ::testing::MatchesRegex(
                        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  }
}

TEST(RequestIdTest, DoesNotRepeat) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewRequestId());
  EXPECT_EQ(ids.size(), 10000u);
}

}  // namespace
}  // namespace crm::client
