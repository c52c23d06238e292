// The agent's HTTP endpoints: /health, /state (Mesos' agent state.json
// layout) and /cairn/endpoint.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/http/flags_document.hpp"
#include "actors/http/master_routes.hpp"

namespace cairn {

// `work_dir`: the tree /files/* may serve (sandboxes live under it);
// `flags`: what /slave(1)/flags lists.
http_handler agent_routes(caf::actor_system& sys, agent_actor agent, actor_endpoint endpoint,
                          std::string work_dir, const flag_list& flags);

} // namespace cairn
