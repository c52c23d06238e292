// Chronos' placement constraints over an offer's agent: [attribute, op,
// value] with op EQUALS (the attribute's value is the value), LIKE (it
// matches the value as a whole regular expression) or UNLIKE (it does not).
// "hostname" names the agent's host name. They are the placement core's
// (actors/placement/), which Marathon's operators share; cron accepts only
// Chronos' three. Pure.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/placement/constraints.hpp"

namespace cairn::cron {

using placement::agent_traits;
using placement::constraint;

// One constraint as JSON gave it (three strings); other operators (Chronos'
// GROUP_BY, Marathon's CLUSTER, ...) are refused by name.
caf::expected<constraint> read_constraint(const std::vector<std::string>& fields);

bool satisfies(const std::vector<constraint>& cs, const agent_traits& agent);

} // namespace cairn::cron
