// posix/cpu and posix/mem: a container's usage measured from /proc over
// its session, without limiting it, as Mesos' posix isolators do.
#pragma once

#include <memory>

#include "actors/agent/isolator.hpp"

namespace cairn {

// "posix/cpu" or "posix/mem".
std::unique_ptr<isolator> make_posix_isolator(const std::string& name);

// What the processes of one session use, read from /proc.
struct session_usage {
  uint32_t processes = 0;
  uint32_t threads = 0;
  double user_secs = 0;
  double system_secs = 0;
  uint64_t rss_bytes = 0;
};

session_usage measure_session(pid_t sid);

} // namespace cairn
