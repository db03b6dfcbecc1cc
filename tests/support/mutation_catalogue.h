// The mutation catalogue: one real, valid, effective call of every method whose access policy
// says it mutates (auth::MethodPolicy::mutates), made against a running TestServer. Tests use it
// to prove something of every change the API can make (e.g. that each leaves an audit record)
// without keeping their own list of methods, which would fall behind the contract.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/test_server.h"

namespace crm::testing {

// What one catalogued call did.
struct MutationResult {
  // "crm.v1.AccountService/CreateAccount".
  std::string method;
  // The kind of record the call changed, as its events name it ("account", "ticket",
  // "sales_settings", ...); "" when the method emits no event (users and access tokens).
  std::string entity;
  // The id of that record as its events carry it (for a tier policy the tier's name, for the
  // scoring model its new version, for the sales settings "1"). Reclassify changes many
  // accounts; it names its run ("reclassify_run").
  std::string entity_id;
  // The call's status. A failed setup call (or lookup after the call) is reported here instead,
  // naming that call, and so is an ImportAccounts call whose row the server refused.
  grpc::Status status;
};

// The methods the catalogue covers, in the order WalkEveryMutation calls them.
std::vector<std::string> CatalogueMethods();

// Calls every catalogued method once, in order, as `user` (an admin unless the test gave it
// another role through TokenFor), first creating through ordinary calls whatever records the
// call needs. Reports each catalogued call, and only those, to `report`. Names and keys are new
// on every walk, so walking the same server twice changes things twice.
void WalkEveryMutation(TestServer& server, const std::string& user,
                       const std::function<void(const MutationResult&)>& report);

}  // namespace crm::testing
