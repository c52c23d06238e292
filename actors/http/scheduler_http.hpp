// The Mesos v1 scheduler API over HTTP, POST /api/v1/scheduler: SUBSCRIBE
// opens a RecordIO stream of JSON events with a Mesos-Stream-Id; later calls
// carry that id and are answered 202 Accepted. Errors as Mesos returns them.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

http_handler scheduler_api(caf::actor_system& sys, master_actor master);

} // namespace cairn
