#include "actors/http/master_routes.hpp"

#include <mutex>
#include <optional>

#include "actors/http/kv_http.hpp"
#include "actors/http/master_documents.hpp"
#include "actors/http/node_calls.hpp"
#include "actors/http/operator_http.hpp"
#include "actors/http/route_table.hpp"
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

namespace {

using leader_handler = std::function<void(const master_actor&, http_request, http_reply)>;

// A route served by the leading master's actor; a standby redirects it to
// the leader.
http_handler leading(std::shared_ptr<leadership> node, leader_handler serve) {
  return [node = std::move(node), serve = std::move(serve)](http_request request,
                                                            http_reply reply) {
    auto view = node->get();
    if (!view.master)
      return redirect_to_leader(view, request, reply);
    serve(view.master, std::move(request), std::move(reply));
  };
}

// A GET endpoint that is a cut of the leader's state document.
template <class Render>
leader_handler state_cut(caf::actor_system& sys, Render render) {
  return [&sys, render](const master_actor& master, http_request request, http_reply reply) {
    serve_from_actor<master_snapshot>(
      sys, master, state_atom::value, std::move(reply),
      [render, request](const master_snapshot& s) { return render(s, request); });
  };
}

// Mesos' /master/teardown: POST with the form body frameworkId=<id>; the
// TEARDOWN operator call underneath. 200 once done, 400 naming what is wrong.
void serve_teardown(caf::actor_system& sys, const master_actor& master,
                    const http_request& request, http_reply reply) {
  http_request form;
  form.query = request.body;
  std::string id = form.query_param("frameworkId");
  if (id.empty())
    return reply.send(
      text_response(400, "Missing 'frameworkId' query parameter in the request body"));
  namespace op = schema::operator_api;
  auto call = make_wire<op::Call>([&](op::Call::Builder c) {
    c.setType(op::Call::Type::TEARDOWN);
    c.initTeardown().initFrameworkId().setValue(id);
  });
  sys.spawn([master, call, reply](caf::event_based_actor* self) {
    self->request(master, actor_answer_timeout, call)
      .then([reply](const operator_response&) { reply.send(text_response(200, "")); },
            [reply](caf::error& err) {
              bool invalid = err.category() == caf::atom("system")
                             && err.code() == static_cast<uint8_t>(caf::sec::invalid_argument);
              reply.send(text_response(invalid ? 400 : 503, error_message(err)));
            });
  });
}

// The web UI's files. The UI reads the state from where it was loaded: a
// standby sends the browser to the leader (as Mesos' does), and serves it
// only while no master leads.
void add_ui(route_table& table, const std::shared_ptr<leadership>& node) {
  std::vector<std::string> paths = {"/", "/ui", "/ui/"};
  for (const auto& asset : ui_assets()) {
    paths.emplace_back(asset.path);
    paths.emplace_back("/ui" + std::string(asset.path));
  }
  table.get(std::move(paths), [node](http_request request, http_reply reply) {
    auto file = ui_file(request);
    auto view = node->get();
    if (!file)
      return reply.send(text_response(404, "no such file: " + request.path));
    if (!view.master && !view.leader.empty())
      return redirect_to_leader(view, request, reply);
    reply.send(std::move(*file));
  });
}

} // namespace

