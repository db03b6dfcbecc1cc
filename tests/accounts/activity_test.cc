// AccountService activities (the schedule), through a real in-process server and stub, on every
// backend. Reminders are covered in reminder_test.cc.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Activity;
using crm::v1::Contact;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownContactId[] = "con_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownActivityId[] = "act_01ARZ3NDEKTSV4RRFFQ69G5FAV";

class ActivityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    start_ = server_->clock().Now();
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  Account MustCreateAccount(const std::string& name, const std::string& owner = "bob") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Contact MustCreateContact(const std::string& account_id) {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(account_id);
    request.mutable_contact()->set_full_name("Jane Roe");
    Contact out;
    grpc::Status s = accounts_->CreateContact(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Due `due_in` after the test's start, reminder an hour before.
  Activity MakeActivity(const std::string& account_id, absl::Duration due_in = absl::Hours(24)) {
    Activity a;
    a.set_account_id(account_id);
    a.set_kind(crm::v1::ACTIVITY_KIND_CALL);
    a.set_subject("Call about the renewal");
    a.set_notes("Ask for the\nbudget owner.");
    *a.mutable_due_time() = TimeToTimestamp(start_ + due_in);
    *a.mutable_reminder_time() = TimeToTimestamp(start_ + due_in - absl::Hours(1));
    return a;
  }

  grpc::Status Create(const Activity& activity, Activity* out, const std::string& request_id = "",
                      const std::string& user = "alice") {
    crm::v1::CreateActivityRequest request;
    *request.mutable_activity() = activity;
    request.set_request_id(request_id);
    return accounts_->CreateActivity(CallAs(user).get(), request, out);
  }

  Activity MustCreate(const Activity& activity, const std::string& user = "alice") {
    Activity out;
    grpc::Status s = Create(activity, &out, "", user);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, Activity* out) {
    crm::v1::GetActivityRequest request;
    request.set_id(id);
    return accounts_->GetActivity(CallAs().get(), request, out);
  }

  grpc::Status Complete(const std::string& id, const std::string& outcome, Activity* out,
                        const std::string& etag = "") {
    crm::v1::CompleteActivityRequest request;
    request.set_id(id);
    request.set_outcome(outcome);
    request.set_etag(etag);
    return accounts_->CompleteActivity(CallAs().get(), request, out);
  }

  grpc::Status Cancel(const std::string& id, const std::string& reason, Activity* out, const std::string& etag = "") {
    crm::v1::CancelActivityRequest request;
    request.set_id(id);
    request.set_reason(reason);
    request.set_etag(etag);
    return accounts_->CancelActivity(CallAs().get(), request, out);
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  // Every activity matching `request`, following page tokens; fails the test on a repeat.
  std::vector<Activity> ListAll(crm::v1::ListActivitiesRequest request) {
    std::vector<Activity> all;
    std::set<std::string> seen;
    for (int n = 0; n < 100; ++n) {
      crm::v1::ListActivitiesResponse page;
      grpc::Status s = accounts_->ListActivities(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.activities_size(), request.page_size());
      }
      for (const Activity& a : page.activities()) {
        EXPECT_TRUE(seen.insert(a.id()).second) << "repeated " << a.id();
        all.push_back(a);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  static std::set<std::string> IdSet(const std::vector<Activity>& activities) {
    std::set<std::string> ids;
    for (const Activity& a : activities) ids.insert(a.id());
    return ids;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  absl::Time start_;
};

TEST_P(ActivityTest, CreateStartsPlannedWithTheCallerAsAssignee) {
  Account account = MustCreateAccount("Acme GmbH");
  Contact contact = MustCreateContact(account.id());
  Activity input = MakeActivity(account.id());
  input.set_contact_id(contact.id());
  // Output-only fields are ignored on create.
  input.set_status(crm::v1::ACTIVITY_STATUS_COMPLETED);
  input.set_outcome("already done?");
  *input.mutable_reminder_sent_time() = TimeToTimestamp(start_);
  *input.mutable_complete_time() = TimeToTimestamp(start_);
  Activity created;
  ASSERT_GRPC_OK(Create(input, &created, "", "gina"));
  EXPECT_EQ(created.id().substr(0, 4), "act_");
  EXPECT_EQ(created.status(), crm::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_EQ(created.assignee(), "gina");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_FALSE(created.has_reminder_sent_time());
  EXPECT_FALSE(created.has_complete_time());
  EXPECT_EQ(created.outcome(), "");

  Activity fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.account_id(), account.id());
  EXPECT_EQ(fetched.contact_id(), contact.id());
  EXPECT_EQ(fetched.kind(), crm::v1::ACTIVITY_KIND_CALL);
  EXPECT_EQ(fetched.subject(), "Call about the renewal");
  EXPECT_EQ(fetched.notes(), "Ask for the\nbudget owner.");
  EXPECT_EQ(TimestampToTime(fetched.due_time()), start_ + absl::Hours(24));
  EXPECT_EQ(TimestampToTime(fetched.reminder_time()), start_ + absl::Hours(23));
  EXPECT_EQ(fetched.assignee(), "gina");
  EXPECT_EQ(fetched.status(), crm::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_FALSE(fetched.has_reminder_sent_time());
  EXPECT_EQ(fetched.etag(), created.etag());

  std::vector<crm::v1::Event> events = Events("activity.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "activity");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].user(), "gina");  // the assignee
  EXPECT_EQ(events[0].actor(), "gina");

  // An explicit assignee wins; kind and reminder are optional.
  Activity minimal;
  minimal.set_account_id(account.id());
  *minimal.mutable_due_time() = TimeToTimestamp(start_ + absl::Hours(2));
  minimal.set_assignee("hank");
  Activity made = MustCreate(minimal);
  EXPECT_EQ(made.assignee(), "hank");
  EXPECT_EQ(made.kind(), crm::v1::ACTIVITY_KIND_TASK);
  EXPECT_FALSE(made.has_reminder_time());
}

TEST_P(ActivityTest, CreateRejectsBadInputWithTheFieldNamedAndWritesNothing) {
  Account account = MustCreateAccount("Strict Co");
  Account other = MustCreateAccount("Other Co");
  Contact foreign = MustCreateContact(other.id());
  Account gone = MustCreateAccount("Gone Co");
  crm::v1::DeleteAccountRequest del;
  del.set_id(gone.id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  Activity out;

  Activity a = MakeActivity(account.id());
  a.clear_due_time();
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.due_time"));
  a = MakeActivity(account.id());
  a.mutable_due_time()->set_nanos(2000000000);
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.due_time"));
  a = MakeActivity(account.id());
  *a.mutable_reminder_time() = TimeToTimestamp(start_ + absl::Hours(24) + absl::Microseconds(1));
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.reminder_time"));
  a = MakeActivity(account.id());
  a.mutable_reminder_time()->set_seconds(253402300800LL);  // after year 9999
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.reminder_time"));
  a = MakeActivity(account.id());
  a.set_kind(static_cast<crm::v1::ActivityKind>(42));
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.kind"));
  a = MakeActivity(account.id());
  a.set_subject(std::string(201, 's'));
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.subject"));
  a = MakeActivity(account.id());
  a.set_notes(std::string("escape \x1b in notes"));
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.notes"));
  a = MakeActivity(account.id());
  a.set_assignee(std::string(201, 'a'));
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.assignee"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeActivity(""), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "activity.account_id"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeActivity(kUnknownAccountId), &out), grpc::StatusCode::NOT_FOUND,
                              "activity.account_id"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeActivity(gone.id()), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "activity.account_id"));
  a = MakeActivity(account.id());
  a.set_contact_id(foreign.id());
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::INVALID_ARGUMENT, "activity.contact_id"));
  a.set_contact_id(kUnknownContactId);
  EXPECT_TRUE(HasCodeAndField(Create(a, &out), grpc::StatusCode::NOT_FOUND, "activity.contact_id"));
  crm::v1::CreateActivityRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->CreateActivity(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity"));

  // A reminder exactly at the due time is fine.
  a = MakeActivity(account.id());
  *a.mutable_reminder_time() = a.due_time();
  ASSERT_GRPC_OK(Create(a, &out));
  EXPECT_EQ(ListAll(crm::v1::ListActivitiesRequest()).size(), 1u);
  EXPECT_EQ(Events("activity.").size(), 1u);
}

TEST_P(ActivityTest, RetriedCreateWithSameRequestIdReturnsFirstResultAndWritesNothing) {
  Account account = MustCreateAccount("Once Ltd");
  Activity first, second;
  ASSERT_GRPC_OK(Create(MakeActivity(account.id()), &first, "req-a1"));
  ASSERT_GRPC_OK(Create(MakeActivity(account.id()), &second, "req-a1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(ListAll(crm::v1::ListActivitiesRequest()).size(), 1u);
  EXPECT_EQ(Events("activity.created").size(), 1u);

  Activity different = MakeActivity(account.id(), absl::Hours(48));
  Activity out;
  EXPECT_TRUE(HasCodeAndField(Create(different, &out, "req-a1"), grpc::StatusCode::ALREADY_EXISTS, "request_id"));
}

TEST_P(ActivityTest, GetUnknownOrMalformedIdNamesTheField) {
  Activity out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownActivityId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("act_x; DELETE FROM activities", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(ActivityTest, UpdateAppliesOnlyMaskedFieldsUnderTheEtag) {
  Account account = MustCreateAccount("Update Co");
  Activity created = MustCreate(MakeActivity(account.id()));
  crm::v1::UpdateActivityRequest update;
  update.mutable_activity()->set_id(created.id());
  *update.mutable_activity()->mutable_due_time() = TimeToTimestamp(start_ + absl::Hours(30));
  update.mutable_activity()->set_subject("Call, rescheduled");
  update.mutable_activity()->set_notes("not in the mask");
  update.mutable_update_mask()->add_paths("due_time");
  update.mutable_update_mask()->add_paths("subject");
  update.mutable_update_mask()->add_paths("assignee");  // unset in the patch: clears → refused
  update.set_etag(created.etag());
  Activity updated;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &updated),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.assignee"));
  update.mutable_activity()->set_assignee("ivan");
  ASSERT_GRPC_OK(accounts_->UpdateActivity(CallAs().get(), update, &updated));
  EXPECT_EQ(TimestampToTime(updated.due_time()), start_ + absl::Hours(30));
  EXPECT_EQ(updated.subject(), "Call, rescheduled");
  EXPECT_EQ(updated.notes(), "Ask for the\nbudget owner.");
  EXPECT_EQ(updated.assignee(), "ivan");
  EXPECT_EQ(updated.etag(), "\"r2\"");
  Activity fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.subject(), "Call, rescheduled");
  EXPECT_EQ(fetched.etag(), updated.etag());

  std::vector<crm::v1::Event> events = Events("activity.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].user(), "ivan");
  std::set<std::string> fields;
  for (const auto& change : events[0].changes()) fields.insert(change.field());
  EXPECT_EQ(fields, std::set<std::string>({"due_time", "subject", "assignee"}));

  // The old etag is stale now: ABORTED, and nothing changes.
  update.mutable_activity()->set_subject("Lost update");
  Activity ignored;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &ignored), grpc::StatusCode::ABORTED));
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.subject(), "Call, rescheduled");
  EXPECT_EQ(Events("activity.updated").size(), 1u);
}

TEST_P(ActivityTest, UpdateRejectsReadOnlyFieldsAndBrokenSchedules) {
  Account account = MustCreateAccount("Mask Co");
  Account other = MustCreateAccount("Other Co");
  Contact foreign = MustCreateContact(other.id());
  Activity created = MustCreate(MakeActivity(account.id()));
  Activity out;

  for (const char* path : {"status", "reminder_sent_time", "complete_time", "outcome", "account_id", "id", "etag"}) {
    crm::v1::UpdateActivityRequest update;
    update.mutable_activity()->set_id(created.id());
    update.mutable_activity()->set_subject("x");
    update.mutable_update_mask()->add_paths("subject");
    update.mutable_update_mask()->add_paths(path);
    EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                                grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]"))
        << path;
  }

  crm::v1::UpdateActivityRequest update;
  update.mutable_activity()->set_id(created.id());
  update.mutable_activity()->set_account_id(other.id());
  update.mutable_activity()->set_subject("moved");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.account_id"));

  // Moving the due time before the reminder breaks "reminder not after due".
  update.Clear();
  update.mutable_activity()->set_id(created.id());
  *update.mutable_activity()->mutable_due_time() = TimeToTimestamp(start_ + absl::Hours(2));
  update.mutable_update_mask()->add_paths("due_time");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.reminder_time"));
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("due_time");
  update.mutable_activity()->clear_due_time();
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.due_time"));

  update.Clear();
  update.mutable_activity()->set_id(created.id());
  update.mutable_activity()->set_contact_id(foreign.id());
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.contact_id"));
  update.mutable_activity()->set_contact_id(kUnknownContactId);
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out), grpc::StatusCode::NOT_FOUND,
                              "activity.contact_id"));
  update.mutable_activity()->set_contact_id("");
  update.mutable_activity()->set_kind(static_cast<crm::v1::ActivityKind>(42));
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity.kind"));
  update.mutable_activity()->set_kind(crm::v1::ACTIVITY_KIND_MEETING);
  update.set_etag("\"x\"");
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));
  update.clear_etag();
  update.mutable_activity()->set_id(kUnknownActivityId);
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &out), grpc::StatusCode::NOT_FOUND,
                              "activity.id"));
  crm::v1::UpdateActivityRequest empty;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "activity"));

  Activity fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.etag(), created.etag());
  EXPECT_TRUE(Events("activity.updated").empty());
}

