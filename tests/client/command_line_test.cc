// Splitting crmctl's command line into global flags, words and command arguments.
#include "clients/crmctl/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "clients/crmctl/global_flags.h"

namespace crm::crmctl {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

class CommandLineTest : public ::testing::Test {
 protected:
  absl::StatusOr<CommandLine> Parse(std::vector<const char*> args) {
    args.insert(args.begin(), "crmctl");
    return ParseCommandLine(static_cast<int>(args.size()), args.data());
  }

  // Global flags are process state: every test starts from the defaults.
  absl::FlagSaver saver_;
};

TEST_F(CommandLineTest, GlobalFlagsAnywhereCommandArgumentsKeptInOrder) {
  absl::StatusOr<CommandLine> line =
      Parse({"--address=h:1", "accounts", "list", "owner=alice", "--output", "json",
             "--page-size=5", "--all", "--tls", "tag=a", "tag=b"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(line->words, ElementsAre("accounts", "list"));
  EXPECT_THAT(line->arguments,
              ElementsAre(Pair("owner", "alice"), Pair("page_size", "5"), Pair("all", "true"),
                          Pair("tag", "a"), Pair("tag", "b")));
  EXPECT_EQ(absl::GetFlag(FLAGS_address), "h:1");
  EXPECT_EQ(absl::GetFlag(FLAGS_output), "json");
  EXPECT_TRUE(absl::GetFlag(FLAGS_tls));
}

TEST_F(CommandLineTest, UndashedKeyValueIsAlwaysACommandArgument) {
  absl::StatusOr<CommandLine> line = Parse({"events", "follow", "user=bob", "--user=alice"});
  ASSERT_TRUE(line.ok());
  EXPECT_THAT(line->arguments, ElementsAre(Pair("user", "bob")));
  EXPECT_EQ(absl::GetFlag(FLAGS_user), "alice");
}

TEST_F(CommandLineTest, PositionalsNegatedBoolsAndDoubleDash) {
  absl::StatusOr<CommandLine> line =
      Parse({"--tls", "--notls", "accounts", "import", "--", "odd=name.csv", "--x"});
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_tls));
  EXPECT_THAT(line->words, ElementsAre("accounts", "import", "odd=name.csv", "--x"));
  EXPECT_TRUE(line->arguments.empty());
}

TEST_F(CommandLineTest, Help) {
  EXPECT_TRUE(Parse({"-h"})->help);
  EXPECT_TRUE(Parse({"accounts", "--help"})->help);
}

TEST_F(CommandLineTest, BadFlagsAreErrors) {
  EXPECT_FALSE(Parse({"--timeout=soon", "accounts", "list"}).ok());
  EXPECT_FALSE(Parse({"accounts", "list", "--address"}).ok());
  EXPECT_FALSE(Parse({"--=x"}).ok());
}

}  // namespace
}  // namespace crm::crmctl
