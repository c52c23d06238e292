#include "actors/agent/isolators/cgroups_isolators.hpp"

#include <fmt/format.h>

#include "runtime/errors.hpp"

namespace cairn {

caf::error cgroup_isolator::recover(const std::vector<std::string>& containers) {
  if (auto err = tree_.recover(containers))
    return make_error(fmt::format("{}: {}", name_, error_message(err)));
  // Their limits as they were launched are not known here: usage reports
  // what the cgroups say, and the next update sets them again.
  for (const auto& c : containers)
    limits_.emplace(c, container_limits{});
  return caf::none;
}

caf::error cgroup_isolator::prepare(const std::string& container,
                                    const container_limits& limits, launch_plan& plan) {
  if (limits_.count(container) != 0)
    return make_error(fmt::format("{}: container {} is already prepared", name_, container));
  if (auto err = tree_.create(container, plan))
    return make_error(fmt::format("{}: {}", name_, error_message(err)));
  limits_[container] = limits;
  if (auto err = apply(container, limits, true)) {
    tree_.remove(container);
    limits_.erase(container);
    return make_error(fmt::format("{}: {}", name_, error_message(err)));
  }
  return caf::none;
}

caf::error cgroup_isolator::update(const std::string& container,
                                   const container_limits& limits) {
  auto it = limits_.find(container);
  if (it == limits_.end())
    return make_error(fmt::format("{}: unknown container {}", name_, container));
  if (auto err = apply(container, limits, false))
    return make_error(fmt::format("{}: {}", name_, error_message(err)));
  it->second = limits;
  return caf::none;
}

caf::error cgroup_isolator::cleanup(const std::string& container) {
  if (auto err = tree_.remove(container))
    return make_error(fmt::format("{}: {}", name_, error_message(err)));
  limits_.erase(container);
  return caf::none;
}

const container_limits* cgroup_isolator::known_limits(const std::string& container) const {
  auto it = limits_.find(container);
  return it == limits_.end() ? nullptr : &it->second;
}

} // namespace cairn
