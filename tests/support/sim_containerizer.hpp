// A containerizer for tests and benchmarks: each executor is an actor in this
// process that runs its task for a while without any OS process. It speaks
// the same executor protocol as `cairn-executor`, so the agent cannot tell.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/agent/containerizer.hpp"
#include "actors/resources/resources.hpp"

namespace cairn::testing {

// Watches what runs on each agent: records every moment an agent would run
// more than it has. Shared by all simulated executors of a cluster.
class usage_probe {
public:
  void set_total(const std::string& agent, const resources& total);
  void start(const std::string& agent, const resources& res);
  void stop(const std::string& agent, const resources& res);
  size_t overcommits() const;
  size_t running() const;
  size_t started() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, resources> total_;
  std::map<std::string, resources> running_;
  size_t overcommits_ = 0;
  size_t running_count_ = 0;
  size_t started_ = 0;
};

struct sim_options {
  std::chrono::milliseconds min_task_time{1};
  std::chrono::milliseconds max_task_time{20};
  uint64_t seed = 1;
};

// The factory an agent's options take.
containerizer_factory make_sim_containerizer(std::string agent_name, sim_options options,
                                             std::shared_ptr<usage_probe> probe);

} // namespace cairn::testing
