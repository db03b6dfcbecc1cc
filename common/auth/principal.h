// The caller a bearer token stands for.
#pragma once

#include <string>
#include <vector>

#include "crm/v1/admin.pb.h"

namespace crm::auth {

struct Principal {
  std::string user_id;
  crm::v1::Role role = crm::v1::ROLE_UNSPECIFIED;
  std::string team_id;
  // For a sales manager with a team: the users of that team (itself included), whose records its
  // ownership covers.
  std::vector<std::string> team_members;
  // The access token the call presented.
  std::string token_id;
};

}  // namespace crm::auth
