// The roles the master knows, with their weight, frameworks and resources:
// one computation for GET_ROLES and /master/roles.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/master/state.hpp"
#include "schema/state.capnp.h"

namespace cairn {

struct role_view {
  double weight = 1.0;
  std::vector<std::string> frameworks;
  resources allocated;  // to its running tasks
  resources offered;    // in outstanding offers
  resources reserved;   // on agents, to the role
};

std::map<std::string, role_view> collect_roles(master_ptr self);

// /master/roles, in Mesos' layout.
wire<schema::state::Roles> build_roles(master_ptr self);

} // namespace cairn
