// A command executor's task run in a Docker container instead of a process:
// the agent's docker containerizer decided what the container is, pulled
// its image, created and started it; the executor copies its output into
// the sandbox, signals it, and reports how it ended. The Engine API blocks,
// so each step runs on a detached actor of its own.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include "actors/docker/handover.hpp"

namespace cairn {

using docker_started_atom = caf::atom_constant<caf::atom("dkstarted")>;
using docker_exited_atom = caf::atom_constant<caf::atom("dkexited")>;
using docker_unsignalled_atom = caf::atom_constant<caf::atom("dkunsig")>;

struct docker_task_options {
  std::string socket;       // the engine's unix socket
  std::string container;    // its name, mesos-<ContainerID>, created by the containerizer
  // Set once it was signalled (shared by the copies of these options): how
  // a container ends that is being killed needs no inspection for an OOM kill.
  std::shared_ptr<std::atomic<bool>> signalled = std::make_shared<std::atomic<bool>>(false);
};

// Tells `executor` (docker_started_atom, task id, "") at once: the
// containerizer started the container before the executor came up; follows its
// output into the sandbox's stdout and stderr until it stops, then tells
// (docker_exited_atom, task id, exit code, OOM-killed, "" or why it could
// not be waited for); OOM-killed is looked up only for a container that
// failed and was not signalled.
void run_docker_task(caf::actor_system& sys, const docker_task_options& options,
                     const std::string& sandbox, const std::string& task_id,
                     caf::actor executor);

// Sends `signal` (SIGTERM, SIGKILL) to the container; one the engine did
// not carry out (it failed, or did not answer in time) is logged and told
// to `executor` (docker_unsignalled_atom, task id, signal), which may send
// it again.
void signal_docker_task(caf::actor_system& sys, const docker_task_options& options,
                        const std::string& signal, const std::string& task_id,
                        caf::actor executor);

} // namespace cairn
