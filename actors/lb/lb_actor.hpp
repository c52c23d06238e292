// `cairn lb`'s actor: every --interval, and soon after an event of
// /v2/events that may change an app's instances, it reads the apps from the
// services framework, renders HAProxy's configuration and, when the text
// changed, installs it and reloads HAProxy. Its reads, the configuration
// check and HAProxy's stop block, so it runs detached, on a thread of its
// own, as does the actor that follows the event stream; HAProxy stops when
// the actor ends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "runtime/duration.hpp"

namespace cairn::lb {

struct lb_options {
  std::vector<std::string> services;  // HOST:PORT, each tried in turn until one answers
  std::string bind = "0.0.0.0";
  uint16_t stats_port = 9090;
  std::string haproxy = "/usr/sbin/haproxy";
  std::string config_path = "/var/lib/cairn/lb/haproxy.cfg";
  duration interval = std::chrono::seconds(5);
  bool sse = true;  // follow /v2/events too, to read again as soon as instances change
};

caf::actor spawn_lb(caf::actor_system& sys, lb_options options);

} // namespace cairn::lb
