// The gRPC edge of DuplicateService.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "services/duplicates/duplicate_logic.h"
#include "services/duplicates/merge_logic.h"

namespace crm::duplicates {

class DuplicateHandler final : public crm::v1::DuplicateService::CallbackService {
 public:
  explicit DuplicateHandler(const server::Runtime& runtime) : rt_(runtime), logic_(runtime), merges_(runtime) {}

  using Context = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* FindDuplicates(Context* context, const crm::v1::FindDuplicatesRequest* request,
                                           crm::v1::FindDuplicatesResponse* response) override;
  grpc::ServerUnaryReactor* GetDuplicateSettings(Context* context, const crm::v1::GetDuplicateSettingsRequest* request,
                                                 crm::v1::DuplicateSettings* response) override;
  grpc::ServerUnaryReactor* UpdateDuplicateSettings(Context* context,
                                                    const crm::v1::UpdateDuplicateSettingsRequest* request,
                                                    crm::v1::DuplicateSettings* response) override;
  grpc::ServerUnaryReactor* MergeAccounts(Context* context, const crm::v1::MergeAccountsRequest* request,
                                          crm::v1::MergeAccountsResponse* response) override;
  grpc::ServerUnaryReactor* MergeContacts(Context* context, const crm::v1::MergeContactsRequest* request,
                                          crm::v1::MergeContactsResponse* response) override;
  grpc::ServerUnaryReactor* GetMerge(Context* context, const crm::v1::GetMergeRequest* request,
                                     crm::v1::Merge* response) override;
  grpc::ServerUnaryReactor* ListMerges(Context* context, const crm::v1::ListMergesRequest* request,
                                       crm::v1::ListMergesResponse* response) override;

 private:
  const server::Runtime& rt_;
  DuplicateLogic logic_;
  MergeLogic merges_;
};

}  // namespace crm::duplicates
