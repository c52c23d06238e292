// --isolation and --launcher, read into the mesos containerizer's plug-ins.
#include <set>

#include "actors/agent/isolators/namespaces.hpp"
#include "actors/agent/isolators/posix.hpp"
#include "actors/agent/mesos_containerizer.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

} // namespace

caf::expected<std::shared_ptr<containerizer_plugins>> make_plugins(const isolation_flags& flags) {
  auto plugins = std::make_shared<containerizer_plugins>();
  if (flags.launcher == "posix")
    plugins->launch = make_posix_launcher();
  else if (flags.launcher == "linux")
    return make_error("--launcher=linux is not supported yet");
  else
    return make_error("--launcher: unknown launcher '" + flags.launcher +
                      "' (posix or linux)");
  std::set<std::string> names;
  for (const auto& name : split_list(flags.isolation)) {
    if (name.empty() || !names.insert(name).second)
      continue;
    if (name == "posix/cpu" || name == "posix/mem")
      plugins->isolators.push_back(make_posix_isolator(name));
    else if (name == "filesystem/linux")
      plugins->isolators.push_back(make_filesystem_linux_isolator());
    else if (name == "namespaces/pid")
      plugins->isolators.push_back(make_pid_namespace_isolator());
    else if (name == "cgroups/cpu" || name == "cgroups/mem" || name == "cgroups/pids" ||
             name == "disk/du")
      return make_error("--isolation: isolator '" + name + "' is not supported yet");
    else
      return make_error("--isolation: unknown isolator '" + name + "'");
  }
  for (const auto& name : {"filesystem/linux", "namespaces/pid"})
    if (names.count(name) > 0 && flags.launcher != "linux")
      return make_error(std::string("--isolation: '") + name + "' needs --launcher=linux");
  if (names.count("namespaces/pid") > 0 && names.count("filesystem/linux") == 0)
    return make_error("--isolation: 'namespaces/pid' needs 'filesystem/linux'");
  return plugins;
}

} // namespace cairn
