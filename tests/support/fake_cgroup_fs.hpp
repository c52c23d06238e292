// An in-memory cgroup file system for the isolators' and launchers' tests.
// It behaves as the kernel does where they depend on it: a new cgroup comes
// with its control files (the `defaults` given), a cgroup with processes or
// nested cgroups cannot be removed (EBUSY), cgroup.kill empties a subtree,
// cgroup.subtree_control takes "+controller". A signal from `signaller()`
// is recorded, and SIGKILL takes the process out of every cgroup.
#pragma once

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "actors/agent/isolators/cgroup_fs.hpp"

namespace cairn::test {

class fake_cgroup_fs : public cgroup_fs {
public:
  // Files every new cgroup gets, by name: {"cgroup.procs", ""}, ...
  std::map<std::string, std::string> defaults = {{"cgroup.procs", ""}};

  caf::expected<std::string> read(const std::string& path) override;
  caf::error write(const std::string& path, const std::string& value) override;
  caf::error make_dir(const std::string& path) override;
  caf::error remove_dir(const std::string& path) override;
  bool exists(const std::string& path) override;
  caf::expected<std::vector<std::string>> children(const std::string& path) override;

  // A hierarchy's mount point and the directories above it, with the
  // defaults in the mount point.
  void mount(const std::string& path);
  // Sets a file as the kernel would (a counter bumped, a value reported).
  void set(const std::string& path, const std::string& value);
  // A file's text, "" when missing.
  std::string get(const std::string& path) const;
  bool has_file(const std::string& path) const;
  // A process in a cgroup, as if it had joined.
  void add_process(const std::string& cgroup, pid_t pid);

  signal_fn signaller();
  std::vector<std::pair<pid_t, int>> signals;  // every signal sent, in order

private:
  bool is_dir(const std::string& path) const;
  void remove_process(pid_t pid);
  void kill_subtree(const std::string& cgroup);

  std::set<std::string> dirs_;
  std::map<std::string, std::string> files_;
};

} // namespace cairn::test
