// Debian's HAProxy run by `cairn lb` as its child in master-worker mode (-W):
// a reload is SIGUSR2 to the master, which starts new workers on the new
// configuration and hands them the listening sockets of the old ones (its
// `-x sockpair@` reload), so no connection is refused across a reload; the
// old workers finish the connections they hold. Every call may block (a
// check runs `haproxy -c`, a stop waits for the master): only for a
// dedicated thread or detached actor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include <caf/error.hpp>

#include "actors/lb/show_proc.hpp"

namespace cairn::lb {

class haproxy_process {
public:
  haproxy_process(std::string program, std::string config_path);
  ~haproxy_process();
  haproxy_process(const haproxy_process&) = delete;
  haproxy_process& operator=(const haproxy_process&) = delete;

  // Writes `text` as the configuration if `haproxy -c` accepts it (written
  // beside it first, then renamed over it, so the master never reads half a
  // file); otherwise the error carries HAProxy's words and nothing changes.
  caf::error install(const std::string& text);
  // Starts the master on the installed configuration and waits until its
  // master CLI answers.
  caf::error start();
  // Tells the master to load the installed configuration and waits until it
  // counts the reload (signalling again if it missed the signal); an error
  // when the new configuration failed to load (the old one is still served).
  caf::error reload();
  // How the master ended, if it has (it is reaped then and not running).
  std::optional<std::string> ended();
  bool running() const { return pid_ > 0; }
  // SIGTERM to the master (which stops its workers), SIGKILL to what is left
  // after a grace period.
  void stop();

private:
  // The master's reload counts, waiting up to `within` for it to answer;
  // an error when it ends meanwhile.
  caf::expected<master_reloads> ask_master(std::chrono::milliseconds within);

  std::string program_;
  std::string config_path_;
  std::string master_socket_;  // its master CLI (-S)
  pid_t pid_ = 0;
  master_reloads seen_;
};

} // namespace cairn::lb
