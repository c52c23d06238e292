// The Mesos v1 executor API over HTTP on agents, POST /api/v1/executor, so
// that custom executors in any language can run: SUBSCRIBE opens a RecordIO
// stream of JSON events; UPDATE and MESSAGE calls are answered 202 Accepted.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

http_handler executor_api(caf::actor_system& sys, agent_actor agent);

} // namespace cairn
