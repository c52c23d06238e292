#include "actors/agent/isolators/cgroup_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/errors.hpp"

namespace cairn {

namespace {

caf::error failed(const char* what, const std::string& path, int error) {
  return make_error(fmt::format("cannot {} {}: {}", what, path, std::strerror(error)));
}

// Control files report a size of 0: read until the end, never by size.
caf::expected<std::string> read_whole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return failed("read", path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return failed("read", path, error);
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

class real_cgroup_fs : public cgroup_fs {
public:
  caf::expected<std::string> read(const std::string& path) override {
    return read_whole(path);
  }

  // One write() call: the kernel takes a control file's value whole.
  caf::error write(const std::string& path, const std::string& value) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return failed("write", path, errno);
    ssize_t n;
    do {
      n = ::write(fd, value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    int error = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size()))
      return make_error(fmt::format("cannot write '{}' to {}: {}", value, path,
                                    n < 0 ? std::strerror(error) : "short write"));
    return caf::none;
  }

  caf::error make_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      return failed("make", path, errno);
    return caf::none;
  }

  caf::error remove_dir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT)
      return failed("remove", path, errno);
    return caf::none;
  }

  bool exists(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }

  caf::expected<std::vector<std::string>> children(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr)
      return failed("list", path, errno);
    std::vector<std::string> out;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..")
        continue;
      if (e->d_type == DT_DIR)
        out.push_back(std::move(name));
    }
    ::closedir(dir);
    return out;
  }
};

} // namespace

std::shared_ptr<cgroup_fs> make_real_cgroup_fs() {
  return std::make_shared<real_cgroup_fs>();
}

signal_fn real_signal() {
  return [](pid_t pid, int sig) { return ::kill(pid, sig); };
}

caf::expected<std::string> read_mountinfo() {
  return read_whole("/proc/self/mountinfo");
}

} // namespace cairn
