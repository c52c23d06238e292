#include "actors/services/group_definition.hpp"

#include <cassert>
#include <set>

#include <capnp/message.h>
#include <fmt/format.h>

#include "actors/services/deployment_plan.hpp"
#include "runtime/json.hpp"

namespace cairn::services {

namespace {

using capnp::JsonValue;

struct reader {
  std::vector<violation> found;
  std::set<std::string> seen_apps;  // an app given twice is a violation

  void refuse(const std::string& path, const std::string& error) {
    found.push_back({path.empty() ? "/" : path, error});
  }

  void read_apps(JsonValue::Reader list, const path_id& group, const std::string& prefix,
                 std::vector<wire<App>>& out) {
    if (!list.isArray())
      return refuse(prefix + "/apps", "must be an array of apps");
    unsigned k = 0;
    for (auto value : list.getArray()) {
      auto at = fmt::format("{}/apps({})", prefix, k++);
      if (!value.isObject()) {
        refuse(at, "an app is a JSON object");
        continue;
      }
      auto r = read_app(detail::write_json(value), group);
      if (!r.ok()) {
        if (r.details.empty())
          refuse(at, r.message);
        for (auto& d : r.details)
          refuse(at + (d.path == "/" ? "" : d.path), d.error);
        continue;
      }
      auto id = parse_path_id((*r.app)->getId().cStr());
      assert(id.id);
      if (!(id.id->parent() == group))
        refuse(at + "/id", "'" + id.id->str() + "' is not in the group '" + group.str() + "'");
      else if (!seen_apps.insert(id.id->str()).second)
        refuse(at + "/id", "the app '" + id.id->str() + "' is given twice");
      else
        out.push_back(std::move(*r.app));
    }
  }

