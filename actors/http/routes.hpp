// What every node's HTTP endpoints share: plain answers, and asking an actor
// for a state document from a short-lived actor so the HTTP thread never waits.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "runtime/errors.hpp"
#include "runtime/http_server.hpp"
#include "runtime/json.hpp"

namespace cairn {

inline constexpr auto actor_answer_timeout = std::chrono::seconds(30);

http_response json_response(std::string body, int status = 200);
http_response text_response(int status, std::string body);

// Answers `reply` with `render(answer)`, where `answer` is what `target`
// replies to `request`; `render` runs in a short-lived actor, not in `target`.
template <class Answer, class Handle, class Request, class Render>
void serve_from_actor(caf::actor_system& sys, Handle target, Request request, http_reply reply,
                      Render render) {
  sys.spawn([target, request, reply, render](caf::event_based_actor* self) {
    self->request(target, actor_answer_timeout, request)
      .then([reply, render](const Answer& answer) { reply.send(render(answer)); },
            [reply](caf::error& err) {
              reply.send(text_response(503, "no answer: " + error_message(err)));
            });
  });
}

// The JSON of what `target` replies.
template <class Answer, class Handle, class Request>
void serve_from_actor(caf::actor_system& sys, Handle target, Request request, http_reply reply) {
  serve_from_actor<Answer>(sys, target, request, std::move(reply),
                           [](const Answer& a) { return json_response(to_json(*a)); });
}

// When `stream` can no longer reach its client, `actor` exits at once rather
// than at its next write, so that whoever monitors it learns the client left.
void exit_with_stream(http_stream& stream, const caf::actor_addr& actor);

// Access-Control-Allow-Origin: *, so the UI served by a master can read
// agents; only on a GET or HEAD: nothing that changes state may be readable
// by (or answer to) any web page a user happens to visit.
http_response with_cors(const http_request& request, http_response r);

// The media type of a Content-Type value, lower-cased, without parameters:
// "Application/JSON; charset=utf-8" is "application/json".
std::string media_type(std::string_view content_type);

// What a route takes as a request body.
enum class body_format {
  json,       // application/json only (/weights)
  mesos_call, // application/json or application/x-protobuf (Mesos' two forms)
  bytes,      // stored as they come: application/octet-stream or application/json
};

// Nullopt when the request's Content-Type is one `format` takes, else the
// 415 to answer, naming what is expected. Exact media types only: a browser
// sends `text/plain;application/json` (or form types) cross-site without a
// preflight, so a looser match would let any web page call the API.
std::optional<http_response> refuse_body_type(const http_request& request, body_format format);

} // namespace cairn
