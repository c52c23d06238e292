// kj-http server on its own thread and event loop. Answers and stream chunks
// from other threads reach the loop through kj cross-thread fulfillers, so no
// thread ever waits for another.
#include "runtime/http_server.hpp"
#include "runtime/listening_loop.hpp"

#include "runtime/descriptor_budget.hpp"
#include "runtime/http_connections.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/debug.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cctype>
#include <deque>
#include <iterator>
#include <mutex>
#include <unordered_map>

namespace cairn {

namespace {

using fulfiller_ptr = kj::Own<kj::CrossThreadPromiseFulfiller<void>>;

// Logs go to stderr with the other roles' lines: spdlog's default logger
// would write to stdout, which belongs to what a command prints.
spdlog::logger& http_log() {
  static auto log = logger("http");
  return *log;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

const char* status_text(int status) {
  static const std::pair<int, const char*> known[] = {
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
    {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
    {307, "Temporary Redirect"}, {400, "Bad Request"}, {401, "Unauthorized"},
    {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"}, {409, "Conflict"}, {412, "Precondition Failed"},
    {413, "Payload Too Large"}, {415, "Unsupported Media Type"},
    {422, "Unprocessable Entity"}, {429, "Too Many Requests"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {503, "Service Unavailable"},
    {504, "Gateway Timeout"}};
  for (auto& [code, text] : known)
    if (code == status)
      return text;
  return status < 400 ? "OK" : "Error"; // clients go by the code
}

http_response plain(int status, std::string message) {
  http_response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(message);
  return r;
}

} // namespace

std::string http_request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return {};
}

std::string url_decode(std::string_view s, bool form) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (form && s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
               && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string http_request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = url_decode(pair.substr(0, eq));
    if (key == name)
      return eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
  }
  return {};
}

namespace detail {

// One chunked response body, shared by its writers and the server thread.
struct stream_state {
  std::mutex mu;
  std::deque<std::string> queue;
  size_t queued_bytes = 0; // queued, or taken by the pump and not yet written
  bool closing = false;    // close() was called: end once the queue is written
  bool dead = false;       // client gone, writer overflowed, or server stopped
  bool ended = false;      // kill() ran: nothing reaches the client any more
  fulfiller_ptr wake;      // set while the pump waits for chunks
  fulfiller_ptr cut;       // set while the pump runs: stops it even mid-write
  std::function<void()> on_end;

  void kill() {
    fulfiller_ptr w, c;
    std::function<void()> f;
    {
      std::lock_guard<std::mutex> lock(mu);
      dead = true;
      ended = true;
      queue.clear();
      queued_bytes = 0;
      w = kj::mv(wake);
      c = kj::mv(cut);
      f = std::move(on_end);
    }
    if (w.get() != nullptr)
      w->fulfill();
    if (c.get() != nullptr)
      c->fulfill();
    if (f)
      f();
  }
};

// Held by the server thread for as long as a stream can still reach its
// client; however that ends (finished, client gone, request canceled, server
// stopped), writers then see a dead stream instead of filling a queue nobody
// drains.
struct stream_link {
  explicit stream_link(std::shared_ptr<stream_state> s) : state(std::move(s)) {
  }
  ~stream_link() {
    state->kill();
  }
  std::shared_ptr<stream_state> state;
};

// What crosses from the answering thread to the server thread.
struct answer {
  http_response response; // the whole response, or a stream's status and headers
  std::unique_ptr<stream_link> stream;
};

struct reply_state {
  explicit reply_state(kj::Own<kj::CrossThreadPromiseFulfiller<answer>> f)
    : fulfiller(kj::mv(f)) {
  }
  ~reply_state() {
    answer a;
    a.response = plain(500, "the request was dropped without an answer\n");
    if (fulfill(std::move(a)))
      http_log().warn("a request was dropped without an answer; sent 500");
  }
  // False when the request was already answered.
  bool fulfill(answer a) {
    kj::Own<kj::CrossThreadPromiseFulfiller<answer>> f;
    {
      std::lock_guard<std::mutex> lock(mu);
      f = kj::mv(fulfiller);
    }
    if (f.get() == nullptr)
      return false;
    f->fulfill(std::move(a));
    return true;
  }
  std::mutex mu;
  kj::Own<kj::CrossThreadPromiseFulfiller<answer>> fulfiller;
};

http_reply make_reply(std::shared_ptr<reply_state> state) {
  return http_reply{std::move(state)};
}

struct server_state {
  http_handler handler;
  http_server_options options; // max_connections: the bound in force
  std::unique_ptr<listening_loop> loop;
};

} // namespace detail

http_stream::http_stream(std::shared_ptr<detail::stream_state> state) : state_(std::move(state)) {
}

http_stream::~http_stream() {
  close();
}

bool http_stream::write(std::string chunk) {
  fulfiller_ptr wake, cut;
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->dead || state_->closing)
      return false;
    if (chunk.empty())
      return true;
    if (state_->queued_bytes + chunk.size() > limits::http_stream_max_queued_bytes) {
      // The client is not keeping up: cut it off now, even if the pump is
      // stuck in a write to it, so its connection and backlog go at once.
      state_->dead = true;
      state_->queue.clear();
      cut = kj::mv(state_->cut);
    } else {
      state_->queued_bytes += chunk.size();
      state_->queue.push_back(std::move(chunk));
      queued = true;
    }
    wake = kj::mv(state_->wake);
  }
  if (wake.get() != nullptr)
    wake->fulfill();
  if (cut.get() != nullptr)
    cut->fulfill();
  return queued;
}

void http_stream::close() {
  fulfiller_ptr wake;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->dead || state_->closing)
      return;
    state_->closing = true;
    wake = kj::mv(state_->wake);
  }
  if (wake.get() != nullptr)
    wake->fulfill();
}

