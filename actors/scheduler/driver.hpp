// The scheduler driver: the framework side of the master protocol. A
// framework is an actor that receives scheduler events (scheduler_sink) and
// sends calls to its driver; the driver subscribes (and retries until the
// master answers), forwards calls to the master and events to the framework,
// and acknowledges status updates itself unless told not to.
#pragma once

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/handles.hpp"
#include "runtime/duration.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

using resubscribe_atom = caf::atom_constant<caf::atom("resub")>;

using driver_actor = scheduler_sink::extend<
  // Calls from the framework, forwarded to the master.
  caf::reacts_to<scheduler_call>,
  // Its own timer: subscribe again while the master has not answered.
  caf::reacts_to<resubscribe_atom>>;

struct driver_options {
  wire<schema::FrameworkInfo> framework_info;  // with an id to re-subscribe as that framework
  bool auto_acknowledge = true;
  duration subscribe_backoff = std::chrono::seconds(2);
};

driver_actor spawn_driver(caf::actor_system& sys, driver_options options,
                          scheduler_call_sink master, scheduler_sink framework);

} // namespace cairn
