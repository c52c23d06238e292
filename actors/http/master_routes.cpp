#include "actors/http/master_routes.hpp"

#include "actors/http/routes.hpp"
#include "schema/state.capnp.h"

namespace cairn {

std::string endpoint_json(const actor_endpoint& endpoint) {
  return to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                   e.setHost(endpoint.host);
                   e.setPort(endpoint.port);
                 }).get());
}

http_handler master_routes(caf::actor_system& sys, master_actor master,
                           actor_endpoint endpoint) {
  return [&sys, master, ep = endpoint_json(endpoint)](http_request request, http_reply reply) {
    const auto& path = request.path;
    if (path == "/health")
      return reply.send(text_response(200, ""));
    if (request.method != "GET")
      return reply.send(text_response(405, "only GET is served at " + path));
    if (path == "/master/state" || path == "/state" || path == "/state.json"
        || path == "/master/state.json")
      return serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply));
    if (path == "/cairn/endpoint")
      return reply.send(json_response(ep));
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
