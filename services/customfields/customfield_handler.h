// The gRPC edge of CustomFieldService.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/customfield.grpc.pb.h"
#include "services/customfields/customfield_logic.h"

namespace crm::customfields {

class CustomFieldHandler final : public crm::v1::CustomFieldService::CallbackService {
 public:
  explicit CustomFieldHandler(const server::Runtime& runtime) : rt_(runtime), logic_(runtime) {}

  using Context = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* CreateCustomField(Context* context, const crm::v1::CreateCustomFieldRequest* request,
                                              crm::v1::CustomField* response) override;
  grpc::ServerUnaryReactor* GetCustomField(Context* context, const crm::v1::GetCustomFieldRequest* request,
                                           crm::v1::CustomField* response) override;
  grpc::ServerUnaryReactor* UpdateCustomField(Context* context, const crm::v1::UpdateCustomFieldRequest* request,
                                              crm::v1::CustomField* response) override;
  grpc::ServerUnaryReactor* DeleteCustomField(Context* context, const crm::v1::DeleteCustomFieldRequest* request,
                                              crm::v1::CustomField* response) override;
  grpc::ServerUnaryReactor* UndeleteCustomField(Context* context, const crm::v1::UndeleteCustomFieldRequest* request,
                                                crm::v1::CustomField* response) override;
  grpc::ServerUnaryReactor* ListCustomFields(Context* context, const crm::v1::ListCustomFieldsRequest* request,
                                             crm::v1::ListCustomFieldsResponse* response) override;
  grpc::ServerUnaryReactor* ListCustomFieldVersions(Context* context,
                                                    const crm::v1::ListCustomFieldVersionsRequest* request,
                                                    crm::v1::ListCustomFieldVersionsResponse* response) override;

 private:
  const server::Runtime& rt_;
  CustomFieldLogic logic_;
};

}  // namespace crm::customfields
