// Assembling a node: a role's actor, its HTTP endpoints and its actor port.
// Shared by `cairn local` (all roles in one process), `cairn master` and
// `cairn agent`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/master/contender.hpp"
#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct node_address {
  std::string ip;          // to listen on
  std::string advertised;  // what others are told
  uint16_t http_port = 0;  // 0: any free port
  uint16_t actor_port = 0; // 0: any free port
  http_server_options http; // the HTTP server's bounds
};

// The replicated log of a master node: one replica per master.
struct master_log_settings {
  // Every master's HTTP address ("host:port"); this node is the one at
  // `id`. Empty: this master alone.
  std::vector<std::string> masters;
  uint32_t id = 0;
  size_t quorum = 0;        // 0: a majority
  std::string work_dir;     // the replica's LevelDB goes under it
  uint16_t log_port = 0;    // where peers reach the replica; 0: any free port
  duration heartbeat_interval = std::chrono::milliseconds(100);  // --heartbeat_interval
  duration election_timeout = std::chrono::milliseconds(500);    // --election_timeout
};

// A master node: its HTTP endpoints and its contender (which runs the
// replica, the registrar and, while this node leads, the master actor).
struct master_node {
  std::unique_ptr<http_server> http;
  uint16_t http_port = 0;
  std::string address;  // advertised "host:port"
  std::shared_ptr<leadership> shared = std::make_shared<leadership>();
  caf::actor contender;
  std::unique_ptr<published_actor> log_port; // the replica's port, with several masters
  std::function<void(http_handler)> set_routes;
};

// In two steps, so that several masters in one process know each other's
// ports before any starts: first the HTTP server (503 until started) ...
caf::expected<master_node> listen_master_node(const node_address& where);
// ... then the node itself.
caf::error start_master_node(caf::actor_system& sys, master_node& node, const node_address& where,
                             master_options options, master_log_settings log);
// Stops it: the master actor (when leading), the registrar and the replica.
void stop_master_node(master_node& node);

struct agent_node {
  agent_actor agent;
  std::unique_ptr<http_server> http;
  uint16_t http_port = 0;
  std::unique_ptr<published_actor> actor_port;
};

// `master`: the master in this process; null when options.master_addresses
// tell the agent where to find it.
caf::expected<agent_node> start_agent_node(caf::actor_system& sys, const node_address& where,
                                           agent_options options, agent_call_sink master);

// The actor port a node uses by default: its HTTP port + 100, or any.
uint16_t default_actor_port(uint16_t http_port);

} // namespace cairn
