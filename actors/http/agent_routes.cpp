#include "actors/http/agent_routes.hpp"

#include "actors/http/executor_http.hpp"
#include "actors/http/files_api.hpp"
#include "actors/http/operator_http.hpp"
#include "actors/http/routes.hpp"

namespace cairn {

http_handler agent_routes(caf::actor_system& sys, agent_actor agent, actor_endpoint endpoint,
                          std::string work_dir) {
  auto executors = executor_api(sys, agent);
  return [&sys, agent, executors, ep = endpoint_json(endpoint), work_dir](http_request request,
                                                                           http_reply reply) {
    const auto& path = request.path;
    if (path == "/health")
      return reply.send(with_cors(request, text_response(200, "")));
    if (path == "/api/v1" || path == "/slave(1)/api/v1")
      return serve_operator_call(sys, agent, request, std::move(reply));
    if (path == "/api/v1/executor" || path == "/slave(1)/api/v1/executor")
      return executors(std::move(request), std::move(reply));
    if (request.method != "GET")
      return reply.send(text_response(405, "only GET is served at " + path));
    if (path == "/state" || path == "/state.json" || path == "/slave(1)/state")
      return serve_from_actor<agent_snapshot>(
        sys, agent, state_atom::value, std::move(reply),
        [request](const agent_snapshot& s) {
          return with_cors(request, json_response(to_json(*s)));
        });
    if (path == "/files/browse" || path == "/files/browse.json")
      return reply.send(browse_files(work_dir, request));
    if (path == "/files/read" || path == "/files/read.json")
      return reply.send(read_file(work_dir, request));
    if (path == "/files/download" || path == "/files/download.json")
      return reply.send(download_file(work_dir, request));
    if (path == "/metrics/snapshot")
      return serve_metrics(sys, agent, false, std::move(reply));
    if (path == "/metrics")
      return serve_metrics(sys, agent, true, std::move(reply));
    if (path == "/cairn/endpoint")
      return reply.send(json_response(ep));
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