bool http_stream::open() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return !state_->dead && !state_->closing;
}

void http_stream::on_end(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->ended) {
      state_->on_end = std::move(f);
      return;
    }
  }
  if (f)
    f();
}

http_reply::http_reply(std::shared_ptr<detail::reply_state> state) : state_(std::move(state)) {
}

void http_reply::send(http_response r) const {
  auto status = r.status;
  detail::answer a;
  a.response = std::move(r);
  if (!state_->fulfill(std::move(a)))
    http_log().warn("a request was answered twice; dropped the later {} answer", status);
}

std::shared_ptr<http_stream>
http_reply::open_stream(int status, std::string content_type,
                        std::vector<std::pair<std::string, std::string>> headers) const {
  auto st = std::make_shared<detail::stream_state>();
  std::shared_ptr<http_stream> stream{new http_stream(st)};
  detail::answer a;
  a.response.status = status;
  a.response.content_type = std::move(content_type);
  a.response.headers = std::move(headers);
  a.stream = std::make_unique<detail::stream_link>(st);
  // On failure `a` dies here, and with it the link: the stream is dead.
  if (!state_->fulfill(std::move(a)))
    http_log().warn("a request was answered twice; the later stream is closed");
  return stream;
}

namespace {

// Reads a request body into memory, refusing to hold more than the limit.
// Memory grows with what arrived, never with what a client announced: 8,000
// connections each claiming a 16 MiB Content-Length and sending nothing
// must not cost 128 GiB.
struct body_reader {
  explicit body_reader(kj::AsyncInputStream& in) : in(in) {
  }

  // Exactly `n` bytes (the Content-Length, already checked against the limit).
  kj::Promise<void> read_known(uint64_t n) {
    expected = n;
    return read_pieces();
  }

  // Until the client ends the body (chunked), or past the limit.
  kj::Promise<void> read_until_eof() {
    expected = limits::http_max_body_bytes + 1;
    until_eof = true;
    return read_pieces();
  }

