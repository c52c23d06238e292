#include "actors/http/master_routes.hpp"

#include "actors/http/master_documents.hpp"
#include "actors/http/routes.hpp"
#include "actors/http/ui_assets.hpp"
#include "schema/state.capnp.h"

namespace cairn {

std::string endpoint_json(const actor_endpoint& endpoint) {
  return to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                   e.setHost(endpoint.host);
                   e.setPort(endpoint.port);
                 }).get());
}

bool serve_ui(const http_request& request, const http_reply& reply) {
  std::string path = request.path == "/" ? "/index.html" : request.path;
  if (path.rfind("/ui/", 0) == 0)
    path = path.substr(3);
  for (const auto& asset : ui_assets()) {
    if (path == asset.path) {
      http_response r;
      r.content_type = asset.content_type;
      r.body = std::string(asset.body);
      reply.send(std::move(r));
      return true;
    }
  }
  return false;
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
    if (path == "/master/frameworks" || path == "/frameworks")
      return serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply),
                                               frameworks_document);
    if (path == "/master/slaves" || path == "/slaves")
      return serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply),
                                               slaves_document);
    if (path == "/master/tasks" || path == "/tasks")
      return serve_from_actor<master_snapshot>(
        sys, master, state_atom::value, std::move(reply),
        [request](const master_snapshot& s) { return tasks_document(s, request); });
    if (path == "/version")
      return reply.send(version_document());
    if (path == "/cairn/endpoint")
      return reply.send(json_response(ep));
    if (serve_ui(request, reply))
      return;
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
