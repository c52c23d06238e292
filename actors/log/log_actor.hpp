// One node of the replicated log in one detached actor (LevelDB writes
// block): the log node core (storage/paxos/node.hpp) with its LevelDB store.
//
// The actor only moves things: peers' messages and the clock's ticks go into
// the core; what the core hands back is persisted, then sent, then answered.
// Election, lease, heartbeats, stickiness and catch-up are the core's. The
// owner (the master's contender) hears `elected` once this node leads and its
// replica holds every chosen entry, and `demoted` when it stops leading.
#pragma once

#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/handles.hpp"
#include "runtime/duration.hpp"
#include "storage/log_store.hpp"

namespace cairn {

using append_atom = caf::atom_constant<caf::atom("append")>;
using truncate_atom = caf::atom_constant<caf::atom("truncate")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using leader_atom = caf::atom_constant<caf::atom("leader")>;
using elected_atom = caf::atom_constant<caf::atom("elected")>;
using demoted_atom = caf::atom_constant<caf::atom("demoted")>;
using log_tick_atom = caf::atom_constant<caf::atom("logtick")>;
using peer_atom = caf::atom_constant<caf::atom("peer")>;
using log_flush_atom = caf::atom_constant<caf::atom("logflush")>;

// An entry read back from the log: its position and bytes.
struct log_entry {
  uint64_t position;
  std::string data;
};

using log_actor = caf::typed_actor<
  // From peers.
  caf::reacts_to<log_message>,
  // The leader's writes: the position an entry took (an error when not leading,
  // or for an entry over paxos::max_entry_bytes, which no message could carry).
  caf::replies_to<append_atom, std::string>::with<uint64_t>,
  // Drops entries before a position (a snapshot is at it).
  caf::replies_to<truncate_atom, uint64_t>::with<uint64_t>,
  // The learned entries from `first` on, in order: (positions, data).
  caf::replies_to<read_atom, uint64_t>::with<std::vector<uint64_t>, std::vector<std::string>>,
  // Who leads, as the leader's heartbeats say ("" when unknown).
  caf::replies_to<leader_atom>::with<std::string>,
  // Timers, connections to peers as they come, and its own group commit.
  caf::reacts_to<log_tick_atom>,
  caf::reacts_to<log_flush_atom>,
  caf::reacts_to<peer_atom, uint32_t, caf::strong_actor_ptr>>;

struct log_options {
  uint32_t id = 0;                     // this node's index among the peers
  std::vector<std::string> addresses;  // every node's HTTP address, by index
  size_t quorum = 1;
  std::string work_dir;                // the replica's LevelDB lives under it
  std::string advertised;              // this master's HTTP address, sent in heartbeats
  // The leader's heartbeats; the lease and the followers' promise window
  // follow from the election timeout (storage/paxos/node.hpp says how).
  duration heartbeat_interval = std::chrono::milliseconds(100);
  // A follower that hears no leader this long (plus up to half as much again,
  // at random) asks for a pre-vote, then stands.
  duration election_timeout = std::chrono::milliseconds(500);
  uint64_t seed = 0;
  // Writes that Paxos needs on disk before answering are flushed (fsync).
  // Off only to measure what the flush costs (log_bench): a replica that
  // loses power may then forget a promise.
  bool sync = true;
};

// How often the node's timer fires: a fraction of the heartbeat interval.
duration log_tick_interval(const log_options& options);

// Refuses timings the lease cannot work with (the heartbeat must come well
// within the lease), naming the flags.
caf::error check_log_timing(duration heartbeat_interval, duration election_timeout);

// Opens the replica's store and spawns the node (detached). `owner` hears
// elected_atom and demoted_atom.
caf::expected<log_actor> spawn_log(caf::actor_system& sys, log_options options, caf::actor owner);

} // namespace cairn
