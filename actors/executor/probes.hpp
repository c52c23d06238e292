// The I/O of health checks and checks: run a command, GET a URL, connect to a
// port, each bounded by the check's timeout and stoppable at once when the
// executor ends. Blocking: call only from a detached actor of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "actors/executor/health_policy.hpp"
#include "runtime/duration.hpp"
#include "runtime/process.hpp"

namespace cairn {

struct probe_spec {
  enum class kind { command, http, tcp };
  kind what = kind::command;
  spawn_options command;  // COMMAND: a process group of its own
  std::string url;        // HTTP: scheme://127.0.0.1:port/path
  uint16_t port = 0;      // TCP: 127.0.0.1:port
  duration timeout{};     // zero: none (Mesos)
};

// Returns what the probe found. A command still running at the timeout (or
// when `cancelled` is set) is killed with its whole process group.
probe_outcome run_probe(const probe_spec& spec, const std::atomic<bool>& cancelled);

} // namespace cairn
