#include "actors/agent/isolators/isolator_factory.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "actors/agent/isolators/cgroup_mounts.hpp"
#include "actors/agent/isolators/cgroups_isolators.hpp"
#include "actors/agent/isolators/launchers.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

const std::vector<std::string>& cgroups_isolators() {
  static const std::vector<std::string> names = {"cgroups/cpu", "cgroups/mem", "cgroups/pids"};
  return names;
}

caf::error check_root(const cgroups_options& options) {
  if (options.root.empty() || options.root.front() == '/' ||
      options.root.find("..") != std::string::npos)
    return make_error(fmt::format("--cgroups_root '{}': give a relative path below the "
                                  "hierarchy, e.g. mesos", options.root));
  return caf::none;
}

} // namespace

caf::expected<cgroups_host> real_cgroups_host() {
  auto mountinfo = read_mountinfo();
  if (!mountinfo)
    return mountinfo.error();
  return cgroups_host{make_real_cgroup_fs(), std::move(*mountinfo), real_signal()};
}

caf::expected<std::vector<std::string>> parse_isolation(const std::string& flag) {
  std::vector<std::string> out;
  std::istringstream in(flag);
  std::string name;
  while (std::getline(in, name, ',')) {
    auto begin = name.find_first_not_of(" \t");
    auto end = name.find_last_not_of(" \t");
    if (begin == std::string::npos)
      return make_error(fmt::format("--isolation '{}': an empty isolator name", flag));
    name = name.substr(begin, end - begin + 1);
    if (!contains(out, name))
      out.push_back(name);
  }
  return out;
}

const std::vector<std::string>& isolators_made_elsewhere() {
  static const std::vector<std::string> names = {"posix/cpu", "posix/mem", "filesystem/linux",
                                                 "namespaces/pid", "disk/du",
                                                 "docker/runtime"};
  return names;
}

caf::expected<std::vector<std::unique_ptr<isolator>>>
make_isolators(const std::vector<std::string>& names, const cgroups_options& options,
               const cgroups_host& host, const std::vector<std::string>& elsewhere) {
  std::vector<std::unique_ptr<isolator>> out;
  bool wanted = false;
  for (const auto& name : names) {
    if (contains(cgroups_isolators(), name))
      wanted = true;
    else if (!contains(elsewhere, name))
      return make_error(fmt::format("--isolation: unknown isolator '{}'", name));
  }
  if (!wanted)
    return out;
  if (auto err = check_root(options))
    return err;
  auto layout = detect_cgroups(host.mountinfo, options.hierarchy);
  if (!layout)
    return layout.error();
  for (const auto& name : names) {
    if (!contains(cgroups_isolators(), name))
      continue;
    auto made = layout->version == 2
                  ? make_cgroups_v2_isolator(name, host.fs, *layout, options, host.send)
                  : make_cgroups_v1_isolator(name, host.fs, *layout, options, host.send);
    if (!made)
      return made.error();
    out.push_back(std::move(*made));
  }
  return out;
}

caf::expected<std::vector<std::unique_ptr<isolator>>>
make_isolators(const std::string& isolation_flag, const cgroups_options& options,
               const cgroups_host& host, const std::vector<std::string>& elsewhere) {
  auto names = parse_isolation(isolation_flag);
  if (!names)
    return names.error();
  return make_isolators(*names, options, host, elsewhere);
}

caf::expected<std::unique_ptr<launcher>> make_launcher(const std::string& launcher_flag,
                                                       const cgroups_options& options,
                                                       const cgroups_host& host) {
  if (launcher_flag == "posix")
    return make_session_launcher();
  if (launcher_flag != "linux" && !launcher_flag.empty())
    return make_error(fmt::format("--launcher: unknown launcher '{}' (linux or posix)",
                                  launcher_flag));
  if (auto err = check_root(options))
    return err;
  auto layout = detect_cgroups(host.mountinfo, options.hierarchy);
  if (launcher_flag.empty()) {
    bool usable = geteuid() == 0 && layout &&
                  (layout->version == 2 || layout->mounts.count("freezer") != 0);
    if (!usable)
      return make_session_launcher();
  }
  if (!layout)
    return make_error("--launcher=linux: " + error_message(layout.error()));
  return make_linux_launcher(host.fs, *layout, options, host.send);
}

} // namespace cairn
