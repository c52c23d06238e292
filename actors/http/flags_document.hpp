// /master/flags and /slave(1)/flags: every flag of the command that started
// the node, as Mesos writes it: {"flags": {"work_dir": "/var/lib/...", ...}}.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/http_server.hpp"

namespace cairn {

// (name, value) of each flag, in the order the command defines them.
using flag_list = std::vector<std::pair<std::string, std::string>>;

http_response flags_response(const flag_list& flags);

} // namespace cairn
