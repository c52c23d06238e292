// Mesos' rules for a task's HealthCheck and CheckInfo, asked by the master
// before a launch (TASK_ERROR "Task uses invalid health check: ..."), so the
// executor only ever meets checks it can run. Each returns the problem, ""
// when there is none.
#pragma once

#include <string>

#include "schema/mesos.capnp.h"

namespace cairn {

std::string invalid_health_check(schema::HealthCheck::Reader check);
std::string invalid_check(schema::CheckInfo::Reader check);

// What cairn's command executor cannot run yet in one (IPv6 probes); named
// as "... is not supported yet", "" when nothing.
std::string unsupported_in_health_check(schema::HealthCheck::Reader check);

} // namespace cairn
