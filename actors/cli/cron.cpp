// `cairn cron`: the cron framework (Chronos' job) in its own process, with
// its REST API on --http_port (4400, Chronos' first default).
#include <algorithm>
#include <cctype>
#include <atomic>
#include <csignal>
#include <iostream>

#include <unistd.h>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/cron_node.hpp"
#include "actors/cron/cron_http.hpp"
#include "actors/cron/tz_database.hpp"
#include "runtime/connect.hpp"
#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/signals.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

constexpr auto master_wait = std::chrono::seconds(30);

struct cron_command_flags {
  std::string master = "127.0.0.1:5050";
  std::string ip = "127.0.0.1";
  std::string hostname;
  std::string logging_level = "INFO";
  cron_flags cron;
  flag_table table;
};

int fail(const std::string& message) {
  std::cerr << "cairn cron: " << message << std::endl;
  return 1;
}

int run_cron(const cron_command_flags& f) {
  if (!setup_logging(f.logging_level))
    return fail("unknown --logging-level '" + f.logging_level + "'");
  auto masters = parse_address_list(f.master, default_master_port);
  if (!masters)
    return fail("--master: " + error_message(masters.error()));
  if (auto retry = parse_failure_retry(f.cron.failure_retry); !retry)
    return fail(error_message(retry.error()));
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  auto node = start_cron_node(sys, f.cron, *masters, f.ip, f.hostname.empty() ? f.ip : f.hostname,
                              {});
  if (!node)
    return fail(error_message(node.error()));
  std::cout << "cairn cron: listening on http://" << node->address << std::endl;
  // The framework quits when another instance took its prefix over: the
  // process ends then, for its supervisor to start it again as a standby.
  static std::atomic<bool> quit_by_itself{false}, stopping{false};
  sys.spawn([cron = node->cron](caf::event_based_actor* self) {
    self->monitor(cron);
    self->set_down_handler([self](const caf::down_msg&) {
      if (!stopping) {
        quit_by_itself = true;
        ::kill(::getpid(), SIGTERM);
      }
      self->quit();
    });
  });
  wait_for_termination_signal();
  stopping = true;
  caf::anon_send_exit(node->cron, caf::exit_reason::user_shutdown);
  node->http.reset();
  return quit_by_itself ? 1 : 0;
}

} // namespace

void cron_flags::add_to(flag_table& t, std::vector<std::string> port_names) {
  t.add(std::move(port_names), http_port, "The cron framework's REST API port (Chronos' API)");
  t.add({"failure_retry"}, failure_retry,
        "How long after a failed attempt a job is tried again: milliseconds, as Chronos "
        "takes it, or a duration (1secs)");
  t.add({"cron_role"}, role, "The role the cron framework's tasks run in");
  t.add({"cron_user"}, user, "The user the cron framework's tasks run as (default: this one)");
}

caf::expected<duration> parse_failure_retry(const std::string& text) {
  if (!text.empty() && text.size() < 12
      && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return duration{std::chrono::milliseconds(std::stoll(text))};
  auto d = parse_duration(text);
  if (!d)
    return make_error("--failure_retry: " + error_message(d.error()));
  return *d;
}

caf::expected<cron_node> start_cron_node(caf::actor_system& sys, const cron_flags& flags,
                                         const std::vector<std::string>& masters,
                                         const std::string& ip, const std::string& advertised,
                                         const http_server_options& http) {
  auto retry = parse_failure_retry(flags.failure_retry);
  if (!retry)
    return retry.error();
  auto master = connect_within<master_actor>(sys, masters, master_wait);
  if (!master)
    return make_error("cannot reach the master at " + masters.front() + ": " +
                      error_message(master.error()));
  // Read here, on a thread that may block, so that the actor never reads it.
  size_t zones = cron::preload_time_zones();
  logger("cron")->info("{} time zones read from the tz database", zones);
  cron_options options;
  options.master_addresses = masters;
  options.failure_retry = *retry;
  options.role = flags.role;
  const char* who = getenv("USER");
  options.user = !flags.user.empty() ? flags.user : who ? who : "root";
  cron_node node;
  node.cron = spawn_cron(sys, options, *master);
  auto server = serve_cron_http(sys, node.cron, ip, flags.http_port, http);
  if (!server) {
    caf::anon_send_exit(node.cron, caf::exit_reason::user_shutdown);
    return server.error();
  }
  node.http = std::move(*server);
  node.address = fmt::format("{}:{}", advertised, node.http->port());
  caf::anon_send(node.cron, api_address_atom::value, node.address);
  return node;
}

command add_cron_command(CLI::App& parent) {
  auto f = std::make_shared<cron_command_flags>();
  auto* app = parent.add_subcommand("cron", "Run scheduled and dependent jobs, like Chronos");
  auto& t = f->table;
  t.add({"master"}, f->master, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  t.add({"ip"}, f->ip, "The address the REST API listens on");
  t.add({"hostname"}, f->hostname, "The host name GET /leader tells");
  t.add({"logging_level"}, f->logging_level, "INFO, WARNING, ERROR");
  f->cron.add_to(t, {"http_port", "port"});
  t.add_to(*app);
  return {app, [f, app] {
            if (auto err = f->table.finish(*app, process_environment()))
              return fail(error_message(err));
            return run_cron(*f);
          }};
}

} // namespace cairn
