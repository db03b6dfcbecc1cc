// Who may call what: the one table that gives every method of every service the roles allowed to
// call it. A method missing from the table is refused to everyone, so a new method is closed
// until someone decides who may use it (a test walks every service and fails on such a method).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "crm/v1/admin.pb.h"

namespace crm::auth {

// A set of roles as bits (1 << Role).
using RoleSet = uint32_t;

constexpr RoleSet RoleBit(crm::v1::Role role) { return RoleSet{1} << static_cast<int>(role); }

struct MethodPolicy {
  // Callable without a token (health checking).
  bool open = false;
  RoleSet roles = 0;
  // The method changes data: it leaves an audit record.
  bool mutates = false;

  bool Allows(crm::v1::Role role) const { return (roles & RoleBit(role)) != 0; }
};

// The policy of `method`, given as "crm.v1.AccountService/GetAccount" or as gRPC's path
// "/crm.v1.AccountService/GetAccount"; nullptr when the table has none.
const MethodPolicy* FindMethodPolicy(absl::string_view method);

// Every method the table names ("crm.v1.AccountService/GetAccount"), for tests and tools.
std::vector<std::string> PolicyMethods();

// "sales rep" for ROLE_SALES_REP; what error messages and crmctl print.
std::string RoleDisplayName(crm::v1::Role role);

}  // namespace crm::auth
