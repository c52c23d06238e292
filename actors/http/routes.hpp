// What every node's HTTP endpoints share: plain answers, and asking an actor
// for a state document from a short-lived actor so the HTTP thread never waits.
#pragma once

#include <chrono>
#include <string>

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

// Access-Control-Allow-Origin: *, so the UI served by a master can read agents.
http_response with_cors(http_response r);

} // namespace cairn
