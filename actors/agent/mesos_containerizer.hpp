// The mesos containerizer: a container is a process tree started by
// spawn_contained, confined by isolators (cgroups, namespaces, ...) and
// found and killed by a launcher. It runs detached, on a thread of its own:
// forking, cgroupfs writes and user lookups never hold up other actors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/agent/containerizer.hpp"
#include "actors/agent/fetcher_options.hpp"
#include "actors/agent/provisioner/provisioner.hpp"
#include "actors/agent/isolator.hpp"
#include "actors/agent/isolators/cgroups_options.hpp"
#include "actors/agent/isolators/disk_du.hpp"
#include "runtime/duration.hpp"

namespace cairn {

struct containerizer_plugins {
  std::unique_ptr<launcher> launch;
  std::vector<std::unique_ptr<isolator>> isolators;
};

struct isolation_flags {
  std::string isolation = "posix/cpu,posix/mem";  // --isolation
  // --launcher: posix or linux; empty picks as Mesos does (linux as root
  // on a host with cgroups, else posix).
  std::string launcher;
  cgroups_options cgroups;                        // --cgroups_*
  disk_du_options disk;  // --container_disk_watch_interval, --enforce_container_disk_quota
};

struct cgroups_host;

// The plug-ins `--isolation` and `--launcher` name; an unknown or
// unsupported name is refused, naming it (the agent does not start).
// `host`: where the cgroups are (tests give a fake tree); null: the kernel's.
caf::expected<std::shared_ptr<containerizer_plugins>>
make_plugins(const isolation_flags& flags, const cgroups_host* host = nullptr);

struct mesos_containerizer_options {
  // How often exits are reaped and limits (an OOM kill) looked for.
  duration poll_interval = std::chrono::milliseconds(100);
  // As root, a container runs as its config's user (--switch_user).
  bool switch_user = true;
  // Where URIs are fetched from (--fetcher_*); fetches run on threads of
  // their own, one per launch.
  fetcher_options fetcher;
  // --image_providers=docker: command tasks may run in Docker images,
  // provisioned on threads of their own; null: such tasks are refused.
  std::shared_ptr<const provisioner::provisioner_options> images;
};

containerizer_actor spawn_mesos_containerizer(caf::actor_system& sys,
                                              mesos_containerizer_options options,
                                              std::shared_ptr<containerizer_plugins> plugins);

} // namespace cairn
