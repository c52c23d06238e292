// A container's first process. Between fork and exec a child of a threaded
// program may only make system calls, so everything it does there is
// prepared beforehand, as plain strings and numbers, in a launch_plan:
// join cgroups, enter new namespaces (a pid namespace with a /proc of its
// own), enter a root file system of its own, become its user, open its
// stdout and stderr, change to its sandbox, exec. A failure before exec is reported back through a close-on-exec pipe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cairn {

struct launch_plan {
  std::vector<std::string> argv;   // argv[0] is the program; a path, or looked up in PATH
  std::vector<std::string> env;    // the complete environment, "NAME=value"
  std::string cwd;                 // empty: inherit
  std::string stdout_path;         // appended to; empty: inherit
  std::string stderr_path;
  // Files the child writes "0" to before it execs: "<cgroup>/cgroup.procs"
  // (v1 and v2 both take 0 as "the writer").
  std::vector<std::string> cgroups;
  int namespaces = 0;              // CLONE_NEWPID, CLONE_NEWNS, ...
  // In a new pid and mount namespace: mount a /proc of its own, so that ps
  // shows only the container. Needs CLONE_NEWPID | CLONE_NEWNS.
  bool private_proc = false;
  // A root file system of its own (needs CLONE_NEWNS): in its mount
  // namespace the child binds `binds` into it, mounts a /proc and a /dev
  // with the usual devices there, and pivots into it; cwd is then inside.
  std::string rootfs;
  struct bind_mount {
    std::string source;  // a host path
    std::string target;  // absolute, inside rootfs; exists there
  };
  std::vector<bind_mount> binds;
  // Who it runs as; unset: the agent's own user and groups.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;       // supplementary groups, with uid
};

// Starts the plan's process in a session of its own. Returns its pid (in
// the caller's pid namespace), or why it could not start: an exec failure,
// a cgroup it could not join, ... (then no process is left).
caf::expected<pid_t> spawn_contained(const launch_plan& plan);

} // namespace cairn
