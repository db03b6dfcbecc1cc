// Stub decorators that add the caller's identity to every call: `authorization: Bearer <token>`.
// Metadata rather than grpc::AccessTokenCredentials because gRPC refuses call credentials on an
// insecure channel, and the default deployment dials loopback without TLS.
#pragma once

#include <memory>
#include <string>

#include "clients/gateway/account_stub.h"
#include "clients/gateway/event_stub.h"
#include "clients/gateway/pipeline_stub.h"

namespace crm::client {

struct CallMetadata {
  std::string bearer_token;

  void ApplyTo(grpc::ClientContext& context) const;
};

class MetadataAccountStub final : public AccountStub {
 public:
  MetadataAccountStub(std::shared_ptr<AccountStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  absl::StatusOr<v1::Account> CreateAccount(grpc::ClientContext& context,
                                            const v1::CreateAccountRequest& request) override;
  absl::StatusOr<v1::Account> GetAccount(grpc::ClientContext& context,
                                         const v1::GetAccountRequest& request) override;
  absl::StatusOr<v1::Account> UpdateAccount(grpc::ClientContext& context,
                                            const v1::UpdateAccountRequest& request) override;
  absl::StatusOr<v1::Account> DeleteAccount(grpc::ClientContext& context,
                                            const v1::DeleteAccountRequest& request) override;
  absl::StatusOr<v1::Account> UndeleteAccount(grpc::ClientContext& context,
                                              const v1::UndeleteAccountRequest& request) override;
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      grpc::ClientContext& context, const v1::ListAccountsRequest& request) override;
  absl::StatusOr<v1::Contact> CreateContact(grpc::ClientContext& context,
                                            const v1::CreateContactRequest& request) override;
  absl::StatusOr<v1::Contact> GetContact(grpc::ClientContext& context,
                                         const v1::GetContactRequest& request) override;
  absl::StatusOr<v1::Contact> UpdateContact(grpc::ClientContext& context,
                                            const v1::UpdateContactRequest& request) override;
  absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      grpc::ClientContext& context, const v1::DeleteContactRequest& request) override;
  absl::StatusOr<v1::ListContactsResponse> ListContacts(
      grpc::ClientContext& context, const v1::ListContactsRequest& request) override;
  absl::StatusOr<v1::Interaction> LogInteraction(grpc::ClientContext& context,
                                                 const v1::LogInteractionRequest& request) override;
  absl::StatusOr<v1::Interaction> GetInteraction(grpc::ClientContext& context,
                                                 const v1::GetInteractionRequest& request) override;
  absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      grpc::ClientContext& context, const v1::ListInteractionsRequest& request) override;
  absl::StatusOr<v1::Activity> CreateActivity(grpc::ClientContext& context,
                                              const v1::CreateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> GetActivity(grpc::ClientContext& context,
                                           const v1::GetActivityRequest& request) override;
  absl::StatusOr<v1::Activity> UpdateActivity(grpc::ClientContext& context,
                                              const v1::UpdateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CompleteActivity(
      grpc::ClientContext& context, const v1::CompleteActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CancelActivity(grpc::ClientContext& context,
                                              const v1::CancelActivityRequest& request) override;
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      grpc::ClientContext& context, const v1::ListActivitiesRequest& request) override;
  std::unique_ptr<ImportAccountsStream> ImportAccounts(
      std::unique_ptr<grpc::ClientContext> context) override;
  std::unique_ptr<ExportAccountsStream> ExportAccounts(
      std::unique_ptr<grpc::ClientContext> context,
      const v1::ExportAccountsRequest& request) override;

 private:
  std::shared_ptr<AccountStub> child_;
  CallMetadata metadata_;
};

class MetadataEventStub final : public EventStub {
 public:
  MetadataEventStub(std::shared_ptr<EventStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  std::unique_ptr<SubscribeStream> Subscribe(std::unique_ptr<grpc::ClientContext> context,
                                             const v1::SubscribeRequest& request) override;
  absl::StatusOr<v1::ListEventsResponse> ListEvents(grpc::ClientContext& context,
                                                    const v1::ListEventsRequest& request) override;

 private:
  std::shared_ptr<EventStub> child_;
  CallMetadata metadata_;
};

class MetadataPipelineStub final : public PipelineStub {
 public:
  MetadataPipelineStub(std::shared_ptr<PipelineStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_PIPELINE_RPCS(CRM_PIPELINE_STUB_OVERRIDE)

 private:
  std::shared_ptr<PipelineStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
