// The agent's /monitor/statistics and /containers documents, in Mesos'
// shapes, from the agent's GET_CONTAINERS answer: a JSON array with one
// object per running executor's container.
#pragma once

#include <string>

#include "schema/operator.capnp.h"

namespace cairn {

// [{"framework_id", "executor_id", "executor_name", "source", "statistics"}]
std::string monitor_statistics_json(
  schema::operator_api::AgentResponse::GetContainers::Reader containers);

// [{"framework_id", "executor_id", "executor_name", "source", "container_id",
//   "statistics", "status"}]
std::string containers_json(schema::operator_api::AgentResponse::GetContainers::Reader containers);

} // namespace cairn
