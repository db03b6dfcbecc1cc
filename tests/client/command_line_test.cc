// Splitting crmctl's command line into global flags, words and command arguments; the token
// file a global flag names.
#include "clients/crmctl/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "clients/crmctl/global_flags.h"

namespace crm::crmctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
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
  absl::StatusOr<CommandLine> line = Parse({"events", "follow", "output=x", "--output=json"});
  ASSERT_TRUE(line.ok());
  EXPECT_THAT(line->arguments, ElementsAre(Pair("output", "x")));
  EXPECT_EQ(absl::GetFlag(FLAGS_output), "json");
}

// The actor is the token's user now; --user is no longer a flag, so it filters like user=.
TEST_F(CommandLineTest, DashedUserIsACommandArgument) {
  absl::StatusOr<CommandLine> line = Parse({"events", "follow", "--user=bob", "--token=s3cret"});
  ASSERT_TRUE(line.ok());
  EXPECT_THAT(line->arguments, ElementsAre(Pair("user", "bob")));
  EXPECT_EQ(absl::GetFlag(FLAGS_token), "s3cret");
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

// Global flags and the files they name: the token file.
class TokenFileTest : public ::testing::Test {
 protected:
  // A file in the test's temporary directory holding `contents`; returns its path.
  std::string WriteFile(const std::string& name, const std::string& contents) {
    // The pid keeps apart two runs of this test (in two build trees) sharing /tmp.
    const std::string path = ::testing::TempDir() + "/" + name + "-" + std::to_string(getpid());
    std::ofstream(path) << contents;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const std::string& path : paths_) std::remove(path.c_str());
  }

  absl::FlagSaver saver_;
  std::vector<std::string> paths_;
};

TEST_F(TokenFileTest, TheFirstLineTrimmedIsTheToken) {
  absl::StatusOr<std::string> token = ReadTokenFile(WriteFile("t1", "  s3cret \r\nignored\n"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret");
  token = ReadTokenFile(WriteFile("t2", "no-newline"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "no-newline");
}

TEST_F(TokenFileTest, MissingAndEmptyFilesAreErrorsNamingTheFile) {
  const std::string missing = ::testing::TempDir() + "/no-such-token-file";
  absl::StatusOr<std::string> token = ReadTokenFile(missing);
  EXPECT_EQ(token.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(token.status().message()), HasSubstr(missing));
  EXPECT_THAT(std::string(token.status().message()), HasSubstr("No such file"));

  const std::string empty = WriteFile("t3", "\n\nsecret-on-line-3\n");
  token = ReadTokenFile(empty);
  EXPECT_EQ(token.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(token.status().message()), HasSubstr(empty));
}

TEST_F(TokenFileTest, ClientOptionsReadTheFileOnlyWhenNoTokenIsGiven) {
  absl::SetFlag(&FLAGS_token_file, WriteFile("t4", "from-file\n"));
  absl::StatusOr<client::ClientOptions> options = ClientOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bearer_token, "from-file");

  absl::SetFlag(&FLAGS_token, "from-flag");
  options = ClientOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bearer_token, "from-flag");

  absl::SetFlag(&FLAGS_token, "");
  absl::SetFlag(&FLAGS_token_file, ::testing::TempDir() + "/no-such-token-file");
  options = ClientOptionsFromFlags();
  EXPECT_EQ(options.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(options.status().message()), HasSubstr("--token_file"));
}

TEST_F(TokenFileTest, TheCommandLineBeatsTheEnvironment) {
  // Restores the variables whatever the outcome, so that other tests see none.
  struct ScopedEnv {
    ScopedEnv(const char* token, const std::string& file) {
      setenv("CRM_TOKEN", token, 1);
      setenv("CRM_TOKEN_FILE", file.c_str(), 1);
    }
    ~ScopedEnv() {
      unsetenv("CRM_TOKEN");
      unsetenv("CRM_TOKEN_FILE");
    }
  };
  const std::string env_file = WriteFile("t5", "from-env-file\n");
  ScopedEnv env("from-env", env_file);
  ApplyEnvironmentDefaults();  // as crmctl's main does before parsing the command line

  absl::SetFlag(&FLAGS_token_file, WriteFile("t6", "from-flag-file\n"));
  absl::StatusOr<client::ClientOptions> options = ClientOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bearer_token, "from-flag-file") << "CRM_TOKEN beat --token_file";

  absl::SetFlag(&FLAGS_token_file, "");
  options = ClientOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bearer_token, "from-env");

  unsetenv("CRM_TOKEN");
  options = ClientOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->bearer_token, "from-env-file");

  setenv("CRM_TOKEN_FILE", (::testing::TempDir() + "/no-such-token-file").c_str(), 1);
  options = ClientOptionsFromFlags();
  EXPECT_EQ(options.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(options.status().message()), HasSubstr("CRM_TOKEN_FILE"));
}

}  // namespace
}  // namespace crm::crmctl
