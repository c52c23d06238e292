// Launchers: how a container's processes are found and killed.
//   linux: each container in a cgroup of its own (v1: the freezer
//          hierarchy, v2: the unified tree), so that a process that left
//          its session (a `setsid` double fork) is still found; destroy
//          freezes, kills and thaws (v1) or writes cgroup.kill (v2).
//   posix: the container's session, found through /proc; what escaped the
//          session escapes the kill (Mesos' posix launcher has the same gap).
#pragma once

#include <memory>

#include <caf/expected.hpp>

#include "actors/agent/isolator.hpp"
#include "actors/agent/isolators/cgroup_fs.hpp"
#include "actors/agent/isolators/cgroup_mounts.hpp"
#include "actors/agent/isolators/cgroups_options.hpp"

namespace cairn {

// v1 needs the freezer subsystem mounted; an error says when it is not.
caf::expected<std::unique_ptr<launcher>>
make_linux_launcher(std::shared_ptr<cgroup_fs> fs, const cgroup_layout& layout,
                    const cgroups_options& options, signal_fn send);

// The posix launcher (`--launcher=posix`), by session.
std::unique_ptr<launcher> make_session_launcher();

} // namespace cairn