  kj::AsyncInputStream& in;
  std::string data;
  bool too_large = false;

private:
  kj::Promise<void> read_pieces() {
    constexpr size_t first_piece_bytes = 4 * 1024;
    constexpr size_t max_piece_bytes = 64 * 1024;
    size_t have = data.size();
    // Pieces grow with the body, so a trickle costs little per byte.
    size_t piece = std::min(max_piece_bytes, std::max(first_piece_bytes, have));
    size_t room = std::min<uint64_t>(piece, expected - have);
    if (room == 0)
      return kj::READY_NOW;
    data.resize(have + room);
    return in.tryRead(&data[have], 1, room).then([this, have](size_t n) -> kj::Promise<void> {
      data.resize(have + n);
      too_large = data.size() > limits::http_max_body_bytes;
      if (too_large || (n == 0 && until_eof))
        return kj::READY_NOW;
      if (n == 0)
        return KJ_EXCEPTION(DISCONNECTED, "the client ended the connection inside a body");
      return read_pieces();
    });
  }

  uint64_t expected = 0;
  bool until_eof = false;
};

// "/a/b?x=1" or, from a client that talks to us as a proxy, "http://h/a/b?x=1".
void split_target(std::string_view url, http_request& req) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) == scheme) {
      auto slash = url.find('/', scheme.size());
      url = slash == std::string_view::npos ? std::string_view{"/"} : url.substr(slash);
    }
  }
  url = url.substr(0, url.find('#'));
  auto q = url.find('?');
  req.path = std::string(url.substr(0, q));
  if (q != std::string_view::npos)
    req.query = std::string(url.substr(q + 1));
}

// "15 s", or "1500 ms" when it is not whole seconds.
std::string describe(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0)
    return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// A connection's place in its server: where it reports its phase, and the
// clock its body deadline runs on.
struct connection_link {
  connection_table& table;
  uint64_t id;
  kj::Timer& timer;
  std::chrono::milliseconds body_timeout;

  void report(connection_phase p) const {
    table.set_phase(id, p);
  }
};

// One per connection: a stream that ends badly must cut its connection.
class service final : public kj::HttpService {
public:
  service(const kj::HttpHeaderTable& table, const http_handler& handler,
          kj::AsyncIoStream& connection, connection_link link)
    : table_(table), handler_(handler), connection_(connection), link_(link) {
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& body,
                            Response& response) override {
    // `url` and `headers` die on the first body read: copy them first.
    http_request req;
    req.method = kj::str(method).cStr();
    split_target(std::string_view(url.cStr(), url.size()), req);
    headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
      req.headers.emplace_back(to_lower(name.cStr()), value.cStr());
    });
    link_.report(connection_phase::receiving);
    // However the request ends (answered, failed, dropped), the connection
    // waits for the next one's headers, which kj's own timeouts bound.
    auto idle_after = kj::defer([link = link_] { link.report(connection_phase::idle); });
    auto reader = kj::heap<body_reader>(body);
    kj::Promise<void> read = nullptr;
    KJ_IF_MAYBE (n, body.tryGetLength()) {
      if (*n > limits::http_max_body_bytes)
        return refuse_too_large(response).attach(kj::mv(idle_after));
      read = reader->read_known(*n);
    } else {
      read = reader->read_until_eof();
    }
    // kj bounds the headers only; a body trickled or withheld would hold
    // the connection for ever.
    auto late = link_.timer.afterDelay(link_.body_timeout.count() * kj::MILLISECONDS);
    auto arrived = read.then([] { return true; }).exclusiveJoin(late.then([] { return false; }));
    auto& r = *reader;
    return arrived
      .then([this, &r, &response, req = std::move(req)](bool whole) mutable -> kj::Promise<void> {
        if (!whole)
          return refuse_late_body(response);
        if (r.too_large)
          return refuse_too_large(response);
        req.body = std::move(r.data);
        link_.report(connection_phase::busy);
        return dispatch(std::move(req), response);
      })
      .attach(kj::mv(reader), kj::mv(idle_after));
  }

