// What the benchmark programs share: timing, percentiles, a scratch
// directory, child processes with their output in a log file, and a free
// range of loopback ports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cairn::bench {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t);

// The value below which a fraction `p` (0..1) of `xs` lies; 0 when empty.
double percentile(std::vector<double> xs, double p);
inline double median(std::vector<double> xs) {
  return percentile(std::move(xs), 0.5);
}

// A fresh directory under the system's temporary one, named for `what` and
// this process.
std::filesystem::path temp_dir(const std::string& what);

// Starts `args` (args[0] a path) with stdout and stderr appended to `log`.
pid_t spawn_process(const std::vector<std::string>& args, const std::filesystem::path& log);

// Sends SIGTERM to `pid` and reaps it; one that has not ended after `grace`
// is killed (SIGKILL). True when it ended on SIGTERM.
bool stop_process(pid_t pid, std::chrono::milliseconds grace);

// A port `base` such that base..base+2, base+100..+102 and base+200..+202
// are all free on 127.0.0.1 (masters' HTTP ports, their actor ports and
// their log ports); 0 when none was found.
uint16_t free_base_port();

// The cairn binary beside this program's build directory.
std::string default_cairn();

} // namespace cairn::bench
