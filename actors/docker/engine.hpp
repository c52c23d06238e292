// A client of the Docker Engine API over its unix socket (libcurl with
// CURLOPT_UNIX_SOCKET_PATH), the calls the docker containerizer and its
// executor make. Every call blocks its thread: call it only from a thread or
// detached actor of its own, never inside an ordinary actor.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace cairn::docker {

// The API version asked for: Debian 12's docker.io (20.10) speaks 1.41, and
// later engines still answer it.
inline constexpr const char* api_version = "v1.41";

struct engine_reply {
  long status = 0;
  std::string body;
};

// What inspect says of a container.
struct container_state {
  std::string id;
  std::string status;  // created, running, exited, ...
  bool running = false;
  int exit_code = 0;
  bool oom_killed = false;
  int pid = 0;
};

// An image reference split as the pull call takes it: `name` (with its
// registry) and a tag or digest; no tag means "latest", as docker pull does.
struct image_ref {
  std::string name;
  std::string tag;  // or the digest, after '@'
};
image_ref split_image(const std::string& ref);

class engine {
public:
  explicit engine(std::string socket_path,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

  const std::string& socket_path() const { return socket_; }

  // One request; `timeout` 0 waits as long as it takes. An HTTP error
  // status is no error here, only a failed transfer is.
  caf::expected<engine_reply> call(const std::string& method, const std::string& path,
                                   const std::string& body = {},
                                   std::chrono::milliseconds timeout =
                                     std::chrono::milliseconds(-1)) const;

  // POST /containers/create?name=...; the container's id.
  caf::expected<std::string> create(const std::string& name, const std::string& body) const;
  caf::error start(const std::string& name) const;
  caf::expected<container_state> inspect(const std::string& name) const;
  // Blocks until the container stops; its exit code.
  caf::expected<int> wait(const std::string& name) const;
  caf::error stop(const std::string& name, int grace_seconds) const;
  // `signal` as the engine names it: SIGTERM, SIGKILL.
  caf::error kill(const std::string& name, const std::string& signal) const;
  caf::error remove(const std::string& name, bool force) const;
  // The names (without their leading '/') of all containers, running or
  // not, whose name starts with `prefix`.
  caf::expected<std::vector<std::string>> names_with_prefix(const std::string& prefix) const;

  // Whether the image is there (GET /images/{name}/json).
  caf::expected<bool> has_image(const std::string& ref) const;
  // POST /images/create; the engine reports a failed pull inside its 200
  // progress stream, which is read for it. `timeout` bounds the whole pull.
  caf::error pull(const std::string& ref, std::chrono::milliseconds timeout) const;

  // Follows the container's output (the engine's multiplexed stream of a
  // container without a TTY) into the two files, appending, until the
  // container stops or `cancelled` is set.
  caf::error follow_logs(const std::string& name, const std::string& stdout_path,
                         const std::string& stderr_path,
                         const std::atomic<bool>& cancelled) const;

private:
  std::string socket_;
  std::chrono::milliseconds timeout_;
};

} // namespace cairn::docker
