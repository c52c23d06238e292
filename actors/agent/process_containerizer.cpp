// Executors as child processes: `cairn executor` in its own session, its
// stdout and stderr in the sandbox, found again by polling waitpid.
#include "actors/agent/containerizer.hpp"

#include <signal.h>

#include <unordered_map>

#include "runtime/process.hpp"

namespace cairn {

namespace {

class process_containerizer final : public containerizer {
public:
  explicit process_containerizer(std::string binary) : binary_(std::move(binary)) {
  }

  ~process_containerizer() override {
    // Executors never outlive the agent that started them in this shape.
    for (const auto& [id, pid] : pids_) {
      signal_session(pid, SIGKILL);
      wait_for_exit(pid);
    }
  }

  caf::error launch(const container_launch& l) override {
    spawn_options options;
    options.argv = l.argv.empty() ? std::vector<std::string>{binary_, "executor"} : l.argv;
    options.env = current_environment();
    options.env.push_back("CAIRN_AGENT_ENDPOINT=" + l.agent_endpoint);
    options.env.push_back("CAIRN_FRAMEWORK_ID=" + l.framework_id);
    options.env.push_back("CAIRN_EXECUTOR_ID=" + l.executor_id);
    options.env.push_back("CAIRN_CONTAINER_ID=" + l.container_id);
    options.env.push_back("CAIRN_SANDBOX=" + l.sandbox);
    options.env.push_back("MESOS_SANDBOX=" + l.sandbox);
    options.env.push_back("MESOS_FRAMEWORK_ID=" + l.framework_id);
    options.env.push_back("MESOS_EXECUTOR_ID=" + l.executor_id);
    for (const auto& e : l.env)
      options.env.push_back(e);
    options.cwd = l.sandbox;
    options.stdout_path = l.sandbox + "/stdout";
    options.stderr_path = l.sandbox + "/stderr";
    auto pid = spawn_process(options);
    if (!pid)
      return pid.error();
    pids_[l.container_id] = *pid;
    return caf::none;
  }

  void destroy(const std::string& container_id) override {
    if (auto i = pids_.find(container_id); i != pids_.end())
      signal_session(i->second, SIGKILL);
  }

  std::vector<std::pair<std::string, int>> reap() override {
    std::vector<std::pair<std::string, int>> ended;
    for (auto i = pids_.begin(); i != pids_.end();) {
      if (auto status = try_reap(i->second)) {
        // The executor is gone; what it started may linger in its session.
        signal_session(i->second, SIGKILL);
        ended.emplace_back(i->first, *status);
        i = pids_.erase(i);
      } else {
        ++i;
      }
    }
    return ended;
  }

private:
  std::string binary_;
  std::unordered_map<std::string, pid_t> pids_;
};

} // namespace

std::unique_ptr<containerizer> make_process_containerizer(std::string executor_binary) {
  return std::make_unique<process_containerizer>(std::move(executor_binary));
}

} // namespace cairn
