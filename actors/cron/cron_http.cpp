#include "actors/cron/cron_http.hpp"

#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_actor.hpp"
#include "actors/http/route_table.hpp"
#include "actors/http/routes.hpp"

namespace cairn {

namespace {

void ask(caf::actor_system& sys, caf::actor cron, std::string path, http_request request,
         http_reply reply) {
  if (request.method == "POST")
    if (auto refused = refuse_body_type(request, body_format::json))
      return reply.send(std::move(*refused));
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(cron, actor_answer_timeout, cron_api_atom::value, request.method, path,
                  request.query, request.body)
      .then(
        [=](int status, const std::string& type, const std::string& body) {
          http_response r;
          r.status = status;
          r.content_type = type;
          r.body = body;
          reply.send(std::move(r));
        },
        [=](caf::error& err) {
          reply.send(text_response(503, "cron did not answer: " + error_message(err)));
        });
  });
}

} // namespace

caf::expected<std::unique_ptr<http_server>> serve_cron_http(caf::actor_system& sys,
                                                            caf::actor cron, std::string ip,
                                                            uint16_t port,
                                                            http_server_options options) {
  auto table = std::make_shared<route_table>();
  auto* system = &sys;
  for (std::string prefix : {"/v1/scheduler", "/scheduler"})
    table->add_prefix(prefix + "/", {}, [=](http_request request, http_reply reply) {
      auto path = request.path.substr(prefix.size());
      ask(*system, cron, path, std::move(request), std::move(reply));
    });
  table->add({"/leader"}, {"GET"}, [=](http_request request, http_reply reply) {
    ask(*system, cron, "/leader", std::move(request), std::move(reply));
  });
  table->add({"/", "/ui", "/ui/"}, {"GET"}, [](http_request, http_reply reply) {
    http_response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = cron_ui_page();
    reply.send(std::move(r));
  });
  return http_server::start(std::move(ip), port, route_table::handler(table), options);
}

} // namespace cairn
