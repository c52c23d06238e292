// Finding a node among several HTTP addresses and connecting to its actors,
// again and again with backoff until it works. Runs as a detached actor, so
// the blocking lookups and connects never hold up an event-based actor: ask it
// with `connect_atom` and the answer (a handle) arrives when one succeeds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>

#include "runtime/duration.hpp"

namespace cairn {

using connect_atom = caf::atom_constant<caf::atom("connect")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;

using connect_fn = std::function<caf::expected<caf::strong_actor_ptr>(
  caf::actor_system&, const std::string& host, uint16_t port)>;

// Connects to an actor published with interface `Handle` (blocking).
template <class Handle>
connect_fn connect_as() {
  return [](caf::actor_system& sys, const std::string& host,
            uint16_t port) -> caf::expected<caf::strong_actor_ptr> {
    auto handle = sys.middleman().remote_actor<Handle>(host, port);
    if (!handle)
      return handle.error();
    return caf::actor_cast<caf::strong_actor_ptr>(*handle);
  };
}

// How often a client that lost its master asks the masters again while they
// elect (one heartbeat interval of the log by default): the new leader is due
// within about one and a half election timeouts, and a pass over three
// masters on a LAN costs a few milliseconds.
inline constexpr duration leader_poll_interval = std::chrono::milliseconds(100);

// The wait before the next pass when nobody answered: `backoff` spread over
// [backoff / 2, backoff * 3 / 2) by `u` in [0, 1). Thousands of agents that
// lost their master at one instant would otherwise ask again at one instant,
// pass after pass.
duration jittered_backoff(duration backoff, double u);

struct connector_options {
  std::vector<std::string> addresses;  // "host:port" HTTP addresses, tried in turn
  connect_fn connect;                  // connect_as<Handle>() of what is published there
  duration min_backoff = std::chrono::milliseconds(250);
  duration max_backoff = std::chrono::seconds(30);
  duration http_timeout = std::chrono::seconds(5);
  // Connect to the node's replica of the log instead of its main actor.
  bool use_log_port = false;
  // Follow a node's word about who leads (clients of masters); log peers
  // want the very node they named.
  bool follow_leader = true;
  // When a node answered but could not be connected to (a standby while
  // masters elect a leader), try again after this instead of backing off:
  // a leader is due within a second. Zero: back off as when nobody answers.
  // For the few clients that matter (frameworks); agents are contacted by a
  // new leader themselves.
  duration standby_retry{0};
  // Once connected, ask the other addresses this often whether one of them
  // now leads (answers with an actor endpoint other than the one connected
  // to). A leader that is paused or cut off keeps its connections open and
  // is noticed otherwise only by missed heartbeats (Mesos' 15 s apart);
  // the masters replace it within about a second. Zero: no watching. For
  // the few clients that matter (frameworks), as standby_retry.
  duration watch_interval{0};
  // Seeds the backoff's jitter; 0: a seed from the operating system.
  uint64_t seed = 0;
};

// Answers `connect_atom` with a caf::strong_actor_ptr to the node's actor.
// With options.watch_interval, answers (`watch_atom`, handle) with
// `watch_atom` once an address other than the one whose actor is `handle`
// claims the lead; the caller then connects again (`connect_atom`) and the
// claimant is asked first. A newer watch replaces an older one.
caf::actor spawn_connector(caf::actor_system& sys, connector_options options);

// Asks `connector` for the node, first spawning it from `make_options()` and
// linking it to `self` when there is none yet; `found` gets the handle.
template <class Self, class MakeOptions, class Found>
void request_connection(Self* self, caf::actor& connector, MakeOptions make_options,
                        Found found) {
  if (!connector) {
    connector = spawn_connector(self->home_system(), make_options());
    self->link_to(connector);
  }
  self->request(connector, caf::infinite, connect_atom::value)
    .then([found](const caf::strong_actor_ptr& handle) { found(handle); });
}

// Finds the node once, from a thread that may block (a command's main): a
// connector tries every address as it always does, until one connects or
// `timeout` passes; then it stops.
caf::expected<caf::strong_actor_ptr> connect_within(caf::actor_system& sys,
                                                    connector_options options, duration timeout);

template <class Handle>
caf::expected<Handle> connect_within(caf::actor_system& sys,
                                     const std::vector<std::string>& addresses,
                                     duration timeout) {
  connector_options options;
  options.addresses = addresses;
  options.connect = connect_as<Handle>();
  options.standby_retry = leader_poll_interval;
  auto found = connect_within(sys, std::move(options), timeout);
  if (!found)
    return found.error();
  return caf::actor_cast<Handle>(*found);
}

// "h1:5050,h2:5050" -> {"h1:5050", "h2:5050"}
std::vector<std::string> split_addresses(const std::string& list);

} // namespace cairn
