// GatewayClient: every service client built from one ClientOptions. Services that share an
// address share one channel (one HTTP/2 connection), as with the all-in-one server.
#pragma once

#include "absl/status/statusor.h"
#include "clients/gateway/accounts_client.h"
#include "clients/gateway/admin_client.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/customfield_client.h"
#include "clients/gateway/duplicate_client.h"
#include "clients/gateway/events_client.h"
#include "clients/gateway/keyaccount_client.h"
#include "clients/gateway/pipeline_client.h"
#include "clients/gateway/servicedesk_client.h"

namespace crm::client {

class GatewayClient {
 public:
  // Fails only on unusable local configuration (unreadable TLS files); the network is first
  // touched by the first call.
  static absl::StatusOr<GatewayClient> Create(const ClientOptions& options);

  AccountsClient accounts() const { return accounts_; }
  EventsClient events() const { return events_; }
  PipelineClient pipeline() const { return pipeline_; }
  ServiceDeskClient servicedesk() const { return servicedesk_; }
  KeyAccountClient keyaccount() const { return keyaccount_; }
  AdminClient admin() const { return admin_; }
  CustomFieldClient customfields() const { return customfields_; }
  DuplicateClient duplicates() const { return duplicates_; }

 private:
  GatewayClient(AccountsClient accounts, EventsClient events, PipelineClient pipeline,
                ServiceDeskClient servicedesk, KeyAccountClient keyaccount, AdminClient admin,
                CustomFieldClient customfields, DuplicateClient duplicates)
      : accounts_(std::move(accounts)),
        events_(std::move(events)),
        pipeline_(std::move(pipeline)),
        servicedesk_(std::move(servicedesk)),
        keyaccount_(std::move(keyaccount)),
        admin_(std::move(admin)),
        customfields_(std::move(customfields)),
        duplicates_(std::move(duplicates)) {}

  AccountsClient accounts_;
  EventsClient events_;
  PipelineClient pipeline_;
  ServiceDeskClient servicedesk_;
  KeyAccountClient keyaccount_;
  AdminClient admin_;
  CustomFieldClient customfields_;
  DuplicateClient duplicates_;
};

}  // namespace crm::client
