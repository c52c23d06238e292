// Which cgroup hierarchies a machine has, from its mount table: cgroups v2
// when cgroup2 is mounted at the hierarchy root itself (/sys/fs/cgroup),
// else v1 with one mount per subsystem (or co-mounted ones, cpu,cpuacct)
// below it. A hybrid host, whose cgroup2 sits at /sys/fs/cgroup/unified
// beside the v1 mounts, is v1.
#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

namespace cairn {

struct cgroup_layout {
  int version = 1;
  std::string unified;                        // v2: the mount point
  std::map<std::string, std::string> mounts;  // v1: subsystem -> mount point

  // v1: where `subsystem` is mounted; an error naming it when it is not.
  caf::expected<std::string> mount_of(const std::string& subsystem) const;
};

// From the text of /proc/self/mountinfo and --cgroups_hierarchy.
caf::expected<cgroup_layout> detect_cgroups(const std::string& mountinfo,
                                            const std::string& hierarchy);

} // namespace cairn
