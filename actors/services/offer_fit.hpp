#pragma once
// Whether one offer can hold one more instance of an app, as Marathon's
// offer matcher decides: the app's cpus, mem and disk, a host port for each
// port it needs (a fixed one where requirePorts or a mapping names it, any
// offered port for 0), its accepted roles, and its constraints against where
// its other instances run. An offer that does not fit says why, in the
// reasons Marathon's /v2/queue shows (InsufficientCpus, UnfulfilledRole,
// ...). Pure: the actor turns an offer into `offered` and launches the fit.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/placement/constraints.hpp"
#include "schema/services.capnp.h"

namespace cairn::services {

struct offered {
  // Per role: what the offer holds for that role ("*" unreserved).
  struct pool {
    std::string role;
    double cpus = 0, mem = 0, disk = 0;
    std::vector<std::pair<uint64_t, uint64_t>> ports;  // inclusive ranges
  };
  std::vector<pool> pools;
  placement::agent_traits agent;
};

struct fit {
  bool fits = false;
  std::vector<std::string> reasons;  // Marathon's names, when it does not fit
  std::string role;                  // the pool it fits in
  std::vector<uint64_t> host_ports;  // one per port the app needs, in order
};

// The host ports an app asks for, in order: 0 for any.
std::vector<uint64_t> wanted_host_ports(schema::services::App::Reader app);

fit fit_offer(schema::services::App::Reader app, const offered& offer,
              const std::vector<placement::constraint>& constraints,
              const std::vector<const placement::agent_traits*>& placed);

} // namespace cairn::services
