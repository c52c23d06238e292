#include "actors/executor/probes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/errors.hpp"
#include "runtime/http_client.hpp"

namespace cairn {

namespace {

using kind = probe_outcome::kind;

// Waits are cut in slices so that a cancelled probe ends within one.
constexpr auto slice = std::chrono::milliseconds(100);

// What is left of the timeout, or a slice when there is none.
std::chrono::milliseconds next_wait(duration timeout, duration waited) {
  if (timeout.count() == 0)
    return slice;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - waited);
  return std::max(std::chrono::milliseconds(0), std::min(left, slice));
}

probe_outcome command_probe(const probe_spec& spec, const std::atomic<bool>& cancelled) {
  auto pid = spawn_process(spec.command);
  if (!pid)
    return {kind::failed, 0, "Failed to create subprocess: " + error_message(pid.error())};
  duration waited{};
  for (;;) {
    auto wait = next_wait(spec.timeout, waited);
    if (auto status = wait_for_exit_within(*pid, wait)) {
      if (WIFEXITED(*status))
        return {kind::exited, WEXITSTATUS(*status), "Command " + describe_wait_status(*status)};
      return {kind::signaled, WIFSIGNALED(*status) ? WTERMSIG(*status) : 0,
              "Command " + describe_wait_status(*status)};
    }
    waited += wait;
    bool out_of_time = spec.timeout.count() > 0 && waited >= spec.timeout;
    if (out_of_time || cancelled.load()) {
      signal_group(*pid, SIGKILL);
      wait_for_exit(*pid);
      if (!out_of_time)
        return {kind::failed, 0, "cancelled"};
      return {kind::timed_out, 0, "Command timed out after " + format_duration(spec.timeout)};
    }
  }
}

probe_outcome http_probe_of(const probe_spec& spec, const std::atomic<bool>& cancelled) {
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
  if (spec.timeout.count() > 0 && timeout.count() == 0)
    timeout = std::chrono::milliseconds(1);
  auto status = http_probe(spec.url, timeout, cancelled);
  if (status)
    return {kind::http_status, static_cast<int>(*status), "HTTP status " + std::to_string(*status)};
  auto message = error_message(status.error());
  if (status.error() == caf::sec::connection_timeout)
    return {kind::timed_out, 0, message};
  return {kind::failed, 0, message};
}

probe_outcome tcp_probe(const probe_spec& spec, const std::atomic<bool>& cancelled) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return {kind::failed, 0, std::string("socket: ") + std::strerror(errno)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(spec.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string where = "127.0.0.1:" + std::to_string(spec.port);
  probe_outcome result{kind::connected, 0, "connected to " + where};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    if (errno != EINPROGRESS) {
      result = {kind::refused, 0, "connect to " + where + ": " + std::strerror(errno)};
    } else {
      duration waited{};
      for (;;) {
        auto wait = next_wait(spec.timeout, waited);
        pollfd p{fd, POLLOUT, 0};
        int n = ::poll(&p, 1, static_cast<int>(wait.count()));
        if (n > 0) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0)
            result = {kind::refused, 0, "connect to " + where + ": " + std::strerror(err)};
          break;
        }
        if (n < 0 && errno == EINTR)
          continue;
        waited += wait;
        if (spec.timeout.count() > 0 && waited >= spec.timeout) {
          result = {kind::timed_out, 0,
                    "connect to " + where + " timed out after " + format_duration(spec.timeout)};
          break;
        }
        if (cancelled.load()) {
          result = {kind::failed, 0, "cancelled"};
          break;
        }
      }
    }
  }
  ::close(fd);
  return result;
}

} // namespace

probe_outcome run_probe(const probe_spec& spec, const std::atomic<bool>& cancelled) {
  switch (spec.what) {
    case probe_spec::kind::command:
      return command_probe(spec, cancelled);
    case probe_spec::kind::http:
      return http_probe_of(spec, cancelled);
    case probe_spec::kind::tcp:
      return tcp_probe(spec, cancelled);
  }
  return {kind::failed, 0, "unknown probe"};
}

} // namespace cairn
