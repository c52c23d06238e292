// The cron framework: a scheduler actor (with its scheduler driver) that
// runs jobs when their schedules say, after their parents, and again after
// failures; keeps its jobs, its queue and its runs' history in the master's
// replicated key-value store; and answers Chronos' REST API through
// cron_api requests (cron_http.hpp serves them over HTTP).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include "actors/master/master.hpp"
#include "runtime/duration.hpp"

namespace cairn {

// A REST request (method, path below /v1/scheduler or /scheduler, query,
// body) answered with (status, content type, body).
using cron_api_atom = caf::atom_constant<caf::atom("cronapi")>;
// The address its REST API is served at, once the server listens.
using api_address_atom = caf::atom_constant<caf::atom("cronaddr")>;
// A cron_api answer with this status is not an answer: this instance is a
// standby, and the body is the owner's address to forward the request to.
constexpr int cron_forward_status = 0;

struct cron_options {
  // The masters' HTTP addresses: the driver follows the leader among them,
  // and the key-value store is looked for there again when its master fails.
  std::vector<std::string> master_addresses;
  std::string role = "*";
  std::string user = "root";
  std::string framework_name = "cron";
  // Chronos' --failure_retry: how long after a failed attempt the next starts.
  duration failure_retry = std::chrono::seconds(60);
  // How often the schedules are looked at.
  duration tick = std::chrono::milliseconds(250);
  // What GET /leader answers: this framework's API address.
  std::string api_address;
  // The key-value prefix, so that two cron frameworks can share a cluster.
  std::string kv_prefix = "cron/";
  // One instance per prefix schedules (the owner, cron/owner in the store);
  // it renews its record every fifth of this, and a standby takes over once
  // the record has not moved for this long.
  duration owner_timeout = std::chrono::seconds(10);
};

// `master`: where the key-value store is at first (the leader found by the
// caller); the actor subscribes through a driver of its own once it has
// read its state back.
caf::actor spawn_cron(caf::actor_system& sys, cron_options options, master_actor master);

} // namespace cairn
