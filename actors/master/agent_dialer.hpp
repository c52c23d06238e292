// A newly elected master reaches the agents its registry lists: for each
// agent's HTTP address it finds the agent's actor and sends NEW_MASTER as
// the master, so that agents which knew only a master that died re-register
// with this one. Connecting blocks: a few detached dialers share the
// addresses; a few rounds, then they end: agents still away are the
// re-register timeout's business.
#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/master/master.hpp"

namespace cairn {

caf::actor spawn_agent_dialer(caf::actor_system& sys, master_actor master,
                              std::vector<std::string> addresses);

} // namespace cairn
