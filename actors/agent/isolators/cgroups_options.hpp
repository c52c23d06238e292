// The agent's cgroups flags (Mesos' names), as the isolators and the linux
// launcher take them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cairn {

struct cgroups_options {
  std::string hierarchy = "/sys/fs/cgroup";  // --cgroups_hierarchy
  std::string root = "mesos";                // --cgroups_root, below each hierarchy
  bool enable_cfs = false;                   // --cgroups_enable_cfs: a hard cpu quota
  bool limit_swap = false;                   // --cgroups_limit_swap: memory+swap limited too
  std::optional<uint64_t> pids_max;          // --cgroups_pids_max; unset: no limit written
};

} // namespace cairn
