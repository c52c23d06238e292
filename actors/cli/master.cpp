// `cairn master`: the master role alone, for a cluster spread over machines.
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

struct master_command_flags {
  node_flags node;
  master_flags master;
  uint16_t actor_port = 0;  // 0: --http-port + 100
};

int fail(const std::string& message) {
  std::cerr << "cairn master: " << message << std::endl;
  return 1;
}

int run_master(const master_command_flags& f) {
  if (!setup_logging(f.node.logging_level))
    return fail("unknown --logging-level '" + f.node.logging_level + "'");
  if (f.node.work_dir.empty())
    return fail("--work-dir is required");
  auto options = f.master.options(f.node);
  if (!options)
    return fail(error_message(options.error()));
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  node_address where{f.node.ip, f.node.advertised_ip(), f.node.http_port,
                     f.actor_port != 0 ? f.actor_port : default_actor_port(f.node.http_port)};
  auto node = start_master_node(sys, where, *options);
  if (!node)
    return fail(error_message(node.error()));
  std::cout << fmt::format("cairn master: listening on http://{}:{} (actors on port {})",
                           f.node.advertised_ip(), node->http_port, node->actor_port)
            << std::endl;
  int sig = wait_for_termination_signal();
  logger("master")->info("signal {}: shutting down", sig);
  caf::anon_send_exit(node->master, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

command add_master_command(CLI::App& parent) {
  auto f = std::make_shared<master_command_flags>();
  auto* app = parent.add_subcommand("master", "Run a master");
  f->node.add_to(*app);
  f->master.add_to(*app);
  add_flag(*app, "actor-port", f->actor_port, "Port for actor connections (default HTTP + 100)");
  return {app, [f] { return run_master(*f); }};
}

} // namespace cairn