http_handler master_routes(caf::actor_system& sys, std::shared_ptr<leadership> node,
                           std::string advertised_host, const flag_list& flags) {
  auto schedulers = std::make_shared<scheduler_apis>();
  auto table = std::make_shared<route_table>();
  // Served by every master, leading or not.
  table->get({"/health", "/master/health"},
             [](http_request, http_reply reply) { reply.send(text_response(200, "")); });
  table->get({"/version", "/master/version"},
             [](http_request, http_reply reply) { reply.send(version_document()); });
  // Each master answers with its own, as Mesos' do.
  table->get({"/flags", "/master/flags"}, [doc = flags_response(flags)](http_request,
                                                                       http_reply reply) {
    reply.send(http_response(doc));
  });
  // Mesos' endpoint for the node's logging level (GET_LOGGING_LEVEL reads it).
  table->add({"/logging/toggle"}, {"GET", "POST"},
             [&sys](http_request request, http_reply reply) {
               serve_logging_toggle(sys, request, std::move(reply));
             });
  table->get({"/cairn/endpoint"}, [node, host = std::move(advertised_host)](http_request,
                                                                            http_reply reply) {
    auto view = node->get();
    reply.send(json_response(endpoint_json({host, view.actor_port, view.log_port, view.leader})));
  });
  table->get({"/redirect", "/master/redirect"}, [node](http_request, http_reply reply) {
    auto view = node->get();
    if (view.leader.empty())
      return reply.send(text_response(503, "no master leads yet"));
    http_response r = text_response(307, "");
    r.headers.emplace_back("Location", "//" + view.leader);
    reply.send(std::move(r));
  });
  add_ui(*table, node);
  // Every master is scraped; those that do not lead say so.
  for (bool prometheus : {false, true}) {
    table->get({prometheus ? "/metrics" : "/metrics/snapshot"},
               [&sys, node, prometheus](http_request, http_reply reply) {
                 auto view = node->get();
                 if (!view.master)
                   return reply.send(metrics_response({{"master/elected", 0}}, prometheus));
                 serve_metrics(sys, view.master, prometheus, std::move(reply));
               });
  }

  // Served by the leader.
  table->add({"/api/v1/scheduler", "/master/api/v1/scheduler"}, {"POST"},
             leading(node, [&sys, schedulers](const master_actor& master, http_request request,
                                              http_reply reply) {
               schedulers->for_master(sys, master)(std::move(request), std::move(reply));
             }));
  table->add({"/api/v1", "/api/v1/operator", "/master/api/v1"}, {"POST"},
             leading(node, [&sys](const master_actor& master, http_request request,
                                  http_reply reply) {
               serve_operator_call(sys, master, request, std::move(reply));
             }));
  table->add({"/weights", "/master/weights"}, {"GET", "PUT"},
             leading(node, [&sys](const master_actor& master, http_request request,
                                  http_reply reply) {
               serve_weights(sys, master, request, std::move(reply));
             }));
  table->add_prefix(std::string(kv_path_prefix), {},
                    leading(node, [&sys](const master_actor& master, http_request request,
                                         http_reply reply) {
                      serve_kv(sys, master, request, std::move(reply));
                    }));
  table->get({"/registrar(1)/registry"},
             leading(node, [&sys](const master_actor& master, http_request, http_reply reply) {
               serve_registry(sys, master, std::move(reply));
             }));
  table->add({"/master/teardown", "/teardown"}, {"POST"},
             leading(node, [&sys](const master_actor& master, http_request request,
                                  http_reply reply) {
               serve_teardown(sys, master, request, std::move(reply));
             }));
  auto whole = [](const master_snapshot& s, const http_request&) {
    return json_response(to_json(*s));
  };
  auto frameworks = [](const master_snapshot& s, const http_request&) {
    return frameworks_document(s);
  };
  auto slaves = [](const master_snapshot& s, const http_request&) { return slaves_document(s); };
  table->get({"/master/state", "/state", "/state.json", "/master/state.json"},
             leading(node, state_cut(sys, whole)));
  table->get({"/master/frameworks", "/frameworks"}, leading(node, state_cut(sys, frameworks)));
  table->get({"/master/slaves", "/slaves"}, leading(node, state_cut(sys, slaves)));
  table->get({"/master/tasks", "/tasks"}, leading(node, state_cut(sys, tasks_document)));
  table->get({"/master/roles", "/roles", "/master/roles.json", "/roles.json"},
             leading(node, [&sys](const master_actor& master, http_request, http_reply reply) {
               serve_from_actor<roles_document>(sys, master, roles_atom::value,
                                                std::move(reply));
             }));
  auto summary = [](const master_snapshot& s, const http_request&) {
    return state_summary_document(s);
  };
  table->get({"/master/state-summary", "/state-summary"},
             leading(node, state_cut(sys, summary)));
  return route_table::handler(std::move(table));
}

} // namespace cairn
