// --executor_environment_variables: as Mesos reads it, a JSON object whose
// values are strings ({"PATH": "/bin:/usr/bin", "LANG": "C"}); executors get
// exactly these instead of the agent's own environment.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cairn {

// "NAME=value" for each member, in the object's order; anything that is not
// an object of strings is an error naming what is wrong (and the key).
caf::expected<std::vector<std::string>> parse_executor_environment(const std::string& json);

} // namespace cairn
