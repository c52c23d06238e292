// Marathon's REST API (/v2/apps, /v2/tasks, /v2/deployments, /v2/queue,
// /v2/info, /v2/leader, /ping), answered inside the services actor with
// Marathon's status codes and bodies. What is not implemented yet answers
// 501 naming it.
#include <algorithm>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/services/offer_fit.hpp"
#include "actors/services/services_rest.hpp"
#include "actors/services/services_state.hpp"
#include "runtime/http_server.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace cairn::services {

namespace s = schema::services;

api_answer json(std::string body, int status) {
  return {status, "application/json", std::move(body), ""};
}

api_answer message(int status, const std::string& text) {
  return json(to_json(make_wire<s::Message>([&](auto b) { b.setMessage(text); }).get()), status);
}

using schema::services::NetworkMode;

constexpr int64_t service_port_min = 10'000, service_port_max = 20'000;

static api_answer not_implemented(const std::string& what) {
  return message(501, what + " is not implemented yet");
}

static api_answer unknown_app(const std::string& id) {
  return message(404, "App '" + id + "' does not exist");
}

std::string param(const std::string& query, const std::string& name) {
  http_request r;
  r.query = query;
  return r.query_param(name);
}

bool flag(const std::string& query, const std::string& name) {
  auto v = param(query, name);
  return v == "true" || v == "1";
}

std::string string_json(const std::string& text) {
  capnp::MallocMessageBuilder m;
  auto v = m.initRoot<capnp::JsonValue>();
  v.setString(text);
  return detail::write_json(v.asReader());
}

// A list's JSON from the JSON of its holder ({"tasks": [...]}).
static std::string inner_array(const std::string& holder) {
  auto open = holder.find('[');
  auto close = holder.rfind(']');
  if (open == std::string::npos || close == std::string::npos)
    return "[]";
  return holder.substr(open, close - open + 1);
}

static std::string tasks_json(const services_state& st, const std::vector<const instance*>& list) {
  return to_json(make_wire<s::TaskList>([&](s::TaskList::Builder b) {
                   auto tasks = b.initTasks(static_cast<unsigned>(list.size()));
                   for (unsigned k = 0; k < list.size(); ++k) {
                     static const auto none = make_wire<App>([](App::Builder) {});
                     auto a = st.apps.find(list[k]->app);
                     auto def = a != st.apps.end() ? *a->second.def : *none;
                     tasks.setWithCaveats(k, task_record(*list[k], def).get());
                   }
                 }).get());
}

static std::vector<const instance*> tasks_of(const services_state& st, const std::string& app) {
  std::vector<const instance*> out;
  for (auto& [id, i] : st.instances)
    if (app.empty() || i.app == app)
      out.push_back(&i);
  return out;
}

static std::string app_document(const services_state& st, const std::string& id, bool embed_tasks) {
  auto& a = st.apps.at(id);
  int32_t staged = 0, running = 0, healthy = 0, unhealthy = 0;
  for (auto* i : tasks_of(st, id)) {
    if (i->state == "TASK_RUNNING")
      ++running;
    else if (i->state == "TASK_STAGING" || i->state == "TASK_STARTING")
      ++staged;
    if (i->healthy)
      ++(*i->healthy ? healthy : unhealthy);
  }
  std::string deployments = "[";
  if (auto d = deployment_of(st, id))
    deployments += "{\"id\":" + string_json(*d) + "}";
  deployments += "]";
  std::vector<std::pair<std::string, std::string>> extra = {
    {"versionInfo", "{\"lastScalingAt\":" + string_json(a.last_scaling_at) +
                      ",\"lastConfigChangeAt\":" + string_json(a.last_config_change_at) + "}"},
    {"tasksStaged", std::to_string(staged)},
    {"tasksRunning", std::to_string(running)},
    {"tasksHealthy", std::to_string(healthy)},
    {"tasksUnhealthy", std::to_string(unhealthy)},
    {"deployments", deployments},
  };
  if (embed_tasks)
    extra.emplace_back("tasks", inner_array(tasks_json(st, tasks_of(st, id))));
  return app_json(*a.def, extra);
}

