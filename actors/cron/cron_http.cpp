#include "actors/cron/cron_http.hpp"

#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_actor.hpp"
#include "actors/http/route_table.hpp"
#include "actors/http/routes.hpp"
#include "runtime/http_client.hpp"

namespace cairn {

namespace {

// Requests a standby is forwarding at once, each on a thread of its own;
// beyond this a standby answers 503.
constexpr int max_forwards_in_flight = 16;
constexpr auto forward_timeout = std::chrono::seconds(10);
std::atomic<int> forwards_in_flight{0};

// A standby passes the request on to the owner as it came (path and query)
// and hands back the owner's answer; the owner never forwards, so a request
// takes one hop.
void forward(caf::actor_system& sys, std::string owner, http_request request, http_reply reply) {
  if (++forwards_in_flight > max_forwards_in_flight) {
    --forwards_in_flight;
    return reply.send(text_response(503, "this cron is a standby forwarding "
                                           + std::to_string(max_forwards_in_flight)
                                           + " requests to " + owner + " already"));
  }
  sys.spawn<caf::detached>([=](caf::event_based_actor* self) {
    auto url = "http://" + owner + request.path + (request.query.empty() ? "" : "?" + request.query);
    auto method = request.method == "HEAD" ? std::string("GET") : request.method;
    caf::expected<http_result> got = make_error("no answer");
    if (method == "GET")
      got = http_get(url, forward_timeout);
    else if (method == "POST")
      got = http_post(url, request.body, "application/json", forward_timeout);
    else
      got = http_bodiless(method, url, forward_timeout);
    --forwards_in_flight;
    if (!got) {
      reply.send(text_response(503, "the owning cron (" + owner + ") did not answer: "
                                      + error_message(got.error())));
    } else {
      http_response r;
      r.status = static_cast<int>(got->status);
      auto type = got->header("content-type");
      r.content_type = type.empty() ? "text/plain" : type;
      r.body = std::move(got->body);
      reply.send(std::move(r));
    }
    self->quit();
  });
}

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
          if (status == cron_forward_status)
            return forward(self->system(), body, request, reply);
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
