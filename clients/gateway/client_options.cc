#include "clients/gateway/client_options.h"

namespace crm::client {
namespace {

std::string OrDefault(const std::string& address, const ClientOptions& options) {
  return address.empty() ? options.address : address;
}

}  // namespace

std::string AccountsAddress(const ClientOptions& options) {
  return OrDefault(options.service_addresses.accounts, options);
}

std::string EventsAddress(const ClientOptions& options) {
  return OrDefault(options.service_addresses.events, options);
}

std::string PipelineAddress(const ClientOptions& options) {
  return OrDefault(options.service_addresses.pipeline, options);
}

std::string ServiceDeskAddress(const ClientOptions& options) {
  return OrDefault(options.service_addresses.servicedesk, options);
}

std::string KeyAccountAddress(const ClientOptions& options) {
  return OrDefault(options.service_addresses.keyaccounts, options);
}

}  // namespace crm::client
