// The services framework (Marathon's job): a scheduler actor (with its
// scheduler driver) that keeps long-running apps at their instance counts,
// replaces what dies after Marathon's backoff, runs deployments step by step
// (start, scale, rolling restart gated on health, stop), keeps its apps,
// instances and deployments in the master's replicated key-value store, and
// answers Marathon's REST API through services_api requests
// (services_http.hpp serves them over HTTP).
#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include "actors/master/master.hpp"
#include "runtime/duration.hpp"

namespace cairn {

// A REST request (method, path, query, body) answered with (status, content
// type, body, Location header or "").
using services_api_atom = caf::atom_constant<caf::atom("svcapi")>;
// A /v2/events subscriber (an actor, and the event types it wants, comma
// separated, "" for all) asks to be sent (services_event_atom, type, JSON);
// answered true, or false when the subscribers are at their bound.
using services_subscribe_atom = caf::atom_constant<caf::atom("svcsub")>;
using services_event_atom = caf::atom_constant<caf::atom("svcevent")>;
// The address its REST API is served at, once the server listens.
using services_address_atom = caf::atom_constant<caf::atom("svcaddr")>;

struct services_options {
  // The masters' HTTP addresses: the driver follows the leader among them,
  // and the key-value store is looked for there again when its master fails.
  std::vector<std::string> master_addresses;
  std::string role = "*";
  std::string user = "root";
  std::string framework_name = "marathon";
  // Marathon's --decline_offer_duration: how long an offer that fits no
  // waiting instance is refused.
  double decline_offer_seconds = 120;
  // How often deployments and launches are looked at.
  duration tick = std::chrono::milliseconds(250);
  // What GET /v2/leader and /v2/info answer: this framework's API address.
  std::string api_address;
  uint16_t http_port = 8080;
  // The key-value prefix, so that two services frameworks can share a cluster.
  std::string kv_prefix = "services/";
};

// `master`: where the key-value store is at first (the leader found by the
// caller); the actor subscribes through a driver of its own once it has
// read its state back.
caf::actor spawn_services(caf::actor_system& sys, services_options options,
                          master_actor master);

} // namespace cairn
