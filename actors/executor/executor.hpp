// The built-in command executor: runs its task's command (a shell line or an
// argv) in the sandbox as its own process group, reports TASK_STARTING,
// TASK_RUNNING and how it ended, and kills with SIGTERM, then SIGKILL after
// the grace period. Runs the task's health check and check as Mesos' command
// executor does: TASK_RUNNING updates with `healthy` or `check_status`, and
// a kill (TASK_KILLED, healthy=false) after too many failed health checks.
// Lives in its own OS process (`cairn-executor`).
//
// For a checkpointing framework (MESOS_CHECKPOINT=1) losing the agent does
// not end the task: the executor keeps it running, keeps every update the
// agent has not acknowledged, and tries to reach the agent again for up to
// the recovery timeout; once back it subscribes with what is unacknowledged
// (Mesos' Call.Subscribe unacknowledged_tasks and unacknowledged_updates).
// Past the timeout it kills its task and exits. Otherwise losing the agent
// kills the task at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/executor/agent_reconnector.hpp"
#include "actors/docker/image_command.hpp"
#include "actors/executor/docker_task.hpp"
#include "actors/handles.hpp"
#include "runtime/duration.hpp"

namespace cairn {

using exited_atom = caf::atom_constant<caf::atom("exited")>;
using escalate_atom = caf::atom_constant<caf::atom("escalate")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using probe_atom = caf::atom_constant<caf::atom("probe")>;
using probed_atom = caf::atom_constant<caf::atom("probed")>;
using recovery_timeout_atom = caf::atom_constant<caf::atom("recovery")>;
using docker_resignal_atom = caf::atom_constant<caf::atom("dkresig")>;

using executor_actor = executor_sink::extend<
  // The task's process ended (task id, wait status), from its waiter.
  caf::reacts_to<exited_atom, std::string, int>,
  // The grace period of a kill ran out (task id).
  caf::reacts_to<escalate_atom, std::string>,
  // Subscribe again if the agent of connection N has not answered yet.
  caf::reacts_to<subscribe_atom, uint64_t>,
  // The agent is reachable again (a handle to it), from the reconnector.
  caf::reacts_to<reconnected_atom, caf::strong_actor_ptr>,
  // The recovery timeout of disconnection N ran out.
  caf::reacts_to<recovery_timeout_atom, uint64_t>,
  // Time to probe the task: its health check (true) or its check (false).
  caf::reacts_to<probe_atom, bool>,
  // What a probe found (for health, probe_outcome::kind, value, message).
  caf::reacts_to<probed_atom, bool, int, int, std::string>,
  // A Docker task's container started (task id, "" or why not).
  caf::reacts_to<docker_started_atom, std::string, std::string>,
  // A Docker task's container stopped (task id, exit code, OOM-killed,
  // "" or why it could not be waited for).
  caf::reacts_to<docker_exited_atom, std::string, int, bool, std::string>,
  // The engine did not carry out a signal to a Docker task's container
  // (task id, SIGTERM or SIGKILL), and time to send it again (the same).
  caf::reacts_to<docker_unsignalled_atom, std::string, std::string>,
  caf::reacts_to<docker_resignal_atom, std::string, std::string>>;

struct image_task_options {
  std::string rootfs;
  std::string sandbox_mount;  // where the sandbox appears inside
  docker::image_launch launch;
};

struct executor_options {
  std::string framework_id;
  std::string executor_id;
  std::string sandbox;
  duration default_grace_period = std::chrono::seconds(3);  // Mesos' default
  duration subscribe_retry = std::chrono::seconds(1);
  // After the last terminal update is acknowledged the executor ends.
  uint64_t seed = 0;
  // MESOS_CHECKPOINT=1: wait for an agent that went away (see above).
  bool checkpoint = false;
  duration recovery_timeout = std::chrono::minutes(15);  // Mesos' --recovery_timeout
  // Where the agent is reached again (its actor endpoint stays put across
  // restarts) and how; only with `checkpoint`.
  reconnector_options reconnect;
  // Set by the docker containerizer: the task runs in this container, not
  // as a process of the executor's.
  std::optional<docker_task_options> docker;
  // Set by the mesos containerizer for a task in a Docker image: the task
  // runs in this root file system, in a mount namespace of its own.
  std::optional<image_task_options> image;
};

executor_actor spawn_command_executor(caf::actor_system& sys, executor_options options,
                                      executor_call_sink agent);

} // namespace cairn
