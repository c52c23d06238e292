// Detecting an agent's resources the way Mesos does, overridable by --resources.
#include "actors/agent/agent.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/machine.hpp"

namespace cairn {

namespace {

// Mesos leaves max(1 GB, half) of memory and max(5 GB, half) of disk alone.
double leave_for_system(double total_mb, double reserve_mb) {
  if (total_mb >= 2 * reserve_mb)
    return total_mb - reserve_mb;
  return total_mb / 2;
}

} // namespace

caf::expected<resources> agent_resources(const std::string& flag, const std::string& work_dir) {
  auto given = parse_resources(flag);
  if (!given)
    return given;
  resources out = *given;
  auto missing = [&](const char* name) {
    return std::none_of(given->items().begin(), given->items().end(),
                        [&](const resource& r) { return r.name == name; });
  };
  if (missing("cpus"))
    out += resources::scalar("cpus", cpu_count());
  if (missing("mem"))
    out += resources::scalar("mem", std::floor(leave_for_system(memory_mb(), 1024)));
  if (missing("disk"))
    out += resources::scalar("disk", std::floor(leave_for_system(disk_mb(work_dir), 5120)));
  if (missing("ports"))
    out += resources::port_range(31000, 32000);
  return out;
}

} // namespace cairn
