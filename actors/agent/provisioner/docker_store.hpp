// The Docker image store of the mesos containerizer (--docker_store_dir):
// images come from `docker save` archives in a --docker_registry directory
// (`<dir>/<name>:<tag>.tar`, the legacy layout: `repositories`,
// `<layer>/json`, `<layer>/layer.tar`); each layer is extracted once, with
// libarchive, into `<store>/layers/<id>/rootfs` (`rootfs.overlay` when the
// overlay backend wants overlayfs' whiteouts) and reused by every later
// image that has it. Blocking: runs on the provisioner's worker.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/docker/image_manifest.hpp"

namespace cairn::provisioner {

struct store_options {
  std::string store_dir = "/tmp/mesos/store/docker";      // --docker_store_dir
  std::string registry = "https://registry-1.docker.io";  // --docker_registry
  bool overlay_layers = false;  // layers carry overlayfs' whiteouts
};

struct stored_image {
  std::vector<std::string> layer_dirs;  // extracted layers, base first
  docker::image_config config;
  size_t layers_extracted = 0;          // by this call; the others were cached
};

// Whether --docker_registry names a directory (a path or file://), not a
// remote registry.
bool registry_is_local(const std::string& registry);

// Makes sure every layer of `image` is in the store. Errors name the image
// and what was wrong: a missing archive, an OCI layout, a bad layer.
caf::expected<stored_image> get_image(const store_options& options, const std::string& image,
                                      const std::string& staging_name);

// Extracts one layer tarball open at `fd` into `dir` (made by it): entries
// stay beneath `dir` (absolute symlink targets are kept: they resolve in
// the container), owners and modes are kept, devices are refused.
caf::error extract_layer(int fd, const std::string& dir);

} // namespace cairn::provisioner