private:
  kj::Promise<void> refuse_too_large(Response& response) {
    return send_whole(response, plain(413, "request body exceeds "
                                             + std::to_string(limits::http_max_body_bytes)
                                             + " bytes\n"));
  }

  // The rest of the body may still come, and could not be told from a next
  // request: the connection closes after the 408.
  kj::Promise<void> refuse_late_body(Response& response) {
    http_log().debug("a request body did not arrive within {}", describe(link_.body_timeout));
    return send_whole(response, plain(408, "the request body did not arrive within "
                                             + describe(link_.body_timeout) + "\n"))
      .then([]() -> kj::Promise<void> {
        return KJ_EXCEPTION(DISCONNECTED, "request body timed out");
      });
  }

  kj::Promise<void> dispatch(http_request req, Response& response) {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<detail::answer>();
    auto state = std::make_shared<detail::reply_state>(kj::mv(paf.fulfiller));
    auto what = req.method + " " + req.path;
    std::string failure;
    try {
      handler_(std::move(req), detail::make_reply(state));
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    if (!failure.empty()) {
      http_log().error("handler for {} threw: {}", what, failure);
      detail::answer a;
      a.response = plain(500, "handler for " + what + " failed: " + failure + "\n");
      state->fulfill(std::move(a));
    }
    state.reset(); // if nobody kept the reply, this answers 500 now
    return paf.promise.then(
      [this, &response](detail::answer&& a) { return deliver(std::move(a), response); });
  }

  kj::Promise<void> deliver(detail::answer a, Response& response) {
    auto& r = a.response;
    std::string problem;
    kj::HttpHeaders h(table_);
    if (r.status < 100 || r.status > 999)
      problem = "handler answered with status " + std::to_string(r.status);
    try {
      if (!r.content_type.empty())
        h.set(kj::HttpHeaderId::CONTENT_TYPE, r.content_type.c_str());
      for (auto& [name, value] : r.headers)
        h.add(kj::StringPtr(name.c_str()), kj::StringPtr(value.c_str()));
    } catch (const kj::Exception& e) {
      problem = std::string("handler answered with a bad header: ") + e.getDescription().cStr();
    }
    if (!problem.empty()) {
      http_log().error("{}", problem);
      a.stream.reset();
      return send_whole(response, plain(500, problem + "\n"));
    }
    if (a.stream == nullptr)
      return send_whole(response, h, r.status, std::move(r.body));
    link_.report(connection_phase::streaming);
    auto out = response.send(static_cast<uint>(r.status), status_text(r.status), h);
    return stream(*out, *a.stream->state).attach(kj::mv(out), kj::mv(a.stream));
  }

  kj::Promise<void> stream(kj::AsyncOutputStream& out, detail::stream_state& s) {
    auto cut = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard<std::mutex> lock(s.mu);
      s.cut = kj::mv(cut.fulfiller);
    }
    auto cut_off = cut.promise.then([]() -> kj::Promise<void> {
      http_log().warn("cut off a stream client that fell {} bytes behind",
                   limits::http_stream_max_queued_bytes);
      return KJ_EXCEPTION(DISCONNECTED, "stream writer outran its client");
    });
    auto gone = out.whenWriteDisconnected().then(
      []() -> kj::Promise<void> { return KJ_EXCEPTION(DISCONNECTED, "the client went away"); });
    return pump(s, out)
      .exclusiveJoin(kj::mv(cut_off))
      .exclusiveJoin(kj::mv(gone))
      .exclusiveJoin(watch_for_hangup())
      .catch_([this](kj::Exception&& e) -> kj::Promise<void> {
        // kj ends a chunked body cleanly when its writer is dropped, even
        // after a failure; half-closing first makes the client see a cut
        // stream rather than a finished one.
        kj::runCatchingExceptions([this] { connection_.shutdownWrite(); });
        return kj::mv(e);
      })
      .then([]() -> kj::Promise<void> {
        // The hang-up watch may have taken bytes of a next request: what
        // follows a stream cannot be parsed, so the connection ends here
        // (after kj writes the final chunk).
        return KJ_EXCEPTION(DISCONNECTED, "a streamed answer is the last on its connection");
      });
  }

  // kj 0.9.2 reports a peer's FIN only once a write to it fails, which for a
  // quiet subscriber is the next heartbeat. While a stream runs nothing else
  // reads the connection (its request body is in), so a read kept pending
  // here ends at once with the client: EOF, or an error on a reset. What the
  // client sends meanwhile is discarded.
  kj::Promise<void> watch_for_hangup() {
    if (discard_.size() == 0) // only streaming connections pay for it
      discard_ = kj::heapArray<kj::byte>(limits::http_stream_discard_bytes);
    return connection_.tryRead(discard_.begin(), 1, discard_.size())
      .then([this](size_t n) -> kj::Promise<void> {
        if (n == 0)
          return KJ_EXCEPTION(DISCONNECTED, "the client closed the connection");
        return watch_for_hangup();
      });
  }

  kj::Promise<void> send_whole(Response& response, http_response r) {
    kj::HttpHeaders h(table_);
    h.set(kj::HttpHeaderId::CONTENT_TYPE, r.content_type.c_str());
    return send_whole(response, h, r.status, std::move(r.body));
  }

  // `h` points into strings of the caller's: only the body moves here.
  kj::Promise<void> send_whole(Response& response, const kj::HttpHeaders& h, int status,
                               std::string body_text) {
    auto body = kj::heap<std::string>(std::move(body_text));
    auto out = response.send(static_cast<uint>(status), status_text(status), h,
                             uint64_t{body->size()});
    if (body->empty())
      return kj::READY_NOW;
    auto written = out->write(body->data(), body->size());
    return written.attach(kj::mv(out), kj::mv(body));
  }

  // Moves queued chunks to the client, one batch per write, until the stream
  // is closed and drained (the response then ends) or dies.
  static kj::Promise<void> pump(detail::stream_state& s, kj::AsyncOutputStream& out) {
    std::vector<std::string> batch;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (s.dead) // overflowed before the pump began
        return KJ_EXCEPTION(DISCONNECTED, "stream writer outran its client");
      if (s.queue.empty()) {
        if (s.closing)
          return kj::READY_NOW;
        auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
        s.wake = kj::mv(paf.fulfiller);
        return paf.promise.then([&s, &out] { return pump(s, out); });
      }
      batch.assign(std::make_move_iterator(s.queue.begin()),
                   std::make_move_iterator(s.queue.end()));
      s.queue.clear();
    }
    size_t bytes = 0;
    auto pieces = kj::heapArray<kj::ArrayPtr<const kj::byte>>(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      pieces[i] = kj::arrayPtr(reinterpret_cast<const kj::byte*>(batch[i].data()),
                               batch[i].size());
      bytes += batch[i].size();
    }
    auto written = out.write(pieces);
    return written.attach(kj::mv(pieces), kj::mv(batch)).then([&s, &out, bytes] {
      {
        std::lock_guard<std::mutex> lock(s.mu);
        s.queued_bytes -= std::min(bytes, s.queued_bytes);
      }
      return pump(s, out);
    });
  }

  const kj::HttpHeaderTable& table_;
  const http_handler& handler_;
  kj::AsyncIoStream& connection_;
  connection_link link_;
  kj::Array<kj::byte> discard_;
};

