// The overlay backend: a container's rootfs is an overlay mount of its
// image's layers (read-only, from the store) under a writable upper
// directory of the container's own. Whether that works is a property of
// the machine, not only of the kernel: overlay refuses an upper directory
// on another overlay (a container's /tmp, a CI runner's disk), and such a
// file system may refuse the whiteout devices the store's layers carry. So
// the agent probes it once at start, doing in miniature what a launch does.
// Blocking: at agent start or on the provisioner's worker, never in an actor.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/agent/provisioner/backend_choice.hpp"

namespace cairn::provisioner {

// Whether /proc/filesystems lists overlay.
bool kernel_has_overlay();

// Mounts `layers` (base first) read-only at `dir`/rootfs, with `dir`/upper
// and `dir`/work beside it.
caf::error mount_overlay(const std::string& dir, const std::vector<std::string>& layers);

// Two small layers with whiteouts made in `store_dir` as the store makes
// them, mounted beside `containers_dir` as a launch mounts them, then
// written to and deleted from as a task would; everything made is removed.
overlay_probe probe_overlay(const std::string& store_dir, const std::string& containers_dir);

} // namespace cairn::provisioner
