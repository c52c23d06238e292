// Agents in this process whose tasks run in simulated executors until they
// are killed, for benchmarks with real masters: they find the master by its
// HTTP address as `cairn agent` does, and keep their checkpoints in memory
// where they can (in a cluster each agent syncs its own disk; here they
// would all queue on one, in front of the masters' log).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/resources/resources.hpp"
#include "runtime/http_server.hpp"

namespace cairn::testing {

struct sim_agents {
  // The master dials an agent at the HTTP address it registered with; these
  // have none of their own, so that address answers 404 at once.
  std::unique_ptr<http_server> nobody;
  std::filesystem::path dir;  // their work dirs
  std::vector<agent_actor> agents;

  // Ends the agents and removes their work dirs.
  void stop();
};

// `count` agents named `name`-N offering `total` each; with `connectors`,
// agent i shares connector i % size to find the master (else each has its
// own); `registration_backoff` is their first wait before they register
// again unanswered. Empty agents when no HTTP server could be started.
sim_agents start_sim_agents(caf::actor_system& sys, size_t count, const resources& total,
                            const std::vector<std::string>& masters, const std::string& name,
                            const std::vector<caf::actor>& connectors = {},
                            duration registration_backoff = std::chrono::seconds(1));

} // namespace cairn::testing
