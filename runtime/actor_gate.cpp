#include "runtime/actor_gate.hpp"

#include <cstring>

#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/timer.h>

#include "runtime/basp_guard.hpp"
#include "runtime/limits.hpp"
#include "runtime/listening_loop.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

// What a peer costs the gate however large its messages are: payloads stream
// through; only a header or a handshake (basp_max_handshake_bytes) is held
// whole, and it fits.
constexpr size_t buffer_bytes = 64 * 1024;
static_assert(buffer_bytes >= basp_header::size + limits::basp_max_handshake_bytes);

kj::Duration to_kj(std::chrono::seconds s) {
  return s.count() * kj::SECONDS;
}

// One peer: its bytes go to the middleman as far as the guard lets them, in
// one write per read; the middleman's bytes come back as they are. Either
// side ending ends both.
class relay {
public:
  relay(kj::AuthenticatedStream peer, kj::Own<kj::AsyncIoStream> inner, kj::Timer& timer,
        uint16_t port)
    : peer_(kj::mv(peer.stream)), inner_(kj::mv(inner)), timer_(timer), port_(port),
      buf_(kj::heapArray<kj::byte>(buffer_bytes)),
      handshake_deadline_(timer.now() + to_kj(limits::basp_handshake_timeout)) {
    KJ_IF_MAYBE (id, kj::dynamicDowncastIfAvailable<kj::NetworkPeerIdentity>(*peer.peerIdentity)) {
      who_ = id->getAddress().toString().cStr();
    } else {
      who_ = "a peer";
    }
  }

  kj::Promise<void> run() {
    auto inbound = relay_in();
    auto outbound = inner_->pumpTo(*peer_).ignoreResult();
    return inbound.exclusiveJoin(kj::mv(outbound));
  }

private:
  kj::Promise<void> relay_in() {
    auto read = peer_->tryRead(buf_.begin() + filled_, 1, buf_.size() - filled_);
    // Idle between frames is fine; a handshake, and a frame once begun, must
    // be finished in time.
    if (!guard_.handshaken())
      read = timer_.timeoutAt(handshake_deadline_, kj::mv(read));
    else if (in_frame_)
      read = timer_.timeoutAt(frame_deadline_, kj::mv(read));
    return read.then([this](size_t n) -> kj::Promise<void> {
      if (n == 0)
        return kj::READY_NOW;
      filled_ += n;
      std::string why;
      size_t passed = guard_.scan(buf_.begin(), filled_, why);
      auto written = passed == 0 ? kj::Promise<void>(kj::READY_NOW)
                                 : inner_->write(buf_.begin(), passed);
      return written.then([this, passed, why = kj::mv(why)]() -> kj::Promise<void> {
        if (!why.empty()) {
          logger("gate")->warn("actor port {}: cut off {}: {}", port_, who_, why);
          return kj::READY_NOW;
        }
        // What did not pass yet (part of a header or handshake) goes first.
        std::memmove(buf_.begin(), buf_.begin() + passed, filled_ - passed);
        filled_ -= passed;
        bool mid = filled_ > 0 || guard_.mid_frame();
        if (mid && !in_frame_)
          frame_deadline_ = timer_.now() + to_kj(limits::basp_frame_timeout);
        in_frame_ = mid;
        return relay_in();
      });
    });
  }

  kj::Own<kj::AsyncIoStream> peer_;
  kj::Own<kj::AsyncIoStream> inner_;
  kj::Timer& timer_;
  uint16_t port_;
  std::string who_;
  basp_guard guard_;
  kj::Array<kj::byte> buf_;
  size_t filled_ = 0;        // bytes in buf_ not yet passed on
  bool in_frame_ = false;    // a frame has begun and is not finished
  kj::TimePoint handshake_deadline_;
  kj::TimePoint frame_deadline_ = kj::origin<kj::TimePoint>();
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
