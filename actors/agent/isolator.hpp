// The mesos containerizer's plug-ins. An isolator confines one aspect of a
// container (cpu, memory, pids, its view of the file system); a launcher
// knows how to find and kill every process of a container. Both are plain
// classes, called by the containerizer actor on its own thread: their calls
// are quick file operations (cgroupfs, /proc), never waits.
//
// A container's first process is started by spawn_contained
// (runtime/contained_spawn.hpp): what isolators want done before it execs
// (join cgroups, namespaces, a /proc of its own) they write into its
// launch_plan in prepare.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/resources/resources.hpp"
#include "runtime/contained_spawn.hpp"
#include "schema/containerizer.capnp.h"
#include "schema/mesos.capnp.h"

namespace cairn {

// What a container's resources entitle it to.
struct container_limits {
  double cpus = 0;    // 0: none asked
  double mem_mb = 0;
  double disk_mb = 0;
};

container_limits limits_of(const resources& res);

// A limit the container hit; it is destroyed and its tasks end with this.
struct limitation {
  schema::TaskStatus::Reason reason = schema::TaskStatus::Reason::CONTAINER_LIMITATION;
  std::string message;  // "Memory limit exceeded: ..."
};

class isolator {
public:
  virtual ~isolator() = default;

  // Its name in --isolation, e.g. "cgroups/mem".
  virtual std::string name() const = 0;

  // Starts what it runs beside the containerizer (an actor doing its
  // blocking work, such as walking sandboxes); that ends with `containerizer`.
  virtual void start(caf::actor_system& sys, const caf::actor& containerizer) {
  }

  // After an agent restart: the containers that still exist. What else of
  // its own it finds (a cgroup no container claims) it removes.
  virtual caf::error recover(const std::vector<std::string>& containers) = 0;

  // Before the first process starts: makes what the container needs and
  // says in `plan` what the child does before it execs.
  virtual caf::error prepare(const std::string& container, const container_limits& limits,
                             launch_plan& plan) = 0;

  // The first process runs (pid in the agent's pid namespace).
  virtual caf::error isolate(const std::string& container, pid_t pid) {
    return caf::none;
  }

  // The container's resources changed.
  virtual caf::error update(const std::string& container, const container_limits& limits) = 0;

  // Adds what it measures to the container's statistics.
  virtual void usage(const std::string& container,
                     schema::containerizer::ResourceStatistics::Builder stats) {
  }

  // Polled: a limit the container has reached since the last call.
  virtual std::optional<limitation> watch(const std::string& container) {
    return std::nullopt;
  }

  // Every process of the container is gone: removes what prepare made.
  virtual caf::error cleanup(const std::string& container) = 0;
};

// Finds and kills every process of a container, including those that left
// its session or process group (a `setsid` double fork).
class launcher {
public:
  virtual ~launcher() = default;

  virtual std::string name() const = 0;

  virtual caf::error recover(const std::vector<std::string>& containers) = 0;

  // Adds to the plan what lets it find the container's processes later.
  virtual caf::error prepare(const std::string& container, launch_plan& plan) = 0;

  // Sends SIGKILL to every process of the container whose first process is
  // `pid`. True once none is left (then isolators clean up); false: call
  // again shortly, processes are still dying.
  virtual caf::expected<bool> destroy(const std::string& container, pid_t pid) = 0;
};

} // namespace cairn
