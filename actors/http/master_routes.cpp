#include "actors/http/master_routes.hpp"

#include <mutex>
#include <optional>

#include "actors/http/kv_http.hpp"
#include "actors/http/master_documents.hpp"
#include "actors/http/operator_http.hpp"
#include "actors/http/routes.hpp"
#include "actors/http/scheduler_http.hpp"
#include "actors/http/ui_assets.hpp"
#include "schema/state.capnp.h"

namespace cairn {

std::string endpoint_json(const actor_endpoint& endpoint) {
  return to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                   e.setHost(endpoint.host);
                   e.setPort(endpoint.port);
                   e.setLogPort(endpoint.log_port);
                   e.setLeader(endpoint.leader);
                 }).get());
}

namespace {

// The embedded web UI's file at a request's path, if it names one.
std::optional<http_response> ui_file(const http_request& request) {
  std::string path = request.path == "/" || request.path == "/ui" || request.path == "/ui/"
                       ? "/index.html"
                       : request.path;
  if (path.rfind("/ui/", 0) == 0)
    path = path.substr(3);
  for (const auto& asset : ui_assets()) {
    if (path == asset.path) {
      http_response r;
      r.content_type = asset.content_type;
      r.body = std::string(asset.body);
      return r;
    }
  }
  return std::nullopt;
}

// The GET endpoints cut from the state document.
bool serve_documents(caf::actor_system& sys, const master_actor& master,
                     const http_request& request, http_reply& reply) {
  const auto& path = request.path;
  if (path == "/master/state" || path == "/state" || path == "/state.json"
      || path == "/master/state.json") {
    serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply));
  } else if (path == "/master/frameworks" || path == "/frameworks") {
    serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply),
                                      frameworks_document);
  } else if (path == "/master/slaves" || path == "/slaves") {
    serve_from_actor<master_snapshot>(sys, master, state_atom::value, std::move(reply),
                                      slaves_document);
  } else if (path == "/master/tasks" || path == "/tasks") {
    serve_from_actor<master_snapshot>(
      sys, master, state_atom::value, std::move(reply),
      [request](const master_snapshot& s) { return tasks_document(s, request); });
  } else {
    return false;
  }
  return true;
}

// The scheduler API keeps its streams per master actor: a new leader in this
// process gets a fresh one.
class scheduler_apis {
public:
  http_handler for_master(caf::actor_system& sys, const master_actor& master) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (master != master_) {
      master_ = master;
      handler_ = scheduler_api(sys, master);
    }
    return handler_;
  }

private:
  std::mutex mutex_;
  master_actor master_;
  http_handler handler_;
};

void redirect_to_leader(const leadership::view& view, const http_request& request,
                        http_reply& reply) {
  if (view.leader.empty())
    return reply.send(text_response(503, "no master leads yet; try again shortly"));
  http_response r = text_response(307, "");
  std::string location = "http://" + view.leader + request.path;
  if (!request.query.empty())
    location += "?" + request.query;
  r.headers.emplace_back("Location", std::move(location));
  reply.send(std::move(r));
}

} // namespace

http_handler master_routes(caf::actor_system& sys, std::shared_ptr<leadership> node,
                           std::string advertised_host) {
  auto schedulers = std::make_shared<scheduler_apis>();
  return [&sys, node, schedulers, host = std::move(advertised_host)](http_request request,
                                                                      http_reply reply) {
    const auto& path = request.path;
    auto view = node->get();
    if (path == "/health")
      return reply.send(text_response(200, ""));
    if (path == "/version")
      return reply.send(version_document());
    if (path == "/cairn/endpoint")
      return reply.send(
        json_response(endpoint_json({host, view.actor_port, view.log_port, view.leader})));
    if (path == "/redirect" || path == "/master/redirect") {
      if (view.leader.empty())
        return reply.send(text_response(503, "no master leads yet"));
      http_response r = text_response(307, "");
      r.headers.emplace_back("Location", "//" + view.leader);
      return reply.send(std::move(r));
    }
    if (request.method == "GET") {
      // The UI reads the state from where it was loaded: a standby sends the
      // browser to the leader (as Mesos' does), and serves it only while no
      // master leads.
      if (auto file = ui_file(request)) {
        if (!view.master && !view.leader.empty())
          return redirect_to_leader(view, request, reply);
        return reply.send(std::move(*file));
      }
    }
    if (!view.master) {
      // Every master is scraped; those that do not lead say so.
      if (path == "/metrics/snapshot" || path == "/metrics")
        return reply.send(metrics_response({{"master/elected", 0}}, path == "/metrics"));
      return redirect_to_leader(view, request, reply);
    }
    const auto& master = view.master;
    if (path == "/api/v1/scheduler" || path == "/master/api/v1/scheduler")
      return schedulers->for_master(sys, master)(std::move(request), std::move(reply));
    if (path == "/api/v1" || path == "/api/v1/operator" || path == "/master/api/v1")
      return serve_operator_call(sys, master, request, std::move(reply));
    if (path == "/weights")
      return serve_weights(sys, master, request, std::move(reply));
    if (path.rfind(kv_path_prefix, 0) == 0)
      return serve_kv(sys, master, request, std::move(reply));
    if (request.method != "GET")
      return reply.send(text_response(405, "only GET is served at " + path));
    if (path == "/registrar(1)/registry")
      return serve_registry(sys, master, std::move(reply));
    if (serve_documents(sys, master, request, reply))
      return;
    if (path == "/metrics/snapshot")
      return serve_metrics(sys, master, false, std::move(reply));
    if (path == "/metrics")
      return serve_metrics(sys, master, true, std::move(reply));
    reply.send(text_response(404, "no such endpoint: " + path));
  };
}

} // namespace cairn
