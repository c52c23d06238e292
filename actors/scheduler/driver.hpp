// The scheduler driver: the framework side of the master protocol. A
// framework is an actor that receives scheduler events (scheduler_sink) and
// sends calls to its driver; the driver subscribes (and retries until the
// master answers), forwards calls to the master and events to the framework,
// and acknowledges status updates itself unless told not to. Given master
// addresses, it also finds the master, notices when it is gone (a broken
// connection, no event for five heartbeat intervals, or another master
// claiming the lead) and subscribes again as the same framework there.
#pragma once

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

#include "actors/handles.hpp"
#include "runtime/duration.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

using resubscribe_atom = caf::atom_constant<caf::atom("resub")>;
using check_heartbeat_atom = caf::atom_constant<caf::atom("chkbeat")>;

using driver_actor = scheduler_sink::extend<
  // Calls from the framework, forwarded to the master.
  caf::reacts_to<scheduler_call>,
  // Its own timers: subscribe again while the master has not answered; is
  // the master still sending (connection number the check belongs to)?
  caf::reacts_to<resubscribe_atom>,
  caf::reacts_to<check_heartbeat_atom, uint64_t>>;

struct driver_options {
  wire<schema::FrameworkInfo> framework_info;  // with an id to re-subscribe as that framework
  bool auto_acknowledge = true;
  duration subscribe_backoff = std::chrono::seconds(2);
  // HTTP addresses of the masters, looked up again whenever the master is
  // lost; empty: the handle given at spawn, for good. A handle given with
  // addresses is used first (the caller just found it), saving a lookup.
  std::vector<std::string> master_addresses;
  // With master_addresses: how often the other masters are asked whether
  // one of them leads now, so that a leader that hangs (paused, its machine
  // stalled) is left within about an election, not five heartbeats. Zero:
  // only a broken connection or missed heartbeats tell.
  duration leader_watch_interval = std::chrono::milliseconds(500);
};

driver_actor spawn_driver(caf::actor_system& sys, driver_options options,
                          scheduler_call_sink master, scheduler_sink framework);

} // namespace cairn
