// The plug-ins that need nothing but processes: the posix launcher finds a
// container's processes by its session (a `setsid` escapes it; the linux
// launcher's cgroups do not let anything escape), and posix/cpu and
// posix/mem measure the session's usage from /proc without limiting it, as
// Mesos' posix isolators do.
#pragma once

#include <memory>

#include "actors/agent/isolator.hpp"

namespace cairn {

std::unique_ptr<launcher> make_posix_launcher();

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
