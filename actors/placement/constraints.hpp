#pragma once
// Placement constraints in Marathon's form, [field, operator] or [field,
// operator, value], over an agent's host name (field "hostname") or one of
// its attributes, judged against where the other instances already run:
//   UNIQUE        no two instances share the field's value;
//   CLUSTER [v]   all on the value v, or on the value of the first placed;
//   GROUP_BY [n]  spread evenly over the values (n: how many there are);
//   MAX_PER n     at most n instances per value;
//   LIKE re       the value matches re as a whole;  UNLIKE re: it does not;
//   IS v          the value is v.
// An agent without the field fails every operator but UNLIKE, as in
// Marathon. Pure: the services framework and cron (EQUALS is IS) share it.
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cairn::placement {

struct agent_traits {
  std::string hostname;
  std::map<std::string, std::string> attributes;  // text, or scalars as Mesos writes them

  // The field's value on this agent, if it has the field.
  std::optional<std::string> field(const std::string& name) const;
};

struct constraint {
  enum class op { unique, cluster, group_by, max_per, like, unlike, is };
  std::string field;
  op what = op::unique;
  std::optional<std::string> value;
  std::regex pattern;  // LIKE and UNLIKE
  long count = 0;      // GROUP_BY (0: unknown), MAX_PER
};

// One constraint from its JSON fields, or why it is not one (an unknown
// operator is named). EQUALS, Chronos' spelling, reads as IS.
caf::expected<constraint> read_constraint(const std::vector<std::string>& fields);

// Why `candidate` may not take one more instance, given the agents the
// others run on (one entry per instance); nullopt when it may.
std::optional<std::string> refusal(const constraint& c, const agent_traits& candidate,
                                   const std::vector<const agent_traits*>& placed);

// The first refusal among `cs`.
std::optional<std::string> refusal(const std::vector<constraint>& cs,
                                   const agent_traits& candidate,
                                   const std::vector<const agent_traits*>& placed);

} // namespace cairn::placement