kj::HttpServerSettings server_settings() {
  kj::HttpServerSettings s;
  s.canceledUploadGraceBytes = limits::http_refused_body_drain_bytes;
  s.canceledUploadGracePeriod = limits::http_refused_body_drain_timeout.count() * kj::SECONDS;
  return s;
}

// Counts one more; true at 1, 2, 4, 8, ...: a flood logs a few lines, not one each.
bool counted_for_log(size_t& count) {
  ++count;
  return (count & (count - 1)) == 0;
}

// The client's IP address, as the per-address bound counts it.
std::string peer_address(kj::AsyncIoStream& conn) {
  sockaddr_storage ss{};
  uint len = sizeof ss;
  auto failed = kj::runCatchingExceptions(
    [&] { conn.getpeername(reinterpret_cast<sockaddr*>(&ss), &len); });
  char text[INET6_ADDRSTRLEN] = "";
  if (failed != nullptr)
    return "unknown";
  if (ss.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in&>(ss).sin_addr, text, sizeof text);
  else if (ss.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6&>(ss).sin6_addr, text, sizeof text);
  return text[0] != '\0' ? std::string(text) : std::string("unknown");
}

// Accepts every connection at once and serves it within the bounds of a
// connection_table: the kernel's accept backlog, where nobody can tell a
// client why it waits, stays empty.
class connection_pool final : private kj::TaskSet::ErrorHandler {
public:
  connection_pool(kj::Timer& timer, const kj::HttpHeaderTable& table,
                  const http_handler& handler, const http_server_options& options)
    : timer_(timer), options_(options),
      open_(options.max_connections, options.max_connections_per_address),
      server_(timer, table,
              [this, &table, &handler](kj::AsyncIoStream& conn) -> kj::Own<kj::HttpService> {
                auto i = ids_.find(&conn);
                KJ_ASSERT(i != ids_.end(), "a connection is served only once admitted");
                connection_link link{open_, i->second, timer_, options_.body_timeout};
                ids_.erase(i);
                return kj::heap<service>(table, handler, conn, link);
              },
              server_settings()),
      refusals_(*this), connections_(*this) {
  }