api_answer deployment_result(const std::optional<std::string>& id, const std::string& version,
                             int status) {
  return json(to_json(make_wire<s::DeploymentResult>([&](auto b) {
                        // Nothing to change still answers with an id, as Marathon does.
                        b.setDeploymentId(id ? *id : std::string("00000000-0000-0000-0000-000000000000"));
                        b.setVersion(version);
                      }).get()),
              status);
}

static api_answer locked(const services_state& st, const std::vector<std::string>& apps) {
  std::set<std::string> ids;
  for (auto& app : apps)
    if (auto d = deployment_of(st, app))
      ids.insert(*d);
  std::string list;
  for (auto& id : ids)
    list += (list.empty() ? "" : ",") + std::string("{\"id\":") + string_json(id) + "}";
  return json("{\"message\":" +
                string_json("App is locked by one or more deployments. Override with the "
                            "option '?force=true'. View details at '/v2/deployments/" +
                            *ids.begin() + "'.") +
                ",\"deployments\":[" + list + "]}",
              409);
}

// With ?force=true the deployments holding `apps` are cancelled; without,
// a held app is a 409.
std::optional<api_answer> claim(services_actor_ptr self, const std::vector<std::string>& apps,
                                bool force) {
  auto& st = self->state;
  bool held = std::any_of(apps.begin(), apps.end(),
                          [&](auto& app) { return deployment_of(st, app).has_value(); });
  if (!held)
    return std::nullopt;
  if (!force)
    return locked(st, apps);
  for (auto& app : apps)
    while (auto d = deployment_of(st, app))
      (void)cancel_deployment(self, *d, false);
  return std::nullopt;
}

std::map<std::string, wire<App>> all_apps(const services_state& st) {
  std::map<std::string, wire<App>> out;
  for (auto& [id, a] : st.apps)
    out.emplace(id, a.def);
  return out;
}

// Service ports 0 become ones from 10000-20000 no other app holds (the
// app's previous ones where it had them), as Marathon assigns them.
static std::vector<int64_t> service_ports(App::Reader app) {
  std::vector<int64_t> ports;
  for (auto d : app.getPortDefinitions())
    ports.push_back(d.getPort());
  if (app.hasContainer())
    for (auto m : app.getContainer().getPortMappings())
      ports.push_back(m.getServicePort());
  return ports;
}

wire<App> with_service_ports(const services_state& st, wire<App> app,
                             const std::map<std::string, wire<App>>& also) {
  std::string id = app->getId();
  std::set<int64_t> taken;
  std::vector<int64_t> before;
  for (auto& [other, a] : st.apps) {
    auto ports = service_ports(*a.def);
    if (other == id)
      before = ports;
    else
      taken.insert(ports.begin(), ports.end());
  }
  for (auto& [other, a] : also)
    if (other != id)
      for (auto port : service_ports(*a))
        taken.insert(port);
  int64_t next = service_port_min;
  size_t index = 0;
  auto pick = [&]() -> int64_t {
    if (index < before.size() && before[index] != 0 && !taken.count(before[index])) {
      taken.insert(before[index]);
      return before[index++];
    }
    ++index;
    while (next <= service_port_max && taken.count(next))
      ++next;
    taken.insert(next);
    return next;
  };
  return edited_app(*app, [&](App::Builder b) {
    for (auto d : b.getPortDefinitions()) {
      if (d.getPort() == 0)
        d.setPort(pick());
      else
        taken.insert(d.getPort()), ++index;
    }
    if (b.hasContainer())
      for (auto m : b.getContainer().getPortMappings()) {
        if (m.getServicePort() == 0)
          m.setServicePort(pick());
        else
          taken.insert(m.getServicePort()), ++index;
      }
  });
}

