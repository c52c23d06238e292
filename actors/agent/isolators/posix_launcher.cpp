#include <signal.h>

#include <cstdlib>
#include <string>

#include "actors/agent/isolators/launchers.hpp"
#include "actors/agent/isolators/posix.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

class posix_launcher : public launcher {
public:
  std::string name() const override {
    return "posix";
  }
  caf::error recover(const std::vector<std::string>&) override {
    return caf::none;
  }
  caf::error prepare(const std::string&, launch_plan&) override {
    return caf::none;
  }
  // spawn_contained starts the first process in a session of its own.
  caf::expected<bool> destroy(const std::string&, pid_t pid) override {
    if (pid <= 1)
      return true;
    signal_session(pid, SIGKILL);
    return measure_session(pid).processes == 0;  // zombies do not count
  }
};

} // namespace

std::unique_ptr<launcher> make_session_launcher() {
  return std::make_unique<posix_launcher>();
}

} // namespace cairn
