// A whole cluster in this process for tests and benchmarks: a master (with its
// allocator) and agents whose executors are simulated actors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/master/master.hpp"
#include "tests/support/sim_containerizer.hpp"

namespace cairn::testing {

struct cluster_options {
  size_t agents = 3;
  std::string agent_resources = "cpus:4;mem:4096;disk:1000;ports:[31000-31100]";
  duration allocation_interval = std::chrono::milliseconds(50);
  sim_options sim;
  uint64_t seed = 42;
};

class cluster {
public:
  cluster(caf::actor_system& sys, cluster_options options);
  ~cluster();

  master_actor master;
  std::vector<agent_actor> agents;
  std::shared_ptr<usage_probe> probe = std::make_shared<usage_probe>();

  // Asks each agent for its state (blocking; for the test's main thread).
  std::vector<agent_snapshot> agent_states();
  master_snapshot master_state();

private:
  caf::actor_system& sys_;
};

} // namespace cairn::testing
