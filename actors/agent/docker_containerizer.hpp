// The docker containerizer: a command task whose ContainerInfo is DOCKER
// runs in a Docker container named mesos-<ContainerID>, driven over the
// Engine API (actors/docker/engine.hpp), never the docker CLI. As in Mesos,
// the task's executor runs beside it on the host (a `cairn-executor`
// started by the process containerizer given here): it copies the
// container's output into the sandbox, kills it and reports how it ended.
// This actor validates and maps the task (failing the launch with the
// reason), pulls the image when missing or asked, and creates and starts
// the container (a few at a time) before it starts the executor (the
// engine's work on a container then overlaps the boot of the executors of
// the others), stops what is left
// when the executor ends (a container never started goes at once), removes
// stopped containers after --docker_remove_delay,
// and at recovery removes the mesos- containers no checkpoint names (and,
// after the delay, those of runs that ended before the restart).
// Engine API calls run on detached actors of their own.
#pragma once

#include <string>

#include "actors/agent/containerizer.hpp"
#include "actors/docker/run_options.hpp"
#include "runtime/duration.hpp"

namespace cairn {

struct docker_containerizer_options {
  std::string socket = "/var/run/docker.sock";  // --docker_socket
  docker::mapping_flags mapping;  // --sandbox_directory, --cgroups_enable_cfs
  duration remove_delay = std::chrono::hours(6);         // --docker_remove_delay
  duration pull_timeout = std::chrono::minutes(1);       // --executor_registration_timeout
  bool kill_orphans = true;                              // --docker_kill_orphans
  // Containers created and started at once, at most (beyond Mesos, which
  // runs every `docker run` at once); image pulls are not counted.
  size_t launch_parallelism = 8;
};

// `processes` runs the executors' processes (the mesos containerizer).
containerizer_actor spawn_docker_containerizer(caf::actor_system& sys,
                                               docker_containerizer_options options,
                                               containerizer_actor processes);

// Whether a container config asks for Docker (ContainerInfo type DOCKER).
bool wants_docker(const container_config& config);

} // namespace cairn
