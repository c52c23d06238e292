#include "actors/services/services_http.hpp"

#include <caf/event_based_actor.hpp>

#include "actors/http/route_table.hpp"
#include "actors/http/routes.hpp"
#include "actors/services/services_actor.hpp"

namespace cairn {

namespace {

void ask(caf::actor_system& sys, caf::actor services, http_request request, http_reply reply) {
  if (request.method == "POST" || request.method == "PUT")
    if (!request.body.empty())
      if (auto refused = refuse_body_type(request, body_format::json))
        return reply.send(std::move(*refused));
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(services, actor_answer_timeout, services_api_atom::value, request.method,
                  request.path, request.query, request.body)
      .then(
        [=](int status, const std::string& type, const std::string& body,
            const std::string& location) {
          http_response r;
          r.status = status;
          r.content_type = type;
          r.body = body;
          if (!location.empty())
            r.headers.emplace_back("Location", location);
          reply.send(std::move(r));
        },
        [=](caf::error& err) {
          reply.send(text_response(503, "services did not answer: " + error_message(err)));
        });
  });
}

} // namespace

caf::expected<std::unique_ptr<http_server>> serve_services_http(caf::actor_system& sys,
                                                                caf::actor services,
                                                                std::string ip, uint16_t port,
                                                                http_server_options options) {
  auto table = std::make_shared<route_table>();
  auto* system = &sys;
  auto handler = [=](http_request request, http_reply reply) {
    ask(*system, services, std::move(request), std::move(reply));
  };
  table->add_prefix("/v2/", {}, handler);
  table->add({"/ping"}, {"GET"}, handler);
  return http_server::start(std::move(ip), port, route_table::handler(table), options);
}

} // namespace cairn
