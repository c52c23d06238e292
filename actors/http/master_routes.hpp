// The master's HTTP endpoints. Each request that needs the master becomes a
// request to the master actor from a short-lived actor, which answers the
// HTTP reply when the master answers; the HTTP thread never waits.
#pragma once

#include <string>

#include <caf/actor_system.hpp>

#include "actors/http/flags_document.hpp"
#include "actors/master/contender.hpp"
#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct actor_endpoint {
  std::string host;
  uint16_t port = 0;
  uint16_t log_port = 0;   // masters
  std::string leader;      // masters
};

// {"host": ..., "port": ..., ...}: where a node's actors listen.
std::string endpoint_json(const actor_endpoint& endpoint);

// The endpoints of one master node. While the node leads they are served by
// its master actor; otherwise calls are redirected to the leader (HTTP 307
// with the same path and query, as Mesos' non-leading masters do), or
// answered 503 while no leader is known. /health, /version, /cairn/endpoint,
// /master/flags (`flags`, as Mesos' masters each answer with their own) and
// the UI's files are served by every node.
http_handler master_routes(caf::actor_system& sys, std::shared_ptr<leadership> node,
                           std::string advertised_host, const flag_list& flags);

} // namespace cairn
