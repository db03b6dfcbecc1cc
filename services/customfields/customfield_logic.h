// CustomFieldService's rules: definitions checked whole, keys and types fixed, options that only
// grow, removal that hides values without touching them, and a version per change. No gRPC and
// no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/customfield.pb.h"

namespace crm::customfields {

class CustomFieldLogic {
 public:
  explicit CustomFieldLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::CustomField> Create(const server::CallContext& call,
                                              const crm::v1::CreateCustomFieldRequest& request) const;
  absl::StatusOr<crm::v1::CustomField> Get(const server::CallContext& call,
                                           const crm::v1::GetCustomFieldRequest& request) const;
  absl::StatusOr<crm::v1::CustomField> Update(const server::CallContext& call,
                                              const crm::v1::UpdateCustomFieldRequest& request) const;
  absl::StatusOr<crm::v1::CustomField> Delete(const server::CallContext& call,
                                              const crm::v1::DeleteCustomFieldRequest& request) const;
  absl::StatusOr<crm::v1::CustomField> Undelete(const server::CallContext& call,
                                                const crm::v1::UndeleteCustomFieldRequest& request) const;
  absl::StatusOr<crm::v1::ListCustomFieldsResponse> List(const server::CallContext& call,
                                                         const crm::v1::ListCustomFieldsRequest& request) const;
  absl::StatusOr<crm::v1::ListCustomFieldVersionsResponse> ListVersions(
      const server::CallContext& call, const crm::v1::ListCustomFieldVersionsRequest& request) const;

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::customfields
