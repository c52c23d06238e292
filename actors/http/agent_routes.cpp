#include "actors/http/agent_routes.hpp"

#include "actors/http/executor_http.hpp"
#include "actors/http/files_api.hpp"
#include "actors/http/flags_document.hpp"
#include "actors/http/monitor_documents.hpp"
#include "actors/http/node_calls.hpp"
#include "actors/http/operator_http.hpp"
#include "actors/http/route_table.hpp"
#include "actors/http/routes.hpp"

namespace cairn {

http_handler agent_routes(caf::actor_system& sys, agent_actor agent, actor_endpoint endpoint,
                          std::string work_dir, const flag_list& flags) {
  auto table = std::make_shared<route_table>();
  table->get({"/health", "/slave(1)/health"}, [](http_request request, http_reply reply) {
    reply.send(with_cors(request, text_response(200, "")));
  });
  table->add({"/api/v1", "/slave(1)/api/v1"}, {"POST"},
             [&sys, agent, work_dir](http_request request, http_reply reply) {
               serve_operator_call(sys, agent, work_dir, request, std::move(reply));
             });
  table->add({"/api/v1/executor", "/slave(1)/api/v1/executor"}, {"POST"},
             executor_api(sys, agent));
  table->get({"/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"},
             [&sys, agent](http_request request, http_reply reply) {
               serve_from_actor<agent_snapshot>(
                 sys, agent, state_atom::value, std::move(reply),
                 [request](const agent_snapshot& s) {
                   return with_cors(request, json_response(to_json(*s)));
                 });
             });
  // What each running executor's container uses: the agent asks its
  // containerizer for all of them (GET_CONTAINERS) and answers when all replied.
  auto usage = [&sys, agent](std::string (*render)(
                 schema::operator_api::AgentResponse::GetContainers::Reader)) {
    return [&sys, agent, render](http_request request, http_reply reply) {
      auto call = make_wire<schema::operator_api::Call>(
        [](auto c) { c.setType(schema::operator_api::Call::Type::GET_CONTAINERS); });
      serve_from_actor<agent_operator_response>(
        sys, agent, call, std::move(reply), [request, render](const agent_operator_response& r) {
          return with_cors(request, json_response(render(r->getGetContainers())));
        });
    };
  };
  table->get({"/monitor/statistics", "/monitor/statistics.json", "/slave(1)/monitor/statistics",
              "/slave(1)/monitor/statistics.json"},
             usage(monitor_statistics_json));
  table->get({"/containers", "/slave(1)/containers"}, usage(containers_json));
  // Files are read off the HTTP event loop: a slow disk stalls one thread.
  auto files = [&sys, work_dir](http_response (*serve)(const std::string&,
                                                       const http_request&)) {
    return [&sys, work_dir, serve](http_request request, http_reply reply) {
      off_the_loop(sys, reply, [work_dir, serve, request]() { return serve(work_dir, request); });
    };
  };
  table->get({"/files/browse", "/files/browse.json"}, files(browse_files));
  table->get({"/files/read", "/files/read.json"}, files(read_file));
  table->get({"/files/download", "/files/download.json"}, files(download_file));
  for (bool prometheus : {false, true})
    table->get({prometheus ? "/metrics" : "/metrics/snapshot"},
               [&sys, agent, prometheus](http_request, http_reply reply) {
                 serve_metrics(sys, agent, prometheus, std::move(reply));
               });
  table->get({"/flags", "/slave(1)/flags"},
             [doc = flags_response(flags)](http_request request, http_reply reply) {
               reply.send(with_cors(request, http_response(doc)));
             });
  // Mesos' endpoint for the node's logging level (GET_LOGGING_LEVEL reads it).
  table->add({"/logging/toggle"}, {"GET", "POST"},
             [&sys](http_request request, http_reply reply) {
               serve_logging_toggle(sys, request, std::move(reply));
             });
  table->get({"/cairn/endpoint"}, [ep = endpoint_json(endpoint)](http_request, http_reply reply) {
    reply.send(json_response(ep));
  });
  return route_table::handler(std::move(table));
}

} // namespace cairn
