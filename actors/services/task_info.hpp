#pragma once
// An app's instance as Mesos runs it, as Marathon builds it: the TaskInfo
// (the app's command or Docker container, Marathon's environment, its fetch
// URIs, its resources and host ports, its health check for the executor),
// and an offer read into what fit_offer judges. Pure: no actor, no I/O.
#include <string>
#include <utility>
#include <vector>

#include "actors/resources/resources.hpp"
#include "actors/services/app_definition.hpp"
#include "actors/services/offer_fit.hpp"
#include "runtime/wire.hpp"
#include "schema/mesos.capnp.h"

namespace cairn::services {

// Where one instance goes: its task id, its agent's host name, its host
// ports (one per port the app needs, in order).
struct task_placement {
  std::string task_id;
  std::string host;
  std::vector<int64_t> ports;
};

// The offer's unallocated resources per role.
offered offered_of(const resources& rs, const placement::agent_traits& traits);
// What one instance takes from the pool `f` chose: cpus, mem, disk, ports.
resources needs_of(App::Reader app, const fit& f);
// Marathon's variables (MARATHON_APP_ID, PORT0.., PORTS, HOST, ...), then the
// app's own, which win.
std::vector<std::pair<std::string, std::string>> environment_of(App::Reader app,
                                                                const task_placement& i);
// The task: the app's cmd (shell) or args (argv), a Docker ContainerInfo
// when container.type is DOCKER, the first health check for the executor
// (HTTP, HTTPS and TCP too, which Marathon would probe itself).
wire<schema::TaskInfo> task_info_of(App::Reader app, const task_placement& i,
                                    const resources& res);

} // namespace cairn::services
