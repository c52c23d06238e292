// `cairn local`: the master, its allocator and N agents in one process, with
// their HTTP endpoints; executors are child processes as in any shape.
#include <iostream>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/cron_node.hpp"
#include "actors/cli/mesos_flags.hpp"
#include "actors/cli/nodes.hpp"
#include "actors/cli/services_node.hpp"
#include "actors/cli/role_flags.hpp"
#include "runtime/errors.hpp"
#include "runtime/flag_table.hpp"
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
  unsigned masters = 1;
  cron_flags cron;
  bool run_cron = true;
  services_flags services;
  bool run_services = true;
  flag_table table;  // every flag above, as parsed and as listed
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
  if (f.masters == 0 || f.masters % 2 == 0 || f.masters > 7)
    return fail("--masters must be 1, 3, 5 or 7 (a majority must survive a failure)");
  std::string work_dir = f.node.work_dir.empty() ? "/var/tmp/cairn/local" : f.node.work_dir;
  // Every option is checked before anything starts.
  auto master_opts = f.master.options(f.node);
  if (!master_opts)
    return fail(error_message(master_opts.error()));
  master_opts->flags = f.table.values();
  auto http = f.node.http_options();
  if (!http)
    return fail(error_message(http.error()));
  std::vector<agent_options> agents;
  for (unsigned i = 0; i < f.agents; ++i) {
    // The agents share this machine: each offers its part of it.
    auto o = f.agent.options(f.node, fmt::format("{}/agent-{}", work_dir, i), {i, f.agents});
    if (!o)
      return fail(error_message(o.error()));
    o->flags = f.table.values();
    agents.push_back(std::move(*o));
  }
  block_termination_signals();
  system_config cfg;
  cfg.sleep_when_idle();
  caf::actor_system sys{cfg};
  // Masters take --http-port and the ports after it; agents the ports after
  // theirs (5051, 5052, ... with one master).
  auto port_after = [&](unsigned i) -> uint16_t {
    return f.node.http_port == 0 ? 0 : static_cast<uint16_t>(f.node.http_port + i);
  };
  std::vector<master_node> masters;
  std::vector<node_address> master_where;
  master_log_settings log;
  log.heartbeat_interval = f.master.heartbeat_interval;
  log.election_timeout = f.master.election_timeout;
  for (unsigned i = 0; i < f.masters; ++i) {
    node_address where{f.node.ip, f.node.advertised_ip(), port_after(i),
                       default_actor_port(port_after(i)), *http};
    auto node = listen_master_node(where);
    if (!node)
      return fail(error_message(node.error()));
    log.masters.push_back(node->address);
    masters.push_back(std::move(*node));
    master_where.push_back(where);
  }
  for (unsigned i = 0; i < f.masters; ++i) {
    auto settings = log;
    if (f.masters == 1)
      settings.masters.clear();
    settings.id = i;
    settings.work_dir = f.masters == 1 ? work_dir : fmt::format("{}/master-{}", work_dir, i);
    settings.log_port = port_after(200 + i) == 0 ? 0 : static_cast<uint16_t>(f.node.http_port + 200 + i);
    auto options = *master_opts;
    options.seed ^= i;
    if (auto err = start_master_node(sys, masters[i], master_where[i], options, settings))
      return fail(error_message(err));
  }
  std::vector<agent_node> agent_nodes;
  for (unsigned i = 0; i < agents.size(); ++i) {
    // The agents' actors listen on any free port, for executors only. They
    // find the leading master as agents anywhere do: by its address.
    node_address agent_where{f.node.ip, f.node.advertised_ip(), port_after(f.masters + i), 0,
                             *http};
    agents[i].master_addresses = log.masters;
    auto agent = start_agent_node(sys, agent_where, agents[i], agent_call_sink{});
    if (!agent)
      return fail(error_message(agent.error()));
    agent_nodes.push_back(std::move(*agent));
  }
  std::cout << fmt::format("cairn local: {} listening on http://{}, {} agent(s), work dir {}",
                           f.masters == 1 ? "master" : fmt::format("{} masters", f.masters),
                           masters.front().address, agents.size(), work_dir)
            << std::endl;
  // The cron framework finds the leading master as any framework does.
  std::optional<cron_node> cron;
  if (f.run_cron) {
    auto flags = f.cron;
    if (f.node.http_port == 0)
      flags.http_port = 0;
    auto node = start_cron_node(sys, flags, log.masters, f.node.ip, f.node.advertised_ip(), *http);
    if (!node)
      return fail("cron: " + error_message(node.error()));
    std::cout << "cairn local: cron listening on http://" << node->address << std::endl;
    cron = std::move(*node);
  }
  std::optional<services_node> services;
  if (f.run_services) {
    auto flags = f.services;
    if (f.node.http_port == 0)
      flags.http_port = 0;
    auto node = start_services_node(sys, flags, log.masters, f.node.ip, f.node.advertised_ip(),
                                    *http);
    if (!node)
      return fail("services: " + error_message(node.error()));
    std::cout << "cairn local: services listening on http://" << node->address << std::endl;
    services = std::move(*node);
  }
  int sig = wait_for_termination_signal();
  logger("local")->info("signal {}: shutting down", sig);
  if (services) {
    caf::anon_send_exit(services->services, caf::exit_reason::user_shutdown);
    services->http.reset();
  }
  if (cron) {
    caf::anon_send_exit(cron->cron, caf::exit_reason::user_shutdown);
    cron->http.reset();
  }
  for (auto& a : agent_nodes)
    caf::anon_send_exit(a.agent, caf::exit_reason::user_shutdown);
  for (auto& m : masters)
    stop_master_node(m);
  return 0;
}

} // namespace

command add_local_command(CLI::App& parent) {
  auto f = std::make_shared<local_flags>();
  auto* app = parent.add_subcommand("local", "Run a whole cluster in this process");
  auto& t = f->table;
  f->node.add_to(t);
  f->master.add_to(t);
  f->agent.add_to(t);
  t.add({"agents"}, f->agents, "Number of agents");
  t.add({"masters"}, f->masters, "Number of masters (3 or 5: one leads, the others stand by)");
  t.add({"cron"}, f->run_cron, "Run the cron framework (Chronos' API on --cron_port)");
  f->cron.add_to(t, {"cron_port"});
  t.add({"services"}, f->run_services,
        "Run the services framework (Marathon's API on --services_port)");
  f->services.add_to(t, {"services_port"});
  t.refuse(mesos_common_flags());
  t.refuse(mesos_master_flags());
  t.refuse(mesos_agent_flags());
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_local(*f);
          }};
}

} // namespace cairn
