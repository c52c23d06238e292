// The master: admits agents and frameworks, turns the allocator's grants into
// offers, validates what frameworks accept, launches tasks on agents, and
// routes status updates and their acknowledgements. The protocol is the
// typed interface below; bodies are the Cap'n Proto messages of
// schema/scheduler.capnp, schema/master.capnp and schema/allocator.capnp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/handles.hpp"
#include "actors/registrar/registrar.hpp"
#include "runtime/duration.hpp"

namespace cairn {

using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using failover_atom = caf::atom_constant<caf::atom("failover")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using reregister_timeout_atom = caf::atom_constant<caf::atom("rereg")>;
using update_framework_atom = caf::atom_constant<caf::atom("updatefw")>;
using roles_atom = caf::atom_constant<caf::atom("roles")>;

using master_actor = caf::typed_actor<
  // From frameworks (their drivers, or HTTP streams acting for them).
  caf::reacts_to<scheduler_call>,
  // UPDATE_FRAMEWORK from the HTTP gateway, answered as Mesos answers it over
  // HTTP: "" once applied, else why not (a 400), rather than an ERROR event.
  caf::replies_to<update_framework_atom, scheduler_call>::with<std::string>,
  // From agents.
  caf::reacts_to<agent_call>,
  // From the allocator: the grants of one pass.
  caf::reacts_to<allocation>,
  // Operators and the HTTP gateway.
  caf::replies_to<operator_call>::with<operator_response>,
  caf::replies_to<state_atom>::with<master_snapshot>,
  caf::replies_to<roles_atom>::with<roles_document>,
  // The replicated key-value store, for frameworks' state: a key's (version,
  // value), version 0 when absent; compare-and-set writes (key, value, the
  // version expected, or any) answering (written, why not, new version); and
  // the whole registry as a snapshot entry (storage/registry.hpp).
  caf::replies_to<kv_get_atom, std::string>::with<uint64_t, std::string>,
  caf::replies_to<kv_set_atom, std::string, std::string, uint64_t, bool>::with<bool, std::string,
                                                                             uint64_t>,
  caf::replies_to<kv_delete_atom, std::string, uint64_t, bool>::with<bool, std::string, uint64_t>,
  caf::replies_to<registry_atom>::with<std::string>,
  // Timers of its own: framework heartbeats; agent pings; a framework's failover timeout
  // (framework id, the disconnection it belongs to).
  caf::reacts_to<heartbeat_atom>,
  caf::reacts_to<ping_atom>,
  caf::reacts_to<failover_atom, std::string, uint64_t>,
  // Agents recovered from the registry that have not come back by now are
  // unreachable.
  caf::reacts_to<reregister_timeout_atom>>;

struct master_options {
  std::string hostname = "localhost";  // advertised
  std::string ip = "127.0.0.1";
  uint16_t http_port = 5050;
  uint16_t actor_port = 5150;
  duration allocation_interval = std::chrono::seconds(1);
  // Sent to frameworks in SUBSCRIBED and then as HEARTBEAT events.
  duration framework_heartbeat_interval = std::chrono::seconds(15);
  // Agents are pinged this often and must answer within it (Mesos'
  // --agent_ping_timeout); after --max_agent_ping_timeouts missed answers in
  // a row an agent is unreachable.
  duration agent_ping_timeout = std::chrono::seconds(15);
  uint32_t max_agent_ping_timeouts = 5;
  // An unreachable agent that stays away this long is forgotten.
  duration agent_removal_timeout = std::chrono::minutes(15);
  // Agents the registry lists must re-register with a new leader within
  // this, or they are marked unreachable (Mesos' --agent_reregister_timeout).
  duration agent_reregister_timeout = std::chrono::minutes(10);
  // Role weights for DRF (Mesos' --weights); roles not named weigh 1. Once
  // the registry holds weights, it wins.
  std::vector<std::pair<std::string, double>> weights;
  // Mesos' --cluster: a name for /master/state ("" leaves it out).
  std::string cluster;
  // Kept for /master/state and GET_TASKS/GET_FRAMEWORKS, oldest dropped
  // first (Mesos' flags and defaults).
  size_t max_completed_frameworks = 50;
  size_t max_completed_tasks_per_framework = 1000;
  uint64_t seed = 0;  // ids and the allocator's shuffle
  // Every flag of the command that started it, with its value, in Mesos'
  // names: what GET_FLAGS and /master/flags answer.
  std::vector<std::pair<std::string, std::string>> flags;
  // Where the master's durable state goes: admitted agents, frameworks,
  // weights. Without one the master keeps it in an in-memory registrar of
  // its own (tests; a single master that forgets on restart).
  registrar_actor registrar;
  // The registry as the registrar recovered it (a snapshot entry), for a
  // newly elected master; empty for a fresh one.
  std::string recovered;
};

master_actor spawn_master(caf::actor_system& sys, master_options options);

} // namespace cairn
