#include "runtime/actor_gate.hpp"

#include <pthread.h>

#include <algorithm>
#include <future>
#include <thread>

#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/timer.h>

#include "runtime/basp_guard.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace detail {

struct gate_state {
  std::thread thread;
  uint16_t port = 0;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop;
};

} // namespace detail

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

std::string join_host_port(const std::string& host, uint16_t port) {
  std::string h = host.empty() ? "*" : host;
  if (h.find(':') != std::string::npos && h.front() != '[')
    h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

void serve(detail::gate_state& st, std::string address, uint16_t inner_port,
           std::promise<caf::error> bound) {
  pthread_setname_np(pthread_self(), "cairn-gate");
  bool started = false;
  auto failed = [&](const std::string& why) {
    if (started)
      logger("gate")->error("actor port on {} failed: {}", address, why);
    else
      bound.set_value(make_error("cannot listen for actors on " + address + ": " + why,
                                 caf::sec::cannot_open_port));
  };
  try {
    auto io = kj::setupAsyncIo();
    auto& network = io.provider->getNetwork();
    auto listener = network.parseAddress(address).wait(io.waitScope)->listen();
    auto inner = network.parseAddress("127.0.0.1", inner_port).wait(io.waitScope);
    st.port = static_cast<uint16_t>(listener->getPort());
    gate g(io.provider->getTimer(), kj::mv(inner), st.port);
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    st.stop = kj::mv(stop.fulfiller);
    auto accepting = g.accept_loop(*listener).eagerlyEvaluate(nullptr);
    started = true;
    bound.set_value(caf::none);
    stop.promise.wait(io.waitScope);
  } catch (const kj::Exception& e) {
    failed(e.getDescription().cStr());
  } catch (const std::exception& e) {
    failed(e.what());
  }
}

} // namespace

actor_gate::actor_gate(std::unique_ptr<detail::gate_state> state) : state_(std::move(state)) {
}

caf::expected<std::unique_ptr<actor_gate>>
actor_gate::start(const std::string& host, uint16_t port, uint16_t inner_port) {
  auto st = std::make_unique<detail::gate_state>();
  std::promise<caf::error> bound;
  auto ready = bound.get_future();
  st->thread = std::thread(serve, std::ref(*st), join_host_port(host, port), inner_port,
                           std::move(bound));
  if (auto err = ready.get()) {
    st->thread.join();
    return err;
  }
  return std::unique_ptr<actor_gate>(new actor_gate(std::move(st)));
}

uint16_t actor_gate::port() const {
  return state_->port;
}

actor_gate::~actor_gate() {
  state_->stop->fulfill();
  state_->thread.join();
}

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
