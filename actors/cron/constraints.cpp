#include "actors/cron/constraints.hpp"

#include "runtime/errors.hpp"

namespace cairn::cron {

caf::expected<constraint> read_constraint(const std::vector<std::string>& f) {
  if (f.size() != 3)
    return make_error("a constraint is [attribute, operator, value]");
  if (f[0].empty())
    return make_error("a constraint's attribute is empty");
  if (f[1] != "EQUALS" && f[1] != "LIKE" && f[1] != "UNLIKE")
    return make_error("constraint operator '" + f[1] +
                      "' is not supported (EQUALS, LIKE and UNLIKE are)");
  return placement::read_constraint(f);
}

bool satisfies(const std::vector<constraint>& cs, const agent_traits& agent) {
  return !placement::refusal(cs, agent, {});
}

} // namespace cairn::cron
