#include "tests/support/fake_cgroup_fs.hpp"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "runtime/errors.hpp"

namespace cairn::test {

namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

caf::error failed(const char* what, const std::string& path, int error) {
  return make_error(std::string("cannot ") + what + " " + path + ": " + std::strerror(error));
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string w;
  while (in >> w)
    out.push_back(w);
  return out;
}

} // namespace

bool fake_cgroup_fs::is_dir(const std::string& path) const {
  return dirs_.count(path) != 0;
}

caf::expected<std::string> fake_cgroup_fs::read(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end())
    return failed("read", path, ENOENT);
  return it->second;
}

caf::error fake_cgroup_fs::write(const std::string& path, const std::string& value) {
  if (!is_dir(parent_of(path)))
    return failed("write", path, ENOENT);
  auto name = name_of(path);
  auto dir = parent_of(path);
  if (name == "cgroup.procs" || name == "tasks") {
    char* end = nullptr;
    long pid = std::strtol(value.c_str(), &end, 10);
    if (pid <= 0 || *end != '\0')
      return failed("write", path, EINVAL);
    add_process(dir, static_cast<pid_t>(pid));
    return caf::none;
  }
  if (name == "cgroup.kill") {
    if (value != "1")
      return failed("write", path, EINVAL);
    kill_subtree(dir);
    return caf::none;
  }
  if (name == "cgroup.subtree_control") {
    auto enabled = words(files_[path]);
    for (const auto& w : words(value)) {
      auto controller = w.substr(1);
      if (w[0] == '+') {
        if (std::find(enabled.begin(), enabled.end(), controller) == enabled.end())
          enabled.push_back(controller);
      } else if (w[0] == '-') {
        enabled.erase(std::remove(enabled.begin(), enabled.end(), controller), enabled.end());
      } else {
        return failed("write", path, EINVAL);
      }
    }
    std::string text;
    for (const auto& c : enabled)
      text += (text.empty() ? "" : " ") + c;
    files_[path] = text + "\n";
    return caf::none;
  }
  files_[path] = value;
  return caf::none;
}

caf::error fake_cgroup_fs::make_dir(const std::string& path) {
  if (is_dir(path))
    return caf::none;
  if (!is_dir(parent_of(path)))
    return failed("make", path, ENOENT);
  dirs_.insert(path);
  for (const auto& [name, text] : defaults)
    files_[path + "/" + name] = text;
  return caf::none;
}

caf::error fake_cgroup_fs::remove_dir(const std::string& path) {
  if (!is_dir(path))
    return caf::none;
  auto nested = children(path);
  if (!get(path + "/cgroup.procs").empty() || (nested && !nested->empty()))
    return failed("remove", path, EBUSY);
  dirs_.erase(path);
  auto prefix = path + "/";
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.rfind(prefix, 0) == 0;)
    it = files_.erase(it);
  return caf::none;
}

bool fake_cgroup_fs::exists(const std::string& path) {
  return is_dir(path) || files_.count(path) != 0;
}

caf::expected<std::vector<std::string>> fake_cgroup_fs::children(const std::string& path) {
  if (!is_dir(path))
    return failed("list", path, ENOENT);
  std::vector<std::string> out;
  auto prefix = path + "/";
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->rfind(prefix, 0) == 0; ++it)
    if (it->find('/', prefix.size()) == std::string::npos)
      out.push_back(it->substr(prefix.size()));
  return out;
}

void fake_cgroup_fs::mount(const std::string& path) {
  std::string at;
  std::istringstream in(path);
  std::string part;
  dirs_.insert("/");
  while (std::getline(in, part, '/')) {
    if (part.empty())
      continue;
    at += "/" + part;
    dirs_.insert(at);
  }
  for (const auto& [name, text] : defaults)
    files_[path + "/" + name] = text;
}

void fake_cgroup_fs::set(const std::string& path, const std::string& value) {
  files_[path] = value;
}

std::string fake_cgroup_fs::get(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? std::string{} : it->second;
}

bool fake_cgroup_fs::has_file(const std::string& path) const {
  return files_.count(path) != 0;
}

void fake_cgroup_fs::add_process(const std::string& cgroup, pid_t pid) {
  remove_process(pid);
  files_[cgroup + "/cgroup.procs"] += std::to_string(pid) + "\n";
  if (files_.count(cgroup + "/cgroup.events") != 0)
    files_[cgroup + "/cgroup.events"] = "populated 1\nfrozen 0\n";
}

void fake_cgroup_fs::remove_process(pid_t pid) {
  auto line = std::to_string(pid);
  for (auto& [path, text] : files_) {
    if (name_of(path) != "cgroup.procs")
      continue;
    std::string kept;
    bool changed = false;
    for (const auto& w : words(text)) {
      if (w == line)
        changed = true;
      else
        kept += w + "\n";
    }
    if (!changed)
      continue;
    text = kept;
    auto events = parent_of(path) + "/cgroup.events";
    if (kept.empty() && files_.count(events) != 0)
      files_[events] = "populated 0\nfrozen 0\n";
  }
}

void fake_cgroup_fs::kill_subtree(const std::string& cgroup) {
  auto prefix = cgroup + "/";
  std::vector<pid_t> victims;
  for (const auto& [path, text] : files_)
    if (name_of(path) == "cgroup.procs" &&
        (parent_of(path) == cgroup || path.rfind(prefix, 0) == 0))
      for (const auto& w : words(text))
        victims.push_back(static_cast<pid_t>(std::stol(w)));
  for (auto pid : victims) {
    signals.emplace_back(pid, SIGKILL);
    remove_process(pid);
  }
}

signal_fn fake_cgroup_fs::signaller() {
  return [this](pid_t pid, int sig) {
    signals.emplace_back(pid, sig);
    if (sig == SIGKILL)
      remove_process(pid);
    return 0;
  };
}

} // namespace cairn::test
