#pragma once
// How Mesos reads a CommandInfo, shared by everything that starts one (the
// containerizers, the command executor, command health checks): a shell line
// runs under /bin/sh -c; otherwise `value` is the program and `arguments`
// its whole argv, argv[0] included.
#include <string>
#include <vector>

#include "schema/mesos.capnp.h"

namespace cairn {

std::vector<std::string> command_argv(schema::CommandInfo::Reader command);

// The command's own environment as NAME=value entries, in its order.
std::vector<std::string> command_environment(schema::CommandInfo::Reader command);

} // namespace cairn
