#include <dirent.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "actors/agent/isolators/launchers.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

// Whether a process of session `sid` is still running (a zombie is not: it
// is dead, waiting for its parent).
bool session_alive(pid_t sid) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr)
    return false;
  bool alive = false;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 1)
      continue;
    std::ifstream in("/proc/" + std::string(e->d_name) + "/stat");
    std::string line;
    if (!std::getline(in, line))
      continue;
    // "pid (comm) state ppid pgrp session ...": comm may hold anything.
    auto close = line.rfind(')');
    if (close == std::string::npos)
      continue;
    char state = 0;
    long ppid = 0, pgrp = 0, session = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp,
                    &session) != 4)
      continue;
    if (session == sid && state != 'Z') {
      alive = true;
      break;
    }
  }
  closedir(proc);
  return alive;
}

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
    return !session_alive(pid);
  }
};

} // namespace

std::unique_ptr<launcher> make_session_launcher() {
  return std::make_unique<posix_launcher>();
}

} // namespace cairn