// Cairn's executor runs one health check per task.
std::optional<api_answer> refuse_unsupported(App::Reader app) {
  if (app.getHealthChecks().size() > 1)
    return json(error_body({std::nullopt, 422, "Object is not valid",
                            {{"/healthChecks", "more than one health check per app is not "
                                               "implemented yet"}}}),
                422);
  auto unreachable = app.getUnreachableStrategy();
  if (unreachable.getInactiveAfterSeconds() != 0 || unreachable.getExpungeAfterSeconds() != 0)
    return json(error_body({std::nullopt, 422, "Object is not valid",
                            {{"/unreachableStrategy", "only 0 and 0 are implemented yet: an "
                                                      "unreachable instance is replaced at once"}}}),
                422);
  if (app.getInstances() > max_instances_per_app)
    return json(error_body({std::nullopt, 422, "Object is not valid",
                            {{"/instances", fmt::format("at most {} instances per app",
                                                        max_instances_per_app)}}}),
                422);
  return std::nullopt;
}

namespace {

api_answer post_app(services_actor_ptr self, const std::string& body, bool force) {
  auto& st = self->state;
  auto read = read_app(body);
  if (!read.ok())
    return json(error_body(read), read.status);
  if (auto refused = refuse_unsupported(**read.app))
    return *refused;
  std::string id = (*read.app)->getId();
  if (st.apps.count(id))
    return message(409, "An app with id [" + id + "] already exists.");
  if (st.apps.size() >= max_apps)
    return message(422, fmt::format("services holds {} apps, its limit", max_apps));
  if (auto held = claim(self, {id}, force))
    return *held;
  auto version = new_version();
  auto app = with_service_ports(st, edited_app(**read.app, [&](App::Builder b) {
                                  b.setVersion(version);
                                }));
  auto target = all_apps(st);
  target.emplace(id, app);
  auto d = deploy(self, std::move(target), version);
  if (!d)
    return message(422, error_message(d.error()));
  emit_api_post(self, "/v2/apps", *app);
  auto answer = json(app_document(st, id, true), 201);
  answer.location = "/v2/apps" + id;
  return answer;
}

// Marathon's PUT is a partial update by default: members the body leaves
// out keep their values.
std::string merged(const std::string& before, const std::string& body) {
  capnp::MallocMessageBuilder a, b, out;
  detail::decode_raw_json(before, a);
  detail::decode_raw_json(body, b);
  auto old_fields = a.getRoot<capnp::JsonValue>().asReader().getObject();
  auto new_value = b.getRoot<capnp::JsonValue>().asReader();
  if (!new_value.isObject())
    return body;
  auto new_fields = new_value.getObject();
  std::vector<capnp::JsonValue::Field::Reader> keep;
  for (auto f : old_fields) {
    bool replaced = false;
    for (auto n : new_fields)
      replaced = replaced || n.getName() == f.getName();
    if (!replaced && f.getName() != "version")
      keep.push_back(f);
  }
  auto root = out.initRoot<capnp::JsonValue>();
  auto fields = root.initObject(static_cast<unsigned>(keep.size() + new_fields.size()));
  unsigned k = 0;
  for (auto f : keep)
    fields.setWithCaveats(k++, f);
  for (auto f : new_fields)
    fields.setWithCaveats(k++, f);
  return detail::write_json(root.asReader());
}

api_answer put_app(services_actor_ptr self, const path_id& id, const std::string& body,
                   const std::string& query) {
  auto& st = self->state;
  auto key = id.str();
  auto existing = st.apps.find(key);
  bool partial = param(query, "partialUpdate") != "false";
  std::string text = body;
  if (existing != st.apps.end() && partial) {
    try {
      text = merged(app_json(*existing->second.def), body);
    } catch (const kj::Exception&) {
      text = body;  // not JSON: read_app says so
    }
  }
  auto read = read_app(text, {}, id);
  if (!read.ok())
    return json(error_body(read), read.status);
  if (auto refused = refuse_unsupported(**read.app))
    return *refused;
  if (existing == st.apps.end() && st.apps.size() >= max_apps)
    return message(422, fmt::format("services holds {} apps, its limit", max_apps));
  if (auto held = claim(self, {key}, flag(query, "force")))
    return *held;
  auto version = new_version();
  auto app = with_service_ports(st, edited_app(**read.app, [&](App::Builder b) {
                                  b.setVersion(version);
                                }));
  bool created = existing == st.apps.end();
  auto target = all_apps(st);
  target[key] = app;
  auto d = deploy(self, std::move(target), version);
  if (!d)
    return message(422, error_message(d.error()));
  emit_api_post(self, "/v2/apps" + key, *app);
  auto answer = deployment_result(*d, version, created ? 201 : 200);
  if (created)
    answer.location = "/v2/apps" + key;
  return answer;
}

api_answer delete_app(services_actor_ptr self, const std::string& key, bool force) {
  auto& st = self->state;
  if (auto held = claim(self, {key}, force))
    return *held;
  auto target = all_apps(st);
  target.erase(key);
  auto version = new_version();
  auto d = deploy(self, std::move(target), version);
  if (!d)
    return message(409, error_message(d.error()));
  return deployment_result(*d, version);
}

api_answer restart_app(services_actor_ptr self, const std::string& key, bool force) {
  auto& st = self->state;
  if (auto held = claim(self, {key}, force))
    return *held;
  auto version = new_version();
  auto target = all_apps(st);
  target[key] = edited_app(*st.apps.at(key).def, [&](App::Builder b) {
    b.setVersion(version);
  });
  auto d = deploy(self, std::move(target), version, {key});
  if (!d)
    return message(422, error_message(d.error()));
  return deployment_result(*d, version);
}

// Kills the tasks named; with `scale`, their apps' counts go down by as
// many (a deployment), else they are replaced.
api_answer kill_tasks(services_actor_ptr self, const std::vector<std::string>& ids, bool scale,
                      bool force) {
  auto& st = self->state;
  std::map<std::string, int32_t> per_app;
  std::vector<const instance*> killed;
  for (auto& id : ids)
    if (auto it = st.instances.find(id); it != st.instances.end() && it->second.alive())
      ++per_app[it->second.app];
  if (scale) {
    std::vector<std::string> apps;
    for (auto& [app, n] : per_app)
      apps.push_back(app);
    if (auto held = claim(self, apps, force))
      return *held;
  }
  for (auto& id : ids)
    if (auto it = st.instances.find(id); it != st.instances.end() && it->second.alive()) {
      kill_instance(self, it->second);
      killed.push_back(&it->second);
    }
  if (!scale)
    return json(tasks_json(st, killed));
  auto version = new_version();
  auto target = all_apps(st);
  for (auto& [app, n] : per_app) {
    auto it = target.find(app);
    if (it == target.end())
      continue;
    it->second = edited_app(*it->second, [&](App::Builder b) {
      b.setInstances(std::max(0, b.getInstances() - n));
      b.setVersion(version);
    });
  }
  auto d = deploy(self, std::move(target), version);
  if (!d)
    return message(422, error_message(d.error()));
  return deployment_result(*d, version);
}

caf::expected<std::vector<std::string>> task_ids_of_body(const std::string& body) {
  capnp::MallocMessageBuilder m;
  try {
    detail::decode_raw_json(body, m);
  } catch (const kj::Exception& e) {
    return make_error(std::string("invalid JSON: ") + e.getDescription().cStr());
  }
  auto root = m.getRoot<capnp::JsonValue>().asReader();
  if (root.isObject())
    for (auto f : root.getObject())
      if (f.getName() == "ids" && f.getValue().isArray()) {
        std::vector<std::string> out;
        for (auto v : f.getValue().getArray()) {
          if (!v.isString())
            return make_error("ids: each is a task id (a string)");
          out.emplace_back(v.getString().cStr());
        }
        return out;
      }
  return make_error("the body must be {\"ids\": [task ids]}");
}

api_answer queue(const services_state& st, bool offers) {
  double now = now_s();
  std::vector<const app_entry*> waiting_apps;
  for (auto& [id, a] : st.apps)
    if (waiting(st, a) > 0)
      waiting_apps.push_back(&a);
  return json(to_json(make_wire<s::Queue>([&](s::Queue::Builder b) {
    auto list = b.initQueue(static_cast<unsigned>(waiting_apps.size()));
    for (unsigned k = 0; k < waiting_apps.size(); ++k) {
      auto& a = *waiting_apps[k];
      auto e = list[k];
      e.setCount(waiting(st, a));
      auto delay = e.initDelay();
      delay.setTimeLeftSeconds(static_cast<int64_t>(std::ceil(a.backoff.time_left(now))));
      delay.setOverdue(a.backoff.overdue(now));
      e.setSince(a.queued_since.empty() ? iso_now() : a.queued_since);
      e.setApp(*a.def);
      auto summary = e.initProcessedOffersSummary();
      summary.setProcessedOffersCount(a.offers_processed);
      summary.setUnusedOffersCount(a.offers_unused);
      if (!a.last_unused_at.empty())
        summary.setLastUnusedOfferAt(a.last_unused_at);
      if (!a.last_used_at.empty())
        summary.setLastUsedOfferAt(a.last_used_at);
      auto rejects = summary.initRejectSummaryLastOffers(
        static_cast<unsigned>(a.reject_counts.size()));
      unsigned r = 0;
      for (auto& [reason, n] : a.reject_counts) {
        rejects[r].setReason(reason);
        rejects[r].setDeclined(n);
        rejects[r++].setProcessed(a.offers_processed);
      }
      if (!offers)
        continue;
      auto unused = e.initLastUnusedOffers(static_cast<unsigned>(a.last_unused.size()));
      for (unsigned u = 0; u < a.last_unused.size(); ++u) {
        auto& o = a.last_unused[u];
        unused[u].setOffer(*o.body);
        unused[u].setTimestamp(o.at);
        auto reasons = unused[u].initReason(static_cast<unsigned>(o.reasons.size()));
        for (unsigned n = 0; n < o.reasons.size(); ++n)
          reasons.set(n, o.reasons[n]);
      }
    }
  }).get()));
}

api_answer info(const services_state& st) {
  return json(to_json(make_wire<s::Info>([&](s::Info::Builder b) {
    b.setName("marathon");
    b.setVersion("1.8.0");
    b.setBuildref("cairn");
    b.setElected(true);
    b.setLeader(st.options.api_address);
    if (!st.framework_id.empty())
      b.setFrameworkId(st.framework_id);
    auto c = b.initMarathonConfig();
    std::string masters;
    for (auto& m : st.options.master_addresses)
      masters += (masters.empty() ? "" : ",") + m;
    c.setMaster(masters);
    c.setFrameworkName(st.options.framework_name);
    c.setFailoverTimeout(7 * 24 * 3600);
    c.setCheckpoint(true);
    auto host = st.options.api_address.substr(0, st.options.api_address.rfind(':'));
    c.setHostname(host);
    c.setMesosRole(st.options.role);
    c.setMesosUser(st.options.user);
    c.setDeclineOfferDuration(static_cast<int64_t>(st.options.decline_offer_seconds * 1000));
    c.setTaskLaunchTimeout(300'000);
    c.setLocalPortMin(service_port_min);
    c.setLocalPortMax(service_port_max);
    c.initFeatures(0);
    b.initZookeeperConfig();
    b.initEventSubscriber();
    b.initHttpConfig().setHttpPort(st.options.http_port);
  }).get()));
}

// /v2/apps/{id}[/restart|/tasks[/{task}]|/versions]: the id and what follows.
struct app_path {
  std::string id_text;
  std::string what;  // "", "restart", "tasks", "versions"
  std::string task;
};

app_path split_app_path(const std::string& rest) {
  app_path p;
  p.id_text = rest;
  for (const char* what : {"/restart", "/tasks", "/versions"}) {
    std::string w = what;
    if (rest.size() > w.size() && rest.compare(rest.size() - w.size(), w.size(), w) == 0) {
      p.id_text = rest.substr(0, rest.size() - w.size());
      p.what = w.substr(1);
      return p;
    }
  }
  if (auto at = rest.rfind("/tasks/"); at != std::string::npos) {
    p.id_text = rest.substr(0, at);
    p.what = "tasks";
    p.task = rest.substr(at + 7);
  }
  return p;
}

api_answer serve_app(services_actor_ptr self, const std::string& method,
                     const std::string& rest, const std::string& query,
                     const std::string& body) {
  auto& st = self->state;
  auto p = split_app_path(rest);
  auto id = parse_path_id(p.id_text);
  if (!id.id)
    return message(400, "invalid app id '" + p.id_text + "': " + id.error);
  auto key = id.id->str();
  bool force = flag(query, "force");
  if (p.what.empty() && method == "PUT")
    return put_app(self, *id.id, body, query);
  if (!st.apps.count(key))
    return unknown_app(key);
  if (p.what == "restart")
    return method == "POST" ? restart_app(self, key, force) : message(405, "POST a restart");
  if (p.what == "versions") {
    if (method != "GET")
      return message(405, "GET an app's versions");
    return json("{\"versions\":[" + string_json(st.apps.at(key).def->getVersion()) + "]}");
  }
  if (p.what == "tasks") {
    if (method == "GET")
      return json(tasks_json(st, tasks_of(st, key)));
    if (method != "DELETE")
      return message(405, "GET or DELETE an app's tasks");
    std::vector<std::string> ids;
    if (!p.task.empty()) {
      if (!st.instances.count(p.task) || st.instances.at(p.task).app != key)
        return message(404, "Task '" + p.task + "' does not exist");
      ids.push_back(p.task);
    } else {
      for (auto* i : tasks_of(st, key))
        ids.push_back(i->task_id);
    }
    if (!param(query, "host").empty())
      return not_implemented("killing an app's tasks by host");
    auto answer = kill_tasks(self, ids, flag(query, "scale"), force);
    if (!p.task.empty() && answer.status == 200 && !flag(query, "scale"))
      answer.body = "{\"task\":" + inner_array(answer.body).substr(1,
                      inner_array(answer.body).size() - 2) + "}";
    return answer;
  }
  if (method == "GET")
    return json("{\"app\":" + app_document(st, key, true) + "}");
  if (method == "DELETE")
    return delete_app(self, key, force);
  if (method == "PATCH")
    return not_implemented("PATCH /v2/apps/{id}");
  return message(405, "GET, PUT or DELETE an app");
}

api_answer list_apps(const services_state& st, const std::string& query) {
  if (!param(query, "label").empty())
    return not_implemented("filtering apps by label");
  // embed may be given more than once (embed=apps.counts&embed=apps.tasks).
  auto decoded = url_decode(query);
  bool tasks = decoded.find("embed=apps.tasks") != std::string::npos ||
               decoded.find("embed=tasks") != std::string::npos;
  auto id_filter = param(query, "id"), cmd_filter = param(query, "cmd");
  std::string out = "{\"apps\":[";
  bool first = true;
  for (auto& [id, a] : st.apps) {
    if (!id_filter.empty() && id.find(id_filter) == std::string::npos)
      continue;
    if (!cmd_filter.empty() &&
        std::string(a.def->getCmd()).find(cmd_filter) == std::string::npos)
      continue;
    out += (first ? "" : ",") + app_document(st, id, tasks);
    first = false;
  }
  return json(out + "]}");
}

api_answer serve_deployment(services_actor_ptr self, const std::string& method,
                            const std::string& id, const std::string& query) {
  auto& st = self->state;
  if (method != "DELETE")
    return message(405, "DELETE a deployment (Marathon has no GET of one)");
  if (!st.deployments.count(id))
    return message(404, "DeploymentPlan " + id + " does not exist");
  bool force = flag(query, "force");
  auto version = new_version();
  auto d = cancel_deployment(self, id, !force);
  if (!d)
    return message(409, error_message(d.error()));
  if (force)
    return {202, "application/json", "", ""};
  return deployment_result(*d, version);
}

} // namespace

api_answer serve_api(services_actor_ptr self, const std::string& method_in,
                     const std::string& raw_path, const std::string& query,
                     const std::string& body) {
  auto& st = self->state;
  auto method = method_in == "HEAD" ? std::string("GET") : method_in;
  auto path = url_decode(raw_path, false);
  auto starts = [&](const std::string& prefix) { return path.rfind(prefix, 0) == 0; };
  if (path == "/ping")
    return {200, "text/plain", "pong\n", ""};
  if (path == "/v2/info" && method == "GET")
    return info(st);
  if (path == "/v2/leader") {
    if (method == "GET")
      return json(to_json(make_wire<s::Leader>([&](auto b) {
                            b.setLeader(st.options.api_address);
                          }).get()));
    return not_implemented("abdication (DELETE /v2/leader)");
  }
  if (path == "/v2/apps" || path == "/v2/apps/") {
    if (method == "POST")
      return post_app(self, body, flag(query, "force"));
    if (method == "PUT")
      return not_implemented("changing many apps at once (PUT /v2/apps)");
    if (method != "GET")
      return message(405, "GET or POST /v2/apps");
    return list_apps(st, query);
  }
  if (starts("/v2/apps/"))
    return serve_app(self, method, path.substr(8), query, body);
  if (path == "/v2/tasks" && method == "GET") {
    auto status = param(query, "status");
    std::vector<const instance*> list;
    for (auto* i : tasks_of(st, ""))
      if (status.empty() || (status == "running" && i->state == "TASK_RUNNING") ||
          (status == "staging" && i->state == "TASK_STAGING"))
        list.push_back(i);
    return json(tasks_json(st, list));
  }
  if (path == "/v2/tasks/delete" && method == "POST") {
    auto ids = task_ids_of_body(body);
    if (!ids)
      return message(400, error_message(ids.error()));
    if (flag(query, "wipe"))
      return not_implemented("wipe=true (resident tasks)");
    return kill_tasks(self, *ids, flag(query, "scale"), flag(query, "force"));
  }
  if (path == "/v2/deployments" && method == "GET") {
    std::string out = "[";
    for (auto& [id, d] : st.deployments)
      out += (out.size() > 1 ? "," : "") + deployment_doc(d);
    return json(out + "]");
  }
  if (starts("/v2/deployments/"))
    return serve_deployment(self, method, path.substr(16), query);
  if (path == "/v2/queue" && method == "GET")
    return queue(st, url_decode(query).find("embed=lastUnusedOffers") != std::string::npos);
  if (starts("/v2/queue/") && method == "DELETE") {
    auto rest = path.substr(9);
    if (rest.size() < 7 || rest.compare(rest.size() - 6, 6, "/delay") != 0)
      return message(404, "no such endpoint: DELETE " + path);
    auto id = parse_path_id(rest.substr(0, rest.size() - 6));
    if (!id.id || !st.apps.count(id.id->str()))
      return unknown_app(id.id ? id.id->str() : rest);
    st.apps.at(id.id->str()).backoff.reset();
    want_offers(self);
    return {204, "application/json", "", ""};
  }
  if (path == "/v2/groups" || starts("/v2/groups/"))
    return serve_groups(self, method, path.substr(std::string("/v2/groups").size()), query,
                        body);
  if (starts("/v2/events"))
    return message(405, "GET /v2/events (server-sent events)");
  if (starts("/v2/pods"))
    return not_implemented("/v2/pods");
  if (starts("/v2/eventSubscriptions"))
    return not_implemented("/v2/eventSubscriptions");
  if (starts("/v2/artifacts"))
    return not_implemented("/v2/artifacts");
  return message(404, "no such endpoint: " + method + " " + path);
}

} // namespace cairn::services
