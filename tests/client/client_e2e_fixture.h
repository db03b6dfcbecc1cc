// The fixture of the client end-to-end tests: a real in-process server on one backend (the test
// parameter), a GatewayClient to it acting as carol, and crmctl run against it acting as dave
// (both admins, through access tokens the test server issues).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/gateway/gateway_client.h"
#include "nlohmann/json.hpp"
#include "tests/support/test_server.h"

namespace crm {

class ClientEndToEndTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    client::ClientOptions options;
    options.address = server_->address();
    options.bearer_token = server_->TokenFor("carol");
    auto gateway = client::GatewayClient::Create(options);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::make_unique<client::GatewayClient>(*std::move(gateway));
    crmctl_token_ = server_->TokenFor("dave");
  }

  v1::Account MustCreate(const std::string& name) {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    absl::StatusOr<v1::Account> created = gateway_->accounts().CreateAccount(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Account());
  }

  // Runs crmctl against the test server acting as dave; returns the exit code, stdout and stderr.
  int Crmctl(const std::vector<std::string>& args, std::string* out, std::string* err) {
    return CrmctlWithCredentials({"--token=" + crmctl_token_}, args, out, err);
  }

  // Runs crmctl with --output=json expecting exit code 0, and parses its one line of output.
  nlohmann::json CrmctlJson(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--output=json"};
    all.insert(all.end(), args.begin(), args.end());
    std::string out, err;
    EXPECT_EQ(Crmctl(all, &out, &err), 0) << err;
    nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
    EXPECT_TRUE(json.is_object()) << out;
    return json.is_object() ? json : nlohmann::json::object();
  }

  // Runs crmctl expecting exit code 0 and returns its stdout.
  std::string CrmctlTable(const std::vector<std::string>& args) {
    std::string out, err;
    EXPECT_EQ(Crmctl(args, &out, &err), 0) << err;
    return out;
  }

  // As Crmctl, but the caller is whoever `credentials` (--token=, --token_file=) name, if anyone.
  int CrmctlWithCredentials(const std::vector<std::string>& credentials,
                            const std::vector<std::string>& args, std::string* out,
                            std::string* err) {
    std::string out_file = absl::StrCat(::testing::TempDir(), "/crmctl-out-", getpid());
    std::string err_file = out_file + ".err";
    const pid_t pid = fork();
    if (pid == 0) {
      freopen(out_file.c_str(), "w", stdout);
      freopen(err_file.c_str(), "w", stderr);
      // A developer's own credentials must not stand in for the ones the test gives.
      unsetenv("CRM_TOKEN");
      unsetenv("CRM_TOKEN_FILE");
      std::vector<std::string> all = {CRMCTL_BINARY, "--address=" + server_->address()};
      all.insert(all.end(), credentials.begin(), credentials.end());
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(CRMCTL_BINARY, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    auto slurp = [](const std::string& path) {
      std::string text;
      if (FILE* f = fopen(path.c_str(), "r")) {
        std::array<char, 4096> buffer;
        size_t n;
        while ((n = fread(buffer.data(), 1, buffer.size(), f)) > 0) text.append(buffer.data(), n);
        fclose(f);
      }
      return text;
    };
    *out = slurp(out_file);
    *err = slurp(err_file);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<client::GatewayClient> gateway_;
  // dave's access token, which Crmctl passes.
  std::string crmctl_token_;
};

}  // namespace crm
