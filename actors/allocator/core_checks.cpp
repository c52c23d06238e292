// The core's preconditions as answers rather than aborts: what the allocator
// actor asks before it applies a call, so that a call the master built from
// bad input is refused and the allocator keeps running.
#include "actors/allocator/core.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "actors/checks.hpp"

namespace cairn::alloc {

namespace {

bool has(const std::vector<std::string>& roles, const std::string& role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// Every resource allocated to one of `roles`; the first that is not, else "".
std::string check_allocated_to(const resources& res, const std::vector<std::string>& roles) {
  for (const resource& r : res.items())
    if (r.allocation_role.empty() || !has(roles, r.allocation_role))
      return fmt::format("resource '{}' is allocated to role '{}', not a role of the framework",
                         r.name, r.allocation_role);
  return {};
}

} // namespace

std::string core::check_add_framework(const std::string& id,
                                      const std::vector<std::string>& roles,
                                      const std::vector<std::string>& suppressed_roles) const {
  if (auto problem = check_id(id); !problem.empty())
    return "framework id: " + problem;
  if (has_framework(id))
    return fmt::format("framework {} is already known", id);
  if (roles.empty())
    return fmt::format("framework {} has no role", id);
  std::set<std::string> unique;
  for (const auto& role : roles) {
    if (auto problem = check_role(role); !problem.empty())
      return problem;
    if (!unique.insert(role).second)
      return fmt::format("role '{}' is named twice", role);
  }
  for (const auto& role : suppressed_roles)
    if (unique.count(role) == 0)
      return fmt::format("suppressed role '{}' is not a role of the framework", role);
  return {};
}

std::string core::check_update_framework(const std::string& id,
                                         const std::vector<std::string>& roles,
                                         const std::vector<std::string>& suppressed_roles) const {
  if (!has_framework(id))
    return fmt::format("framework {} is not known", id);
  if (roles.empty())
    return fmt::format("framework {} has no role", id);
  std::set<std::string> unique;
  for (const auto& role : roles) {
    if (auto problem = check_role(role); !problem.empty())
      return problem;
    if (!unique.insert(role).second)
      return fmt::format("role '{}' is named twice", role);
  }
  for (const auto& role : suppressed_roles)
    if (unique.count(role) == 0)
      return fmt::format("suppressed role '{}' is not a role of the framework", role);
  return {};
}

std::string core::check_add_agent(
  const std::string& id, const resources& total,
  const std::vector<std::pair<std::string, resources>>& used) const {
  if (auto problem = check_id(id); !problem.empty())
    return "agent id: " + problem;
  if (has_agent(id))
    return fmt::format("agent {} is already known", id);
  resources all_used;
  for (const auto& [framework_id, res] : used) {
    if (!has_framework(framework_id))
      return fmt::format("resources used by unknown framework {}", framework_id);
    std::vector<std::string> roles;
    for (uint32_t c : framework(framework_id).clients)
      roles.push_back(roles_[clients_[c].role].name);
    if (auto problem = check_allocated_to(res, roles); !problem.empty())
      return problem;
    all_used += res.unallocated();
  }
  if (!total.unallocated().contains(all_used))
    return fmt::format("agent {} has used resources {} beyond its total {}", id,
                       all_used.to_string(), total.unallocated().to_string());
  return {};
}

std::string core::check_recover(const std::string& framework_id, const std::string& agent_id,
                                const resources& res) const {
  if (!has_framework(framework_id))
    return fmt::format("unknown framework {}", framework_id);
  if (!has_agent(agent_id))
    return fmt::format("unknown agent {}", agent_id);
  for (const resource& r : res.items())
    if (r.allocation_role.empty())
      return fmt::format("resource '{}' comes back without the role it was allocated to",
                         r.name);
  if (!framework_allocation(framework_id, agent_id).contains(res))
    return fmt::format("framework {} does not hold {} on agent {}", framework_id,
                       res.to_string(), agent_id);
  return {};
}

std::string core::check_roles(const std::string& framework_id,
                              const std::vector<std::string>& roles) const {
  if (!has_framework(framework_id))
    return fmt::format("unknown framework {}", framework_id);
  const framework_state& f = framework(framework_id);
  for (const auto& role : roles) {
    bool found = std::any_of(f.clients.begin(), f.clients.end(),
                             [&](uint32_t c) { return roles_[clients_[c].role].name == role; });
    if (!found)
      return fmt::format("role '{}' is not a role of framework {}", role, framework_id);
  }
  return {};
}

std::string core::check_weight(const std::string& role, double weight) const {
  return cairn::check_weight(role, weight);
}

} // namespace cairn::alloc
