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
  // runs hundreds (an executor): CAF's default work-stealing workers poll
  // their queues every 10 ms when idle, which, times hundreds of processes,
  // takes a good part of a small machine; work-sharing workers sleep until
  // a job comes. `max_threads` bounds the workers whatever the machine's
  // size.
  void sleep_when_idle(size_t max_threads);
};

} // namespace cairn
