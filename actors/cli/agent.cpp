// `cairn agent`: the agent role alone, on its machine, joining masters named
// by their HTTP addresses.
#include <iostream>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/mesos_flags.hpp"
#include "actors/cli/nodes.hpp"
#include "actors/cli/role_flags.hpp"
#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/connect.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

struct agent_command_flags {
  node_flags node;
  agent_flags agent;
  std::string masters;
  uint16_t actor_port = 0;  // 0: --http-port + 100
  flag_table table;         // every flag above, as parsed and as listed
};

int fail(const std::string& message) {
  std::cerr << "cairn agent: " << message << std::endl;
  return 1;
}

// SIGTERM and SIGINT are graceful: the master hears of it and every executor
// ends, within a bound.
void shut_down(caf::actor_system& sys, const agent_actor& agent) {
  caf::scoped_actor self{sys};
  self->monitor(agent);
  self->request(agent, std::chrono::seconds(10), shutdown_atom::value)
    .receive([](bool) {}, [](caf::error&) {});
  self->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds(10)) >> [] {});
}

int run_agent(const agent_command_flags& f) {
  if (!setup_logging(f.node.logging_level))
    return fail("unknown --logging-level '" + f.node.logging_level + "'");
  if (f.node.work_dir.empty())
    return fail("--work-dir is required");
  if (f.masters.rfind("zk://", 0) == 0 || f.masters.rfind("file://", 0) == 0)
    return fail("--master " + f.masters + ": cairn has no ZooKeeper; give the masters' HTTP "
                "addresses, HOST:PORT[,HOST:PORT...]");
  auto masters = split_addresses(f.masters);
  if (masters.empty())
    return fail("--master needs at least one HOST:PORT");
  for (const auto& address : masters)
    if (!parse_endpoint(address, 5050))
      return fail("--master: invalid address '" + address + "'");
  auto options = f.agent.options(f.node, f.node.work_dir);
  if (!options)
    return fail(error_message(options.error()));
  options->flags = f.table.values();
  options->master_addresses = masters;
  auto http = f.node.http_options();
  if (!http)
    return fail(error_message(http.error()));
  block_termination_signals();
  system_config cfg;
  cfg.sleep_when_idle();
  caf::actor_system sys{cfg};
  node_address where{f.node.ip, f.node.advertised_ip(), f.node.http_port,
                     f.actor_port != 0 ? f.actor_port : default_actor_port(f.node.http_port),
                     *http};
  auto node = start_agent_node(sys, where, std::move(*options), agent_call_sink{});
  if (!node)
    return fail(error_message(node.error()));
  std::cout << fmt::format("cairn agent: listening on http://{}:{} (actors on port {}), "
                           "masters {}",
                           f.node.advertised_ip(), node->http_port, node->actor_port->port(), f.masters)
            << std::endl;
  int sig = wait_for_termination_signal();
  logger("agent")->info("signal {}: shutting down", sig);
  shut_down(sys, node->agent);
  return 0;
}

} // namespace

command add_agent_command(CLI::App& parent) {
  auto f = std::make_shared<agent_command_flags>();
  f->node.http_port = 5051;
  auto* app = parent.add_subcommand("agent", "Run an agent");
  auto& t = f->table;
  f->node.add_to(t);
  f->agent.add_to(t);
  t.add({"master"}, f->masters, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...] (required)");
  t.add({"actor_port"}, f->actor_port, "Port for actor connections (default HTTP + 100)");
  t.refuse(mesos_common_flags());
  t.refuse(mesos_agent_flags());
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_agent(*f);
          }};
}

} // namespace cairn
