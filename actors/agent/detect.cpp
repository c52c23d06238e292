// Detecting an agent's resources the way Mesos does, overridable by --resources.
#include "actors/agent/agent.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/errors.hpp"
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

caf::expected<resources> agent_resources(const std::string& flag, double cpus, double mem_mb,
                                         double disk_mb, machine_share share) {
  if (share.count == 0 || share.index >= share.count)
    return make_error("agent " + std::to_string(share.index) + " of " +
                      std::to_string(share.count) + " sharing the machine");
  auto given = parse_resources(flag);
  if (!given)
    return given;
  resources out = *given;
  auto missing = [&](const char* name) {
    return std::none_of(given->items().begin(), given->items().end(),
                        [&](const resource& r) { return r.name == name; });
  };
  double n = share.count;
  // Hundredths of a CPU, as offers carry them; never none at all.
  if (missing("cpus"))
    out += resources::scalar("cpus", std::max(0.01, std::floor(cpus / n * 100) / 100));
  if (missing("mem"))
    out += resources::scalar("mem", std::floor(leave_for_system(mem_mb, 1024) / n));
  if (missing("disk"))
    out += resources::scalar("disk", std::floor(leave_for_system(disk_mb, 5120) / n));
  if (missing("ports")) {
    constexpr uint64_t first = 31000, count = 1001;  // 31000-32000
    if (share.count > count)
      return make_error("too many agents to give each a port of 31000-32000");
    uint64_t begin = first + count * share.index / share.count;
    uint64_t end = first + count * (share.index + 1) / share.count - 1;
    out += resources::port_range(begin, end);
  }
  return out;
}

caf::expected<resources> agent_resources(const std::string& flag, const std::string& work_dir,
                                         machine_share share) {
  return agent_resources(flag, cpu_count(), memory_mb(), disk_mb(work_dir), share);
}

} // namespace cairn
