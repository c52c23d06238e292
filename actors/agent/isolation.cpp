// --isolation and --launcher, read into the mesos containerizer's plug-ins.
#include <algorithm>

#include "actors/agent/isolators/isolator_factory.hpp"
#include "actors/agent/isolators/launchers.hpp"
#include "actors/agent/isolators/namespaces.hpp"
#include "actors/agent/isolators/posix.hpp"
#include "actors/agent/mesos_containerizer.hpp"
#include "runtime/errors.hpp"

namespace cairn {

caf::expected<std::shared_ptr<containerizer_plugins>> make_plugins(const isolation_flags& flags,
                                                                   const cgroups_host* host) {
  auto names = parse_isolation(flags.isolation);
  if (!names)
    return names.error();
  auto named = [&](const std::string& name) {
    return std::find(names->begin(), names->end(), name) != names->end();
  };
  bool cgroups = std::any_of(names->begin(), names->end(),
                             [](const std::string& n) { return n.rfind("cgroups/", 0) == 0; });
  // The kernel's cgroups are read only when something needs them.
  cgroups_host real;
  if (host == nullptr && (cgroups || flags.launcher != "posix")) {
    auto found = real_cgroups_host();
    if (!found && (cgroups || flags.launcher == "linux"))
      return found.error();
    if (found)
      real = std::move(*found);
    host = &real;
  }
  auto plugins = std::make_shared<containerizer_plugins>();
  if (host != nullptr && host->fs) {
    auto launch = make_launcher(flags.launcher, flags.cgroups, *host);
    if (!launch)
      return launch.error();
    plugins->launch = std::move(*launch);
  } else if (flags.launcher == "posix" || flags.launcher.empty()) {
    plugins->launch = make_session_launcher();
  } else {
    return make_error("--launcher: unknown launcher '" + flags.launcher + "' (linux or posix)");
  }
  bool linux_launcher = plugins->launch->name() == "linux";
  for (const auto& name : *names) {
    if (name == "posix/cpu" || name == "posix/mem")
      plugins->isolators.push_back(make_posix_isolator(name));
    else if (name == "filesystem/linux")
      plugins->isolators.push_back(make_filesystem_linux_isolator());
    else if (name == "namespaces/pid")
      plugins->isolators.push_back(make_pid_namespace_isolator());
    else if (name == "disk/du")
      plugins->isolators.push_back(make_disk_du_isolator(flags.disk));
    else if (name == "docker/runtime")
      ;  // its work (an image's command, env, working dir) is done at provisioning
    else if (name.rfind("cgroups/", 0) != 0)
      return make_error("--isolation: unknown isolator '" + name + "'");
    if ((name.rfind("cgroups/", 0) == 0 || name == "filesystem/linux" ||
         name == "namespaces/pid") && !linux_launcher)
      return make_error("--isolation: '" + name + "' needs --launcher=linux");
  }
  if (named("namespaces/pid") && !named("filesystem/linux"))
    return make_error("--isolation: 'namespaces/pid' needs 'filesystem/linux'");
  if (named("docker/runtime") && !named("filesystem/linux"))
    return make_error("--isolation: 'docker/runtime' needs 'filesystem/linux'");
  if (cgroups) {
    auto made = make_isolators(*names, flags.cgroups, *host);
    if (!made)
      return made.error();
    for (auto& iso : *made)
      plugins->isolators.push_back(std::move(iso));
  }
  return plugins;
}

} // namespace cairn