  kj::Promise<void> accept_loop(kj::ConnectionReceiver& listener) {
    return listener.accept().then(
      [this, &listener](kj::Own<kj::AsyncIoStream> conn) {
        admit(kj::mv(conn));
        return accept_loop(listener);
      },
      [this, &listener](kj::Exception&& e) {
        // Out of descriptors, or the like: back off rather than stop serving.
        http_log().error("accept failed: {}", e.getDescription().cStr());
        return timer_.afterDelay(100 * kj::MILLISECONDS).then([this, &listener] {
          return accept_loop(listener);
        });
      });
  }

private:
  void admit(kj::Own<kj::AsyncIoStream> conn) {
    auto address = peer_address(*conn);
    auto a = open_.admit(address);
    if (a.what == connection_table::verdict::address_full)
      return refuse(kj::mv(conn), address,
                    "too many connections from " + address + " (at most "
                      + std::to_string(open_.max_per_address()) + ")");
    if (a.what == connection_table::verdict::server_full)
      return refuse(kj::mv(conn), address,
                    "the server holds its " + std::to_string(open_.max_total())
                      + " connections, every one busy");
    if (a.displaced) {
      // The oldest idle or slow client makes room; ending its task closes it.
      auto k = kills_.find(*a.displaced);
      if (k != kills_.end())
        k->second->fulfill();
      if (counted_for_log(displaced_))
        http_log().warn("at {} connections; closed the oldest idle or slow one ({} so far)",
                     open_.max_total(), displaced_);
    }
    auto kill = kj::newPromiseAndFulfiller<void>();
    kills_.emplace(a.id, kj::mv(kill.fulfiller));
    ids_.emplace(conn.get(), a.id);
    auto release = kj::defer([this, id = a.id] {
      open_.remove(id);
      kills_.erase(id);
    });
    connections_.add(server_.listenHttp(kj::mv(conn))
                       .exclusiveJoin(kj::mv(kill.promise))
                       .attach(kj::mv(release)));
  }

