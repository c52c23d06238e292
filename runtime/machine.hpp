// Facts about this machine, read from the operating system.
#pragma once

#include <string>

namespace cairn {

unsigned cpu_count();
// Total memory, in MB (from /proc/meminfo).
double memory_mb();
// Size of the file system holding `path` (or its nearest existing parent), in MB.
double disk_mb(std::string path);

} // namespace cairn
