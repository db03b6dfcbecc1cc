// The gRPC edge of AccountService: decodes each call, hands it to the domain logic on the
// worker pool and maps the result. Nothing else lives here. Methods are defined per entity in
// account_handler.cc, contact_handler.cc, interaction_handler.cc, activity_handler.cc and
// transfer_handler.cc.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/account.grpc.pb.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_transfer_logic.h"
#include "services/accounts/activity_logic.h"
#include "services/accounts/contact_logic.h"
#include "services/accounts/interaction_logic.h"

namespace crm::accounts {

// ImportAccounts reads its rows as raw bytes and parses each itself: gRPC reports a row that does
// not parse exactly as it reports the end of the stream, and such a row must fail alone instead.
class AccountHandler final
    : public crm::v1::AccountService::WithRawCallbackMethod_ImportAccounts<crm::v1::AccountService::CallbackService> {
 public:
  explicit AccountHandler(const server::Runtime& runtime);

  using Context = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  Unary* CreateAccount(Context*, const crm::v1::CreateAccountRequest*, crm::v1::Account*) override;
  Unary* GetAccount(Context*, const crm::v1::GetAccountRequest*, crm::v1::Account*) override;
  Unary* UpdateAccount(Context*, const crm::v1::UpdateAccountRequest*, crm::v1::Account*) override;
  Unary* DeleteAccount(Context*, const crm::v1::DeleteAccountRequest*, crm::v1::Account*) override;
  Unary* UndeleteAccount(Context*, const crm::v1::UndeleteAccountRequest*, crm::v1::Account*) override;
  Unary* ListAccounts(Context*, const crm::v1::ListAccountsRequest*, crm::v1::ListAccountsResponse*) override;

  Unary* CreateContact(Context*, const crm::v1::CreateContactRequest*, crm::v1::Contact*) override;
  Unary* GetContact(Context*, const crm::v1::GetContactRequest*, crm::v1::Contact*) override;
  Unary* UpdateContact(Context*, const crm::v1::UpdateContactRequest*, crm::v1::Contact*) override;
  Unary* DeleteContact(Context*, const crm::v1::DeleteContactRequest*, crm::v1::DeleteContactResponse*) override;
  Unary* ListContacts(Context*, const crm::v1::ListContactsRequest*, crm::v1::ListContactsResponse*) override;

  Unary* LogInteraction(Context*, const crm::v1::LogInteractionRequest*, crm::v1::Interaction*) override;
  Unary* GetInteraction(Context*, const crm::v1::GetInteractionRequest*, crm::v1::Interaction*) override;
  Unary* ListInteractions(Context*, const crm::v1::ListInteractionsRequest*,
                          crm::v1::ListInteractionsResponse*) override;

  Unary* CreateActivity(Context*, const crm::v1::CreateActivityRequest*, crm::v1::Activity*) override;
  Unary* GetActivity(Context*, const crm::v1::GetActivityRequest*, crm::v1::Activity*) override;
  Unary* UpdateActivity(Context*, const crm::v1::UpdateActivityRequest*, crm::v1::Activity*) override;
  Unary* CompleteActivity(Context*, const crm::v1::CompleteActivityRequest*, crm::v1::Activity*) override;
  Unary* CancelActivity(Context*, const crm::v1::CancelActivityRequest*, crm::v1::Activity*) override;
  Unary* ListActivities(Context*, const crm::v1::ListActivitiesRequest*, crm::v1::ListActivitiesResponse*) override;

  // Rows are ImportAccountsRequest messages; the response is an ImportAccountsResponse.
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportAccounts(Context*, grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<crm::v1::Account>* ExportAccounts(Context*,
                                                             const crm::v1::ExportAccountsRequest*) override;

 private:
  const server::Runtime& rt_;
  AccountLogic accounts_;
  ContactLogic contacts_;
  InteractionLogic interactions_;
  ActivityLogic activities_;
  AccountTransferLogic transfer_;
};

}  // namespace crm::accounts
