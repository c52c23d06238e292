// The door to a process's actors: CAF's middleman listens on loopback only, on
// a port of its own choosing, and the gate listens where peers are told to
// connect. It relays each peer's bytes to the middleman one checked BASP frame
// at a time (basp_guard) and the middleman's answers back as they are. A peer
// that breaks the protocol is cut off; nothing it sent past the last good
// frame reaches CAF. One listening_loop (a kj loop on a thread) per gate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman.hpp>

namespace cairn {

class listening_loop;

class actor_gate {
public:
  // Listens on host:port (0: any free port) and relays to 127.0.0.1:inner_port.
  static caf::expected<std::unique_ptr<actor_gate>> start(const std::string& host,
                                                          uint16_t port, uint16_t inner_port);

  uint16_t port() const;

  // Stops listening and cuts every peer; joins the gate's thread.
  ~actor_gate();
  actor_gate(const actor_gate&) = delete;
  actor_gate& operator=(const actor_gate&) = delete;

private:
  explicit actor_gate(std::unique_ptr<listening_loop> loop);
  std::unique_ptr<listening_loop> loop_;
};

// An actor published behind a gate; destroying it unpublishes the actor and
// closes the gate.
class published_actor {
public:
  published_actor(caf::actor_system& sys, caf::actor actor, uint16_t inner_port,
                  std::unique_ptr<actor_gate> gate)
    : sys_(sys), actor_(std::move(actor)), inner_port_(inner_port), gate_(std::move(gate)) {
  }
  ~published_actor();
  published_actor(const published_actor&) = delete;
  published_actor& operator=(const published_actor&) = delete;

  // Where peers connect.
  uint16_t port() const {
    return gate_->port();
  }

private:
  caf::actor_system& sys_;
  caf::actor actor_;
  uint16_t inner_port_;
  std::unique_ptr<actor_gate> gate_;
};

// Puts a gate at host:port in front of `actor`, already published by the
// middleman at 127.0.0.1:inner_port; unpublishes it if the gate cannot open.
caf::expected<std::unique_ptr<published_actor>>
open_gate(caf::actor_system& sys, caf::actor actor, uint16_t inner_port, const std::string& host,
          uint16_t port);

// Publishes `handle` for peers at host:port (0: any free port). Blocking, as
// CAF's publish is: call it from a main thread or a detached actor.
template <class Handle>
caf::expected<std::unique_ptr<published_actor>>
publish_actor(caf::actor_system& sys, const Handle& handle, const std::string& host,
              uint16_t port) {
  // Published with its own type, so remote_actor<Handle> elsewhere checks the
  // interface as before.
  auto inner = sys.middleman().publish(handle, 0, "127.0.0.1", true);
  if (!inner)
    return inner.error();
  return open_gate(sys, caf::actor_cast<caf::actor>(handle), *inner, host, port);
}

} // namespace cairn
