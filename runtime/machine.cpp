#include "runtime/machine.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace cairn {

unsigned cpu_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

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

} // namespace cairn

namespace cairn {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

} // namespace cairn
