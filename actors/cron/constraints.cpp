#include "actors/cron/constraints.hpp"

#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

// Bounds the regular expressions a job may carry: std::regex compiles
// recursively.
constexpr size_t max_pattern_chars = 256;

} // namespace

caf::expected<constraint> read_constraint(const std::vector<std::string>& f) {
  if (f.size() != 3)
    return make_error("a constraint is [attribute, operator, value]");
  constraint c;
  c.attribute = f[0];
  c.value = f[2];
  if (c.attribute.empty())
    return make_error("a constraint's attribute is empty");
  if (f[1] == "EQUALS")
    c.what = constraint::op::equals;
  else if (f[1] == "LIKE")
    c.what = constraint::op::like;
  else if (f[1] == "UNLIKE")
    c.what = constraint::op::unlike;
  else
    return make_error("constraint operator '" + f[1] +
                      "' is not supported (EQUALS, LIKE and UNLIKE are)");
  if (c.what != constraint::op::equals) {
    if (c.value.size() > max_pattern_chars)
      return make_error("constraint pattern longer than 256 characters");
    try {
      c.pattern = std::regex(c.value, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return make_error("constraint pattern '" + c.value + "': " + e.what());
    }
  }
  return c;
}

bool satisfies(const std::vector<constraint>& cs, const agent_traits& agent) {
  for (auto& c : cs) {
    const std::string* value = nullptr;
    if (c.attribute == "hostname")
      value = &agent.hostname;
    else if (auto it = agent.attributes.find(c.attribute); it != agent.attributes.end())
      value = &it->second;
    switch (c.what) {
      case constraint::op::equals:
        if (!value || *value != c.value)
          return false;
        break;
      case constraint::op::like:
        if (!value || !std::regex_match(*value, c.pattern))
          return false;
        break;
      case constraint::op::unlike:
        if (value && std::regex_match(*value, c.pattern))
          return false;
        break;
    }
  }
  return true;
}

} // namespace cairn::cron
