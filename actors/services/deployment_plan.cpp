#include "actors/services/deployment_plan.hpp"

#include <algorithm>
#include <functional>

#include <capnp/message.h>

#include "actors/services/app_definition.hpp"
#include "runtime/errors.hpp"

namespace cairn::services {

namespace {

using App = schema::services::App;

// Dependency levels over `apps`: level 0 depends on nothing among them, each
// later level only on earlier ones. Dependencies outside `apps` are ignored
// here (the caller checks that they exist).
caf::expected<std::map<path_id, int>> levels(const app_set& apps) {
  std::map<path_id, int> level;
  std::map<path_id, int> state;  // 1: being visited, 2: done
  std::vector<std::string> cycle;
  std::function<bool(const path_id&)> visit = [&](const path_id& id) -> bool {
    if (state[id] == 2)
      return true;
    if (state[id] == 1) {
      cycle.push_back(id.str());
      return false;
    }
    state[id] = 1;
    int mine = 0;
    for (const auto& dep : dependencies_of(apps.at(id))) {
      if (!apps.count(dep))
        continue;
      if (!visit(dep)) {
        cycle.push_back(id.str());
        return false;
      }
      mine = std::max(mine, level[dep] + 1);
    }
    level[id] = mine;
    state[id] = 2;
    return true;
  };
  for (const auto& [id, app] : apps)
    if (!visit(id)) {
      std::string path;
      for (auto it = cycle.rbegin(); it != cycle.rend(); ++it)
        path += (path.empty() ? "" : " -> ") + *it;
      return make_error("the dependencies form a cycle: " + path);
    }
  return level;
}

std::string without_scale(App::Reader app) {
  capnp::MallocMessageBuilder m;
  m.setRoot(app);
  auto b = m.getRoot<App>();
  b.setInstances(0);
  b.disownVersion();
  return app_json(b.asReader());
}

} // namespace

const char* kind_name(deployment_action::kind k) {
  switch (k) {
    case deployment_action::kind::start: return "StartApplication";
    case deployment_action::kind::scale: return "ScaleApplication";
    case deployment_action::kind::restart: return "RestartApplication";
    case deployment_action::kind::stop: return "StopApplication";
  }
  return "";
}

std::vector<path_id> dependencies_of(App::Reader app) {
  std::vector<path_id> out;
  auto self = parse_path_id(app.getId().cStr());
  path_id group = self.id ? self.id->parent() : path_id{};
  for (auto d : app.getDependencies())
    if (auto id = parse_path_id(d.cStr(), group).id)
      out.push_back(*id);
  return out;
}

bool definition_changed(App::Reader a, App::Reader b) {
  return without_scale(a) != without_scale(b);
}

caf::expected<std::vector<deployment_step>> plan_deployment(const app_set& current,
                                                            const app_set& target) {
  for (const auto& [id, app] : target)
    for (const auto& dep : dependencies_of(app))
      if (!target.count(dep))
        return make_error("app '" + id.str() + "' depends on '" + dep.str() +
                          "', which does not exist");
  auto target_levels = levels(target);
  if (!target_levels)
    return target_levels.error();
  app_set removed;
  for (const auto& [id, app] : current)
    if (!target.count(id))
      removed.emplace(id, app);
  auto removed_levels = levels(removed);
  if (!removed_levels)
    return removed_levels.error();

  std::vector<deployment_step> steps;
  // Stops: the highest level (the most dependent) first.
  std::map<int, deployment_step, std::greater<int>> stops;
  for (const auto& [id, lvl] : *removed_levels)
    stops[lvl].push_back({deployment_action::kind::stop, id, 0});
  for (auto& [lvl, step] : stops)
    steps.push_back(std::move(step));
  std::map<int, deployment_step> ups;
  for (const auto& [id, app] : target) {
    auto lvl = target_levels->at(id);
    auto was = current.find(id);
    int32_t n = app.getInstances();
    if (was == current.end())
      ups[lvl].push_back({deployment_action::kind::start, id, n});
    else if (definition_changed(was->second, app))
      ups[lvl].push_back({deployment_action::kind::restart, id, n});
    else if (was->second.getInstances() != n)
      ups[lvl].push_back({deployment_action::kind::scale, id, n});
  }
  for (auto& [lvl, step] : ups)
    steps.push_back(std::move(step));
  return steps;
}

} // namespace cairn::services
