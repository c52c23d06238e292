// The registrar: the master's durable state (admitted agents, frameworks,
// weights) and the frameworks' key-value store, as a state machine over the
// replicated log. Its state is always the log's entries applied in position
// order: a change is appended, and answered with the result of applying it
// once everything before it is applied, exactly what a replay computes. A new
// leader replays the log to recover. Every so many entries it holds new
// writes, writes a snapshot of everything before it, and truncates the log
// behind it.
#pragma once

#include <string>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/log/log_actor.hpp"

namespace cairn {

using apply_atom = caf::atom_constant<caf::atom("apply")>;
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using kv_get_atom = caf::atom_constant<caf::atom("kvget")>;
using kv_set_atom = caf::atom_constant<caf::atom("kvset")>;
using kv_delete_atom = caf::atom_constant<caf::atom("kvdelete")>;
using registry_atom = caf::atom_constant<caf::atom("registry")>;
using learn_atom = caf::atom_constant<caf::atom("learn")>;

using registrar_actor = caf::typed_actor<
  // An operation (storage/registry.hpp builds them): (ok, why not, version).
  caf::replies_to<apply_atom, std::string>::with<bool, std::string, uint64_t>,
  // Replays the log; answers the state as a snapshot entry.
  caf::replies_to<recover_atom>::with<std::string>,
  // A key of the key-value store: (version, value); version 0 when absent.
  caf::replies_to<kv_get_atom, std::string>::with<uint64_t, std::string>,
  // The whole registry as a snapshot entry (an error while it recovers).
  caf::replies_to<registry_atom>::with<std::string>,
  // Its own timer: read what the log learned since the last read.
  caf::reacts_to<learn_atom>>;

struct registrar_options {
  // Appended to and replayed from; without one (tests only), operations
  // apply at once and nothing outlives the actor.
  log_actor log;
  size_t snapshot_every = 1000;  // entries between snapshots
};

registrar_actor spawn_registrar(caf::actor_system& sys, registrar_options options);

} // namespace cairn
