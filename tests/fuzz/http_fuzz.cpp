// Whatever bytes a client sends the HTTP server (one connection, then its end),
// the server answers or closes, never crashes, and is there for the next one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "runtime/http_server.hpp"

namespace {

uint16_t server_port() {
  // What every handler reads first: the path, the query and the headers.
  static auto server = cairn::http_server::start(
    "127.0.0.1", 0, [](cairn::http_request r, cairn::http_reply reply) {
      cairn::http_response out;
      out.content_type = "text/plain";
      out.body = cairn::url_decode(r.path, false) + r.query_param("a") + r.header("content-type");
      reply.send(std::move(out));
    });
  if (!server)
    std::abort();
  return (*server)->port();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint16_t port = server_port();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    std::abort(); // the server stopped listening
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  for (size_t at = 0; at < size;) {
    ssize_t n = write(fd, data + at, size - at);
    if (n <= 0)
      break; // the server closed on us: an answer too
    at += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
  }
  // A server that neither answers nor closes within 20 s of a client's end
  // has stalled on this input.
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    std::abort();
  close(fd);
  return 0;
}
