#include "actors/lb/master_cli.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/errors.hpp"

namespace cairn::lb {

namespace {

constexpr int io_timeout_seconds = 10;
constexpr size_t answer_max_bytes = 64 * 1024;

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

caf::expected<std::string> master_cli(const std::string& socket_path,
                                      const std::string& command) {
  if (socket_path.size() > unix_socket_path_max)
    return make_error("the master socket path " + socket_path + " is too long");
  fd_closer s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0)
    return make_error(std::string("socket: ") + std::strerror(errno));
  timeval tv{io_timeout_seconds, 0};
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return make_error("cannot reach haproxy's master at " + socket_path + ": " +
                      std::strerror(errno));
  // `quit` closes the connection once the answer is written.
  auto line = command + ";quit\n";
  if (::send(s.fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    return make_error("cannot write to haproxy's master at " + socket_path);
  std::string answer;
  char buffer[4096];
  while (answer.size() < answer_max_bytes) {
    auto n = ::recv(s.fd, buffer, sizeof buffer, 0);
    if (n == 0)
      return answer;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return make_error("no answer from haproxy's master at " + socket_path + ": " +
                        std::strerror(errno));
    }
    answer.append(buffer, static_cast<size_t>(n));
  }
  return make_error("haproxy's master at " + socket_path + " answered too much");
}

} // namespace cairn::lb
