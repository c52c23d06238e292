#include "runtime/beneath.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace cairn {

unique_fd::~unique_fd() {
  if (fd_ >= 0)
    close(fd_);
}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int unique_fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

namespace {

constexpr int base_flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

// Cleared once the kernel (or a seccomp filter) turns openat2 away, so that
// later opens go straight to the walk.
std::atomic<bool> have_openat2{true};

beneath_result failure(beneath_result::outcome what, int error, std::string why) {
  beneath_result r;
  r.what = what;
  r.error = error;
  r.why = std::move(why);
  return r;
}

beneath_result opened(int fd) {
  beneath_result r;
  r.what = beneath_result::outcome::opened;
  r.fd = unique_fd(fd);
  return r;
}

beneath_result from_errno(int error) {
  using o = beneath_result::outcome;
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return failure(o::missing, error, "no such file or directory");
    case EXDEV:
      return failure(o::escapes, error, "resolves outside the directory served");
    case ELOOP:
      return failure(o::refused, error, "a symbolic link that is not followed");
    default:
      return failure(o::failed, error, std::strerror(error));
  }
}

// The components of `relative` with `.` dropped and `..` taken back, or
// false if a `..` climbs above the root.
bool components(const std::string& relative, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string::npos)
      end = relative.size();
    std::string part = relative.substr(start, end - start);
    if (part == "..") {
      if (out.empty())
        return false;
      out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(std::move(part));
    }
    start = end + 1;
  }
  return true;
}

} // namespace

beneath_result open_beneath_by_walking(int root_fd, const std::string& relative,
                                       int extra_flags) {
  std::vector<std::string> parts;
  if (!components(relative, parts))
    return from_errno(EXDEV);
  if (parts.empty()) {
    int fd = openat(root_fd, ".", base_flags | extra_flags);
    return fd < 0 ? from_errno(errno) : opened(fd);
  }
  unique_fd dir(openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir)
    return from_errno(errno);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      int error = errno;
      // O_PATH | O_NOFOLLOW names a link as ENOTDIR: say it is a link.
      struct stat st {};
      if (fstatat(dir.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISLNK(st.st_mode))
        return from_errno(ELOOP);
      return from_errno(error);
    }
    dir = unique_fd(next);
  }
  int fd = openat(dir.get(), parts.back().c_str(), base_flags | O_NOFOLLOW | extra_flags);
  return fd < 0 ? from_errno(errno) : opened(fd);
}

beneath_result open_beneath(int root_fd, const std::string& relative, int extra_flags) {
  if (have_openat2.load(std::memory_order_relaxed)) {
    open_how how {};
    how.flags = static_cast<uint64_t>(base_flags | extra_flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const char* path = relative.empty() ? "." : relative.c_str();
    // EAGAIN: a rename raced a `..`; the kernel asks for another try.
    for (int attempt = 0; attempt < 8; ++attempt) {
      long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
      if (fd >= 0)
        return opened(static_cast<int>(fd));
      int error = errno;
      if (error == EAGAIN)
        continue;
      if (error == ENOSYS || error == EPERM || error == E2BIG || error == EINVAL) {
        have_openat2.store(false, std::memory_order_relaxed);
        break;
      }
      return from_errno(error);
    }
    if (have_openat2.load(std::memory_order_relaxed))
      return from_errno(EAGAIN);
  }
  return open_beneath_by_walking(root_fd, relative, extra_flags);
}

} // namespace cairn