  // 503 and close, without reading the request: what a refused client sent
  // may reset the connection before it reads the answer, which is as clear.
  void refuse(kj::Own<kj::AsyncIoStream> conn, const std::string& address, std::string why) {
    if (counted_for_log(refused_))
      http_log().warn("refused a connection from {}: {} ({} refused so far)", address, why,
                   refused_);
    why += "\n";
    auto text = kj::heap<std::string>("HTTP/1.1 503 Service Unavailable\r\n"
                                      "Content-Type: text/plain; charset=utf-8\r\n"
                                      "Content-Length: " + std::to_string(why.size()) + "\r\n"
                                      "Connection: close\r\n\r\n" + why);
    auto written = conn->write(text->data(), text->size());
    auto bounded = limits::http_refusal_write_timeout.count() * kj::SECONDS;
    refusals_.add(written.exclusiveJoin(timer_.afterDelay(bounded))
                    .attach(kj::mv(text), kj::mv(conn)));
  }

  void taskFailed(kj::Exception&& e) override {
    http_log().debug("connection ended: {}", e.getDescription().cStr());
  }

  kj::Timer& timer_;
  http_server_options options_;
  connection_table open_;
  kj::HttpServer server_;
  size_t displaced_ = 0;
  size_t refused_ = 0;
  std::unordered_map<kj::AsyncIoStream*, uint64_t> ids_; // admitted, not yet served
  std::unordered_map<uint64_t, kj::Own<kj::PromiseFulfiller<void>>> kills_;
  kj::TaskSet refusals_;
  kj::TaskSet connections_; // last: its connections go before the rest
};

// What one server's loop holds while it serves.
struct serving {
  serving(kj::Timer& timer, const http_handler& handler, const http_server_options& options)
    : pool(timer, table, handler, options) {
  }
  kj::HttpHeaderTable table;
  connection_pool pool; // after the table it reads
};

} // namespace

http_server::http_server(std::unique_ptr<detail::server_state> state) : state_(std::move(state)) {
}

caf::expected<std::unique_ptr<http_server>>
http_server::start(std::string host, uint16_t port, http_handler handler,
                   http_server_options options) {
  auto address = join_host_port(host, port);
  if (!handler)
    return caf::make_error(caf::sec::invalid_argument,
                           "HTTP server on " + address + " needs a handler");
  if (options.max_connections == 0 || options.max_connections_per_address == 0
      || options.body_timeout.count() <= 0)
    return caf::make_error(caf::sec::invalid_argument,
                           "HTTP server on " + address
                             + ": connection bounds and the body timeout must be above 0");
  auto st = std::make_unique<detail::server_state>();
  st->handler = std::move(handler);
  auto wanted = options.max_connections;
  options.max_connections = claim_descriptors(wanted);
  if (options.max_connections < wanted)
    http_log().warn("{} serves at most {} connections, not {}: that is what fits under the "
                 "descriptor limit (RLIMIT_NOFILE)", address, options.max_connections, wanted);
  st->options = options;
  auto& state = *st;
  auto loop = listening_loop::start(
    "cairn-http", "cannot serve HTTP on", address,
    [&state](kj::AsyncIoContext& io, kj::ConnectionReceiver& listener) {
      auto s = kj::heap<serving>(io.provider->getTimer(), state.handler, state.options);
      auto accepting = s->pool.accept_loop(listener);
      return accepting.attach(kj::mv(s));
    });
  if (!loop) {
    release_descriptors(st->options.max_connections);
    return loop.error();
  }
  st->loop = std::move(*loop);
  return std::unique_ptr<http_server>(new http_server(std::move(st)));
}

uint16_t http_server::port() const {
  return state_->loop->port();
}

size_t http_server::max_connections() const {
  return state_->options.max_connections;
}

http_server::~http_server() {
  state_->loop.reset();
  release_descriptors(state_->options.max_connections);
}

} // namespace cairn
