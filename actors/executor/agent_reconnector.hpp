// Reaching the agent again after it went away, for executors of
// checkpointing frameworks. CAF's remote_actor blocks, so the attempts run on
// a detached actor of their own and the executor keeps reaping and probing
// its task meanwhile. Between attempts it waits a random time up to the
// backoff bound, as Mesos' executor library does (MESOS_SUBSCRIPTION_BACKOFF_MAX,
// which Mesos' agent sets to its executor re-registration timeout, 2secs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>

#include "runtime/duration.hpp"

namespace cairn {

// Owner -> reconnector: find the agent (again); one answer per ask.
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
// Reconnector -> owner: (reconnected_atom, handle to the agent).
using reconnected_atom = caf::atom_constant<caf::atom("reconnectd")>;

struct reconnector_options {
  std::string host;
  uint16_t port = 0;
  // Connects to host:port (blocking). Unset: CAF's middleman, to whatever is
  // published there accepting executor calls (the agent is published with
  // its whole interface, which includes them).
  std::function<caf::expected<caf::strong_actor_ptr>(caf::actor_system&, const std::string&,
                                                     uint16_t)>
    connect;
  duration backoff_max = std::chrono::seconds(2);
  uint64_t seed = 0;
};

// Spawns the reconnector for `owner`; it ends when its owner does.
caf::actor spawn_agent_reconnector(caf::actor_system& sys, caf::actor owner,
                                   reconnector_options options);

} // namespace cairn
