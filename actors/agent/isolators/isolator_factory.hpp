// What the mesos containerizer calls to build its plug-ins from the agent's
// flags: --isolation's cgroups isolators and --launcher's launcher. Mesos
// refuses to start on an isolator or launcher it does not know; so does this.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/agent/isolator.hpp"
#include "actors/agent/isolators/cgroup_fs.hpp"
#include "actors/agent/isolators/cgroups_options.hpp"

namespace cairn {

// Where the cgroups are: the product's is the kernel's (real_cgroups_host);
// tests give a fake tree and a mount table as text.
struct cgroups_host {
  std::shared_ptr<cgroup_fs> fs;
  std::string mountinfo;  // the text of /proc/self/mountinfo
  signal_fn send;
};

caf::expected<cgroups_host> real_cgroups_host();

// --isolation's names, in order, each once: "cgroups/cpu,cgroups/mem".
// An empty name (",,") is an error.
caf::expected<std::vector<std::string>> parse_isolation(const std::string& flag);

// Isolators made elsewhere (by the containerizer itself), skipped here.
const std::vector<std::string>& isolators_made_elsewhere();

// The cgroups isolators among `names` (cgroups/cpu, cgroups/mem,
// cgroups/pids), v1 or v2 as the host's mounts say, in the order named.
// Names in `elsewhere` are skipped; any other is an error naming it.
caf::expected<std::vector<std::unique_ptr<isolator>>>
make_isolators(const std::vector<std::string>& names, const cgroups_options& options,
               const cgroups_host& host,
               const std::vector<std::string>& elsewhere = isolators_made_elsewhere());

// The same from --isolation's text.
caf::expected<std::vector<std::unique_ptr<isolator>>>
make_isolators(const std::string& isolation_flag, const cgroups_options& options,
               const cgroups_host& host,
               const std::vector<std::string>& elsewhere = isolators_made_elsewhere());

// --launcher: "linux" or "posix"; empty picks as Mesos does: linux when run
// as root on a host with cgroups for it, else posix.
caf::expected<std::unique_ptr<launcher>> make_launcher(const std::string& launcher_flag,
                                                       const cgroups_options& options,
                                                       const cgroups_host& host);

} // namespace cairn
