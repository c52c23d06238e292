// `cairn local`: the master, its allocator and N agents in one process, with
// their HTTP endpoints; executors are child processes as in any shape.
#include <iostream>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/nodes.hpp"
#include "actors/cli/role_flags.hpp"
#include "runtime/errors.hpp"
#include "runtime/flags.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

struct local_flags {
  node_flags node;
  master_flags master;
  agent_flags agent;
  unsigned agents = 1;
};

int fail(const std::string& message) {
  std::cerr << "cairn local: " << message << std::endl;
  return 1;
}

int run_local(const local_flags& f) {
  if (!setup_logging(f.node.logging_level))
    return fail("unknown --logging-level '" + f.node.logging_level + "'");
  if (f.agents == 0)
    return fail("--agents must be at least 1");
  std::string work_dir = f.node.work_dir.empty() ? "/var/tmp/cairn/local" : f.node.work_dir;
  // Every option is checked before anything starts.
  auto master_opts = f.master.options(f.node);
  if (!master_opts)
    return fail(error_message(master_opts.error()));
  std::vector<agent_options> agents;
  for (unsigned i = 0; i < f.agents; ++i) {
    auto o = f.agent.options(f.node, fmt::format("{}/agent-{}", work_dir, i));
    if (!o)
      return fail(error_message(o.error()));
    agents.push_back(std::move(*o));
  }
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  node_address where{f.node.ip, f.node.advertised_ip(), f.node.http_port,
                     default_actor_port(f.node.http_port)};
  auto master = start_master_node(sys, where, *master_opts);
  if (!master)
    return fail(error_message(master.error()));
  std::vector<agent_node> agent_nodes;
  for (unsigned i = 0; i < agents.size(); ++i) {
    // Agents take the ports after the master's (5051, 5052, ...); their
    // actors listen on any free port, for executors only.
    uint16_t http_port = f.node.http_port == 0 ? 0 : static_cast<uint16_t>(master->http_port + 1 + i);
    node_address agent_where{f.node.ip, f.node.advertised_ip(), http_port, 0};
    auto agent = start_agent_node(sys, agent_where, agents[i],
                                  caf::actor_cast<agent_call_sink>(master->master));
    if (!agent)
      return fail(error_message(agent.error()));
    agent_nodes.push_back(std::move(*agent));
  }
  std::cout << fmt::format("cairn local: master listening on http://{}:{} (actors on port {}), "
                           "{} agent(s), work dir {}",
                           f.node.advertised_ip(), master->http_port, master->actor_port,
                           agents.size(), work_dir)
            << std::endl;
  int sig = wait_for_termination_signal();
  logger("local")->info("signal {}: shutting down", sig);
  for (auto& a : agent_nodes)
    caf::anon_send_exit(a.agent, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(master->master, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

command add_local_command(CLI::App& parent) {
  auto flags = std::make_shared<local_flags>();
  auto* app = parent.add_subcommand("local", "Run a whole cluster in this process");
  flags->node.add_to(*app);
  flags->master.add_to(*app);
  flags->agent.add_to(*app);
  add_flag(*app, "agents", flags->agents, "Number of agents");
  return {app, [flags] { return run_local(*flags); }};
}

} // namespace cairn
