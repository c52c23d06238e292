// `cairn lb`: service discovery by load balancer, as marathon-lb does for
// Marathon. A real HAProxy, run as this command's child, serves each app's
// service ports from the app's instances that take traffic.
#include <iostream>

#include <caf/send.hpp>

#include "actors/cli/commands.hpp"
#include "actors/lb/lb_actor.hpp"
#include "runtime/connect.hpp"
#include "runtime/errors.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

constexpr uint16_t default_services_port = 8080;

struct lb_command_flags {
  std::string services = "127.0.0.1:8080";
  std::string logging_level = "INFO";
  lb::lb_options lb;
  flag_table table;
};

int fail(const std::string& message) {
  std::cerr << "cairn lb: " << message << std::endl;
  return 1;
}

int run_lb(lb_command_flags& f) {
  if (!setup_logging(f.logging_level))
    return fail("unknown --logging-level '" + f.logging_level + "'");
  auto services = parse_address_list(f.services, default_services_port);
  if (!services)
    return fail("--services: " + error_message(services.error()));
  if (f.lb.interval <= duration::zero())
    return fail("--interval must be more than 0");
  if (f.lb.stats_port == 0)
    return fail("--stats-port must be a port, not 0");
  f.lb.services = *services;
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  auto node = lb::spawn_lb(sys, f.lb);
  std::cout << "cairn lb: following " << f.services << "; HAProxy stats on http://"
            << f.lb.bind << ":" << f.lb.stats_port << "/haproxy?stats" << std::endl;
  wait_for_termination_signal();
  // The actor stops HAProxy as it ends; the actor system waits for it.
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

command add_lb_command(CLI::App& parent) {
  auto f = std::make_shared<lb_command_flags>();
  auto* app = parent.add_subcommand(
    "lb", "Balance each app's service ports over its instances with HAProxy, like marathon-lb");
  auto& t = f->table;
  t.add({"services"}, f->services,
        "The services frameworks' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  t.add({"bind"}, f->lb.bind, "The address HAProxy's listeners bind");
  t.add({"stats_port"}, f->lb.stats_port, "HAProxy's stats and health-check listener's port");
  t.add({"haproxy"}, f->lb.haproxy, "The HAProxy program");
  t.add({"config"}, f->lb.config_path, "Where HAProxy's configuration is written");
  t.add({"interval"}, f->lb.interval, "How often the apps are read again");
  t.add({"sse"}, f->lb.sse,
        "Follow /v2/events to read the apps again as soon as instances change");
  t.add({"logging_level"}, f->logging_level, "INFO, WARNING, ERROR");
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_lb(*f);
          }};
}

} // namespace cairn
