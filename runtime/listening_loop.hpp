// A kj event loop on a thread of its own around one listening socket: the
// shape of every server here (the HTTP server, the actor gate). start()
// returns once the socket listens, or with why it could not; destroying the
// loop cancels what it serves and joins the thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <kj/async-io.h>

namespace cairn {

namespace detail {
struct loop_state;
} // namespace detail

// "host:port" as kj reads it ("*" for any host, brackets around IPv6).
std::string join_host_port(const std::string& host, uint16_t port);

class listening_loop {
public:
  // Runs on the loop's thread once the socket listens; the promise it
  // returns serves until the loop stops (whatever it needs it attaches).
  using serve_fn =
    std::function<kj::Promise<void>(kj::AsyncIoContext& io, kj::ConnectionReceiver& listener)>;

  // `thread_name` names the thread; `what` starts error messages ("cannot
  // serve HTTP on").
  static caf::expected<std::unique_ptr<listening_loop>>
  start(std::string thread_name, std::string what, std::string address, serve_fn serve);

  uint16_t port() const;

  ~listening_loop();
  listening_loop(const listening_loop&) = delete;
  listening_loop& operator=(const listening_loop&) = delete;

private:
  explicit listening_loop(std::unique_ptr<detail::loop_state> state);
  std::unique_ptr<detail::loop_state> state_;
};

} // namespace cairn
