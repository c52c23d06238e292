#include "actors/cli/cgroups_flags.hpp"

#include <limits>

#include <fmt/format.h>

#include "runtime/errors.hpp"

namespace cairn {

void cgroups_flags::add_to(flag_table& t) {
  t.add({"cgroups_hierarchy"}, values.hierarchy,
        "Where the cgroup hierarchies are mounted (v2 when cgroup2 is mounted right there)");
  t.add({"cgroups_root"}, values.root, "The cgroup below each hierarchy holding the containers'");
  t.add({"cgroups_enable_cfs"}, values.enable_cfs,
        "A hard CPU quota (CFS) of the container's cpus, not only a share");
  t.add({"cgroups_limit_swap"}, values.limit_swap,
        "Limit memory and swap together (v1 memory.memsw), not memory alone");
  t.add({"cgroups_pids_max"}, pids_max,
        "At most this many processes and threads in a container (pids.max); default none");
}

caf::expected<cgroups_options> cgroups_flags::options() const {
  auto out = values;
  if (out.hierarchy.empty() || out.hierarchy.front() != '/')
    return make_error(fmt::format("--cgroups_hierarchy '{}': give an absolute path",
                                  out.hierarchy));
  if (out.root.empty() || out.root.front() == '/' || out.root.find("..") != std::string::npos)
    return make_error(fmt::format("--cgroups_root '{}': give a path below the hierarchy, "
                                  "e.g. mesos", out.root));
  if (!pids_max.empty()) {
    auto n = parse_unsigned(pids_max, std::numeric_limits<uint32_t>::max());
    if (!n || *n == 0)
      return make_error(fmt::format("--cgroups_pids_max '{}': give a number of at least 1",
                                    pids_max));
    out.pids_max = *n;
  }
  return out;
}

} // namespace cairn
