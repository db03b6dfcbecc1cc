// The gRPC edge of DuplicateService.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "services/duplicates/duplicate_logic.h"

namespace crm::duplicates {

class DuplicateHandler final : public crm::v1::DuplicateService::CallbackService {
 public:
  explicit DuplicateHandler(const server::Runtime& runtime) : rt_(runtime), logic_(runtime) {}

  using Context = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* FindDuplicates(Context* context, const crm::v1::FindDuplicatesRequest* request,
                                           crm::v1::FindDuplicatesResponse* response) override;
  grpc::ServerUnaryReactor* GetDuplicateSettings(Context* context, const crm::v1::GetDuplicateSettingsRequest* request,
                                                 crm::v1::DuplicateSettings* response) override;
  grpc::ServerUnaryReactor* UpdateDuplicateSettings(Context* context,
                                                    const crm::v1::UpdateDuplicateSettingsRequest* request,
                                                    crm::v1::DuplicateSettings* response) override;

 private:
  const server::Runtime& rt_;
  DuplicateLogic logic_;
};

}  // namespace crm::duplicates
