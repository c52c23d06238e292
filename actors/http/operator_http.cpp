#include "actors/http/operator_http.hpp"

#include <memory>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/http/mesos_media.hpp"
#include "actors/http/node_calls.hpp"
#include "actors/http/recordio.hpp"
#include "actors/http/routes.hpp"
#include "runtime/log.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

using Type = schema::operator_api::Call::Type;

// Forwards the events of SUBSCRIBE (of type Ev, written as Mesos' `kind`)
// to the HTTP stream until the client leaves.
template <class Ev, class Response>
caf::behavior operator_stream(caf::event_based_actor* self, caf::actor target,
                              operator_call subscribe, std::shared_ptr<http_stream> stream,
                              mesos_media media, mesos_message kind) {
  // The stream ends with the node it follows; and the subscriber's slot is
  // freed as soon as its client leaves.
  exit_with_stream(*stream, self->address());
  self->monitor(target);
  self->set_down_handler([=](caf::down_msg&) {
    stream->close();
    self->quit();
  });
  self->request(target, caf::infinite, subscribe)
    .then([](const Response&) {}, [=](caf::error& err) {
      logger("http")->warn("operator SUBSCRIBE failed: {}", self->home_system().render(err));
      stream->close();
      self->quit();
    });
  return {
    [=](const Ev& e) {
      auto record = write_mesos_message(media, kind, to_json(*e));
      if (!record) {
        logger("http")->error("event is not a Mesos operator event, stream ended: {}",
                              error_message(record.error()));
        stream->close();
        self->quit();
      } else if (!stream->write(recordio(*record))) {
        logger("http")->info("operator stream client gone");
        self->quit();
      }
    },
  };
}

// Answers with `render` of the response; a call the target refuses as
// invalid is a 400 with its reason, any other failure a 503.
template <class Response = operator_response, class Handle, class Render>
void ask_operator(caf::actor_system& sys, const Handle& target, operator_call call,
                  http_reply reply, Render render) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(target, actor_answer_timeout, call)
      .then([=](const Response& r) { reply.send(render(r)); },
            [=](caf::error& err) {
              bool invalid = err.category() == caf::atom("system")
                             && err.code() == static_cast<uint8_t>(caf::sec::invalid_argument);
              // A call cairn knows but does not serve yet is 501, naming it.
              int status = invalid ? 400 : is_not_supported(err) ? 501 : 503;
              reply.send(text_response(status, error_message(err)));
            });
  });
}

// Mesos' master and agent answer in their own shapes: Response and Event
// for a master, AgentResponse and AgentEvent for an agent.
template <class Response, class Ev, class Handle>
void serve_call(caf::actor_system& sys, const Handle& target, const http_request& request,
                http_reply reply, bool agent, const std::string& files_root) {
  auto accepted = accept_operator_call(request, reply, agent);
  if (!accepted)
    return;
  auto [call, media] = *accepted;
  auto type = agent ? mesos_message::agent_response : mesos_message::master_response;
  // Logging and files belong to the node, not to its role's actor.
  if (serve_node_call(sys, call, media, type, files_root, reply))
    return;
  if (call->getType() == Type::SUBSCRIBE) {
    // Each record is one Event in the accepted form, as Mesos streams them.
    auto stream = reply.open_stream(200, media.answer_type());
    auto kind = agent ? mesos_message::agent_event : mesos_message::master_event;
    sys.spawn(operator_stream<Ev, Response>, caf::actor_cast<caf::actor>(target), call, stream,
              media, kind);
    return;
  }
  ask_operator<Response>(sys, target, call, std::move(reply), [media, type](const Response& r) {
    if (r->getType() == Type::UNKNOWN)
      return text_response(400, "This call is not supported here");
    // Calls that change something answer 200 with no body, as Mesos'.
    if (r->getType() == Type::TEARDOWN || r->getType() == Type::MARK_AGENT_GONE)
      return text_response(200, "");
    return mesos_answer(media, type, to_json(*r));
  });
}

template <class Response, class Handle>
void serve_metrics_of(caf::actor_system& sys, const Handle& target, bool prometheus,
                      http_reply reply) {
  auto call = make_wire<schema::operator_api::Call>([](auto c) { c.setType(Type::GET_METRICS); });
  serve_from_actor<Response>(
    sys, target, call, std::move(reply), [prometheus](const Response& r) {
      std::vector<std::pair<std::string, double>> metrics;
      for (auto m : r->getGetMetrics().getMetrics())
        metrics.emplace_back(m.getName().cStr(), m.getValue());
      return metrics_response(metrics, prometheus);
    });
}

