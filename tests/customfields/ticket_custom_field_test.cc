// Custom fields on tickets through ServiceDeskService: typed values checked against their
// definitions on create and on updates whose mask names one value, kept through assignment,
// status changes, reopening, escalation and comments, hidden while their field is removed, list
// filters answered from the value index, and events; through a real in-process server on every
// backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/customfields/custom_field_helpers.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::CustomField;
using crm::v1::CustomValue;
using crm::v1::Ticket;
using testing::CallAs;
using testing::ChoiceValue;
using testing::DateValue;
using testing::FieldDefinition;
using testing::FieldFilter;
using testing::HasCodeAndField;
using testing::MoneyValue;
using testing::NumberValue;
using testing::TextValue;

constexpr auto kTicket = crm::v1::CUSTOM_FIELD_ENTITY_TICKET;

class TicketCustomFieldTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    fields_ = std::make_unique<testing::FieldAdmin>(server_->channel());
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    crm::v1::CreateAccountRequest account;
    account.mutable_account()->set_name("Acme GmbH");
    crm::v1::Account created;
    ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account, &created));
    account_id_ = created.id();
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  void AddField(const std::string& key, crm::v1::CustomFieldType type) {
    fields_->Create(FieldDefinition(kTicket, key, type));
  }

  Ticket MakeTicket(const std::string& subject) const {
    Ticket t;
    t.set_account_id(account_id_);
    t.set_subject(subject);
    t.set_priority(crm::v1::TICKET_PRIORITY_P3);
    return t;
  }
  grpc::Status Create(const Ticket& ticket, Ticket* out) {
    crm::v1::CreateTicketRequest request;
    *request.mutable_ticket() = ticket;
    return desk_->CreateTicket(CallAs().get(), request, out);
  }
  Ticket MustCreate(const Ticket& ticket) {
    Ticket out;
    const grpc::Status s = Create(ticket, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  Ticket Get(const std::string& id) {
    crm::v1::GetTicketRequest request;
    request.set_id(id);
    Ticket out;
    const grpc::Status s = desk_->GetTicket(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Update(const Ticket& patch, const std::vector<std::string>& paths, Ticket* out) {
    crm::v1::UpdateTicketRequest request;
    *request.mutable_ticket() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    return desk_->UpdateTicket(CallAs().get(), request, out);
  }
  grpc::Status SetStatus(const std::string& id, crm::v1::TicketStatus status, Ticket* out) {
    crm::v1::ChangeTicketStatusRequest request;
    request.set_id(id);
    request.set_status(status);
    return desk_->ChangeTicketStatus(CallAs().get(), request, out);
  }
  grpc::Status List(const crm::v1::ListTicketsRequest& request, crm::v1::ListTicketsResponse* out) {
    return desk_->ListTickets(CallAs().get(), request, out);
  }
  // Subjects of every ticket the request lists (newest first), following page tokens.
  std::vector<std::string> Subjects(crm::v1::ListTicketsRequest request) {
    return testing::TextsOfEveryPage(
        request, [this](const auto& r, auto* out) { return List(r, out); }, &crm::v1::ListTicketsResponse::tickets,
        [](const Ticket& t) { return t.subject(); });
  }
  // Events of `type`, oldest first.
  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    crm::v1::ListEventsResponse response;
    const grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<testing::FieldAdmin> fields_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::string account_id_;
};

TEST_P(TicketCustomFieldTest, ValuesAreTypedDefaultedAndCheckedNamingTheField) {
  CustomField product = FieldDefinition(kTicket, "product", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  product.add_options("app");
  product.add_options("api");
  fields_->Create(product);
  CustomField affected = FieldDefinition(kTicket, "affected_users", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  affected.mutable_validation()->set_min(1);
  *affected.mutable_default_value() = NumberValue(1);
  fields_->Create(affected);
  AddField("due_by", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  AddField("refund", crm::v1::CUSTOM_FIELD_TYPE_MONEY);
  CustomField order = FieldDefinition(kTicket, "order_ref", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  order.set_required(true);
  order.mutable_validation()->set_pattern("ORD-[0-9]+");
  fields_->Create(order);

  Ticket input = MakeTicket("Typed");
  (*input.mutable_custom_fields())["product"] = ChoiceValue("api");
  (*input.mutable_custom_fields())["due_by"] = DateValue(2026, 1, 9);
  (*input.mutable_custom_fields())["refund"] = MoneyValue("EUR", 120);
  (*input.mutable_custom_fields())["order_ref"] = TextValue("ORD-1001");
  const Ticket created = MustCreate(input);
  EXPECT_EQ(created.custom_fields_size(), 5);
  const Ticket fetched = Get(created.id());
  ASSERT_EQ(fetched.custom_fields_size(), 5);
  EXPECT_EQ(fetched.custom_fields().at("product").choice_value(), "api");
  EXPECT_EQ(fetched.custom_fields().at("due_by").date_value().month(), 1);
  EXPECT_EQ(fetched.custom_fields().at("refund").money_value().units(), 120);
  EXPECT_EQ(fetched.custom_fields().at("order_ref").text_value(), "ORD-1001");
  EXPECT_EQ(fetched.custom_fields().at("affected_users").number_value(), 1);  // the default

  Ticket out;
  Ticket wrong_type = input;
  (*wrong_type.mutable_custom_fields())["affected_users"] = TextValue("all");
  EXPECT_TRUE(HasCodeAndField(Create(wrong_type, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "ticket.custom_fields.affected_users"));
  Ticket unknown = input;
  (*unknown.mutable_custom_fields())["no_such_field"] = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(Create(unknown, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "ticket.custom_fields.no_such_field"));
  Ticket missing = input;
  missing.mutable_custom_fields()->erase("order_ref");
  EXPECT_TRUE(HasCodeAndField(Create(missing, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "ticket.custom_fields.order_ref"));
  Ticket pattern = input;
  (*pattern.mutable_custom_fields())["order_ref"] = TextValue("1001");
  EXPECT_TRUE(HasCodeAndField(Create(pattern, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "ticket.custom_fields.order_ref"));
  Ticket option = input;
  (*option.mutable_custom_fields())["product"] = ChoiceValue("web");
  EXPECT_TRUE(HasCodeAndField(Create(option, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "ticket.custom_fields.product"));

  // None of the refused creates left a ticket behind.
  EXPECT_EQ(Subjects(crm::v1::ListTicketsRequest()), std::vector<std::string>{"Typed"});
}

TEST_P(TicketCustomFieldTest, AnUpdateMaskNamesOneValueAndTheEventCarriesIt) {
  AddField("order_ref", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField("affected_users", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  Ticket input = MakeTicket("Masked");
  (*input.mutable_custom_fields())["order_ref"] = TextValue("ORD-1");
  (*input.mutable_custom_fields())["affected_users"] = NumberValue(3);
  const Ticket created = MustCreate(input);

  Ticket patch;
  patch.set_id(created.id());
  (*patch.mutable_custom_fields())["affected_users"] = NumberValue(30);
  Ticket updated;
  ASSERT_GRPC_OK(Update(patch, {"custom_fields.affected_users"}, &updated));
  EXPECT_EQ(updated.custom_fields().at("affected_users").number_value(), 30);
  EXPECT_EQ(updated.custom_fields().at("order_ref").text_value(), "ORD-1");

  // An empty mask sets the values given and keeps the others; a path without a value clears it.
  Ticket merge;
  merge.set_id(created.id());
  (*merge.mutable_custom_fields())["order_ref"] = TextValue("ORD-2");
  ASSERT_GRPC_OK(Update(merge, {}, &updated));
  EXPECT_EQ(updated.custom_fields().at("order_ref").text_value(), "ORD-2");
  EXPECT_EQ(updated.custom_fields().at("affected_users").number_value(), 30);
  Ticket clear;
  clear.set_id(created.id());
  ASSERT_GRPC_OK(Update(clear, {"custom_fields.affected_users"}, &updated));
  EXPECT_FALSE(updated.custom_fields().contains("affected_users"));

  Ticket wrong;
  wrong.set_id(created.id());
  (*wrong.mutable_custom_fields())["affected_users"] = TextValue("many");
  EXPECT_TRUE(HasCodeAndField(Update(wrong, {"custom_fields.affected_users"}, &updated),
                              grpc::StatusCode::INVALID_ARGUMENT, "ticket.custom_fields.affected_users"));
  // A write of another field leaves the values as they were.
  Ticket subject;
  subject.set_id(created.id());
  subject.set_subject("Masked, renamed");
  ASSERT_GRPC_OK(Update(subject, {"subject"}, &updated));
  EXPECT_EQ(updated.custom_fields().at("order_ref").text_value(), "ORD-2");
  EXPECT_EQ(Get(created.id()).custom_fields().at("order_ref").text_value(), "ORD-2");

  const std::vector<crm::v1::Event> updates = Events("ticket.updated");
  ASSERT_EQ(updates.size(), 4u);
  ASSERT_EQ(updates[0].changes_size(), 1);
  EXPECT_EQ(updates[0].changes(0).field(), "custom_fields.affected_users");
  EXPECT_EQ(updates[0].changes(0).before(), R"({"number_value":3})");
  EXPECT_EQ(updates[0].changes(0).after(), R"({"number_value":30})");
  ASSERT_EQ(updates[2].changes_size(), 1);
  EXPECT_EQ(updates[2].changes(0).field(), "custom_fields.affected_users");
  EXPECT_EQ(updates[2].changes(0).after(), "");
}

TEST_P(TicketCustomFieldTest, ValuesSurviveEveryTicketChangeAndRemovedOnesStayHidden) {
  AddField("order_ref", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField("legacy_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  Ticket input = MakeTicket("Long life");
  (*input.mutable_custom_fields())["order_ref"] = TextValue("ORD-9");
  (*input.mutable_custom_fields())["legacy_code"] = TextValue("L-3");
  const Ticket created = MustCreate(input);
  fields_->SetRemoved(kTicket, "legacy_code", true);

  const auto expect_visible = [](const Ticket& t, const char* step) {
    EXPECT_EQ(t.custom_fields_size(), 1) << step;
    ASSERT_TRUE(t.custom_fields().contains("order_ref")) << step;
    EXPECT_EQ(t.custom_fields().at("order_ref").text_value(), "ORD-9") << step;
  };
  expect_visible(Get(created.id()), "get");
  Ticket out;
  crm::v1::AssignTicketRequest assign;
  assign.set_id(created.id());
  assign.set_assignee("dana");
  ASSERT_GRPC_OK(desk_->AssignTicket(CallAs().get(), assign, &out));
  expect_visible(out, "assign");
  EXPECT_EQ(out.status(), crm::v1::TICKET_STATUS_OPEN);
  crm::v1::EscalateTicketRequest escalate;
  escalate.set_id(created.id());
  escalate.set_reason("customer called twice");
  ASSERT_GRPC_OK(desk_->EscalateTicket(CallAs().get(), escalate, &out));
  expect_visible(out, "escalate");
  EXPECT_EQ(out.escalation_level(), 1);
  ASSERT_GRPC_OK(SetStatus(created.id(), crm::v1::TICKET_STATUS_PENDING, &out));
  expect_visible(out, "pending");
  crm::v1::AddCommentRequest comment;
  comment.mutable_comment()->set_ticket_id(created.id());
  comment.mutable_comment()->set_visibility(crm::v1::COMMENT_VISIBILITY_PUBLIC);
  comment.mutable_comment()->set_author_kind(crm::v1::COMMENT_AUTHOR_KIND_CUSTOMER);
  comment.mutable_comment()->set_body("Any news?");
  crm::v1::TicketComment added;
  ASSERT_GRPC_OK(desk_->AddComment(CallAs().get(), comment, &added));
  const Ticket after_comment = Get(created.id());
  EXPECT_EQ(after_comment.status(), crm::v1::TICKET_STATUS_OPEN);  // the customer's reply reopened it
  expect_visible(after_comment, "comment");
  ASSERT_GRPC_OK(SetStatus(created.id(), crm::v1::TICKET_STATUS_RESOLVED, &out));
  expect_visible(out, "resolved");
  crm::v1::ReopenTicketRequest reopen;
  reopen.set_id(created.id());
  ASSERT_GRPC_OK(desk_->ReopenTicket(CallAs().get(), reopen, &out));
  expect_visible(out, "reopen");

  // Replacing the whole map with what callers see keeps the hidden value and writes nothing.
  const std::string etag_before_replace = out.etag();
  Ticket same;
  same.set_id(created.id());
  (*same.mutable_custom_fields())["order_ref"] = TextValue("ORD-9");
  ASSERT_GRPC_OK(Update(same, {"custom_fields"}, &out));
  expect_visible(out, "replace");
  EXPECT_EQ(out.etag(), etag_before_replace);
  crm::v1::ListTicketsResponse page;
  ASSERT_GRPC_OK(List(crm::v1::ListTicketsRequest(), &page));
  ASSERT_EQ(page.tickets_size(), 1);
  expect_visible(page.tickets(0), "list");
  EXPECT_EQ(page.tickets(0).etag(), etag_before_replace);
  // Writing the removed field is refused, naming it.
  Ticket write_removed;
  write_removed.set_id(created.id());
  (*write_removed.mutable_custom_fields())["legacy_code"] = TextValue("L-4");
  EXPECT_TRUE(HasCodeAndField(Update(write_removed, {"custom_fields.legacy_code"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "ticket.custom_fields.legacy_code"));

  fields_->SetRemoved(kTicket, "legacy_code", false);
  const Ticket back = Get(created.id());
  ASSERT_TRUE(back.custom_fields().contains("legacy_code"));
  EXPECT_EQ(back.custom_fields().at("legacy_code").text_value(), "L-3");
  EXPECT_EQ(back.custom_fields().at("order_ref").text_value(), "ORD-9");
  EXPECT_EQ(back.escalation_level(), 1);
  // None of those changes named a custom field in its event.
  for (const char* type : {"ticket.assigned", "ticket.escalated", "ticket.status_changed"}) {
    for (const crm::v1::Event& event : Events(type)) {
      for (const crm::v1::FieldChange& change : event.changes()) {
        EXPECT_NE(change.field().rfind("custom_fields", 0), 0u) << type << " " << change.field();
      }
    }
  }
}

TEST_P(TicketCustomFieldTest, ListsFilterOnTheValueIndexAsWritesChangeIt) {
  CustomField product = FieldDefinition(kTicket, "product", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  for (const char* p : {"app", "api", "web"}) product.add_options(p);
  fields_->Create(product);
  AddField("affected_users", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  CustomField note = FieldDefinition(kTicket, "private_note", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  note.set_filterable(false);
  fields_->Create(note);
  const auto make = [&](const std::string& subject, const std::string& which, double affected) {
    Ticket t = MakeTicket(subject);
    (*t.mutable_custom_fields())["product"] = ChoiceValue(which);
    (*t.mutable_custom_fields())["affected_users"] = NumberValue(affected);
    return MustCreate(t);
  };
  make("one", "app", 1);
  const Ticket two = make("two", "api", 40);
  make("three", "api", 400);
  make("four", "web", 4000);
  MustCreate(MakeTicket("five without values"));

  const auto request = [](const crm::v1::CustomFieldFilter& filter) {
    crm::v1::ListTicketsRequest r;
    *r.mutable_filter()->add_custom_fields() = filter;
    r.set_page_size(1);  // every match on a page of its own
    return r;
  };
  const CustomValue api = ChoiceValue("api");
  EXPECT_EQ(Subjects(request(FieldFilter("product", &api))), (std::vector<std::string>{"three", "two"}));
  const CustomValue min = NumberValue(10), max = NumberValue(1000);
  EXPECT_EQ(Subjects(request(FieldFilter("affected_users", nullptr, &min, &max))),
            (std::vector<std::string>{"three", "two"}));
  EXPECT_EQ(Subjects(request(FieldFilter("affected_users", nullptr, &min))),
            (std::vector<std::string>{"four", "three", "two"}));

  // Beside a built-in filter, and following a status change and an update.
  Ticket resolved;
  ASSERT_GRPC_OK(SetStatus(two.id(), crm::v1::TICKET_STATUS_RESOLVED, &resolved));
  crm::v1::ListTicketsRequest open_api = request(FieldFilter("product", &api));
  open_api.mutable_filter()->add_statuses(crm::v1::TICKET_STATUS_NEW);
  EXPECT_EQ(Subjects(open_api), std::vector<std::string>{"three"});
  EXPECT_EQ(Subjects(request(FieldFilter("product", &api))), (std::vector<std::string>{"three", "two"}));
  Ticket moved;
  moved.set_id(two.id());
  (*moved.mutable_custom_fields())["product"] = ChoiceValue("web");
  Ticket out;
  ASSERT_GRPC_OK(Update(moved, {"custom_fields.product"}, &out));
  EXPECT_EQ(Subjects(request(FieldFilter("product", &api))), std::vector<std::string>{"three"});
  const CustomValue web = ChoiceValue("web");
  EXPECT_EQ(Subjects(request(FieldFilter("product", &web))), (std::vector<std::string>{"four", "two"}));

  crm::v1::ListTicketsResponse page;
  const CustomValue x = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(List(request(FieldFilter("private_note", &x)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "filter.custom_fields[0].key"));
  EXPECT_TRUE(HasCodeAndField(List(request(FieldFilter("affected_users", &x)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "filter.custom_fields[0].equals"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketCustomFieldTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
