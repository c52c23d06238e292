// `cairn services`: the services framework (Marathon's job) in its own
// process, with Marathon's REST API on --http_port (8080, Marathon's).
#include <iostream>

#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/services_node.hpp"
#include "actors/services/services_http.hpp"
#include "runtime/connect.hpp"
#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

constexpr auto master_wait = std::chrono::seconds(30);

struct services_command_flags {
  std::string master = "127.0.0.1:5050";
  std::string ip = "127.0.0.1";
  std::string hostname;
  std::string logging_level = "INFO";
  services_flags services;
  flag_table table;
};

int fail(const std::string& message) {
  std::cerr << "cairn services: " << message << std::endl;
  return 1;
}

int run_services(const services_command_flags& f) {
  if (!setup_logging(f.logging_level))
    return fail("unknown --logging-level '" + f.logging_level + "'");
  auto masters = parse_address_list(f.master, default_master_port);
  if (!masters)
    return fail("--master: " + error_message(masters.error()));
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  auto node = start_services_node(sys, f.services, *masters, f.ip,
                                  f.hostname.empty() ? f.ip : f.hostname, {});
  if (!node)
    return fail(error_message(node.error()));
  std::cout << "cairn services: listening on http://" << node->address << std::endl;
  wait_for_termination_signal();
  caf::anon_send_exit(node->services, caf::exit_reason::user_shutdown);
  node->http.reset();
  return 0;
}

} // namespace

void services_flags::add_to(flag_table& t, std::vector<std::string> port_names) {
  t.add(std::move(port_names), http_port, "The services framework's REST API port (Marathon's API)");
  t.add({"services_role"}, role, "The role the services framework's tasks run in");
  t.add({"services_user"}, user,
        "The user the services framework's tasks run as (default: this one)");
  t.add({"framework_name"}, framework_name, "The services framework's name at the master");
  t.add({"decline_offer_duration"}, decline_offer_duration_ms,
        "How long (milliseconds) an offer that fits no waiting instance is refused");
}

caf::expected<services_node> start_services_node(caf::actor_system& sys,
                                                 const services_flags& flags,
                                                 const std::vector<std::string>& masters,
                                                 const std::string& ip,
                                                 const std::string& advertised,
                                                 const http_server_options& http) {
  auto master = connect_within<master_actor>(sys, masters, master_wait);
  if (!master)
    return make_error("cannot reach the master at " + masters.front() + ": " +
                      error_message(master.error()));
  services_options options;
  options.master_addresses = masters;
  options.role = flags.role;
  options.framework_name = flags.framework_name;
  options.decline_offer_seconds = static_cast<double>(flags.decline_offer_duration_ms) / 1000.0;
  const char* who = getenv("USER");
  options.user = !flags.user.empty() ? flags.user : who ? who : "root";
  services_node node;
  options.http_port = flags.http_port;
  node.services = spawn_services(sys, options, *master);
  auto server = serve_services_http(sys, node.services, ip, flags.http_port, http);
  if (!server) {
    caf::anon_send_exit(node.services, caf::exit_reason::user_shutdown);
    return server.error();
  }
  node.http = std::move(*server);
  node.address = fmt::format("{}:{}", advertised, node.http->port());
  caf::anon_send(node.services, services_address_atom::value, node.address);
  return node;
}

command add_services_command(CLI::App& parent) {
  auto f = std::make_shared<services_command_flags>();
  auto* app = parent.add_subcommand("services",
                                    "Keep long-running apps running, like Marathon");
  auto& t = f->table;
  t.add({"master"}, f->master, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  t.add({"ip"}, f->ip, "The address the REST API listens on");
  t.add({"hostname"}, f->hostname, "The host name /v2/leader and /v2/info tell");
  t.add({"logging_level"}, f->logging_level, "INFO, WARNING, ERROR");
  f->services.add_to(t, {"http_port", "port"});
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_services(*f);
          }};
}

} // namespace cairn