TEST_P(ActivityTest, CompleteRecordsTheOutcomeOnce) {
  Account account = MustCreateAccount("Complete Co");
  Activity created = MustCreate(MakeActivity(account.id()), "judy");
  server_->clock().Advance(absl::Hours(2));
  Activity out;
  EXPECT_TRUE(HasCodeAndField(Complete(created.id(), "done", &out, "\"r9\""), grpc::StatusCode::ABORTED));
  EXPECT_TRUE(HasCodeAndField(Complete(created.id(), std::string("bad \x01 outcome"), &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "outcome"));
  Activity completed;
  ASSERT_GRPC_OK(Complete(created.id(), "They signed.\nSend the contract.", &completed, created.etag()));
  EXPECT_EQ(completed.status(), crm::v1::ACTIVITY_STATUS_COMPLETED);
  EXPECT_EQ(TimestampToTime(completed.complete_time()), start_ + absl::Hours(2));
  EXPECT_EQ(completed.outcome(), "They signed.\nSend the contract.");
  EXPECT_EQ(completed.etag(), "\"r2\"");
  Activity fetched;
  ASSERT_GRPC_OK(Get(created.id(), &fetched));
  EXPECT_EQ(fetched.status(), crm::v1::ACTIVITY_STATUS_COMPLETED);
  EXPECT_EQ(fetched.outcome(), completed.outcome());

  EXPECT_TRUE(HasCodeAndField(Complete(created.id(), "again", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Cancel(created.id(), "too late", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Complete(kUnknownActivityId, "", &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Complete("", "", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));

  std::vector<crm::v1::Event> events = Events("activity.completed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].user(), "judy");
  EXPECT_TRUE(Events("activity.cancelled").empty());
}

TEST_P(ActivityTest, CancelKeepsTheReasonAndIsFinal) {
  Account account = MustCreateAccount("Cancel Co");
  Activity created = MustCreate(MakeActivity(account.id()));
  Activity out;
  EXPECT_TRUE(HasCodeAndField(Cancel(created.id(), std::string(20001, 'r'), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "reason"));
  Activity cancelled;
  ASSERT_GRPC_OK(Cancel(created.id(), "Customer postponed", &cancelled));
  EXPECT_EQ(cancelled.status(), crm::v1::ACTIVITY_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.outcome(), "Customer postponed");
  EXPECT_FALSE(cancelled.has_complete_time());
  EXPECT_TRUE(HasCodeAndField(Cancel(created.id(), "", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Complete(created.id(), "", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Cancel(kUnknownActivityId, "", &out), grpc::StatusCode::NOT_FOUND, "id"));
  std::vector<crm::v1::Event> events = Events("activity.cancelled");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].user(), "alice");
}

TEST_P(ActivityTest, ListFiltersCombine) {
  Account acme = MustCreateAccount("Acme");
  Account beta = MustCreateAccount("Beta");
  const Activity a1 = MustCreate(MakeActivity(acme.id(), absl::Hours(1)), "alice");
  const Activity a2 = MustCreate(MakeActivity(acme.id(), absl::Hours(5)), "bob");
  const Activity a3 = MustCreate(MakeActivity(beta.id(), absl::Hours(3)), "alice");
  const Activity a4 = MustCreate(MakeActivity(beta.id(), absl::Hours(7)), "alice");
  Activity done;
  ASSERT_GRPC_OK(Complete(a4.id(), "ok", &done));

  auto ids = [&](const crm::v1::ListActivitiesRequest& request) {
    std::vector<std::string> out;
    for (const Activity& a : ListAll(request)) out.push_back(a.id());
    return out;
  };
  crm::v1::ListActivitiesRequest all;
  EXPECT_EQ(ids(all), std::vector<std::string>({a1.id(), a3.id(), a2.id(), a4.id()}));  // by due time
  crm::v1::ListActivitiesRequest r;
  r.set_account_id(acme.id());
  EXPECT_EQ(ids(r), std::vector<std::string>({a1.id(), a2.id()}));
  r.Clear();
  r.set_assignee("alice");
  EXPECT_EQ(ids(r), std::vector<std::string>({a1.id(), a3.id(), a4.id()}));
  r.set_status(crm::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_EQ(ids(r), std::vector<std::string>({a1.id(), a3.id()}));
  r.set_account_id(beta.id());
  EXPECT_EQ(ids(r), std::vector<std::string>({a3.id()}));
  r.Clear();
  r.set_status(crm::v1::ACTIVITY_STATUS_COMPLETED);
  EXPECT_EQ(ids(r), std::vector<std::string>({a4.id()}));
  // Half-open due range: [start+3h, start+7h) holds a3 and a2, not a4.
  r.Clear();
  *r.mutable_due_after() = TimeToTimestamp(start_ + absl::Hours(3));
  *r.mutable_due_before() = TimeToTimestamp(start_ + absl::Hours(7));
  EXPECT_EQ(ids(r), std::vector<std::string>({a3.id(), a2.id()}));
  r.clear_due_before();
  EXPECT_EQ(ids(r), std::vector<std::string>({a3.id(), a2.id(), a4.id()}));
  r.clear_due_after();
  *r.mutable_due_before() = TimeToTimestamp(start_ + absl::Hours(3));
  EXPECT_EQ(ids(r), std::vector<std::string>({a1.id()}));
}

TEST_P(ActivityTest, PagesMissNothingAndRepeatNothingAcrossEqualDueTimes) {
  Account account = MustCreateAccount("Paging Co");
  std::set<std::string> expected;
  for (int h = 4; h > 0; --h) {
    for (int k = 0; k < 3; ++k) expected.insert(MustCreate(MakeActivity(account.id(), absl::Hours(h))).id());
  }
  for (int page_size : {1, 2, 5, 12, 100}) {
    crm::v1::ListActivitiesRequest list;
    list.set_account_id(account.id());
    list.set_page_size(page_size);
    std::vector<Activity> all = ListAll(list);
    EXPECT_EQ(IdSet(all), expected) << "page size " << page_size;
    for (size_t i = 1; i < all.size(); ++i) {
      const auto prev = std::make_pair(TimestampToMicros(all[i - 1].due_time()), all[i - 1].id());
      const auto cur = std::make_pair(TimestampToMicros(all[i].due_time()), all[i].id());
      EXPECT_LT(prev, cur) << "not in (due_time, id) order at " << i << ", page size " << page_size;
    }
  }
}

TEST_P(ActivityTest, ListRejectsBadQueriesAndForgedTokens) {
  Account account = MustCreateAccount("Token Co");
  for (int h = 1; h <= 3; ++h) MustCreate(MakeActivity(account.id(), absl::Hours(h)));
  crm::v1::ListActivitiesResponse out;

  crm::v1::ListActivitiesRequest bad;
  bad.set_status(static_cast<crm::v1::ActivityStatus>(42));
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), bad, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "status"));
  bad.Clear();
  bad.set_account_id("acc%");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), bad, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  bad.Clear();
  *bad.mutable_due_after() = TimeToTimestamp(start_ + absl::Hours(2));
  *bad.mutable_due_before() = TimeToTimestamp(start_ + absl::Hours(1));
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), bad, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "due_before"));
  bad.Clear();
  bad.mutable_due_after()->set_nanos(-3);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), bad, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "due_after"));

  crm::v1::ListActivitiesRequest list;
  list.set_account_id(account.id());
  list.set_page_size(1);
  crm::v1::ListActivitiesResponse page;
  ASSERT_GRPC_OK(accounts_->ListActivities(CallAs().get(), list, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();

  crm::v1::ListActivitiesRequest forged = list;
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  forged.set_page_token("not a token at all");
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), forged, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  // A real token, but for another filter.
  crm::v1::ListActivitiesRequest foreign = list;
  foreign.set_assignee("someone-else");
  foreign.set_page_token(token);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), foreign, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListActivitiesRequest negative = list;
  negative.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(accounts_->ListActivities(CallAs().get(), negative, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ActivityTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
