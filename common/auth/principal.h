// The caller a bearer token stands for.
#pragma once

#include <string>

#include "crm/v1/admin.pb.h"

namespace crm::auth {

struct Principal {
  std::string user_id;
  crm::v1::Role role = crm::v1::ROLE_UNSPECIFIED;
  std::string team_id;
  // The access token the call presented.
  std::string token_id;
};

}  // namespace crm::auth
