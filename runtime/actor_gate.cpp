#include "runtime/actor_gate.hpp"

#include <algorithm>

#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/timer.h>

#include "runtime/basp_guard.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/listening_loop.hpp"
#include "runtime/log.hpp"

namespace cairn {


namespace {

// Payloads past the handshake stream through in pieces of this size, so a
// peer costs the gate this much memory however large its messages are.
constexpr size_t chunk_bytes = 64 * 1024;

kj::Duration to_kj(std::chrono::seconds s) {
  return s.count() * kj::SECONDS;
}

// One peer: its frames go to the middleman checked, the middleman's bytes come
// back as they are. Either side ending ends both.
class relay {
public:
  relay(kj::AuthenticatedStream peer, kj::Own<kj::AsyncIoStream> inner, kj::Timer& timer,
        uint16_t port)
    : peer_(kj::mv(peer.stream)), inner_(kj::mv(inner)), timer_(timer), port_(port),
      buf_(kj::heapArray<kj::byte>(basp_header::size + chunk_bytes)) {
    KJ_IF_MAYBE (id, kj::dynamicDowncastIfAvailable<kj::NetworkPeerIdentity>(*peer.peerIdentity)) {
      who_ = id->getAddress().toString().cStr();
    } else {
      who_ = "a peer";
    }
  }

  kj::Promise<void> run() {
    auto inbound = timer_.timeoutAfter(to_kj(limits::basp_handshake_timeout), frame())
                     .then([this](bool more) { return more ? frames() : kj::READY_NOW; });
    auto outbound = inner_->pumpTo(*peer_).ignoreResult();
    return inbound.exclusiveJoin(kj::mv(outbound));
  }

private:
  kj::Promise<void> frames() {
    return frame().then([this](bool more) { return more ? frames() : kj::READY_NOW; });
  }

  // Relays one frame; false once the peer has ended or was cut off.
  kj::Promise<bool> frame() {
    // Idle between frames is fine; once a frame begins it must be finished.
    return peer_->tryRead(buf_.begin(), 1, basp_header::size).then([this](size_t n) {
      if (n == 0)
        return kj::Promise<bool>(false);
      return timer_.timeoutAfter(to_kj(limits::basp_frame_timeout),
                                 read_exact(buf_.begin() + n, basp_header::size - n)
                                   .then([this] { return pass_frame(); }));
    });
  }

  kj::Promise<bool> pass_frame() {
    auto h = basp_header::read(buf_.begin());
    if (auto why = guard_.check_header(h); !why.empty())
      return cut_off(why);
    if (!guard_.holds_payload(h))
      return pass_payload(basp_header::size, h.payload_len).then([] { return true; });
    // Only the handshake is held, and it fits the buffer (basp_max_handshake_bytes).
    KJ_ASSERT(h.payload_len <= chunk_bytes);
    return read_exact(buf_.begin() + basp_header::size, h.payload_len).then([this, h] {
      auto why = guard_.check_payload(h, buf_.begin() + basp_header::size, h.payload_len);
      if (!why.empty())
        return cut_off(why);
      return inner_->write(buf_.begin(), basp_header::size + h.payload_len).then([] {
        return true;
      });
    });
  }

  // Sends buf_[0, prefix) and the next `left` payload bytes, a chunk at a time.
  kj::Promise<void> pass_payload(size_t prefix, uint32_t left) {
    size_t take = std::min<size_t>(left, buf_.size() - prefix);
    return read_exact(buf_.begin() + prefix, take)
      .then([this, prefix, take] { return inner_->write(buf_.begin(), prefix + take); })
      .then([this, left, take]() -> kj::Promise<void> {
        if (left == take)
          return kj::READY_NOW;
        return pass_payload(0, static_cast<uint32_t>(left - take));
      });
  }

  kj::Promise<void> read_exact(kj::byte* at, size_t n) {
    if (n == 0)
      return kj::READY_NOW;
    return peer_->tryRead(at, n, n).then([n](size_t got) {
      KJ_REQUIRE(got == n, "the peer ended in the middle of a frame");
    });
  }

