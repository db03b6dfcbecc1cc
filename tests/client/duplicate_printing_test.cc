// How crmctl shows duplicates without a server: a create's answer with possible_duplicates
// prints the record on stdout and the candidates on stderr (JSON keeps them in the answer), and
// a create refused as a duplicate prints its candidates with the hint to confirm.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "absl/strings/cord.h"
#include "clients/crmctl/command.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::crmctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::DuplicateCandidate Acme() {
  v1::DuplicateCandidate candidate;
  candidate.set_entity(v1::DUPLICATE_ENTITY_ACCOUNT);
  candidate.set_id("acc_1");
  candidate.set_display_name("Acme GmbH");
  v1::DuplicateMatch& name = *candidate.add_matches();
  name.set_reason(v1::MATCH_REASON_ORGANISATION_NAME);
  name.set_key("acme");
  v1::DuplicateMatch& domain = *candidate.add_matches();
  domain.set_reason(v1::MATCH_REASON_WEB_DOMAIN);
  domain.set_key("acme.com");
  return candidate;
}

absl::Status Refused() {
  v1::DuplicateCandidates details;
  *details.add_candidates() = Acme();
  absl::Status status = absl::FailedPreconditionError("account: matches existing accounts");
  status.SetPayload("type.googleapis.com/crm.v1.DuplicateCandidates",
                    absl::Cord(details.SerializeAsString()));
  return status;
}

class DuplicatePrintingTest : public ::testing::Test {
 protected:
  // A context of `noun verb` printing in `format`; the gateway is never called.
  CommandContext Context(const std::string& noun, const std::string& verb,
                         OutputFormat format = OutputFormat::kTable) {
    command_ = Command{noun, verb, "", "", nullptr};
    client::ClientOptions options;
    options.address = "127.0.0.1:1";
    absl::StatusOr<client::GatewayClient> gateway = client::GatewayClient::Create(options);
    EXPECT_TRUE(gateway.ok()) << gateway.status();
    return CommandContext(command_, *std::move(gateway), format, {}, {}, out_, err_);
  }

  Command command_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(DuplicatePrintingTest, ACreatedRecordGoesToStdoutAndItsPossibleDuplicatesToStderr) {
  v1::Account created;
  created.set_id("acc_2");
  created.set_name("ACME AG");
  *created.add_possible_duplicates() = Acme();
  CommandContext context = Context("accounts", "create");

  EXPECT_EQ(context.PrintResult(absl::StatusOr<v1::Account>(created)), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("ACME AG"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("possible_duplicates")));
  EXPECT_THAT(out_.str(), Not(HasSubstr("acc_1")));
  EXPECT_THAT(err_.str(), HasSubstr("warning: possible duplicates"));
  EXPECT_THAT(err_.str(), HasSubstr("ENTITY"));
  EXPECT_THAT(err_.str(), HasSubstr("acc_1"));
  EXPECT_THAT(err_.str(), HasSubstr("Acme GmbH"));
  EXPECT_THAT(err_.str(), HasSubstr("organisation_name=acme; web_domain=acme.com"));
}

TEST_F(DuplicatePrintingTest, JsonKeepsThePossibleDuplicatesInTheAnswer) {
  v1::ConvertLeadResponse converted;
  converted.set_account_id("acc_2");
  *converted.add_possible_duplicates() = Acme();
  CommandContext context = Context("leads", "convert", OutputFormat::kJson);

  EXPECT_EQ(context.PrintResult(absl::StatusOr<v1::ConvertLeadResponse>(converted)), kExitOk);
  EXPECT_THAT(out_.str(),
              HasSubstr(R"("possible_duplicates":[{"entity":"DUPLICATE_ENTITY_ACCOUNT")"));
  EXPECT_THAT(err_.str(), HasSubstr("acc_1"));
}

TEST_F(DuplicatePrintingTest, WithoutPossibleDuplicatesNothingGoesToStderr) {
  v1::Account created;
  created.set_name("Initech");
  CommandContext context = Context("accounts", "create");
  EXPECT_EQ(context.PrintResult(absl::StatusOr<v1::Account>(created)), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Initech"));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(DuplicatePrintingTest, ARefusedCreateShowsItsCandidatesAndHowToConfirm) {
  CommandContext context = Context("accounts", "create");
  EXPECT_EQ(context.Fail(Refused()), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("error: FAILED_PRECONDITION: account: matches existing"));
  EXPECT_THAT(err_.str(), HasSubstr("acc_1"));
  EXPECT_THAT(err_.str(), HasSubstr("organisation_name=acme"));
  EXPECT_THAT(err_.str(), HasSubstr("pass --confirm-duplicate to create it anyway\n"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(DuplicatePrintingTest, ARefusedConversionAlsoOffersTheExistingRecords) {
  CommandContext context = Context("leads", "convert");
  EXPECT_EQ(context.Fail(Refused()), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("--confirm-duplicate"));
  EXPECT_THAT(err_.str(), HasSubstr("existing_account=<id> / existing_contact=<id>"));
}

TEST_F(DuplicatePrintingTest, OtherFailuresHaveNoHint) {
  CommandContext context = Context("accounts", "create");
  EXPECT_EQ(context.Fail(absl::FailedPreconditionError("account is deleted")), kExitFailure);
  EXPECT_EQ(err_.str(), "error: FAILED_PRECONDITION: account is deleted\n");
}

}  // namespace
}  // namespace crm::crmctl
