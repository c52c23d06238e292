#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "storage/checkpoint_store.hpp"

namespace cairn {

namespace {

caf::error os_error(const std::string& what, const std::string& path, int err) {
  return make_error(what + " " + path + ": " + std::strerror(err));
}

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Closes a descriptor when it goes out of scope.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

// Makes a new directory entry durable: the directory that holds it is synced.
caf::error sync_dir(const std::string& dir) {
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0)
    return os_error("cannot open directory", dir, errno);
  if (::fsync(d.fd) != 0)
    return os_error("cannot sync directory", dir, errno);
  return caf::none;
}

// Creates `dir` and the directories above it; each new one is made durable
// in its parent before the next is made beneath it.
caf::error make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return caf::none;
    return make_error("cannot create directory " + dir + ": a file is in the way");
  }
  if (dir == "/" || dir == ".")
    return caf::none;
  if (auto err = make_dirs(parent_of(dir)))
    return err;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST)
      return caf::none;
    return os_error("cannot create directory", dir, errno);
  }
  return sync_dir(parent_of(dir));
}

caf::error write_all(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return os_error("cannot write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return caf::none;
}

// Removes what `name` is inside `parent_fd`, a directory with all beneath it.
// Links are removed, never followed.
caf::error remove_at(int parent_fd, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? caf::error{} : os_error("cannot inspect", shown, errno);
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd, name.c_str(), 0) != 0 && errno != ENOENT)
      return os_error("cannot remove", shown, errno);
    return caf::none;
  }
  int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return os_error("cannot open directory", shown, errno);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return os_error("cannot read directory", shown, err);
  }
  std::vector<std::string> names;
  while (auto* e = ::readdir(dir)) {
    std::string n = e->d_name;
    if (n != "." && n != "..")
      names.push_back(std::move(n));
  }
  caf::error failed;
  for (const auto& n : names)
    if (auto err = remove_at(::dirfd(dir), n, shown + "/" + n)) {
      failed = std::move(err);
      break;
    }
  ::closedir(dir);
  if (failed)
    return failed;
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return os_error("cannot remove", shown, errno);
  return caf::none;
}

} // namespace

caf::error file_checkpoint_store::write(const std::string& path, std::string_view bytes) {
  if (base_of(path).empty())
    return make_error("cannot write " + path + ": not a file name");
  auto dir = parent_of(path);
  if (auto err = make_dirs(dir))
    return err;
  auto temp = checkpoint_temp_path(path);
  fd_guard f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (f.fd < 0)
    return os_error("cannot create", temp, errno);
  auto err = write_all(f.fd, bytes, temp);
  if (!err && ::fsync(f.fd) != 0)
    err = os_error("cannot sync", temp, errno);
  if (!err && ::close(f.release()) != 0)
    err = os_error("cannot close", temp, errno);
  if (!err && ::rename(temp.c_str(), path.c_str()) != 0)
    err = os_error("cannot rename " + temp + " to", path, errno);
  if (err) {
    ::unlink(temp.c_str());
    return err;
  }
  return sync_dir(dir);
}

caf::error file_checkpoint_store::append(const std::string& path, std::string_view bytes) {
  if (base_of(path).empty())
    return make_error("cannot append to " + path + ": not a file name");
  auto dir = parent_of(path);
  if (auto err = make_dirs(dir))
    return err;
  bool created = false;
  fd_guard f{::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0 && errno == ENOENT) {
    f.fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0644);
    created = f.fd >= 0;
  }
  if (f.fd < 0)
    return os_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return os_error("cannot inspect", path, errno);
  if (!S_ISREG(st.st_mode))
    return make_error("cannot append to " + path + ": not a regular file");
  auto err = write_all(f.fd, bytes, path);
  if (!err && ::fsync(f.fd) != 0)
    err = os_error("cannot sync", path, errno);
  if (err) {
    // Half an appended record would hide every later one: cut it off.
    if (::ftruncate(f.fd, st.st_size) == 0)
      ::fsync(f.fd);
    return err;
  }
  if (created)
    return sync_dir(dir);
  return caf::none;
}

caf::expected<std::optional<std::string>>
file_checkpoint_store::read(const std::string& path) {
  fd_guard f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT)
      return std::optional<std::string>{};
    return os_error("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return os_error("cannot inspect", path, errno);
  if (!S_ISREG(st.st_mode))
    return make_error("cannot read " + path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > limits::max_checkpoint_file_bytes)
    return make_error("cannot read " + path + ": " + std::to_string(st.st_size) +
                      " bytes, more than a checkpoint may hold (" +
                      std::to_string(limits::max_checkpoint_file_bytes) + ")");
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return os_error("cannot read", path, errno);
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limits::max_checkpoint_file_bytes)
      return make_error("cannot read " + path + ": it grew past the checkpoint limit");
  }
  return std::optional<std::string>{std::move(out)};
}

caf::expected<std::vector<checkpoint_entry>>
file_checkpoint_store::list(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::vector<checkpoint_entry>{};
    return os_error("cannot open directory", dir, errno);
  }
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    return os_error("cannot read directory", dir, err);
  }
  std::vector<checkpoint_entry> out;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISDIR(st.st_mode);
    }
    if (!is_dir && is_checkpoint_temp_name(name))
      continue;
    out.push_back({std::move(name), is_dir});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

caf::error file_checkpoint_store::remove(const std::string& path) {
  auto name = base_of(path);
  if (name.empty() || name == "." || name == "..")
    return make_error("cannot remove " + path + ": not a file or directory name");
  auto dir = parent_of(path);
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0)
    return errno == ENOENT ? caf::error{} : os_error("cannot open directory", dir, errno);
  if (auto err = remove_at(d.fd, name, path))
    return err;
  if (::fsync(d.fd) != 0)
    return os_error("cannot sync directory", dir, errno);
  return caf::none;
}

} // namespace cairn
