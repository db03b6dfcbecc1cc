#include "clients/gateway/account_connection_impl.h"
#include "clients/gateway/channel.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

absl::StatusOr<v1::Account> DefaultAccountConnection::CreateAccount(
    const v1::CreateAccountRequest& request) {
  return Create(&AccountStub::CreateAccount, request);
}

absl::StatusOr<v1::Account> DefaultAccountConnection::GetAccount(
    const v1::GetAccountRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::GetAccount, request);
}

absl::StatusOr<v1::Account> DefaultAccountConnection::UpdateAccount(
    const v1::UpdateAccountRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::UpdateAccount, request);
}

absl::StatusOr<v1::Account> DefaultAccountConnection::DeleteAccount(
    const v1::DeleteAccountRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::DeleteAccount, request);
}

absl::StatusOr<v1::Account> DefaultAccountConnection::UndeleteAccount(
    const v1::UndeleteAccountRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::UndeleteAccount, request);
}

absl::StatusOr<v1::ListAccountsResponse> DefaultAccountConnection::ListAccounts(
    const v1::ListAccountsRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::ListAccounts, request);
}

absl::StatusOr<v1::Contact> DefaultAccountConnection::CreateContact(
    const v1::CreateContactRequest& request) {
  return Create(&AccountStub::CreateContact, request);
}

absl::StatusOr<v1::Contact> DefaultAccountConnection::GetContact(
    const v1::GetContactRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::GetContact, request);
}

absl::StatusOr<v1::Contact> DefaultAccountConnection::UpdateContact(
    const v1::UpdateContactRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::UpdateContact, request);
}

absl::StatusOr<v1::DeleteContactResponse> DefaultAccountConnection::DeleteContact(
    const v1::DeleteContactRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::DeleteContact, request);
}

absl::StatusOr<v1::ListContactsResponse> DefaultAccountConnection::ListContacts(
    const v1::ListContactsRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::ListContacts, request);
}

absl::StatusOr<v1::Interaction> DefaultAccountConnection::LogInteraction(
    const v1::LogInteractionRequest& request) {
  return Create(&AccountStub::LogInteraction, request);
}

absl::StatusOr<v1::Interaction> DefaultAccountConnection::GetInteraction(
    const v1::GetInteractionRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::GetInteraction, request);
}

absl::StatusOr<v1::ListInteractionsResponse> DefaultAccountConnection::ListInteractions(
    const v1::ListInteractionsRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::ListInteractions, request);
}

absl::StatusOr<v1::Activity> DefaultAccountConnection::CreateActivity(
    const v1::CreateActivityRequest& request) {
  return Create(&AccountStub::CreateActivity, request);
}

absl::StatusOr<v1::Activity> DefaultAccountConnection::GetActivity(
    const v1::GetActivityRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::GetActivity, request);
}

absl::StatusOr<v1::Activity> DefaultAccountConnection::UpdateActivity(
    const v1::UpdateActivityRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::UpdateActivity, request);
}

absl::StatusOr<v1::Activity> DefaultAccountConnection::CompleteActivity(
    const v1::CompleteActivityRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::CompleteActivity, request);
}

absl::StatusOr<v1::Activity> DefaultAccountConnection::CancelActivity(
    const v1::CancelActivityRequest& request) {
  return Call(Idempotency::kNonIdempotent, &AccountStub::CancelActivity, request);
}

absl::StatusOr<v1::ListActivitiesResponse> DefaultAccountConnection::ListActivities(
    const v1::ListActivitiesRequest& request) {
  return Call(Idempotency::kIdempotent, &AccountStub::ListActivities, request);
}

absl::StatusOr<v1::ImportAccountsResponse> DefaultAccountConnection::ImportAccounts(
    const std::vector<v1::Account>& rows, const ImportOptions& options) {
  std::unique_ptr<ImportAccountsStream> stream =
      stub_->ImportAccounts(MakeContext(policy_.stream_timeout, policy_.new_request_id()));
  const auto total = static_cast<int64_t>(rows.size());
  v1::ImportAccountsRequest message;
  message.set_confirm_duplicate(options.confirm_duplicates);
  for (int64_t i = 0; i < total; ++i) {
    *message.mutable_account() = rows[i];
    // A failed write means the server has ended the call; Close reports why.
    if (!stream->Write(message)) break;
    if (options.progress) options.progress(i + 1, total);
  }
  return stream->Close();
}

absl::Status DefaultAccountConnection::ExportAccounts(const v1::ExportAccountsRequest& request,
                                                      const AccountCallback& on_account) {
  const std::string correlation_id = policy_.new_request_id();
  Backoff backoff(policy_.retry);
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<ExportAccountsStream> stream =
        stub_->ExportAccounts(MakeContext(policy_.stream_timeout, correlation_id), request);
    bool received = false;
    v1::Account account;
    while (stream->Read(&account)) {
      received = true;
      if (!on_account(account)) {
        stream->Cancel();
        stream->Finish().IgnoreError();  // CANCELLED, by our own request
        return absl::OkStatus();
      }
    }
    absl::Status status = stream->Finish();
    // The export cannot resume from the middle, so only a stream that failed before delivering
    // anything is started again; afterwards the caller would see rows twice.
    if (status.ok() || received || !IsRetryable(status)) return status;
    if (attempt >= policy_.retry.max_attempts) return GaveUp(status, attempt);
    policy_.sleep(backoff.Next());
  }
}

}  // namespace internal

absl::StatusOr<std::shared_ptr<AccountConnection>> MakeAccountConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(AccountsAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakeAccountConnection(CreateDefaultAccountStub(*std::move(channel), options), options);
}

std::shared_ptr<AccountConnection> MakeAccountConnection(std::shared_ptr<AccountStub> stub,
                                                         const ClientOptions& options) {
  return std::make_shared<internal::DefaultAccountConnection>(std::move(stub),
                                                              internal::MakeCallPolicy(options));
}

}  // namespace crm::client
