// The agent's sandbox garbage collector, after Mesos' GarbageCollector: an
// executor run's sandbox (and its executor's and framework's directories,
// once nothing of them runs) is removed --gc_delay after the run ends, and
// sooner as the work dir's disk fills (gc_schedule.hpp decides when). The
// actor runs detached: removing a tree and asking the file system how full
// it is are blocking calls that must not hold up the agent. It also notices
// a full work dir and says so in the log.
#pragma once

#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/gc_schedule.hpp"

namespace cairn {

using gc_schedule_atom = caf::atom_constant<caf::atom("gcsched")>;
using gc_unschedule_atom = caf::atom_constant<caf::atom("gcunsched")>;
using gc_tick_atom = caf::atom_constant<caf::atom("gctick")>;
using gc_disk_atom = caf::atom_constant<caf::atom("gcdisk")>;

using sandbox_gc_actor = caf::typed_actor<
  // Paths to remove once due (each beneath the work dir).
  caf::reacts_to<gc_schedule_atom, std::vector<std::string>>,
  // Paths wanted again: kept.
  caf::reacts_to<gc_unschedule_atom, std::vector<std::string>>,
  // Its timers: the next path due; the disk watch.
  caf::reacts_to<gc_tick_atom>,
  caf::reacts_to<gc_disk_atom>>;

struct sandbox_gc_options {
  std::string work_dir;
  gc_policy policy;
  duration disk_watch_interval = std::chrono::minutes(1);  // --disk_watch_interval
};

// Ends when `owner` (the agent) does.
sandbox_gc_actor spawn_sandbox_gc(caf::actor_system& sys, sandbox_gc_options options,
                                  caf::actor owner);

// Removes `path` and everything beneath it without following links;
// "" when all of it went, else what could not be removed.
std::string remove_tree(const std::string& path);

// How full the file system holding `path` is (0..1, as Mesos' fs::usage:
// blocks in use over all blocks), and whether nothing is left for
// unprivileged writers. An error when it cannot be asked.
struct disk_fill {
  double usage = 0;
  bool full = false;
};
caf::expected<disk_fill> measure_disk(const std::string& path);

} // namespace cairn
