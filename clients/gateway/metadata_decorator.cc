#include "clients/gateway/metadata_decorator.h"

namespace crm::client {

void CallMetadata::ApplyTo(grpc::ClientContext& context) const {
  if (!bearer_token.empty()) context.AddMetadata("authorization", "Bearer " + bearer_token);
}

absl::StatusOr<v1::Account> MetadataAccountStub::CreateAccount(
    grpc::ClientContext& context, const v1::CreateAccountRequest& request) {
  metadata_.ApplyTo(context);
  return child_->CreateAccount(context, request);
}

absl::StatusOr<v1::Account> MetadataAccountStub::GetAccount(grpc::ClientContext& context,
                                                            const v1::GetAccountRequest& request) {
  metadata_.ApplyTo(context);
  return child_->GetAccount(context, request);
}

absl::StatusOr<v1::Account> MetadataAccountStub::UpdateAccount(
    grpc::ClientContext& context, const v1::UpdateAccountRequest& request) {
  metadata_.ApplyTo(context);
  return child_->UpdateAccount(context, request);
}

absl::StatusOr<v1::Account> MetadataAccountStub::DeleteAccount(
    grpc::ClientContext& context, const v1::DeleteAccountRequest& request) {
  metadata_.ApplyTo(context);
  return child_->DeleteAccount(context, request);
}

absl::StatusOr<v1::Account> MetadataAccountStub::UndeleteAccount(
    grpc::ClientContext& context, const v1::UndeleteAccountRequest& request) {
  metadata_.ApplyTo(context);
  return child_->UndeleteAccount(context, request);
}

absl::StatusOr<v1::ListAccountsResponse> MetadataAccountStub::ListAccounts(
    grpc::ClientContext& context, const v1::ListAccountsRequest& request) {
  metadata_.ApplyTo(context);
  return child_->ListAccounts(context, request);
}

absl::StatusOr<v1::Contact> MetadataAccountStub::CreateContact(
    grpc::ClientContext& context, const v1::CreateContactRequest& request) {
  metadata_.ApplyTo(context);
  return child_->CreateContact(context, request);
}

absl::StatusOr<v1::Contact> MetadataAccountStub::GetContact(grpc::ClientContext& context,
                                                            const v1::GetContactRequest& request) {
  metadata_.ApplyTo(context);
  return child_->GetContact(context, request);
}

absl::StatusOr<v1::Contact> MetadataAccountStub::UpdateContact(
    grpc::ClientContext& context, const v1::UpdateContactRequest& request) {
  metadata_.ApplyTo(context);
  return child_->UpdateContact(context, request);
}

absl::StatusOr<v1::DeleteContactResponse> MetadataAccountStub::DeleteContact(
    grpc::ClientContext& context, const v1::DeleteContactRequest& request) {
  metadata_.ApplyTo(context);
  return child_->DeleteContact(context, request);
}

absl::StatusOr<v1::ListContactsResponse> MetadataAccountStub::ListContacts(
    grpc::ClientContext& context, const v1::ListContactsRequest& request) {
  metadata_.ApplyTo(context);
  return child_->ListContacts(context, request);
}

absl::StatusOr<v1::Interaction> MetadataAccountStub::LogInteraction(
    grpc::ClientContext& context, const v1::LogInteractionRequest& request) {
  metadata_.ApplyTo(context);
  return child_->LogInteraction(context, request);
}

absl::StatusOr<v1::Interaction> MetadataAccountStub::GetInteraction(
    grpc::ClientContext& context, const v1::GetInteractionRequest& request) {
  metadata_.ApplyTo(context);
  return child_->GetInteraction(context, request);
}

absl::StatusOr<v1::ListInteractionsResponse> MetadataAccountStub::ListInteractions(
    grpc::ClientContext& context, const v1::ListInteractionsRequest& request) {
  metadata_.ApplyTo(context);
  return child_->ListInteractions(context, request);
}

absl::StatusOr<v1::Activity> MetadataAccountStub::CreateActivity(
    grpc::ClientContext& context, const v1::CreateActivityRequest& request) {
  metadata_.ApplyTo(context);
  return child_->CreateActivity(context, request);
}

absl::StatusOr<v1::Activity> MetadataAccountStub::GetActivity(
    grpc::ClientContext& context, const v1::GetActivityRequest& request) {
  metadata_.ApplyTo(context);
  return child_->GetActivity(context, request);
}

absl::StatusOr<v1::Activity> MetadataAccountStub::UpdateActivity(
    grpc::ClientContext& context, const v1::UpdateActivityRequest& request) {
  metadata_.ApplyTo(context);
  return child_->UpdateActivity(context, request);
}

absl::StatusOr<v1::Activity> MetadataAccountStub::CompleteActivity(
    grpc::ClientContext& context, const v1::CompleteActivityRequest& request) {
  metadata_.ApplyTo(context);
  return child_->CompleteActivity(context, request);
}

absl::StatusOr<v1::Activity> MetadataAccountStub::CancelActivity(
    grpc::ClientContext& context, const v1::CancelActivityRequest& request) {
  metadata_.ApplyTo(context);
  return child_->CancelActivity(context, request);
}

absl::StatusOr<v1::ListActivitiesResponse> MetadataAccountStub::ListActivities(
    grpc::ClientContext& context, const v1::ListActivitiesRequest& request) {
  metadata_.ApplyTo(context);
  return child_->ListActivities(context, request);
}

std::unique_ptr<ImportAccountsStream> MetadataAccountStub::ImportAccounts(
    std::unique_ptr<grpc::ClientContext> context) {
  metadata_.ApplyTo(*context);
  return child_->ImportAccounts(std::move(context));
}

std::unique_ptr<ExportAccountsStream> MetadataAccountStub::ExportAccounts(
    std::unique_ptr<grpc::ClientContext> context, const v1::ExportAccountsRequest& request) {
  metadata_.ApplyTo(*context);
  return child_->ExportAccounts(std::move(context), request);
}

std::unique_ptr<SubscribeStream> MetadataEventStub::Subscribe(
    std::unique_ptr<grpc::ClientContext> context, const v1::SubscribeRequest& request) {
  metadata_.ApplyTo(*context);
  return child_->Subscribe(std::move(context), request);
}

absl::StatusOr<v1::ListEventsResponse> MetadataEventStub::ListEvents(
    grpc::ClientContext& context, const v1::ListEventsRequest& request) {
  metadata_.ApplyTo(context);
  return child_->ListEvents(context, request);
}

#define CRM_PIPELINE_WITH_METADATA(Method, Request, Response, Kind)              \
  CRM_PIPELINE_STUB_SIGNATURE(MetadataPipelineStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                                  \
    return child_->Method(context, request);                                     \
  }
CRM_PIPELINE_RPCS(CRM_PIPELINE_WITH_METADATA)
#undef CRM_PIPELINE_WITH_METADATA

}  // namespace crm::client
