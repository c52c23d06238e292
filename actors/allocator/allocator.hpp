// The allocator actor: keeps the allocation core's view current from the
// master's calls and runs a pass on its interval, or soon after an event that
// adds capacity or demand (several such events merge into one pass).
#pragma once

#include <cstdint>
#include <unordered_map>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/allocator/core.hpp"
#include "actors/handles.hpp"
#include "runtime/duration.hpp"

namespace cairn {

using allocate_atom = caf::atom_constant<caf::atom("allocate")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;

// allocate_atom: run one pass now; tick_atom: the periodic batch pass.
// metrics_atom: (passes run, duration of the last in milliseconds).
using allocator_actor =
  allocator_sink::extend<caf::reacts_to<allocate_atom>, caf::reacts_to<tick_atom>,
                         caf::replies_to<metrics_atom>::with<uint64_t, double>>;

struct allocator_options {
  duration allocation_interval = std::chrono::seconds(1);  // Mesos' --allocation_interval
  uint64_t seed = 0;                                       // for the agent shuffle
  alloc::options core;
};

struct allocator_state {
  static inline const char* name = "allocator";
  std::unique_ptr<alloc::core> core;
  std::unique_ptr<std::mt19937_64> rng;
  allocation_sink master;
  allocator_options options;
  std::unordered_map<std::string, uint64_t> generations;  // by agent id
  bool pass_pending = false;
  uint64_t passes = 0;
  uint64_t refused_calls = 0;  // calls the core could not take (logged)
  double last_pass_ms = 0;
};

allocator_actor::behavior_type
allocator(allocator_actor::stateful_pointer<allocator_state> self, allocation_sink master,
          allocator_options options);

} // namespace cairn
