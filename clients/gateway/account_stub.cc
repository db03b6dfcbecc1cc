#include "clients/gateway/account_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

using internal::UnaryResult;

absl::StatusOr<v1::Account> DefaultAccountStub::CreateAccount(
    grpc::ClientContext& context, const v1::CreateAccountRequest& request) {
  v1::Account response;
  grpc::Status status = grpc_stub_->CreateAccount(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Account> DefaultAccountStub::GetAccount(grpc::ClientContext& context,
                                                           const v1::GetAccountRequest& request) {
  v1::Account response;
  grpc::Status status = grpc_stub_->GetAccount(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Account> DefaultAccountStub::UpdateAccount(
    grpc::ClientContext& context, const v1::UpdateAccountRequest& request) {
  v1::Account response;
  grpc::Status status = grpc_stub_->UpdateAccount(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Account> DefaultAccountStub::DeleteAccount(
    grpc::ClientContext& context, const v1::DeleteAccountRequest& request) {
  v1::Account response;
  grpc::Status status = grpc_stub_->DeleteAccount(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Account> DefaultAccountStub::UndeleteAccount(
    grpc::ClientContext& context, const v1::UndeleteAccountRequest& request) {
  v1::Account response;
  grpc::Status status = grpc_stub_->UndeleteAccount(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::ListAccountsResponse> DefaultAccountStub::ListAccounts(
    grpc::ClientContext& context, const v1::ListAccountsRequest& request) {
  v1::ListAccountsResponse response;
  grpc::Status status = grpc_stub_->ListAccounts(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Contact> DefaultAccountStub::CreateContact(
    grpc::ClientContext& context, const v1::CreateContactRequest& request) {
  v1::Contact response;
  grpc::Status status = grpc_stub_->CreateContact(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Contact> DefaultAccountStub::GetContact(grpc::ClientContext& context,
                                                           const v1::GetContactRequest& request) {
  v1::Contact response;
  grpc::Status status = grpc_stub_->GetContact(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Contact> DefaultAccountStub::UpdateContact(
    grpc::ClientContext& context, const v1::UpdateContactRequest& request) {
  v1::Contact response;
  grpc::Status status = grpc_stub_->UpdateContact(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::DeleteContactResponse> DefaultAccountStub::DeleteContact(
    grpc::ClientContext& context, const v1::DeleteContactRequest& request) {
  v1::DeleteContactResponse response;
  grpc::Status status = grpc_stub_->DeleteContact(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::ListContactsResponse> DefaultAccountStub::ListContacts(
    grpc::ClientContext& context, const v1::ListContactsRequest& request) {
  v1::ListContactsResponse response;
  grpc::Status status = grpc_stub_->ListContacts(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Interaction> DefaultAccountStub::LogInteraction(
    grpc::ClientContext& context, const v1::LogInteractionRequest& request) {
  v1::Interaction response;
  grpc::Status status = grpc_stub_->LogInteraction(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Interaction> DefaultAccountStub::GetInteraction(
    grpc::ClientContext& context, const v1::GetInteractionRequest& request) {
  v1::Interaction response;
  grpc::Status status = grpc_stub_->GetInteraction(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::ListInteractionsResponse> DefaultAccountStub::ListInteractions(
    grpc::ClientContext& context, const v1::ListInteractionsRequest& request) {
  v1::ListInteractionsResponse response;
  grpc::Status status = grpc_stub_->ListInteractions(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Activity> DefaultAccountStub::CreateActivity(
    grpc::ClientContext& context, const v1::CreateActivityRequest& request) {
  v1::Activity response;
  grpc::Status status = grpc_stub_->CreateActivity(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Activity> DefaultAccountStub::GetActivity(
    grpc::ClientContext& context, const v1::GetActivityRequest& request) {
  v1::Activity response;
  grpc::Status status = grpc_stub_->GetActivity(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Activity> DefaultAccountStub::UpdateActivity(
    grpc::ClientContext& context, const v1::UpdateActivityRequest& request) {
  v1::Activity response;
  grpc::Status status = grpc_stub_->UpdateActivity(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Activity> DefaultAccountStub::CompleteActivity(
    grpc::ClientContext& context, const v1::CompleteActivityRequest& request) {
  v1::Activity response;
  grpc::Status status = grpc_stub_->CompleteActivity(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::Activity> DefaultAccountStub::CancelActivity(
    grpc::ClientContext& context, const v1::CancelActivityRequest& request) {
  v1::Activity response;
  grpc::Status status = grpc_stub_->CancelActivity(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

absl::StatusOr<v1::ListActivitiesResponse> DefaultAccountStub::ListActivities(
    grpc::ClientContext& context, const v1::ListActivitiesRequest& request) {
  v1::ListActivitiesResponse response;
  grpc::Status status = grpc_stub_->ListActivities(&context, request, &response);
  return UnaryResult(status, std::move(response));
}

std::unique_ptr<ImportAccountsStream> DefaultAccountStub::ImportAccounts(
    std::unique_ptr<grpc::ClientContext> context) {
  auto response = std::make_unique<v1::ImportAccountsResponse>();
  auto writer = grpc_stub_->ImportAccounts(context.get(), response.get());
  return std::make_unique<
      internal::GrpcStreamingWriteRpc<v1::ImportAccountsRequest, v1::ImportAccountsResponse>>(
      std::move(context), std::move(response), std::move(writer));
}

std::unique_ptr<ExportAccountsStream> DefaultAccountStub::ExportAccounts(
    std::unique_ptr<grpc::ClientContext> context, const v1::ExportAccountsRequest& request) {
  auto reader = grpc_stub_->ExportAccounts(context.get(), request);
  return std::make_unique<internal::GrpcStreamingReadRpc<v1::Account>>(std::move(context),
                                                                       std::move(reader));
}

}  // namespace crm::client
