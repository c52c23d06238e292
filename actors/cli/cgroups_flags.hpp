// The agent's cgroups flags, Mesos' names and defaults (and --cgroups_pids_max
// beyond them), checked into the options the isolators take.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "actors/agent/isolators/cgroups_options.hpp"
#include "runtime/flag_table.hpp"

namespace cairn {

struct cgroups_flags {
  cgroups_options values;
  std::string pids_max;  // empty: no limit written

  void add_to(flag_table& table);
  // Errors name the flag: a root that is absolute or climbs out, a pids_max
  // that is not a number of at least 1.
  caf::expected<cgroups_options> options() const;
};

} // namespace cairn
