// The cgroup file system as the isolators and launchers use it: control
// files read and written whole, cgroups made and removed as directories.
// The product reads and writes the kernel's files; tests use an in-memory
// tree (tests/support/fake_cgroup_fs.hpp) that behaves as the kernel does
// where it matters (a cgroup with processes cannot be removed).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace cairn {

class cgroup_fs {
public:
  virtual ~cgroup_fs() = default;

  // Paths are absolute: "/sys/fs/cgroup/memory/mesos/c1/memory.limit_in_bytes".
  virtual caf::expected<std::string> read(const std::string& path) = 0;
  virtual caf::error write(const std::string& path, const std::string& value) = 0;
  // A directory already there is no error.
  virtual caf::error make_dir(const std::string& path) = 0;
  // A directory already gone is no error; one with processes or children is.
  virtual caf::error remove_dir(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;
  // The names of the directories directly below `path`.
  virtual caf::expected<std::vector<std::string>> children(const std::string& path) = 0;
};

std::shared_ptr<cgroup_fs> make_real_cgroup_fs();

// Sends a signal to a process: ::kill in the product, the fake tree's in
// tests (which takes the process out of its cgroups).
using signal_fn = std::function<int(pid_t pid, int sig)>;
signal_fn real_signal();

// The text of /proc/self/mountinfo.
caf::expected<std::string> read_mountinfo();

} // namespace cairn
