// Namespaces for a container's first process: `filesystem/linux` gives it a
// mount namespace of its own (mounts it makes stay inside), `namespaces/pid`
// a pid namespace with its own /proc, so that it sees only its own processes.
#pragma once

#include <memory>

#include "actors/agent/isolator.hpp"

namespace cairn {

std::unique_ptr<isolator> make_filesystem_linux_isolator();
std::unique_ptr<isolator> make_pid_namespace_isolator();

} // namespace cairn
