#include "actors/agent/isolators/cgroup_tree.hpp"

#include <signal.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

std::vector<pid_t> cgroup_pids(cgroup_fs& fs, const std::string& cgroup) {
  std::vector<pid_t> out;
  auto text = fs.read(cgroup + "/cgroup.procs");
  if (!text)
    return out;
  std::istringstream in(*text);
  long pid = 0;
  while (in >> pid)
    if (pid > 0)
      out.push_back(static_cast<pid_t>(pid));
  return out;
}

caf::error remove_cgroup_tree(cgroup_fs& fs, const std::string& cgroup) {
  if (!fs.exists(cgroup))
    return caf::none;
  if (auto nested = fs.children(cgroup))
    for (const auto& child : *nested)
      if (auto err = remove_cgroup_tree(fs, cgroup + "/" + child))
        return err;
  return fs.remove_dir(cgroup);
}

void kill_cgroup_tree(cgroup_fs& fs, const signal_fn& send, const std::string& cgroup) {
  if (auto nested = fs.children(cgroup))
    for (const auto& child : *nested)
      kill_cgroup_tree(fs, send, cgroup + "/" + child);
  for (auto pid : cgroup_pids(fs, cgroup))
    send(pid, SIGKILL);
}

cgroup_tree::cgroup_tree(std::shared_ptr<cgroup_fs> fs, signal_fn send,
                         std::vector<std::string> bases, std::string root,
                         std::vector<std::string> controllers)
  : fs_(std::move(fs)),
    send_(std::move(send)),
    root_(std::move(root)),
    controllers_(std::move(controllers)) {
  for (auto& b : bases)
    if (std::find(bases_.begin(), bases_.end(), b) == bases_.end())
      bases_.push_back(std::move(b));
}

std::string cgroup_tree::path(const std::string& container, size_t base) const {
  return bases_.at(base) + "/" + root_ + "/" + container;
}

// v2 hands a controller to a child only when the parent's
// cgroup.subtree_control enables it, from the hierarchy's top down.
caf::error cgroup_tree::enable_controllers(const std::string& dir) {
  if (controllers_.empty())
    return caf::none;
  auto current = fs_->read(dir + "/cgroup.subtree_control");
  std::string have = current ? " " + *current + " " : "";
  for (auto& c : have)
    if (c == '\n')
      c = ' ';
  for (const auto& controller : controllers_) {
    if (have.find(" " + controller + " ") != std::string::npos)
      continue;
    if (auto err = fs_->write(dir + "/cgroup.subtree_control", "+" + controller))
      return err;
  }
  return caf::none;
}

caf::error cgroup_tree::create(const std::string& container, launch_plan& plan) {
  if (container.empty() || container.find('/') != std::string::npos || container == "." ||
      container == "..")
    return make_error(fmt::format("invalid container id '{}' for a cgroup", container));
  remove_orphans();
  for (size_t i = 0; i < bases_.size(); ++i) {
    // The root may be nested ("mesos/agent-1": agents sharing a machine).
    std::string at = bases_[i];
    if (auto err = enable_controllers(at))
      return err;
    std::istringstream parts(root_);
    std::string part;
    while (std::getline(parts, part, '/')) {
      if (part.empty())
        continue;
      at += "/" + part;
      if (auto err = fs_->make_dir(at))
        return err;
      if (auto err = enable_controllers(at))
        return err;
    }
    auto dir = path(container, i);
    if (auto err = fs_->make_dir(dir))
      return err;
    auto procs = dir + "/cgroup.procs";
    if (std::find(plan.cgroups.begin(), plan.cgroups.end(), procs) == plan.cgroups.end())
      plan.cgroups.push_back(procs);
  }
  known_.insert(container);
  return caf::none;
}

caf::error cgroup_tree::recover(const std::vector<std::string>& containers) {
  std::set<std::string> claimed(containers.begin(), containers.end());
  for (const auto& c : containers)
    known_.insert(c);
  for (const auto& base : bases_) {
    auto top = base + "/" + root_;
    if (!fs_->exists(top))
      continue;
    auto found = fs_->children(top);
    if (!found)
      return found.error();
    for (const auto& name : *found) {
      if (claimed.count(name) != 0)
        continue;
      auto dir = top + "/" + name;
      logger("agent")->info("removing cgroup {}: no container claims it", dir);
      kill_cgroup_tree(*fs_, send_, dir);
      orphans_.insert(dir);
    }
  }
  remove_orphans();
  return caf::none;
}

// A killed process leaves its cgroup when it has died: what is still busy
// is tried again at the next create or remove.
void cgroup_tree::remove_orphans() {
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    kill_cgroup_tree(*fs_, send_, *it);
    if (!remove_cgroup_tree(*fs_, *it))
      it = orphans_.erase(it);
    else
      ++it;
  }
}

caf::error cgroup_tree::remove(const std::string& container) {
  remove_orphans();
  caf::error first;
  for (size_t i = 0; i < bases_.size(); ++i)
    if (auto err = remove_cgroup_tree(*fs_, path(container, i)); err && !first)
      first = std::move(err);
  if (!first)
    known_.erase(container);
  return first;
}

} // namespace cairn
