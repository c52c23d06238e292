#include "actors/http/master_routes.hpp"

#include <caf/event_based_actor.hpp>

#include "runtime/json.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

constexpr auto master_timeout = std::chrono::seconds(30);

http_response json_response(std::string body, int status = 200) {
  http_response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http_response text_response(int status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

void serve_state(caf::actor_system& sys, master_actor master, http_reply reply) {
  sys.spawn([master, reply](caf::event_based_actor* self) {
    self->request(master, master_timeout, state_atom::value)
      .then([reply](const master_snapshot& snapshot) { reply.send(json_response(to_json(*snapshot))); },
            [reply](caf::error& err) {
              reply.send(text_response(503, "master did not answer: " + error_message(err)));
            });
  });
}

} // namespace

http_handler master_routes(caf::actor_system& sys, master_actor master,
                           actor_endpoint endpoint) {
  auto endpoint_json = to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                                 e.setHost(endpoint.host);
                                 e.setPort(endpoint.port);
                               }).get());
  return [&sys, master, endpoint_json](http_request request, http_reply reply) {
    const auto& path = request.path;
    if (path == "/health")
      return reply.send(text_response(200, ""));
    if (request.method != "GET")
      return reply.send(text_response(405, "only GET is served at " + path));
    if (path == "/master/state" || path == "/state" || path == "/state.json"
        || path == "/master/state.json")
      return serve_state(sys, master, std::move(reply));
    if (path == "/cairn/endpoint")
      return reply.send(json_response(endpoint_json));
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
