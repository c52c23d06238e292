#include "actors/agent/provisioner/overlay_backend.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "actors/agent/provisioner/whiteouts.hpp"
#include "runtime/dirs.hpp"
#include "runtime/errors.hpp"

namespace cairn::provisioner {

namespace fs = std::filesystem;

namespace {

caf::error write_file(const std::string& path, const std::string& data) {
  if (auto err = make_dirs(fs::path(path).parent_path().string()))
    return err;
  std::ofstream out(path, std::ios::binary);
  out << data;
  out.close();
  if (!out)
    return make_error("cannot write " + path);
  return caf::none;
}

bool present(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// The probe proper; the caller removes what it made, whatever happened.
caf::error try_overlay(const std::string& layers, const std::string& mounts) {
  auto base = layers + "/base";
  auto top = layers + "/top";
  const std::pair<std::string, std::string> files[] = {
    {base + "/d/kept", "k"}, {base + "/d/gone", "g"},  {base + "/o/hidden", "h"},
    {top + "/d/.wh.gone", ""}, {top + "/o/.wh..wh..opq", ""}};
  for (const auto& [path, data] : files)
    if (auto err = write_file(path, data))
      return err;
  if (auto err = convert_for_overlay(top))
    return make_error("overlay whiteouts cannot be made in the store: " + error_message(err));
  if (auto err = mount_overlay(mounts, {base, top}))
    return err;
  auto root = mounts + "/rootfs";
  if (!present(root + "/d/kept") || present(root + "/d/gone") || present(root + "/o/hidden"))
    return make_error("a test overlay mount at " + root + " does not honour whiteouts");
  // What a task does: delete a file of a layer (a whiteout in the upper
  // directory) and write one.
  if (unlink((root + "/d/kept").c_str()) != 0)
    return make_error("cannot delete a lower file through a test overlay mount at " + root +
                      ": " + std::strerror(errno));
  if (auto err = write_file(root + "/d/new", "n"))
    return make_error("cannot write through a test overlay mount: " + error_message(err));
  return caf::none;
}

} // namespace

bool kernel_has_overlay() {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line))
    if (line.size() >= 7 && line.compare(line.size() - 7, 7, "overlay") == 0)
      return true;
  return false;
}

caf::error mount_overlay(const std::string& dir, const std::vector<std::string>& layers) {
  assert(!dir.empty() && !layers.empty());
  // Short names for the layers keep the mount options within a page.
  auto links = dir + "/l";
  if (auto err = make_dirs(links))
    return err;
  std::string lower;
  for (size_t i = layers.size(); i-- > 0;) {
    auto link = links + "/" + std::to_string(i);
    unlink(link.c_str());
    if (symlink(layers[i].c_str(), link.c_str()) != 0)
      return make_error("cannot link " + link + ": " + std::strerror(errno));
    lower += (lower.empty() ? "" : ":") + link;
  }
  for (auto d : {"/upper", "/work", "/rootfs"})
    if (auto err = make_dirs(dir + d))
      return err;
  auto options = "lowerdir=" + lower + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work";
  if (options.size() >= 4000)
    return make_error("the image has too many layers for one overlay mount");
  if (mount("overlay", (dir + "/rootfs").c_str(), "overlay", 0, options.c_str()) != 0)
    return make_error("cannot mount the overlay rootfs at " + dir + "/rootfs: " +
                      std::strerror(errno));
  return caf::none;
}

overlay_probe probe_overlay(const std::string& store_dir, const std::string& containers_dir) {
  assert(!store_dir.empty() && !containers_dir.empty());
  if (!kernel_has_overlay())
    return {false, "the kernel has no overlay file system (none in /proc/filesystems)"};
  // Beside the containers, not among them: recovery takes whatever is in
  // containers_dir for a container's leftover rootfs.
  auto name = "overlay-probe." + std::to_string(getpid());
  auto layers = store_dir + "/" + name;
  auto mounts = fs::path(containers_dir).parent_path().string() + "/" + name;
  auto err = try_overlay(layers, mounts);
  umount2((mounts + "/rootfs").c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove_all(layers, ec);
  fs::remove_all(mounts, ec);
  if (err)
    return {false, error_message(err)};
  return {true, "a test overlay mount of layers in " + store_dir + " beside " + containers_dir +
                  " worked"};
}

} // namespace cairn::provisioner
