#include "actors/http/agent_routes.hpp"

#include "actors/http/routes.hpp"

namespace cairn {

http_handler agent_routes(caf::actor_system& sys, agent_actor agent, actor_endpoint endpoint) {
  return [&sys, agent, ep = endpoint_json(endpoint)](http_request request, http_reply reply) {
    const auto& path = request.path;
    if (path == "/health")
      return reply.send(text_response(200, ""));
    if (request.method != "GET")
      return reply.send(text_response(405, "only GET is served at " + path));
    if (path == "/state" || path == "/state.json" || path == "/slave(1)/state")
      return serve_from_actor<agent_snapshot>(sys, agent, state_atom::value, std::move(reply));
    if (path == "/cairn/endpoint")
      return reply.send(json_response(ep));
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
