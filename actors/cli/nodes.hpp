// Assembling a node: a role's actor, its HTTP endpoints and its actor port.
// Shared by `cairn local` (all roles in one process), `cairn master` and
// `cairn agent`.
#pragma once

#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct node_address {
  std::string ip;          // to listen on
  std::string advertised;  // what others are told
  uint16_t http_port = 0;  // 0: any free port
  uint16_t actor_port = 0; // 0: any free port
};

struct master_node {
  master_actor master;
  std::unique_ptr<http_server> http;
  uint16_t http_port = 0;
  uint16_t actor_port = 0;
};

caf::expected<master_node> start_master_node(caf::actor_system& sys, const node_address& where,
                                             master_options options);

struct agent_node {
  agent_actor agent;
  std::unique_ptr<http_server> http;
  uint16_t http_port = 0;
  uint16_t actor_port = 0;
};

// `master`: the master in this process; null when options.master_addresses
// tell the agent where to find it.
caf::expected<agent_node> start_agent_node(caf::actor_system& sys, const node_address& where,
                                           agent_options options, agent_call_sink master);

// The actor port a node uses by default: its HTTP port + 100, or any.
uint16_t default_actor_port(uint16_t http_port);

} // namespace cairn
