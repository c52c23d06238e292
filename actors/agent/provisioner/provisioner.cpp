#include "actors/agent/provisioner/provisioner.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "actors/agent/provisioner/overlay_backend.hpp"
#include "actors/agent/provisioner/whiteouts.hpp"
#include "runtime/errors.hpp"

namespace cairn::provisioner {

namespace fs = std::filesystem;

namespace {

caf::error make_dirs(const std::string& path, mode_t mode = 0755) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    return make_error("cannot make " + path + ": " + ec.message());
  chmod(path.c_str(), mode);
  return caf::none;
}

std::string container_dir(const provisioner_options& o, const std::string& container) {
  return o.containers_dir + "/" + container;
}

} // namespace

caf::expected<backend_choice> select_backend(const std::string& flag,
                                             const std::string& store_dir,
                                             const std::string& containers_dir) {
  auto request = parse_backend_flag(flag);
  if (!request)
    return request.error();
  std::optional<overlay_probe> probe;
  if (needs_probe(*request))
    probe = probe_overlay(store_dir, containers_dir);
  return choose_backend(*request, probe);
}

caf::expected<provisioned> provision(const provisioner_options& o, const std::string& container,
                                     const std::string& image) {
  assert(o.backend == "overlay" || o.backend == "copy");
  assert(!container.empty() && container.find('/') == std::string::npos);
  auto stored = get_image(o.store, image, container);
  if (!stored)
    return stored.error();
  auto dir = container_dir(o, container);
  if (auto err = destroy_rootfs(o, container))  // a leftover of an earlier try
    return err;
  caf::error err;
  if (o.backend == "overlay") {
    err = mount_overlay(dir, stored->layer_dirs);
  } else {
    err = make_dirs(dir + "/rootfs");
    for (const auto& layer : stored->layer_dirs)
      if (!err)
        err = copy_layer(layer, dir + "/rootfs");
  }
  auto rootfs = dir + "/rootfs";
  for (auto at : {std::string("/proc"), std::string("/dev"), std::string("/tmp"),
                  o.sandbox_directory})
    if (!err)
      err = make_dirs(rootfs + at);
  if (!err)
    chmod((rootfs + "/tmp").c_str(), 01777);
  if (err) {
    destroy_rootfs(o, container);
    return make_error("Failed to provision the rootfs of Docker image '" + image + "': " +
                      error_message(err));
  }
  return provisioned{rootfs, std::move(stored->config), stored->layers_extracted};
}

caf::error destroy_rootfs(const provisioner_options& o, const std::string& container) {
  auto dir = container_dir(o, container);
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0)
    return caf::none;
  // Lazily: a process of the container still holding it does not stop the
  // removal; the mount goes once nothing uses it.
  auto rootfs = dir + "/rootfs";
  if (umount2(rootfs.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return make_error("cannot unmount " + rootfs + ": " + std::strerror(errno));
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec)
    return make_error("cannot remove " + dir + ": " + ec.message());
  return caf::none;
}

std::vector<std::string> provisioned_containers(const provisioner_options& o) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (auto it = fs::directory_iterator(o.containers_dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    ids.push_back(it->path().filename().string());
  return ids;
}

} // namespace cairn::provisioner
