#include "actors/agent/isolators/posix.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "runtime/process.hpp"

namespace cairn {

namespace {

class posix_isolator final : public isolator {
public:
  explicit posix_isolator(std::string name) : name_(std::move(name)) {
  }

  std::string name() const override {
    return name_;
  }

  caf::error recover(const std::vector<std::string>&) override {
    return caf::none;
  }

  caf::error prepare(const std::string&, const container_limits&, launch_plan&) override {
    return caf::none;
  }

  caf::error isolate(const std::string& container, pid_t pid) override {
    pids_[container] = pid;
    return caf::none;
  }

  caf::error update(const std::string&, const container_limits&) override {
    return caf::none;
  }

  void usage(const std::string& container,
             schema::containerizer::ResourceStatistics::Builder stats) override {
    auto i = pids_.find(container);
    if (i == pids_.end())
      return;
    auto use = measure_session(i->second);
    stats.setProcesses(use.processes);
    stats.setThreads(use.threads);
    if (name_ == "posix/cpu") {
      stats.setCpusUserTimeSecs(use.user_secs);
      stats.setCpusSystemTimeSecs(use.system_secs);
    } else {
      stats.setMemRssBytes(use.rss_bytes);
      stats.setMemTotalBytes(use.rss_bytes);
    }
  }

  caf::error cleanup(const std::string& container) override {
    pids_.erase(container);
    return caf::none;
  }

private:
  std::string name_;
  std::unordered_map<std::string, pid_t> pids_;
};

} // namespace

std::unique_ptr<isolator> make_posix_isolator(const std::string& name) {
  return std::make_unique<posix_isolator>(name);
}

session_usage measure_session(pid_t sid) {
  session_usage use;
  if (sid <= 1)
    return use;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  DIR* proc = opendir("/proc");
  if (proc == nullptr)
    return use;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 1 || getsid(static_cast<pid_t>(pid)) != sid)
      continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(in, line))
      continue;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos)
      continue;
    std::istringstream fields(line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;)
      f.push_back(x);
    // From field 3 (state) on: utime is field 14, stime 15, threads 20, rss 24.
    if (f.size() < 22 || f[0] == "Z")
      continue;
    ++use.processes;
    use.user_secs += std::strtod(f[11].c_str(), nullptr) / ticks;
    use.system_secs += std::strtod(f[12].c_str(), nullptr) / ticks;
    use.threads += static_cast<uint32_t>(std::strtoul(f[17].c_str(), nullptr, 10));
    use.rss_bytes += std::strtoull(f[21].c_str(), nullptr, 10) * page;
  }
  closedir(proc);
  return use;
}

} // namespace cairn
