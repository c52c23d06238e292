// Chronos' placement constraints over an offer's agent: [attribute, op,
// value] with op EQUALS (the attribute's value is the value), LIKE (it
// matches the value as a whole regular expression) or UNLIKE (it does not).
// "hostname" names the agent's host name. An agent without the attribute
// fails EQUALS and LIKE and passes UNLIKE, as in Chronos. Pure.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cairn::cron {

struct constraint {
  enum class op { equals, like, unlike };
  std::string attribute;
  op what = op::equals;
  std::string value;
  std::regex pattern;  // LIKE and UNLIKE
};

// One constraint as JSON gave it (three strings); other operators (Chronos'
// GROUP_BY, Marathon's CLUSTER, ...) are refused by name.
caf::expected<constraint> read_constraint(const std::vector<std::string>& fields);

// An agent's host name and attributes (text, or scalars and the like written
// as Mesos writes them).
struct agent_traits {
  std::string hostname;
  std::map<std::string, std::string> attributes;
};

bool satisfies(const std::vector<constraint>& cs, const agent_traits& agent);

} // namespace cairn::cron
