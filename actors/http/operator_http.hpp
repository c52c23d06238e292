// POST /api/v1 on masters and agents: an operator Call (JSON or protobuf)
// answered with the Response, or for SUBSCRIBE a RecordIO stream of Events,
// in the form the client accepts.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/agent/agent.hpp"
#include "actors/http/mesos_media.hpp"
#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct operator_request {
  operator_call call;
  mesos_media media;
};

// Checks method, media types and body (JSON, or protobuf of a master's or
// an `agent`'s Call); answers bad requests itself and returns the call, with
// the form its answer takes, when it is good.
std::optional<operator_request> accept_operator_call(const http_request& request,
                                                     const http_reply& reply, bool agent);

// GET and PUT /weights (Mesos' weights endpoint).
void serve_weights(caf::actor_system& sys, const master_actor& master, const http_request& request,
                   http_reply reply);

void serve_operator_call(caf::actor_system& sys, const master_actor& master,
                         const http_request& request, http_reply reply);
// `work_dir`: the tree LIST_FILES and READ_FILE serve (the sandboxes).
void serve_operator_call(caf::actor_system& sys, const agent_actor& agent,
                         const std::string& work_dir, const http_request& request,
                         http_reply reply);

// GET /metrics/snapshot (JSON object) and GET /metrics (Prometheus text),
// from GET_METRICS of `target`.
void serve_metrics(caf::actor_system& sys, const master_actor& master, bool prometheus,
                   http_reply reply);
// Metrics as /metrics/snapshot (JSON) or /metrics (Prometheus text) show them.
http_response metrics_response(const std::vector<std::pair<std::string, double>>& metrics,
                               bool prometheus);
void serve_metrics(caf::actor_system& sys, const agent_actor& agent, bool prometheus,
                   http_reply reply);

} // namespace cairn
