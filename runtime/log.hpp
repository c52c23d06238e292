// Logging through spdlog, one named logger per role ("master", "agent", ...),
// in a glog-like line format that Mesos operators already read.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace cairn {

// Level: Mesos' --logging_level names (INFO, WARNING, ERROR) or spdlog's.
// Returns false for an unknown level.
bool setup_logging(const std::string& level);

// The logger of one role; created on first use, sharing the global sink.
std::shared_ptr<spdlog::logger> logger(const std::string& role);

} // namespace cairn
