// The HAProxy configuration that serves what `cairn lb` read: one TCP
// listener per service port, round robin over the app's instances, plus a
// stats listener that is always there (HAProxy refuses to run without any
// listener, and operators look there first, as on marathon-lb's 9090).
// Pure: equal inputs give equal text, so the lb reloads only on a change.
#pragma once

#include <cstdint>
#include <string>

#include "actors/lb/lb_services.hpp"

namespace cairn::lb {

struct config_options {
  std::string bind = "0.0.0.0";  // the address every listener binds
  int64_t stats_port = 9090;     // marathon-lb's
  std::string source;            // where the apps came from, for the header comment
};

std::string haproxy_config(const apps_reading& apps, const config_options& options);

// `text` reduced to what HAProxy accepts in a proxy or server name.
std::string haproxy_name(std::string_view text);

} // namespace cairn::lb
