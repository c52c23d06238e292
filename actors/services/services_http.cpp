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

// GET /v2/events: server-sent events, one subscriber actor per client,
// ended when the client leaves or services ends.
caf::behavior events_stream(caf::event_based_actor* self, caf::actor services,
                            std::string types, std::shared_ptr<http_stream> stream) {
  exit_with_stream(*stream, self->address());
  self->monitor(services);
  self->set_down_handler([=](caf::down_msg&) {
    stream->close();
    self->quit();
  });
  self->request(services, actor_answer_timeout, services_subscribe_atom::value,
                caf::actor_cast<caf::actor>(self), types)
    .then(
      [=](bool accepted) {
        if (!accepted) {
          stream->write("event: error\ndata: {\"message\":\"too many event subscribers\"}\n\n");
          stream->close();
          self->quit();
        }
      },
      [=](caf::error&) {
        stream->close();
        self->quit();
      });
  return {
    [=](services_event_atom, const std::string& type, const std::string& data) {
      if (!stream->write("event: " + type + "\ndata: " + data + "\n\n"))
        self->quit();
    },
  };
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
  table->add({"/v2/events"}, {"GET"}, [=](http_request request, http_reply reply) {
    // Marathon's filter: event_type=a&event_type=b (or a comma list here).
    std::string types;
    std::string_view q = request.query;
    while (!q.empty()) {
      auto amp = q.find('&');
      auto pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == "event_type")
        types += (types.empty() ? "" : ",") + url_decode(pair.substr(eq + 1));
    }
    auto stream = reply.open_stream(200, "text/event-stream", {{"Cache-Control", "no-cache"}});
    system->spawn(events_stream, services, types, stream);
  });
  table->add_prefix("/v2/", {}, handler);
  table->add({"/ping"}, {"GET"}, handler);
  return http_server::start(std::move(ip), port, route_table::handler(table), options);
}

} // namespace cairn
