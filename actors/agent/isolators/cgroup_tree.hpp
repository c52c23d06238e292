// The cgroups one isolator (or the linux launcher) keeps: for each
// container a directory <base>/<root>/<container> under each of its bases
// (v1: the mounts of its subsystems, co-mounted ones once; v2: the unified
// mount). Made before the first process starts, found again after a
// restart, removed when the container is gone; a cgroup under the root that
// no container claims is emptied (its processes killed) and removed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/agent/isolators/cgroup_fs.hpp"
#include "runtime/contained_spawn.hpp"

namespace cairn {

// The pids listed in <cgroup>/cgroup.procs (none when it cannot be read).
std::vector<pid_t> cgroup_pids(cgroup_fs& fs, const std::string& cgroup);

// Removes `cgroup` and the cgroups nested in it, deepest first. A cgroup
// already gone is no error; one with processes left is.
caf::error remove_cgroup_tree(cgroup_fs& fs, const std::string& cgroup);

// SIGKILLs every process of `cgroup` and of the cgroups nested in it.
void kill_cgroup_tree(cgroup_fs& fs, const signal_fn& send, const std::string& cgroup);

class cgroup_tree {
public:
  // `controllers` (v2 only): what cgroup.subtree_control must enable above
  // a container's cgroup ("cpu", "memory", "pids"); empty for v1.
  cgroup_tree(std::shared_ptr<cgroup_fs> fs, signal_fn send, std::vector<std::string> bases,
              std::string root, std::vector<std::string> controllers = {});

  // <base>/<root>/<container> for the i-th base.
  std::string path(const std::string& container, size_t base = 0) const;
  const std::vector<std::string>& bases() const {
    return bases_;
  }

  // Makes the container's cgroups and adds their cgroup.procs to the plan.
  caf::error create(const std::string& container, launch_plan& plan);

  // Adopts the claimed containers' cgroups; kills and removes the others.
  // Those whose processes are still dying are removed by a later call.
  caf::error recover(const std::vector<std::string>& containers);

  // Removes the container's cgroups (nested ones first).
  caf::error remove(const std::string& container);

  bool knows(const std::string& container) const {
    return known_.count(container) != 0;
  }

  cgroup_fs& fs() {
    return *fs_;
  }

private:
  caf::error enable_controllers(const std::string& dir);
  void remove_orphans();

  std::shared_ptr<cgroup_fs> fs_;
  signal_fn send_;
  std::vector<std::string> bases_;
  std::string root_;
  std::vector<std::string> controllers_;
  std::set<std::string> known_;
  std::set<std::string> orphans_;  // paths whose processes were killed, still to remove
};

} // namespace cairn
