// The executor's side of a task's health check and check: the probes their
// messages describe, and the detached actor that runs one probe and reports
// what it found. The decisions are health_policy's.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "actors/executor/executor.hpp"
#include "actors/executor/probes.hpp"

namespace cairn {

// Where a COMMAND probe runs: the sandbox, with the executor's environment
// and the task's sandbox variables (as Mesos runs it, beside the task).
struct probe_context {
  std::string sandbox;
  std::vector<std::string> env;  // "NAME=value"
};

probe_spec probe_of(schema::HealthCheck::Reader check, const probe_context& context);
probe_spec probe_of(schema::CheckInfo::Reader check, const probe_context& context);

// Runs `spec` on a thread of its own and sends the executor
// (probed_atom, for_health, kind, value, message).
void spawn_probe(caf::actor_system& sys, probe_spec spec, bool for_health,
                 std::shared_ptr<const std::atomic<bool>> cancelled, executor_actor executor);

} // namespace cairn
