// Marathon's /v2/groups: GET shows the groups the apps' ids make; POST
// creates a group with its apps (and subgroups), PUT changes one (or makes
// it), DELETE removes one with its apps; each change is one deployment, in
// which what is depended on starts first and each step waits for health.
// Groups exist through their apps: one that would be created empty is
// refused, naming it.
#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/services/group_definition.hpp"
#include "actors/services/services_rest.hpp"

namespace cairn::services {

namespace {

// A group as GET shows it: its apps' definitions and its subgroups, made
// from the apps' path ids.
std::string group_json(const services_state& st, const path_id& group) {
  std::string apps, groups;
  std::set<path_id> children;
  for (auto& [key, a] : st.apps) {
    auto id = *parse_path_id(key).id;
    if (id.parent() == group) {
      apps += (apps.empty() ? "" : ",") + app_json(*a.def);
      continue;
    }
    if (id.segments.size() <= group.segments.size() + 1 ||
        !std::equal(group.segments.begin(), group.segments.end(), id.segments.begin()))
      continue;
    path_id child = group;
    child.segments.push_back(id.segments[group.segments.size()]);
    children.insert(child);
  }
  for (auto& child : children)
    groups += (groups.empty() ? "" : ",") + group_json(st, child);
  std::string version;
  for (auto& [key, a] : st.apps)
    version = std::max(version, std::string(a.def->getVersion()));
  return "{\"id\":" + string_json(group.str()) + ",\"apps\":[" + apps + "],\"groups\":[" +
         groups + "],\"pods\":[],\"dependencies\":[],\"version\":" +
         string_json(version.empty() ? iso_now() : version) + "}";
}

api_answer get_group(const services_state& st, const path_id& id) {
  if (!id.root() && apps_in(all_apps(st), id).empty())
    return message(404, "Group '" + id.str() + "' does not exist");
  return json(group_json(st, id));
}

// Service ports 0 of the body's apps become the ports those apps hold (or
// new ones), so that an app given again as it is comes out unchanged.
void assign_service_ports(const services_state& st, group_update& g,
                          std::map<std::string, wire<App>>& assigned) {
  if (g.apps)
    for (auto& app : *g.apps) {
      app = with_service_ports(st, app, assigned);
      assigned[app->getId()] = app;
    }
  if (g.groups)
    for (auto& sub : *g.groups)
      assign_service_ports(st, sub, assigned);
}

api_answer refuse_empty(const std::vector<std::string>& paths) {
  app_result r;
  r.status = 422;
  r.message = "Object is not valid";
  for (auto& path : paths)
    r.details.push_back({path, "a group without apps is not implemented yet: groups exist "
                               "through the apps they hold"});
  return json(error_body(r), 422);
}

// The group's content applied to the apps there are, as one deployment.
api_answer change_group(services_actor_ptr self, group_update g, bool force, int status) {
  auto& st = self->state;
  auto current = all_apps(st);
  std::map<std::string, wire<App>> assigned;
  assign_service_ports(st, g, assigned);
  auto version = new_version();
  auto target = apply_group(current, g, version);
  if (target.size() > max_apps)
    return message(422, fmt::format("services holds at most {} apps", max_apps));
  std::vector<std::string> touched;
  for (auto& [key, app] : target) {
    auto was = current.find(key);
    if (was != current.end() && was->second->getVersion() == app->getVersion())
      continue;
    if (auto refused = refuse_unsupported(*app))
      return *refused;
    touched.push_back(key);
  }
  for (auto& [key, app] : current)
    if (!target.count(key))
      touched.push_back(key);
  if (auto held = claim(self, touched, force))
    return *held;
  auto d = deploy(self, std::move(target), version);
  if (!d)
    return message(422, error_message(d.error()));
  auto answer = deployment_result(*d, version, status);
  if (status == 201)
    answer.location = "/v2/groups" + g.id.str();
  return answer;
}

api_answer post_group(services_actor_ptr self, const path_id& base, const std::string& body,
                      bool force) {
  auto r = read_group(body, base);
  if (!r.ok())
    return json(error_body(r.error), r.error.status);
  auto current = all_apps(self->state);
  auto& id = r.group->id;
  if (id.root() || !apps_in(current, id).empty())
    return message(409, "Group " + id.str() + " is already created. Use PUT to change this "
                        "group.");
  if (current.count(id.str()))
    return message(409, "An app with id [" + id.str() + "] already exists.");
  if (auto empty = empty_groups(*r.group); !empty.empty())
    return refuse_empty(empty);
  return change_group(self, std::move(*r.group), force, 201);
}

api_answer put_group(services_actor_ptr self, const path_id& id, const std::string& body,
                     bool force) {
  auto r = read_group(body, {}, id);
  if (!r.ok())
    return json(error_body(r.error), r.error.status);
  auto current = all_apps(self->state);
  if (current.count(id.str()))
    return message(409, "'" + id.str() + "' is an app, not a group");
  if (!id.root() && apps_in(current, id).empty())
    if (auto empty = empty_groups(*r.group); !empty.empty())
      return refuse_empty(empty);
  return change_group(self, std::move(*r.group), force, 200);
}

api_answer delete_group(services_actor_ptr self, const path_id& id, bool force) {
  auto current = all_apps(self->state);
  auto gone = apps_in(current, id);
  if (!id.root() && gone.empty())
    return message(404, "Group '" + id.str() + "' does not exist");
  if (auto held = claim(self, gone, force))
    return *held;
  for (auto& key : gone)
    current.erase(key);
  auto version = new_version();
  auto d = deploy(self, std::move(current), version);
  if (!d)
    return message(409, error_message(d.error()));
  return deployment_result(*d, version);
}

} // namespace

api_answer serve_groups(services_actor_ptr self, const std::string& method,
                        const std::string& rest, const std::string& query,
                        const std::string& body) {
  auto id = parse_path_id(rest);
  if (!id.id)
    return message(400, "invalid group id '" + rest + "': " + id.error);
  bool force = flag(query, "force");
  if (method == "GET")
    return get_group(self->state, *id.id);
  if (method == "POST")
    return post_group(self, *id.id, body, force);
  if (method == "PUT")
    return put_group(self, *id.id, body, force);
  if (method == "DELETE")
    return delete_group(self, *id.id, force);
  return message(405, "GET, POST, PUT or DELETE a group");
}

} // namespace cairn::services
