// Actor-system bootstrap shared by every shape: the one type list, the
// middleman, and CAF settings that cairn relies on.
#pragma once

#include <cstddef>

#include <caf/actor_system_config.hpp>

namespace cairn {

class system_config : public caf::actor_system_config {
public:
  // `with_network`: load CAF's middleman so actors can reach other processes.
  explicit system_config(bool with_network = true);

  // For a process that is idle nearly all the time and of which an agent
  // runs hundreds (an executor), and for one that shares its machine with
  // the tasks it runs (an agent, `cairn local`): CAF's default
  // work-stealing workers poll their queues when idle, every 50 us for a
  // while after each burst of work, then every 10 ms, which takes a good
  // part of a small machine (a third of `cairn local`'s time while it
  // launched 100 Docker tasks); work-sharing workers sleep until a job
  // comes. `max_threads` bounds the workers; 0: the machine's cores, at
  // least 4.
  void sleep_when_idle(size_t max_threads = 0);
};

} // namespace cairn
