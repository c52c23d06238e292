#include "tests/support/bench_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "runtime/http_server.hpp"

namespace cairn::bench {

namespace fs = std::filesystem;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  return xs[std::min(xs.size() - 1, static_cast<size_t>(p * static_cast<double>(xs.size())))];
}

fs::path temp_dir(const std::string& what) {
  auto dir = fs::temp_directory_path() / fmt::format("cairn-{}-{}", what, getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

pid_t spawn_process(const std::vector<std::string>& args, const fs::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "a");
    if (out != nullptr) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

uint16_t free_base_port() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t base = static_cast<uint16_t>(21000 + (getpid() * 13 + attempt * 31) % 8000);
    bool free = true;
    for (int off : {0, 100, 200})
      for (int i = 0; i < 3 && free; ++i) {
        auto s = http_server::start("127.0.0.1", static_cast<uint16_t>(base + off + i),
                                    [](http_request, http_reply r) { r.send({}); });
        free = static_cast<bool>(s);
      }
    if (free)
      return base;
  }
  return 0;
}

std::string default_cairn() {
  auto self = fs::read_symlink("/proc/self/exe");
  return (self.parent_path().parent_path() / "actors" / "cairn").string();
}

bool stop_process(pid_t pid, std::chrono::milliseconds grace) {
  kill(pid, SIGTERM);
  auto deadline = clock_type::now() + grace;
  while (clock_type::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return false;
}

} // namespace cairn::bench
