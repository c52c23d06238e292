#include <signal.h>

#include <map>

#include <fmt/format.h>

#include "actors/agent/isolators/cgroup_tree.hpp"
#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/launchers.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

// Freezing can stall on a process in uninterruptible sleep; after this many
// polls the kill goes ahead unfrozen (a fork may then slip through, and the
// next poll catches it).
constexpr int max_freeze_polls = 50;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

class cgroup_launcher : public launcher {
public:
  cgroup_launcher(cgroup_tree tree, signal_fn send, int version)
    : tree_(std::move(tree)), send_(std::move(send)), version_(version) {
  }

  std::string name() const override {
    return "linux";
  }

  caf::error recover(const std::vector<std::string>& containers) override {
    return tree_.recover(containers);
  }

  caf::error prepare(const std::string& container, launch_plan& plan) override {
    return tree_.create(container, plan);
  }

  caf::expected<bool> destroy(const std::string& container, pid_t pid) override {
    auto& fs = tree_.fs();
    auto d = tree_.path(container);
    if (!fs.exists(d)) {
      // Never prepared (or a container from before cgroups were used): its
      // session is all there is to find.
      if (pid > 1)
        signal_session(pid, SIGKILL);
      return true;
    }
    if (empty(d)) {
      if (version_ == 1)
        fs.write(d + "/freezer.state", "THAWED");
      if (auto err = tree_.remove(container))
        return false;  // the kernel is still letting go of the last ones
      polls_.erase(container);
      return true;
    }
    if (version_ == 1)
      kill_v1(container, d);
    else
      kill_v2(d);
    if (pid > 1)
      signal_session(pid, SIGKILL);
    return false;
  }

private:
  bool empty(const std::string& d) {
    if (!cgroup_pids(tree_.fs(), d).empty())
      return false;
    if (version_ == 2) {
      auto events = tree_.fs().read(d + "/cgroup.events");
      if (events && parse_keyed(*events)["populated"] != 0)
        return false;
    }
    return true;
  }

  // Frozen, no process can fork between the listing and the kill; the
  // SIGKILLs land when it is thawed.
  void kill_v1(const std::string& container, const std::string& d) {
    auto& fs = tree_.fs();
    auto state = fs.read(d + "/freezer.state");
    if (!state || trimmed(*state) != "FROZEN") {
      fs.write(d + "/freezer.state", "FROZEN");
      state = fs.read(d + "/freezer.state");
      if ((!state || trimmed(*state) != "FROZEN") && ++polls_[container] < max_freeze_polls)
        return;
    }
    kill_cgroup_tree(fs, send_, d);
    fs.write(d + "/freezer.state", "THAWED");
  }

  // cgroup.kill (5.14 and later) kills the whole subtree at once; before it,
  // freeze, kill, thaw as on v1.
  void kill_v2(const std::string& d) {
    auto& fs = tree_.fs();
    if (fs.exists(d + "/cgroup.kill") && !fs.write(d + "/cgroup.kill", "1"))
      return;
    fs.write(d + "/cgroup.freeze", "1");
    kill_cgroup_tree(fs, send_, d);
    fs.write(d + "/cgroup.freeze", "0");
  }

  cgroup_tree tree_;
  signal_fn send_;
  int version_;
  std::map<std::string, int> polls_;
};

} // namespace

caf::expected<std::unique_ptr<launcher>>
make_linux_launcher(std::shared_ptr<cgroup_fs> fs, const cgroup_layout& layout,
                    const cgroups_options& options, signal_fn send) {
  if (layout.version == 2) {
    cgroup_tree tree(std::move(fs), send, {layout.unified}, options.root);
    return std::unique_ptr<launcher>(new cgroup_launcher(std::move(tree), std::move(send), 2));
  }
  auto freezer = layout.mount_of("freezer");
  if (!freezer)
    return make_error("--launcher=linux: " + error_message(freezer.error()));
  cgroup_tree tree(std::move(fs), send, {*freezer}, options.root);
  return std::unique_ptr<launcher>(new cgroup_launcher(std::move(tree), std::move(send), 1));
}

} // namespace cairn
