#include "actors/placement/constraints.hpp"

#include <algorithm>
#include <cstdlib>

#include "runtime/errors.hpp"

namespace cairn::placement {

namespace {

struct op_name {
  const char* name;
  constraint::op what;
  bool needs_value;
};

constexpr op_name ops[] = {
  {"UNIQUE", constraint::op::unique, false}, {"CLUSTER", constraint::op::cluster, false},
  {"GROUP_BY", constraint::op::group_by, false}, {"MAX_PER", constraint::op::max_per, true},
  {"LIKE", constraint::op::like, true},       {"UNLIKE", constraint::op::unlike, true},
  {"IS", constraint::op::is, true},           {"EQUALS", constraint::op::is, true},
};

// Bounds a pattern from outside: std::regex compiles (and matches)
// recursively, so a long one could exhaust the stack.
constexpr size_t max_pattern_chars = 256;

std::optional<long> whole_number(const std::string& text) {
  char* end = nullptr;
  long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1)
    return std::nullopt;
  return n;
}

std::map<std::string, long> counts_by_value(const std::string& field,
                                            const std::vector<const agent_traits*>& placed) {
  std::map<std::string, long> counts;
  for (const auto* a : placed)
    if (auto v = a->field(field))
      ++counts[*v];
  return counts;
}

} // namespace

std::optional<std::string> agent_traits::field(const std::string& name) const {
  if (name == "hostname")
    return hostname;
  auto it = attributes.find(name);
  if (it == attributes.end())
    return std::nullopt;
  return it->second;
}

caf::expected<constraint> read_constraint(const std::vector<std::string>& fields) {
  if (fields.size() < 2 || fields.size() > 3)
    return make_error("a constraint is [field, operator] or [field, operator, value]");
  const op_name* found = nullptr;
  for (const auto& o : ops)
    if (fields[1] == o.name)
      found = &o;
  if (found == nullptr)
    return make_error("constraint operator '" + fields[1] +
                      "' is not one of UNIQUE, CLUSTER, GROUP_BY, MAX_PER, LIKE, UNLIKE, IS");
  if (found->needs_value && fields.size() != 3)
    return make_error(fields[1] + " needs a value");
  if (found->what == constraint::op::unique && fields.size() == 3)
    return make_error("UNIQUE takes no value");
  constraint c;
  c.field = fields[0];
  c.what = found->what;
  if (fields.size() == 3)
    c.value = fields[2];
  if (c.what == constraint::op::max_per || (c.what == constraint::op::group_by && c.value)) {
    auto n = whole_number(*c.value);
    if (!n)
      return make_error(fields[1] + " takes a whole number of 1 or more, not '" + *c.value +
                        "'");
    c.count = *n;
  }
  if (c.what == constraint::op::like || c.what == constraint::op::unlike) {
    if (c.value->size() > max_pattern_chars)
      return make_error(fields[1] + " pattern longer than 256 characters");
    // ECMAScript is the grammar nearest Java's, which Marathon and Chronos use.
    try {
      c.pattern = std::regex(*c.value, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      return make_error(fields[1] + " pattern '" + *c.value + "' is not a valid regular expression");
    }
  }
  return c;
}

std::optional<std::string> refusal(const constraint& c, const agent_traits& candidate,
                                   const std::vector<const agent_traits*>& placed) {
  auto value = candidate.field(c.field);
  if (c.what == constraint::op::unlike) {
    if (value && std::regex_match(*value, c.pattern))
      return c.field + " '" + *value + "' matches " + *c.value;
    return std::nullopt;
  }
  if (!value)
    return "the agent has no " + c.field;
  switch (c.what) {
    case constraint::op::unique:
      for (const auto* a : placed)
        if (a->field(c.field) == value)
          return "an instance already runs where " + c.field + " is '" + *value + "'";
      return std::nullopt;
    case constraint::op::cluster: {
      std::optional<std::string> wanted = c.value;
      if (!wanted && !placed.empty())
        wanted = placed.front()->field(c.field);
      if (wanted && *wanted != *value)
        return c.field + " is '" + *value + "', not '" + *wanted + "'";
      return std::nullopt;
    }
    case constraint::op::group_by: {
      // Evenly: this value may take one more while no value has fewer. With
      // n groups named and fewer seen, an unseen group has none.
      auto counts = counts_by_value(c.field, placed);
      auto it = counts.find(*value);
      long mine = it == counts.end() ? 0 : it->second;
      long least = mine;
      if (c.count > 0 && static_cast<long>(counts.size()) < c.count)
        least = 0;
      else
        for (const auto& entry : counts)
          least = std::min(least, entry.second);
      if (mine > least)
        return c.field + " '" + *value + "' has more instances than another value";
      return std::nullopt;
    }
    case constraint::op::max_per: {
      auto counts = counts_by_value(c.field, placed);
      if (counts[*value] >= c.count)
        return c.field + " '" + *value + "' already has " + std::to_string(c.count) +
               " instances";
      return std::nullopt;
    }
    case constraint::op::like:
      if (!std::regex_match(*value, c.pattern))
        return c.field + " '" + *value + "' does not match " + *c.value;
      return std::nullopt;
    case constraint::op::is:
      if (*value != *c.value)
        return c.field + " is '" + *value + "', not '" + *c.value + "'";
      return std::nullopt;
    case constraint::op::unlike:
      break;
  }
  return std::nullopt;
}

std::optional<std::string> refusal(const std::vector<constraint>& cs,
                                   const agent_traits& candidate,
                                   const std::vector<const agent_traits*>& placed) {
  for (const auto& c : cs)
    if (auto why = refusal(c, candidate, placed))
      return why;
  return std::nullopt;
}

} // namespace cairn::placement
