// How an agent runs containers: an actor with Mesos' containerizer verbs,
// every one asynchronous. The product's is the mesos containerizer
// (mesos_containerizer.hpp: processes, cgroups, namespaces) behind the
// composing one that picks a containerizer per container; simulations plug
// in one that runs executors as actors in the same process.
#pragma once

#include <functional>
#include <string>

#include <caf/actor_control_block.hpp>
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "runtime/type_ids.hpp"

namespace cairn {

using container_launch_atom = caf::atom_constant<caf::atom("cnlaunch")>;
using container_wait_atom = caf::atom_constant<caf::atom("cnwait")>;
using container_update_atom = caf::atom_constant<caf::atom("cnupdate")>;
using container_usage_atom = caf::atom_constant<caf::atom("cnusage")>;
using container_destroy_atom = caf::atom_constant<caf::atom("cndestroy")>;
using container_recover_atom = caf::atom_constant<caf::atom("cnrecover")>;
using container_limitation_atom = caf::atom_constant<caf::atom("cnlimit")>;

using containerizer_actor = caf::typed_actor<
  // Starts the container's first process (after fetching its URIs). The
  // answer, its pid (0 when it has none of its own, as in a simulation),
  // comes once it runs: the agent checkpoints it, recovery finds the
  // process by it. An error says why it could not, and then nothing of it
  // is left.
  caf::replies_to<container_launch_atom, container_config>::with<int64_t>,
  // How the container ended, once it has (every waiter hears it); an error
  // for a container it does not know.
  caf::replies_to<container_wait_atom, std::string>::with<container_termination>,
  // New resources (the config's container id and resources).
  caf::replies_to<container_update_atom, container_config>::with<bool>,
  // What it uses now.
  caf::replies_to<container_usage_atom, std::string>::with<container_statistics>,
  // Kills every process of the container and removes what was made for it;
  // its waiters hear how it ended. False: unknown (or already gone).
  caf::replies_to<container_destroy_atom, std::string>::with<bool>,
  // The limit the container has reached (an OOM kill), looked for now: an
  // executor may see its task killed before the containerizer's own poll
  // sees why. A termination with that limit's reason and message (the
  // container is then being destroyed), or reason NONE when it reached
  // none; an error for a container it does not know.
  caf::replies_to<container_limitation_atom, std::string>::with<container_termination>,
  // After an agent restart: the containers its checkpoints name. Those
  // still running are watched again (wait works for them); what it finds
  // that no checkpoint names (a cgroup, a process) it destroys.
  caf::replies_to<container_recover_atom, container_recovery>::with<bool>>;

// Makes an agent's containerizer; `agent` is the agent itself, for
// executors that run as actors in the same process.
using containerizer_factory =
  std::function<containerizer_actor(caf::actor_system& sys, caf::strong_actor_ptr agent)>;

} // namespace cairn
