// The connection layer of KeyAccountService: one virtual per RPC (keyaccount_rpcs.h, plus
// Reclassify) without gRPC types, behind which the default implementation applies the retry and
// request-id rules of each RPC's kind. KeyAccountClient forwards to it; tests of code using
// KeyAccountClient substitute mocks/mock_keyaccount_connection.h. See account_connection.h for
// the layering.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/keyaccount_rpcs.h"
#include "clients/gateway/keyaccount_stub.h"
#include "crm/v1/keyaccount.pb.h"

// The connection-layer (and client) signature of one unary RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_KEYACCOUNT_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

// Called for each progress message of a reclassification, the last one (PHASE_DONE) carrying
// the summary; return false to stop following, which cancels the call.
using ReclassifyCallback = std::function<bool(const v1::ReclassifyProgress& progress)>;

class KeyAccountConnection {
 public:
  virtual ~KeyAccountConnection() = default;

#define CRM_KEYACCOUNT_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_KEYACCOUNT_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_CONNECTION_DECLARE)
#undef CRM_KEYACCOUNT_CONNECTION_DECLARE

  // Follows the run to its end and returns its summary. A stream that breaks with UNAVAILABLE
  // before the first progress message is started again (the server refuses a second run while
  // one is going, so a run that did start is not repeated); once progress has arrived the run
  // is writing, and the failure is returned as it is. CANCELLED when `on_progress` stopped.
  virtual absl::StatusOr<v1::ReclassifySummary> Reclassify(
      const v1::ReclassifyRequest& request, const ReclassifyCallback& on_progress) = 0;
};

// Dials KeyAccountAddress(options) with the default stub stack.
absl::StatusOr<std::shared_ptr<KeyAccountConnection>> MakeKeyAccountConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<KeyAccountConnection> MakeKeyAccountConnection(std::shared_ptr<KeyAccountStub> stub,
                                                               const ClientOptions& options);

}  // namespace crm::client
