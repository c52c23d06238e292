// `cairn executor`: started by an agent, never by hand. Connects back to the
// agent named in its environment and runs the command executor.
#include <cstdlib>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>

#include "actors/agent/agent.hpp"
#include "actors/cli/commands.hpp"
#include "actors/executor/executor.hpp"
#include "runtime/connect.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/random.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int run_executor() {
  setup_logging(env_or_empty("CAIRN_LOGGING_LEVEL").empty() ? "INFO"
                                                             : env_or_empty("CAIRN_LOGGING_LEVEL"));
  executor_options options;
  options.framework_id = env_or_empty("CAIRN_FRAMEWORK_ID");
  options.executor_id = env_or_empty("CAIRN_EXECUTOR_ID");
  options.sandbox = env_or_empty("CAIRN_SANDBOX");
  options.seed = entropy_seed();
  auto where = parse_endpoint(env_or_empty("CAIRN_AGENT_ENDPOINT"), 0);
  if (!where || options.framework_id.empty() || options.executor_id.empty()) {
    std::cerr << "cairn executor: started without an agent to report to "
                 "(CAIRN_AGENT_ENDPOINT, CAIRN_FRAMEWORK_ID, CAIRN_EXECUTOR_ID); "
                 "agents start executors, people do not"
              << std::endl;
    return 2;
  }
  system_config cfg;
  caf::actor_system sys{cfg};
  auto agent = sys.middleman().remote_actor<agent_actor>(where->host, where->port);
  if (!agent) {
    std::cerr << "cairn executor: cannot reach the agent at " << where->host << ":"
              << where->port << ": " << sys.render(agent.error()) << std::endl;
    return 1;
  }
  spawn_command_executor(sys, options, caf::actor_cast<executor_call_sink>(*agent));
  sys.await_all_actors_done();
  return 0;
}

} // namespace

command add_executor_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("executor", "Run an executor (started by agents)");
  return {app, [] { return run_executor(); }};
}

} // namespace cairn
