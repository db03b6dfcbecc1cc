// What the custom-field tests of accounts, contacts, leads, opportunities and tickets share: one
// constructor per value type, a filterable definition, a list condition, the CustomFieldService
// calls that add, change, remove and restore a field, the value index's rows of a record, and one
// text field of every record a list returns across its pages.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/db/entity_ops.h"
#include "common/db/query.h"
#include "crm/v1/customfield.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm::testing {

inline crm::v1::CustomValue TextValue(const std::string& text) {
  crm::v1::CustomValue v;
  v.set_text_value(text);
  return v;
}
inline crm::v1::CustomValue NumberValue(double n) {
  crm::v1::CustomValue v;
  v.set_number_value(n);
  return v;
}
inline crm::v1::CustomValue MoneyValue(const std::string& currency, int64_t units) {
  crm::v1::CustomValue v;
  v.mutable_money_value()->set_currency_code(currency);
  v.mutable_money_value()->set_units(units);
  return v;
}
inline crm::v1::CustomValue DateValue(int year, int month, int day) {
  crm::v1::CustomValue v;
  v.mutable_date_value()->set_year(year);
  v.mutable_date_value()->set_month(month);
  v.mutable_date_value()->set_day(day);
  return v;
}
inline crm::v1::CustomValue BoolValue(bool b) {
  crm::v1::CustomValue v;
  v.set_bool_value(b);
  return v;
}
inline crm::v1::CustomValue ChoiceValue(const std::string& option) {
  crm::v1::CustomValue v;
  v.set_choice_value(option);
  return v;
}
inline crm::v1::CustomValue ChoicesValue(const std::vector<std::string>& options) {
  crm::v1::CustomValue v;
  for (const std::string& o : options) v.mutable_choices_value()->add_choices(o);
  return v;
}

// A filterable field of `entity`, labelled after its key.
inline crm::v1::CustomField FieldDefinition(crm::v1::CustomFieldEntity entity, const std::string& key,
                                            crm::v1::CustomFieldType type) {
  crm::v1::CustomField f;
  f.set_entity(entity);
  f.set_key(key);
  f.set_label(key + " label");
  f.set_type(type);
  f.set_filterable(true);
  return f;
}

// A list's condition on one custom field: `equals`, or the bounds given.
inline crm::v1::CustomFieldFilter FieldFilter(const std::string& key, const crm::v1::CustomValue* equals,
                                              const crm::v1::CustomValue* min = nullptr,
                                              const crm::v1::CustomValue* max = nullptr) {
  crm::v1::CustomFieldFilter f;
  f.set_key(key);
  if (equals != nullptr) *f.mutable_equals() = *equals;
  if (min != nullptr) *f.mutable_min() = *min;
  if (max != nullptr) *f.mutable_max() = *max;
  return f;
}

// CustomFieldService as an administrator ("alice") uses it, unless a call names another user.
class FieldAdmin {
 public:
  explicit FieldAdmin(const std::shared_ptr<grpc::Channel>& channel)
      : fields_(crm::v1::CustomFieldService::NewStub(channel)) {}

  // The service itself, for the calls the methods below do not make.
  crm::v1::CustomFieldService::Stub& stub() { return *fields_; }

  grpc::Status TryCreate(const crm::v1::CustomField& field, crm::v1::CustomField* out,
                         const std::string& user = "alice") {
    crm::v1::CreateCustomFieldRequest request;
    *request.mutable_field() = field;
    return fields_->CreateCustomField(CallAs(user).get(), request, out);
  }
  crm::v1::CustomField Create(const crm::v1::CustomField& field) {
    crm::v1::CustomField out;
    const grpc::Status s = TryCreate(field, &out);
    EXPECT_TRUE(s.ok()) << field.key() << ": " << s.error_message();
    return out;
  }

  // Changes the `paths` of the field `field` names (entity and key) to its values there.
  grpc::Status Update(const crm::v1::CustomField& field, const std::vector<std::string>& paths,
                      crm::v1::CustomField* out) {
    crm::v1::UpdateCustomFieldRequest request;
    *request.mutable_field() = field;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    return fields_->UpdateCustomField(CallAs().get(), request, out);
  }

  // Removes the field (`removed`) or brings it back, and checks the answer's delete_time says so.
  void SetRemoved(crm::v1::CustomFieldEntity entity, const std::string& key, bool removed) {
    crm::v1::CustomField out;
    if (removed) {
      crm::v1::DeleteCustomFieldRequest request;
      request.set_entity(entity);
      request.set_key(key);
      ASSERT_GRPC_OK(fields_->DeleteCustomField(CallAs().get(), request, &out));
    } else {
      crm::v1::UndeleteCustomFieldRequest request;
      request.set_entity(entity);
      request.set_key(key);
      ASSERT_GRPC_OK(fields_->UndeleteCustomField(CallAs().get(), request, &out));
    }
    EXPECT_EQ(out.has_delete_time(), removed) << key;
  }

 private:
  std::unique_ptr<crm::v1::CustomFieldService::Stub> fields_;
};

// Rows the value index holds for one record, read straight from the server's database (-1 when
// that fails).
inline int64_t IndexRowsOf(TestServer& server, const std::string& entity_id) {
  db::SqlQuery q("SELECT COUNT(*) FROM custom_field_values");
  q.Where("entity_id = ?", entity_id);
  absl::StatusOr<int64_t> count = db::ReadValue(
      *server.runtime().db, absl::Now() + absl::Seconds(10),
      [&](soci::session& sql) -> absl::StatusOr<int64_t> { return db::QueryInt64(sql, q); });
  EXPECT_TRUE(count.ok()) << count.status();
  return count.ok() ? *count : -1;
}

// `text` of every item a list call returns for `request`, following page tokens (at most 100
// pages): `list(request, &page)` is one call, `items` the page's repeated field.
template <typename Request, typename Response, typename Item, typename ListFn, typename TextFn>
std::vector<std::string> TextsOfEveryPage(Request request, ListFn&& list,
                                          const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
                                          TextFn&& text) {
  std::vector<std::string> texts;
  for (int pages = 0; pages < 100; ++pages) {
    Response page;
    const grpc::Status s = list(request, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    for (const Item& item : (page.*items)()) texts.push_back(text(item));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return texts;
}

}  // namespace crm::testing
