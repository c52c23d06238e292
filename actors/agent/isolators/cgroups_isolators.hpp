// The cgroups isolators, `cgroups/cpu`, `cgroups/mem` and `cgroups/pids`,
// for cgroups v1 (a hierarchy per subsystem) and v2 (one unified tree).
// Each keeps a cgroup per container under --cgroups_root, joined by the
// container's first process before it execs, and writes its limits there.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/agent/isolator.hpp"
#include "actors/agent/isolators/cgroup_fs.hpp"
#include "actors/agent/isolators/cgroup_mounts.hpp"
#include "actors/agent/isolators/cgroup_tree.hpp"
#include "actors/agent/isolators/cgroups_options.hpp"

namespace cairn {

// What the three isolators share: the container's cgroups and its limits;
// `apply` writes the limits (`first`: in prepare, before any process).
class cgroup_isolator : public isolator {
public:
  cgroup_isolator(std::string name, cgroup_tree tree, cgroups_options options)
    : name_(std::move(name)), tree_(std::move(tree)), options_(std::move(options)) {
  }

  std::string name() const override {
    return name_;
  }
  caf::error recover(const std::vector<std::string>& containers) override;
  caf::error prepare(const std::string& container, const container_limits& limits,
                     launch_plan& plan) override;
  caf::error update(const std::string& container, const container_limits& limits) override;
  caf::error cleanup(const std::string& container) override;

protected:
  virtual caf::error apply(const std::string& container, const container_limits& limits,
                           bool first) = 0;
  // <mount>/<root>/<container>.
  std::string dir(const std::string& mount, const std::string& container) const {
    return mount + "/" + options_.root + "/" + container;
  }
  // A control file's text, empty when it cannot be read (usage goes on).
  std::string text(const std::string& path) {
    auto t = tree_.fs().read(path);
    return t ? *t : std::string{};
  }
  caf::error write(const std::string& path, const std::string& value) {
    return tree_.fs().write(path, value);
  }
  const container_limits* known_limits(const std::string& container) const;

  std::string name_;
  cgroup_tree tree_;
  cgroups_options options_;
  std::map<std::string, container_limits> limits_;
};

// v1: cgroups/cpu needs the cpu and cpuacct subsystems, cgroups/mem memory,
// cgroups/pids pids; an error names what is not mounted.
caf::expected<std::unique_ptr<isolator>>
make_cgroups_v1_isolator(const std::string& name, std::shared_ptr<cgroup_fs> fs,
                         const cgroup_layout& layout, const cgroups_options& options,
                         signal_fn send);

// v2: the controller must be listed in the hierarchy's cgroup.controllers.
caf::expected<std::unique_ptr<isolator>>
make_cgroups_v2_isolator(const std::string& name, std::shared_ptr<cgroup_fs> fs,
                         const cgroup_layout& layout, const cgroups_options& options,
                         signal_fn send);

} // namespace cairn
