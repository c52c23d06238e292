// How an agent starts and stops executors. The product's containerizer runs
// `cairn executor` as a child process in its own session; simulations plug in
// one that runs executors as actors in the same process.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>

namespace cairn {

struct container_launch {
  std::string container_id;
  std::string framework_id;
  std::string executor_id;
  std::string sandbox;         // exists; the executor's working directory
  std::string agent_endpoint;  // "host:port" of the agent's actor endpoint
  caf::strong_actor_ptr agent; // the agent itself, for executors in this process
  std::vector<std::string> env;  // added to the executor's environment
  // A custom executor's command line; empty: the built-in command executor.
  std::vector<std::string> argv;
};

class containerizer {
public:
  virtual ~containerizer() = default;

  // Starts the executor; it registers with the agent by itself. Must not block.
  virtual caf::error launch(const container_launch& launch) = 0;

  // Ends the container at once (its whole process group).
  virtual void destroy(const std::string& container_id) = 0;

  // Containers that ended since the last call, with their wait status.
  virtual std::vector<std::pair<std::string, int>> reap() = 0;
};

// The product's containerizer: `executor_binary executor` per container.
std::unique_ptr<containerizer> make_process_containerizer(std::string executor_binary);

} // namespace cairn
