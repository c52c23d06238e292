// `cairn local`: the master, its allocator and N agents in one process, with
// the HTTP endpoints; executors are child processes as in any shape.
#include <iostream>
#include <memory>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/role_flags.hpp"
#include "actors/http/master_routes.hpp"
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

// Serves 503 until the master is up, then the master's routes.
class late_routes {
public:
  http_handler handler() {
    return [this](http_request req, http_reply reply) {
      http_handler inner;
      {
        std::lock_guard<std::mutex> guard{mutex_};
        inner = inner_;
      }
      if (!inner) {
        http_response r;
        r.status = 503;
        r.content_type = "text/plain";
        r.body = "starting";
        return reply.send(std::move(r));
      }
      inner(std::move(req), std::move(reply));
    };
  }
  void set(http_handler h) {
    std::lock_guard<std::mutex> guard{mutex_};
    inner_ = std::move(h);
  }

private:
  std::mutex mutex_;
  http_handler inner_;
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
  // Every agent's options are checked before anything starts.
  std::vector<agent_options> agents;
  for (unsigned i = 0; i < f.agents; ++i) {
    auto o = f.agent.options(f.node, fmt::format("{}/agent-{}", work_dir, i));
    if (!o)
      return fail(error_message(o.error()));
    agents.push_back(std::move(*o));
  }
  auto master_opts = f.master.options(f.node);
  if (!master_opts)
    return fail(error_message(master_opts.error()));
  block_termination_signals();
  system_config cfg;
  caf::actor_system sys{cfg};
  late_routes routes;
  auto http = http_server::start(f.node.ip, f.node.http_port, routes.handler());
  if (!http)
    return fail(error_message(http.error()));
  uint16_t http_port = (*http)->port();
  master_opts->http_port = http_port;
  auto master = spawn_master(sys, *master_opts);
  uint16_t wanted_actor_port = f.node.http_port == 0 ? 0 : f.node.http_port + 100;
  auto actor_port = sys.middleman().publish(master, wanted_actor_port, f.node.ip.c_str(), true);
  if (!actor_port)
    return fail(fmt::format("cannot listen for actors on {}:{}: {}", f.node.ip,
                            wanted_actor_port, sys.render(actor_port.error())));
  routes.set(master_routes(sys, master, {f.node.advertised_ip(), *actor_port}));
  std::vector<agent_actor> agent_handles;
  for (unsigned i = 0; i < agents.size(); ++i) {
    agents[i].http_port = static_cast<uint16_t>(http_port + 1 + i);
    auto agent = spawn_agent(sys, agents[i], caf::actor_cast<agent_call_sink>(master));
    auto port = sys.middleman().publish(agent, 0, "127.0.0.1", true);
    if (!port)
      return fail("cannot listen for executors: " + sys.render(port.error()));
    caf::anon_send(agent, endpoint_atom::value, fmt::format("127.0.0.1:{}", *port));
    agent_handles.push_back(agent);
  }
  std::cout << fmt::format("cairn local: master listening on http://{}:{} (actors on port {}), "
                           "{} agent(s), work dir {}",
                           f.node.advertised_ip(), http_port, *actor_port, agents.size(),
                           work_dir)
            << std::endl;
  int sig = wait_for_termination_signal();
  logger("local")->info("signal {}: shutting down", sig);
  for (auto& a : agent_handles)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
  http->reset();
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
