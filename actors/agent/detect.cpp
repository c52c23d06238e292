// Detecting an agent's resources the way Mesos does, overridable by --resources.
#include "actors/agent/agent.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace cairn {

namespace {

double memory_mb() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kb = 0;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:")
      return kb / 1024.0;
    meminfo.ignore(256, '\n');
  }
  return 0;
}

// The file system the work dir is (or will be) on: the nearest existing parent.
double disk_mb(std::string path) {
  struct statvfs fs {};
  while (statvfs(path.empty() ? "/" : path.c_str(), &fs) != 0) {
    if (path.empty() || path == "/")
      return 0;
    auto slash = path.find_last_of('/');
    path = slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
  }
  return static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize) / 1048576.0;
}

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
    out += resources::scalar("cpus", std::max(1u, std::thread::hardware_concurrency()));
  if (missing("mem"))
    out += resources::scalar("mem", std::floor(leave_for_system(memory_mb(), 1024)));
  if (missing("disk"))
    out += resources::scalar("disk", std::floor(leave_for_system(disk_mb(work_dir), 5120)));
  if (missing("ports"))
    out += resources::port_range(31000, 32000);
  return out;
}

} // namespace cairn
