#include "actors/agent/provisioner/whiteouts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "runtime/errors.hpp"

namespace cairn::provisioner {

namespace fs = std::filesystem;

// The read/write fallback's buffer, when the kernel cannot copy a file
// itself: large enough to amortise the calls, small beside a worker's stack
// of other work.
constexpr size_t copy_buffer_bytes = 1 << 20;

whiteout classify_entry(std::string_view name) {
  if (name == opaque_marker)
    return {whiteout_kind::opaque, {}};
  if (name.size() > whiteout_prefix.size() && name.substr(0, whiteout_prefix.size()) ==
                                                 whiteout_prefix)
    return {whiteout_kind::remove, std::string(name.substr(whiteout_prefix.size()))};
  return {};
}

namespace {

caf::error sys_error(const std::string& what, const std::string& path) {
  return make_error(what + " " + path + ": " + std::strerror(errno));
}

std::vector<std::string> entries_of(const std::string& dir, caf::error& err) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    err = sys_error("cannot read", dir);
    return names;
  }
  while (auto* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  closedir(d);
  return names;
}

caf::error remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec)
    return make_error("cannot remove " + path + ": " + ec.message());
  return caf::none;
}

caf::error keep_attributes(const std::string& to, const struct stat& st) {
  if (lchown(to.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
    return sys_error("cannot set the owner of", to);
  if (!S_ISLNK(st.st_mode) && chmod(to.c_str(), st.st_mode & 07777) != 0)
    return sys_error("cannot set the mode of", to);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW);
  return caf::none;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    auto n = write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

caf::error copy_file(const std::string& from, const std::string& to, const struct stat& st) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0)
    return sys_error("cannot open", from);
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    close(in);
    return sys_error("cannot create", to);
  }
  caf::error err;
  bool in_kernel = true;
  std::vector<char> buffer;
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = -1;
    if (in_kernel) {
      n = copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
      // The store and the rootfs on different file systems (or one that
      // cannot): copy through memory instead.
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                    errno == EOPNOTSUPP)) {
        in_kernel = false;
        buffer.resize(copy_buffer_bytes);
        continue;
      }
    } else {
      n = read(in, buffer.data(), std::min(buffer.size(), static_cast<size_t>(left)));
      if (n > 0 && !write_all(out, buffer.data(), static_cast<size_t>(n)))
        n = -1;
    }
    if (n <= 0) {
      err = sys_error("cannot copy", from);
      break;
    }
    left -= n;
  }
  close(in);
  close(out);
  return err;
}

caf::error copy_entry(const std::string& from, const std::string& to);

caf::error copy_dir(const std::string& from, const std::string& to) {
  caf::error err;
  auto names = entries_of(from, err);
  if (err)
    return err;
  // An opaque directory hides what the layers below put there, before this
  // layer's own entries are copied in.
  for (const auto& name : names)
    if (classify_entry(name).kind == whiteout_kind::opaque)
      for (const auto& old : entries_of(to, err))
        if (auto e = remove_tree(to + "/" + old))
          return e;
  if (err)
    return err;
  for (const auto& name : names) {
    auto w = classify_entry(name);
    if (w.kind == whiteout_kind::remove) {
      if (w.target != "." && w.target != ".." && w.target.find('/') == std::string::npos)
        if (auto e = remove_tree(to + "/" + w.target))
          return e;
      continue;
    }
    if (w.kind == whiteout_kind::opaque)
      continue;
    if (auto e = copy_entry(from + "/" + name, to + "/" + name))
      return e;
  }
  return caf::none;
}

caf::error copy_entry(const std::string& from, const std::string& to) {
  struct stat st {};
  if (lstat(from.c_str(), &st) != 0)
    return sys_error("cannot inspect", from);
  struct stat old {};
  bool exists = lstat(to.c_str(), &old) == 0;
  // A directory merges into a directory below; anything else replaces.
  if (exists && !(S_ISDIR(st.st_mode) && S_ISDIR(old.st_mode)))
    if (auto e = remove_tree(to))
      return e;
  if (S_ISDIR(st.st_mode)) {
    if (!(exists && S_ISDIR(old.st_mode)) && mkdir(to.c_str(), 0700) != 0)
      return sys_error("cannot make", to);
    if (auto e = copy_dir(from, to))
      return e;
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
    auto n = readlink(from.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<size_t>(n) >= target.size())
      return sys_error("cannot read the link", from);
    target[static_cast<size_t>(n)] = '\0';
    if (symlink(target.data(), to.c_str()) != 0)
      return sys_error("cannot make the link", to);
  } else if (S_ISREG(st.st_mode)) {
    if (auto e = copy_file(from, to, st))
      return e;
  } else if (mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) {
    return sys_error("cannot make the special file", to);
  }
  return keep_attributes(to, st);
}

caf::error convert_dir(const std::string& dir) {
  caf::error err;
  auto names = entries_of(dir, err);
  if (err)
    return err;
  for (const auto& name : names) {
    auto path = dir + "/" + name;
    auto w = classify_entry(name);
    if (w.kind == whiteout_kind::opaque) {
      if (setxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
        return sys_error("cannot mark opaque", dir);
      if (unlink(path.c_str()) != 0)
        return sys_error("cannot remove", path);
    } else if (w.kind == whiteout_kind::remove) {
      if (w.target == "." || w.target == ".." || w.target.find('/') != std::string::npos)
        continue;
      if (unlink(path.c_str()) != 0)
        return sys_error("cannot remove", path);
      auto target = dir + "/" + w.target;
      if (auto e = remove_tree(target))
        return e;
      if (mknod(target.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0)
        return sys_error("cannot make the whiteout", target);
    } else {
      struct stat st {};
      if (lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        if (auto e = convert_dir(path))
          return e;
    }
  }
  return caf::none;
}

} // namespace

caf::error copy_layer(const std::string& layer, const std::string& rootfs) {
  assert(!layer.empty() && !rootfs.empty());
  struct stat st {};
  if (stat(layer.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error("layer " + layer + " is not a directory");
  return copy_dir(layer, rootfs);
}

caf::error convert_for_overlay(const std::string& layer) {
  assert(!layer.empty());
  return convert_dir(layer);
}

} // namespace cairn::provisioner
