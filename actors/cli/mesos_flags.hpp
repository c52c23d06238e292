// Apache Mesos' flags of the master and the agent (docs/configuration/), so
// that one cairn does not have is refused by name instead of being taken for
// a typo, or, in an environment file, ignored.
#pragma once

#include <vector>

#include "runtime/flag_table.hpp"

namespace cairn {

// Flags both Mesos roles take (logging included).
const std::vector<missing_flag>& mesos_common_flags();
// Flags of mesos-master only.
const std::vector<missing_flag>& mesos_master_flags();
// Flags of mesos-agent only.
const std::vector<missing_flag>& mesos_agent_flags();

} // namespace cairn
