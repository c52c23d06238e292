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

// Mesos' logging level is glog's verbosity (GET_LOGGING_LEVEL,
// SET_LOGGING_LEVEL, /logging/toggle): 0 logs at the level given at start
// (--logging_level), 1 adds spdlog's debug messages, 2 and more its trace
// messages. The level is the process's: in `cairn local` every node shares it.
uint32_t logging_verbosity();
// Sets the verbosity; returns a generation that revert_logging_verbosity
// takes, so that only the latest setting's timer reverts it.
uint64_t set_logging_verbosity(uint32_t level);
// Back to 0 if no setting came after `generation`.
void revert_logging_verbosity(uint64_t generation);

// The logger of one role; created on first use, sharing the global sink.
std::shared_ptr<spdlog::logger> logger(const std::string& role);

} // namespace cairn
