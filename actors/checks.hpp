// The rules for what comes from outside and becomes a path, a key or a number
// the cluster computes with: ids, role names, weights, durations. One place,
// so that the master, the allocator, the agent and the HTTP edge agree; each
// returns the problem ("" when the value is fine), worded as Mesos words it
// where Mesos has the rule.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <capnp/blob.h>

namespace cairn {

// A text of a message, whole: NUL bytes inside are checked too, where a
// cStr() would stop at the first.
inline std::string_view whole(capnp::Text::Reader text) {
  return std::string_view(text.begin(), text.size());
}

// Framework, agent, executor, task, container and offer ids (Mesos'
// validateID): not empty, not "." or "..", no '/', '\' or control
// characters, at most limits::max_id_bytes (an id is a directory name).
std::string check_id(std::string_view id);

// Mesos' role names: "*", or a path of '/'-separated components, none empty,
// ".", ".." or "*", none starting with '-', no whitespace or control
// characters; at most limits::max_role_bytes.
std::string check_role(std::string_view role);

// A DRF weight: a valid role, and a finite weight within
// [limits::min_role_weight, limits::max_role_weight].
std::string check_weight(std::string_view role, double weight);

// A duration in seconds named `what` (e.g. "failover_timeout"): finite, not
// negative, at most limits::max_input_duration_seconds.
std::string check_seconds(std::string_view what, double seconds);

// The --weights flag ("web=2,batch=1"), each weight checked as above.
caf::expected<std::vector<std::pair<std::string, double>>> parse_weights(const std::string& text);

} // namespace cairn
