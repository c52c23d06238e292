#include "actors/cli/nodes.hpp"

#include <mutex>

#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/http/agent_routes.hpp"
#include "actors/http/master_routes.hpp"
#include "actors/http/routes.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

// The HTTP server starts before the actor it serves (the actor needs to know
// the port); until the routes are set it answers 503.
class late_routes {
public:
  http_handler handler() {
    return [state = state_](http_request req, http_reply reply) {
      http_handler inner;
      {
        std::lock_guard<std::mutex> guard{state->mutex};
        inner = state->inner;
      }
      if (!inner)
        return reply.send(text_response(503, "starting"));
      inner(std::move(req), std::move(reply));
    };
  }

  void set(http_handler h) {
    std::lock_guard<std::mutex> guard{state_->mutex};
    state_->inner = std::move(h);
  }

private:
  struct shared {
    std::mutex mutex;
    http_handler inner;
  };
  std::shared_ptr<shared> state_ = std::make_shared<shared>();
};


} // namespace

uint16_t default_actor_port(uint16_t http_port) {
  return http_port == 0 ? 0 : static_cast<uint16_t>(http_port + 100);
}

caf::expected<master_node> listen_master_node(const node_address& where) {
  late_routes routes;
  auto http = http_server::start(where.ip, where.http_port, routes.handler(), where.http);
  if (!http)
    return http.error();
  master_node node;
  node.http = std::move(*http);
  node.http_port = node.http->port();
  node.address = fmt::format("{}:{}", where.advertised, node.http_port);
  node.set_routes = [routes](http_handler h) mutable { routes.set(std::move(h)); };
  return node;
}

caf::error start_master_node(caf::actor_system& sys, master_node& node, const node_address& where,
                             master_options options, master_log_settings log) {
  options.http_port = node.http_port;
  options.ip = where.advertised;
  contender_options c;
  c.listen_ip = where.ip;
  c.actor_port = where.actor_port;
  c.log_port = log.log_port;
  c.shared = node.shared;
  c.log.addresses = log.masters.empty() ? std::vector<std::string>{node.address} : log.masters;
  c.log.id = log.masters.empty() ? 0 : log.id;
  c.log.quorum = log.quorum != 0 ? log.quorum : c.log.addresses.size() / 2 + 1;
  c.log.work_dir = log.work_dir;
  c.log.advertised = node.address;
  c.log.seed = options.seed ^ (uint64_t{c.log.id} << 32);
  c.log.heartbeat_interval = log.heartbeat_interval;
  c.log.election_timeout = log.election_timeout;
  auto flags = options.flags;
  c.master = std::move(options);
  auto contender = spawn_contender(sys, std::move(c));
  if (!contender)
    return contender.error();
  node.contender = contender->actor;
  node.log_port = std::move(contender->log_port);
  node.set_routes(master_routes(sys, node.shared, where.advertised, flags));
  return caf::none;
}

void stop_master_node(master_node& node) {
  if (node.contender)
    caf::anon_send_exit(node.contender, caf::exit_reason::user_shutdown);
  node.log_port.reset();
}

caf::expected<agent_node> start_agent_node(caf::actor_system& sys, const node_address& where,
                                           agent_options options, agent_call_sink master) {
  late_routes routes;
  auto http = http_server::start(where.ip, where.http_port, routes.handler(), where.http);
  if (!http)
    return http.error();
  agent_node node;
  node.http = std::move(*http);
  node.http_port = node.http->port();
  options.http_port = node.http_port;
  options.actor_endpoint.clear(); // known once published
  std::string local_ip = where.ip == "0.0.0.0" ? "127.0.0.1" : where.ip;
  options.http_endpoint = fmt::format("{}:{}", local_ip, node.http_port);
  auto work_dir = options.work_dir;
  auto flags = options.flags;
  node.agent = spawn_agent(sys, std::move(options), std::move(master));
  auto published = publish_actor(sys, node.agent, where.ip, where.actor_port);
  if (!published) {
    caf::anon_send_exit(node.agent, caf::exit_reason::user_shutdown);
    return make_error(fmt::format("cannot listen for actors on {}:{}: {}", where.ip,
                                  where.actor_port, error_message(published.error())));
  }
  node.actor_port = std::move(*published);
  auto port = node.actor_port->port();
  // Executors run on this machine: they connect where the agent listens.
  caf::anon_send(node.agent, endpoint_atom::value, fmt::format("{}:{}", local_ip, port));
  routes.set(agent_routes(sys, node.agent, {where.advertised, port}, work_dir, flags));
  return node;
}

} // namespace cairn
