// Facts about Mesos task states that every role needs.
#pragma once

#include "schema/mesos.capnp.h"

namespace cairn {

// A terminal state is final: the task's resources are free once it is reached.
bool is_terminal(schema::TaskState state);

// "TASK_RUNNING" for TASK_RUNNING, as Mesos spells states and reasons.
const char* state_name(schema::TaskState state);
const char* reason_name(schema::TaskStatus::Reason reason);

} // namespace cairn