// Mesos' /weights: GET answers [{"role": ..., "weight": ...}, ...]; PUT takes
// the same array and sets those roles' weights (UPDATE_WEIGHTS).
void serve_weights_of(caf::actor_system& sys, const master_actor& master,
                      const http_request& request, http_reply reply) {
  namespace op = schema::operator_api;
  if (request.method == "GET") {
    auto call = make_wire<op::Call>([](auto c) { c.setType(Type::GET_WEIGHTS); });
    return ask_operator(sys, master, call, std::move(reply), [](const operator_response& r) {
      std::string body = "[";
      for (auto w : r->getGetWeights().getWeightInfos())
        body += (body.size() > 1 ? "," : "") + to_json(w);
      return json_response(body + "]");
    });
  }
  if (request.method != "PUT")
    return reply.send(text_response(405, "Expecting 'GET' or 'PUT', got '" + request.method + "'"));
  if (auto refused = refuse_body_type(request, body_format::json))
    return reply.send(std::move(*refused));
  // The body is a bare array: decoded as one, never pasted into a document.
  auto update = from_json_array<op::Call::UpdateWeights>(
    request.body, [](op::Call::UpdateWeights::Builder b, unsigned n) {
      return b.initWeightInfos(n);
    });
  if (!update)
    return reply.send(text_response(400, "Expecting a JSON array of weight infos: "
                                           + error_message(update.error())));
  auto call = make_wire<op::Call>([&](op::Call::Builder c) {
    c.setType(Type::UPDATE_WEIGHTS);
    c.setUpdateWeights(update->get());
  });
  ask_operator(sys, master, call, std::move(reply),
               [](const operator_response&) { return text_response(200, ""); });
}

} // namespace

void serve_weights(caf::actor_system& sys, const master_actor& master, const http_request& request,
                   http_reply reply) {
  serve_weights_of(sys, master, request, std::move(reply));
}

std::optional<operator_request> accept_operator_call(const http_request& request,
                                                     const http_reply& reply, bool agent) {
  if (request.method != "POST") {
    reply.send(text_response(405, "Expecting 'POST', got '" + request.method + "'"));
    return std::nullopt;
  }
  mesos_media media;
  if (auto refused = negotiate(request, media)) {
    reply.send(std::move(*refused));
    return std::nullopt;
  }
  auto call = read_mesos_call<schema::operator_api::Call>(
    request, media, agent ? mesos_message::agent_call : mesos_message::master_call);
  if (!call) {
    reply.send(text_response(400, "Failed to parse body into Call: " + error_message(call.error())));
    return std::nullopt;
  }
  if ((*call)->getType() == Type::UNKNOWN) {
    reply.send(text_response(400, "Expecting 'type' to be present"));
    return std::nullopt;
  }
  return operator_request{*call, media};
}

void serve_operator_call(caf::actor_system& sys, const master_actor& master,
                         const http_request& request, http_reply reply) {
  // A master serves no files of its own: it logs to stderr, not to a file.
  serve_call<operator_response, operator_event>(sys, master, request, std::move(reply), false,
                                                "");
}

void serve_operator_call(caf::actor_system& sys, const agent_actor& agent,
                         const std::string& work_dir, const http_request& request,
                         http_reply reply) {
  serve_call<agent_operator_response, agent_operator_event>(sys, agent, request,
                                                            std::move(reply), true, work_dir);
}

http_response metrics_response(const std::vector<std::pair<std::string, double>>& metrics,
                               bool prometheus) {
  if (prometheus) {
    std::string text;
    for (const auto& [metric, value] : metrics) {
      std::string name = "cairn_" + metric;
      for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
          c = '_';
      text += fmt::format("# TYPE {} gauge\n{} {}\n", name, name, value);
    }
    return text_response(200, std::move(text));
  }
  wire_builder<schema::state::Metrics> b;
  auto list = b->initMetrics(static_cast<unsigned>(metrics.size()));
  for (unsigned i = 0; i < metrics.size(); ++i) {
    list[i].setName(metrics[i].first);
    list[i].setValue(metrics[i].second);
  }
  return json_response(to_json(std::move(b).finish().get()));
}

void serve_metrics(caf::actor_system& sys, const master_actor& master, bool prometheus,
                   http_reply reply) {
  serve_metrics_of<operator_response>(sys, master, prometheus, std::move(reply));
}

void serve_metrics(caf::actor_system& sys, const agent_actor& agent, bool prometheus,
                   http_reply reply) {
  serve_metrics_of<agent_operator_response>(sys, agent, prometheus, std::move(reply));
}

} // namespace cairn
