// The master's HTTP endpoints. Each request that needs the master becomes a
// request to the master actor from a short-lived actor, which answers the
// HTTP reply when the master answers; the HTTP thread never waits.
#pragma once

#include <string>

#include <caf/actor_system.hpp>

#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct actor_endpoint {
  std::string host;
  uint16_t port = 0;
};

// {"host": ..., "port": ...}: where a node's actors listen.
std::string endpoint_json(const actor_endpoint& endpoint);

http_handler master_routes(caf::actor_system& sys, master_actor master,
                           actor_endpoint endpoint);

} // namespace cairn
