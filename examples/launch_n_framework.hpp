// An example framework written as an actor: launches N copies of a command,
// as many per offer as fit, and reports a tally when every task has ended.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/handles.hpp"
#include "actors/resources/resources.hpp"

namespace cairn::examples {

struct launch_n_config {
  std::string name = "launch-n";
  size_t count = 10;
  std::string command = "sleep 0.1";
  resources task_resources;
  std::string role = "*";
  // Every master's HTTP address: when the master is lost the driver finds the
  // leader among them and subscribes again as the same framework. Empty: the
  // handle given to spawn_launch_n, for good.
  std::vector<std::string> master_addresses;
};

struct tally {
  size_t launched = 0;
  size_t updates = 0;
  std::map<std::string, size_t> terminal;  // by state name
  size_t tasks_with_two_terminal_states = 0;
  size_t finished() const;
};

using tally_callback = std::function<void(const tally&)>;

// Starts the framework and its driver against `master`; `done` runs (in the
// framework's actor) once all tasks have reached a terminal state.
void spawn_launch_n(caf::actor_system& sys, scheduler_call_sink master, launch_n_config config,
                    tally_callback done);

} // namespace cairn::examples