  // One group's members; `nested`: a subgroup, whose id must be a child of `base`.
  std::optional<group_update> read(JsonValue::Reader value, const path_id& base,
                                   const std::optional<path_id>& url_id,
                                   const std::string& prefix, bool nested, size_t depth) {
    if (!value.isObject()) {
      refuse(prefix, "a group is a JSON object");
      return std::nullopt;
    }
    if (depth > max_group_depth) {
      refuse(prefix, fmt::format("groups nest at most {} deep", max_group_depth));
      return std::nullopt;
    }
    group_update g;
    std::optional<JsonValue::Reader> apps, groups;
    bool named = false;
    for (auto f : value.getObject()) {
      std::string name = f.getName();
      auto v = f.getValue();
      auto at = prefix + "/" + name;
      if (name == "id") {
        if (!v.isString()) {
          refuse(at, "must be a string");
          return std::nullopt;
        }
        auto id = parse_path_id(v.getString().cStr(), base);
        if (!id.id) {
          refuse(at, id.error);
          return std::nullopt;
        }
        if (url_id && !(*id.id == *url_id))
          refuse(at, "'" + id.id->str() + "' is not the group '" + url_id->str() +
                       "' of the request's path");
        if (nested && !(id.id->parent() == base))
          refuse(at, "'" + id.id->str() + "' is not a subgroup of '" + base.str() + "'");
        g.id = *id.id;
        named = true;
      } else if (name == "apps") {
        apps = v;
      } else if (name == "groups") {
        groups = v;
      } else if (name == "pods") {
        if (!v.isArray() || v.getArray().size() > 0)
          refuse(at, "pods are not implemented yet");
      } else if (name == "scaleBy") {
        refuse(at, "scaling a group (scaleBy) is not implemented yet");
      } else if (name == "version") {
        refuse(at, "changing a group back to a version is not implemented yet");
      } else if (name == "dependencies") {
        if (!v.isArray() || v.getArray().size() > 0)
          refuse(at, "dependencies of a group are not implemented yet: name them in its "
                     "apps' dependencies");
      } else if (name == "enforceRole") {
        if (!v.isBoolean() || v.getBoolean())
          refuse(at, "enforceRole is not implemented yet");
      }
      // Other members (Marathon's own read-only ones among them) are dropped.
    }
    if (!named) {
      if (!url_id || nested) {
        refuse(prefix + "/id", "a group needs an id");
        return std::nullopt;
      }
      g.id = *url_id;
    }
    if (apps) {
      g.apps.emplace();
      read_apps(*apps, g.id, prefix, *g.apps);
    }
    if (groups) {
      if (!groups->isArray()) {
        refuse(prefix + "/groups", "must be an array of groups");
        return std::nullopt;
      }
      g.groups.emplace();
      std::set<path_id> seen;
      unsigned k = 0;
      for (auto sub : groups->getArray()) {
        auto at = fmt::format("{}/groups({})", prefix, k++);
        auto child = read(sub, g.id, std::nullopt, at, true, depth + 1);
        if (!child)
          continue;
        if (!seen.insert(child->id).second)
          refuse(at + "/id", "the group '" + child->id.str() + "' is given twice");
        g.groups->push_back(std::move(*child));
      }
    }
    return g;
  }
};

wire<App> with_version(App::Reader app, const std::string& version) {
  wire_builder<App> b;
  b.message().setRoot(app);
  b.message().getRoot<App>().setVersion(version);
  return std::move(b).finish();
}

bool same_app(App::Reader a, App::Reader b) {
  return a.getInstances() == b.getInstances() && !definition_changed(a, b);
}

void apply(app_map& apps, const app_map& current, const group_update& g,
           const std::string& version) {
  size_t depth = g.id.segments.size();
  std::vector<std::string> gone;
  for (auto& [key, app] : apps) {
    auto id = *parse_path_id(key).id;
    if (!in_group(id, g.id))
      continue;
    bool own = id.segments.size() == depth + 1;
    if (own && g.apps)
      gone.push_back(key);
    if (!own && g.groups) {
      bool listed = false;
      for (auto& sub : *g.groups)
        listed = listed || sub.id.segments.back() == id.segments[depth];
      if (!listed)
        gone.push_back(key);
    }
  }
  for (auto& key : gone)
    apps.erase(key);
  if (g.apps)
    for (auto& app : *g.apps) {
      std::string key = app->getId();
      auto was = current.find(key);
      if (was != current.end() && same_app(*was->second, *app))
        apps[key] = was->second;
      else
        apps[key] = with_version(*app, version);
    }
  if (g.groups)
    for (auto& sub : *g.groups)
      apply(apps, current, sub, version);
}

bool holds_apps(const group_update& g) {
  if (g.apps && !g.apps->empty())
    return true;
  if (g.groups)
    for (auto& sub : *g.groups)
      if (holds_apps(sub))
        return true;
  return false;
}

void find_empty(const group_update& g, const std::string& prefix, std::vector<std::string>& out) {
  if (!holds_apps(g)) {
    out.push_back(prefix + "/apps");
    return;
  }
  if (g.groups)
    for (size_t k = 0; k < g.groups->size(); ++k)
      find_empty((*g.groups)[k], fmt::format("{}/groups({})", prefix, k), out);
}

} // namespace

group_result read_group(std::string_view body, const path_id& base,
                        const std::optional<path_id>& url_id) {
  reader r;
  std::optional<group_update> g;
  auto parsed = detail::read_json<JsonValue>(body, [&](JsonValue::Reader value)
                                                       -> caf::expected<wire<JsonValue>> {
    g = r.read(value, base, url_id, "", false, 0);
    return make_wire<JsonValue>([](JsonValue::Builder) {});
  });
  group_result out;
  if (!parsed) {
    out.error.status = 400;
    out.error.message = error_message(parsed.error());
    return out;
  }
  if (!r.found.empty() || !g) {
    out.error.status = 422;
    out.error.message = "Object is not valid";
    out.error.details = std::move(r.found);
    assert(!out.error.details.empty());
    return out;
  }
  out.group = std::move(g);
  return out;
}

bool in_group(const path_id& app, const path_id& group) {
  return app.segments.size() > group.segments.size() &&
         std::equal(group.segments.begin(), group.segments.end(), app.segments.begin());
}

std::vector<std::string> apps_in(const app_map& apps, const path_id& group) {
  std::vector<std::string> out;
  for (auto& [key, app] : apps)
    if (in_group(*parse_path_id(key).id, group))
      out.push_back(key);
  return out;
}

app_map apply_group(const app_map& current, const group_update& update,
                    const std::string& version) {
  assert(!version.empty());
  app_map out = current;
  apply(out, current, update, version);
  for ([[maybe_unused]] auto& [key, app] : out)
    assert(!std::string(app->getVersion()).empty() || current.count(key));
  return out;
}

std::vector<std::string> empty_groups(const group_update& update) {
  std::vector<std::string> out;
  find_empty(update, "", out);
  return out;
}

} // namespace cairn::services
