// The mesos containerizer's image provisioner (--image_providers=docker):
// a container's root file system is its image's layers stacked in order,
// through --image_provisioner_backend: `overlay` mounts them read-only under
// a writable upper directory of the container's own, `copy` copies them
// (whiteouts applied) into a directory of the container's own. Rootfses
// live in `<work_dir>/provisioner/containers/<id>/`; each goes when its
// container does. Blocking file work: called from a worker, never in an
// actor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/agent/provisioner/backend_choice.hpp"
#include "actors/agent/provisioner/docker_store.hpp"

namespace cairn::provisioner {

struct provisioner_options {
  store_options store;
  std::string backend;            // "overlay" or "copy" (from select_backend)
  std::string containers_dir;     // <work_dir>/provisioner/containers
  std::string sandbox_directory = "/mnt/mesos/sandbox";  // made inside every rootfs
};

// --image_provisioner_backend as the agent starts: "" probes overlay where
// the store and the containers live and picks it where it works, else
// copy; `overlay` where it does not work, or an unknown name, is refused.
caf::expected<backend_choice> select_backend(const std::string& flag,
                                             const std::string& store_dir,
                                             const std::string& containers_dir);

struct provisioned {
  std::string rootfs;
  docker::image_config config;
  size_t layers_extracted = 0;
};

// Gets the image into the store and makes the container's rootfs from it,
// with the mount points the container needs (/proc, /dev, /tmp, the
// sandbox directory) present.
caf::expected<provisioned> provision(const provisioner_options& options,
                                     const std::string& container, const std::string& image);

// Unmounts and removes the container's rootfs, if it has one.
caf::error destroy_rootfs(const provisioner_options& options, const std::string& container);

// The containers that have a rootfs directory (to find orphans at recovery).
std::vector<std::string> provisioned_containers(const provisioner_options& options);

} // namespace cairn::provisioner
