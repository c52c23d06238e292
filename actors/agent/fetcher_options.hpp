// The agent's fetcher flags, with Mesos' names and defaults; kept apart from
// the fetcher so that the agent's options do not pull in its machinery.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "runtime/duration.hpp"

namespace cairn {

struct fetcher_options {
  std::string cache_dir = "/tmp/mesos/fetch";             // --fetcher_cache_dir
  uint64_t cache_size_bytes = 2ull * 1024 * 1024 * 1024;  // --fetcher_cache_size (2GB)
  duration stall_timeout = std::chrono::seconds(60);      // --fetcher_stall_timeout
};

} // namespace cairn
