// HTTP/1.1 server for cairn's outside interfaces (Mesos, Marathon and
// Chronos-compatible APIs, metrics, web UI): kj-http on one thread with its
// own kj event loop. Handlers run on that thread and must not block; they
// answer at once or hand the http_reply to an actor, which answers later from
// its own thread without either side blocking.
#pragma once

#include "runtime/limits.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn {

class http_reply;

namespace detail {
struct reply_state;
struct stream_state;
struct server_state;
http_reply make_reply(std::shared_ptr<reply_state> state);
} // namespace detail

// Percent-escapes decoded; with `form`, '+' is a space too (query strings).
// A malformed escape is kept as it came.
std::string url_decode(std::string_view s, bool form = true);

struct http_request {
  std::string method; // "GET", "POST", ...
  std::string path;   // "/master/state": raw (not url-decoded), no query
  std::string query;  // "a=1&b=2": raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
  std::string body;

  // The first value of header `name` (any case); "" when absent.
  std::string header(std::string_view name) const;
  // The first value of query parameter `name`, url-decoded; "" when absent.
  std::string query_param(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (Location, Mesos-Stream-Id, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

// A chunked (Transfer-Encoding: chunked) response body, written from any
// thread. Writes are queued to the server thread; the queue is bounded by
// limits::http_stream_max_queued_bytes, and a writer that outruns its client
// past that bound finds the stream closed (the client is cut off rather than
// the server holding an unbounded backlog). A client that hangs up (or
// half-closes) is noticed at once: the server keeps a read pending on the
// connection while it streams. A client whose stream was cut sees the
// connection end without the final chunk, never a clean end. Dropping the
// last reference closes the stream. A streamed answer is the last on its
// connection.
class http_stream {
public:
  ~http_stream();
  http_stream(const http_stream&) = delete;
  http_stream& operator=(const http_stream&) = delete;

  // Queues `chunk`. False once the client is gone, the stream was closed,
  // the queue overflowed or the server stopped; the chunk is then dropped.
  bool write(std::string chunk);
  // Ends the response once the queued chunks are written.
  void close();
  bool open() const;
  // `f` runs once when the stream can no longer reach its client (client
  // gone, cut off, finished after close(), server stopped), on whichever
  // thread saw it, so it must not block; at once if that already happened.
  // Lets a writer that waits for nothing else (a subscriber between events)
  // learn that its client left. One callback per stream; a later one
  // replaces it.
  void on_end(std::function<void()> f);

private:
  friend class http_reply;
  explicit http_stream(std::shared_ptr<detail::stream_state> state);
  std::shared_ptr<detail::stream_state> state_;
};

// The one way to answer a request. Copyable (copies share one answer), usable
// from any thread, exactly once: either send() a whole response or
// open_stream() to start a chunked one. If the last copy is destroyed without
// an answer, the client gets a 500. An answer after the first is ignored (and
// logged): the server may itself have answered 500 for a handler that threw.
class http_reply {
public:
  void send(http_response r) const;
  // Never null; the stream is already closed if the reply was answered.
  std::shared_ptr<http_stream> open_stream(
    int status, std::string content_type,
    std::vector<std::pair<std::string, std::string>> headers = {}) const;

private:
  friend http_reply detail::make_reply(std::shared_ptr<detail::reply_state>);
  explicit http_reply(std::shared_ptr<detail::reply_state> state);
  std::shared_ptr<detail::reply_state> state_;
};

// Called on the server thread; must not block.
using http_handler = std::function<void(http_request, http_reply)>;

// The bounds of one server; the defaults and their reasons are in limits.hpp.
struct http_server_options {
  size_t max_connections = limits::http_max_connections;
  size_t max_connections_per_address = limits::http_max_connections_per_address;
  std::chrono::milliseconds body_timeout = limits::http_body_timeout;
};

class http_server {
public:
  // Binds host:port (port 0 picks a free port) before returning; errors (port
  // in use, bad address, a bound of 0) name the address.
  static caf::expected<std::unique_ptr<http_server>>
  start(std::string host, uint16_t port, http_handler handler, http_server_options options = {});

  uint16_t port() const;
  // The connection bound in force: the one asked for, or fewer where the
  // descriptor limit does not allow it.
  size_t max_connections() const;

  // Stops the loop, closes connections (open streams end and their writers
  // see write() == false), joins the thread.
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

private:
  explicit http_server(std::unique_ptr<detail::server_state> state);
  std::unique_ptr<detail::server_state> state_;
};

} // namespace cairn
