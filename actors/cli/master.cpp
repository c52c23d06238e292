// `cairn master`: the master role alone, for a cluster spread over machines.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/mesos_flags.hpp"
#include "actors/cli/nodes.hpp"
#include "actors/cli/role_flags.hpp"
#include "runtime/connect.hpp"
#include "runtime/errors.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

struct master_command_flags {
  node_flags node;
  master_flags master;
  uint16_t actor_port = 0;  // 0: --http-port + 100
  std::string masters;      // "h1:5050,h2:5050,h3:5050"; empty: this master alone
  size_t quorum = 0;        // 0: a majority of --masters
  uint16_t log_port = 0;    // 0: --http-port + 200
  flag_table table;         // every flag above, as parsed and as listed
};

// --masters, checked: this master must be one of them, once.
caf::expected<master_log_settings> log_settings(const master_command_flags& f) {
  master_log_settings log;
  log.work_dir = f.node.work_dir;
  log.quorum = f.quorum;
  log.heartbeat_interval = f.master.heartbeat_interval;
  log.election_timeout = f.master.election_timeout;
  log.log_port = f.log_port != 0 ? f.log_port
                 : f.node.http_port == 0 ? 0
                                         : static_cast<uint16_t>(f.node.http_port + 200);
  if (f.masters.empty()) {
    // Mesos' single-master files say MESOS_QUORUM=1; anything more could
    // never be reached by a master alone.
    if (f.quorum > 1)
      return make_error(fmt::format("--quorum {} needs --masters: a master alone is a quorum of 1",
                                    f.quorum));
    return log;
  }
  auto own_ip = fmt::format("{}:{}", f.node.advertised_ip(), f.node.http_port);
  auto own_name = fmt::format("{}:{}", f.node.advertised_hostname(), f.node.http_port);
  std::optional<uint32_t> id;
  for (size_t start = 0; start <= f.masters.size();) {
    auto end = std::min(f.masters.find(',', start), f.masters.size());
    auto address = f.masters.substr(start, end - start);
    start = end + 1;
    if (address.empty() || !parse_endpoint(address, 5050))
      return make_error(fmt::format("--masters: invalid address '{}'", address));
    if (std::find(log.masters.begin(), log.masters.end(), address) != log.masters.end())
      return make_error(fmt::format("--masters: '{}' is named twice", address));
    if (address == own_ip || address == own_name) {
      id = static_cast<uint32_t>(log.masters.size());
      address = own_ip; // peers are told the address this master advertises
    }
    log.masters.push_back(address);
  }
  if (!id)
    return make_error(fmt::format("--masters must name this master ({} or {})", own_ip, own_name));
  if (f.quorum != 0 && (f.quorum * 2 <= log.masters.size() || f.quorum > log.masters.size()))
    return make_error(fmt::format("--quorum {} is not a majority of {} masters", f.quorum,
                                  log.masters.size()));
  log.id = *id;
  return log;
}

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
  options->flags = f.table.values();
  auto log = log_settings(f);
  if (!log)
    return fail(error_message(log.error()));
  auto http = f.node.http_options();
  if (!http)
    return fail(error_message(http.error()));
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  node_address where{f.node.ip, f.node.advertised_ip(), f.node.http_port,
                     f.actor_port != 0 ? f.actor_port : default_actor_port(f.node.http_port),
                     *http};
  auto node = listen_master_node(where);
  if (!node)
    return fail(error_message(node.error()));
  if (auto err = start_master_node(sys, *node, where, *options, *log))
    return fail(error_message(err));
  std::cout << fmt::format("cairn master: listening on http://{} ({} of {} masters, quorum {})",
                           node->address, log->id + 1, std::max<size_t>(1, log->masters.size()),
                           log->quorum != 0 ? log->quorum
                                            : std::max<size_t>(1, log->masters.size()) / 2 + 1)
            << std::endl;
  int sig = wait_for_termination_signal();
  logger("master")->info("signal {}: shutting down", sig);
  stop_master_node(*node);
  return 0;
}

} // namespace

command add_master_command(CLI::App& parent) {
  auto f = std::make_shared<master_command_flags>();
  auto* app = parent.add_subcommand("master", "Run a master");
  auto& t = f->table;
  f->node.add_to(t);
  f->master.add_to(t);
  t.add({"actor_port"}, f->actor_port, "Port for actor connections (default HTTP + 100)");
  t.add({"masters"}, f->masters,
        "Every master's address, this one's included, for high availability: "
        "\"h1:5050,h2:5050,h3:5050\"");
  t.add({"quorum"}, f->quorum,
        "Masters that must hold each write: more than half of --masters (default a majority)");
  t.add({"log_port"}, f->log_port, "Port of this master's replica of the log (default HTTP + 200)");
  t.refuse(mesos_common_flags());
  t.refuse(mesos_master_flags());
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_master(*f);
          }};
}

} // namespace cairn
