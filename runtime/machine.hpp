// Facts about this machine, read from the operating system.
#pragma once

#include <string>

namespace cairn {

unsigned cpu_count();
// Total memory, in MB (from /proc/meminfo).
double memory_mb();
// Size of the file system holding `path` (or its nearest existing parent), in MB.
double disk_mb(std::string path);
// This boot of the machine (the kernel's boot_id); "" when unknown. Agent
// checkpoints from another boot name executors that no longer exist.
std::string boot_id();

} // namespace cairn