  kj::Promise<bool> cut_off(const std::string& why) {
    logger("gate")->warn("actor port {}: cut off {}: {}", port_, who_, why);
    return false;
  }

  kj::Own<kj::AsyncIoStream> peer_;
  kj::Own<kj::AsyncIoStream> inner_;
  kj::Timer& timer_;
  uint16_t port_;
  std::string who_;
  basp_guard guard_;
  kj::Array<kj::byte> buf_;
};

class gate final : private kj::TaskSet::ErrorHandler {
public:
  gate(kj::Timer& timer, kj::Own<kj::NetworkAddress> inner, uint16_t port)
    : timer_(timer), inner_(kj::mv(inner)), port_(port), peers_(*this) {
  }

  kj::Promise<void> accept_loop(kj::ConnectionReceiver& listener) {
    return listener.acceptAuthenticated().then(
      [this, &listener](kj::AuthenticatedStream peer) {
        if (open_ >= limits::basp_max_connections) {
          logger("gate")->warn("actor port {}: {} peers already; refusing another", port_,
                               open_);
          return accept_loop(listener); // `peer` closes here
        }
        ++open_;
        auto release = kj::defer([this] { --open_; });
        peers_.add(serve(kj::mv(peer)).attach(kj::mv(release)));
        return accept_loop(listener);
      },
      [this, &listener](kj::Exception&& e) {
        // Out of descriptors, or the like: back off rather than stop serving.
        logger("gate")->error("actor port {}: accept failed: {}", port_,
                              e.getDescription().cStr());
        return timer_.afterDelay(100 * kj::MILLISECONDS).then([this, &listener] {
          return accept_loop(listener);
        });
      });
  }

private:
  kj::Promise<void> serve(kj::AuthenticatedStream peer) {
    return inner_->connect().then([this, peer = kj::mv(peer)](auto inner) mutable {
      auto r = kj::heap<relay>(kj::mv(peer), kj::mv(inner), timer_, port_);
      auto& ref = *r;
      return ref.run().attach(kj::mv(r));
    });
  }

  void taskFailed(kj::Exception&& e) override {
    logger("gate")->debug("actor port {}: a peer's connection ended: {}", port_,
                          e.getDescription().cStr());
  }

  kj::Timer& timer_;
  kj::Own<kj::NetworkAddress> inner_;
  uint16_t port_;
  size_t open_ = 0;
  kj::TaskSet peers_; // last: its relays go before the rest
};

} // namespace

actor_gate::actor_gate(std::unique_ptr<listening_loop> loop) : loop_(std::move(loop)) {
}

caf::expected<std::unique_ptr<actor_gate>>
actor_gate::start(const std::string& host, uint16_t port, uint16_t inner_port) {
  auto loop = listening_loop::start(
    "cairn-gate", "cannot listen for actors on", join_host_port(host, port),
    [inner_port](kj::AsyncIoContext& io, kj::ConnectionReceiver& listener) {
      auto inner = io.provider->getNetwork().parseAddress("127.0.0.1", inner_port)
                     .wait(io.waitScope);
      auto g = kj::heap<gate>(io.provider->getTimer(), kj::mv(inner),
                              static_cast<uint16_t>(listener.getPort()));
      auto accepting = g->accept_loop(listener);
      return accepting.attach(kj::mv(g));
    });
  if (!loop)
    return loop.error();
  return std::unique_ptr<actor_gate>(new actor_gate(std::move(*loop)));
}

uint16_t actor_gate::port() const {
  return loop_->port();
}

actor_gate::~actor_gate() = default;

published_actor::~published_actor() {
  gate_.reset();
  sys_.middleman().unpublish(actor_, inner_port_);
}

caf::expected<std::unique_ptr<published_actor>>
open_gate(caf::actor_system& sys, caf::actor actor, uint16_t inner_port, const std::string& host,
          uint16_t port) {
  auto g = actor_gate::start(host, port, inner_port);
  if (!g) {
    sys.middleman().unpublish(actor, inner_port);
    return g.error();
  }
  return std::make_unique<published_actor>(sys, std::move(actor), inner_port, std::move(*g));
}

} // namespace cairn
