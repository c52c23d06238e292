// The services framework's state in the master's replicated key-value store:
// the framework id, an index of app ids, each app (its definition, how many
// of its version it wants, its instances) and the running deployments.
// Writes are whole values in the order they are made; a write that fails
// leaves the value to the next write, after the master is found again.
#include <ctime>
#include <sstream>

#include <caf/event_based_actor.hpp>

#include "actors/services/services_state.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace cairn::services {

namespace {

auto log() {
  return logger("services");
}

// `render` makes the value when the write is made: the latest state, once
// per write however many changes came meanwhile (an app's record holds all
// its instances, and each of their changes asks for it).
void put(services_actor_ptr self, const std::string& k, std::function<std::string()> render) {
  store_put(self, self->state.store, k, std::move(render));
}

void erase(services_actor_ptr self, const std::string& k) {
  store_erase(self, self->state.store, k);
}

double seconds_of(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  if (sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

instance instance_of(schema::services::Task::Reader t) {
  instance i;
  i.task_id = t.getId();
  i.app = t.getAppId();
  i.version = t.getVersion();
  i.agent_id = t.getSlaveId();
  i.host = t.getHost();
  for (auto p : t.getPorts())
    i.ports.push_back(p);
  i.state = t.getState();
  if (i.state == "TASK_KILLING")
    i.killing = true;
  i.staged_at = t.getStagedAt();
  i.started_at = t.getStartedAt();
  i.staged_s = seconds_of(i.staged_at);
  for (auto h : t.getHealthCheckResults()) {
    i.healthy = h.getAlive();
    i.failures = h.getConsecutiveFailures();
    i.first_success = h.getFirstSuccess();
    i.last_success = h.getLastSuccess();
    i.last_failure = h.getLastFailure();
  }
  return i;
}

void read_key(services_actor_ptr self, const std::string& k,
              std::function<void(const std::string& value)> got) {
  store_read(self, self->state.store, k, std::move(got));
}

void read_app_key(services_actor_ptr self, const std::string& id) {
  read_key(self, "app" + id, [self, id](const std::string& value) {
    if (value.empty())
      return;
    auto stored = from_json<schema::services::StoredApp>(value);
    if (!stored) {
      log()->error("stored app {} does not read back: {}", id, error_message(stored.error()));
      return;
    }
    auto& a = self->state.apps[id];
    a.def = copy_to_wire<App>((*stored)->getApp());
    a.wanted_new = (*stored)->getWantedNew();
    a.last_scaling_at = (*stored)->getLastScalingAt();
    a.last_config_change_at = (*stored)->getLastConfigChangeAt();
    for (auto t : (*stored)->getTasks()) {
      auto i = instance_of(t);
      self->state.instances.emplace(i.task_id, std::move(i));
    }
  });
}

deployment deployment_of_record(schema::services::StoredDeployment::Reader r) {
  deployment d;
  auto doc = r.getDeployment();
  d.id = doc.getId();
  d.version = doc.getVersion();
  for (auto a : doc.getAffectedApps())
    d.affected.emplace_back(a.cStr());
  for (auto step : doc.getSteps()) {
    deployment_step s;
    for (auto a : step.getActions()) {
      deployment_action action;
      std::string name = a.getAction();
      for (auto k : {deployment_action::kind::start, deployment_action::kind::scale,
                     deployment_action::kind::restart, deployment_action::kind::stop})
        if (name == kind_name(k))
          action.what = k;
      std::string app = a.getApp();
      auto id = parse_path_id(app);
      if (id.id)
        action.app = *id.id;
      // The count an action ends with is the app's own (Marathon keeps it
      // in the target definition), read again when the step runs.
      s.push_back(action);
    }
    d.steps.push_back(std::move(s));
  }
  d.current = static_cast<size_t>(std::max(0, doc.getCurrentStep() - 1));
  for (auto p : r.getPrevious())
    d.previous.push_back(copy_to_wire<App>(p));
  for (auto c : r.getRemoved())
    d.created.emplace_back(c.cStr());
  return d;
}

} // namespace

void store_index(services_actor_ptr self) {
  put(self, "index", [self] {
    std::string out;
    for (auto& [id, a] : self->state.apps)
      out += id + "\n";
    return out;
  });
}

wire<schema::services::Task> task_record(const instance& i, App::Reader app) {
  return make_wire<schema::services::Task>([&](schema::services::Task::Builder b) {
    b.setId(i.task_id);
    b.setAppId(i.app);
    b.setHost(i.host);
    auto ips = b.initIpAddresses(i.host.empty() ? 0 : 1);
    if (!i.host.empty())
      ips[0].setIpAddress(i.host);
    auto ports = b.initPorts(static_cast<unsigned>(i.ports.size()));
    for (unsigned k = 0; k < i.ports.size(); ++k)
      ports.set(k, i.ports[k]);
    std::vector<int64_t> service;
    if (app.getNetworks().size() == 0 ||
        app.getNetworks()[0].getMode() == schema::services::NetworkMode::HOST) {
      for (auto d : app.getPortDefinitions())
        service.push_back(d.getPort());
    } else if (app.hasContainer()) {
      for (auto m : app.getContainer().getPortMappings())
        service.push_back(m.getServicePort());
    }
    auto sp = b.initServicePorts(static_cast<unsigned>(service.size()));
    for (unsigned k = 0; k < service.size(); ++k)
      sp.set(k, service[k]);
    b.setSlaveId(i.agent_id);
    b.setStagedAt(i.staged_at);
    if (!i.started_at.empty())
      b.setStartedAt(i.started_at);
    b.setState(i.killing ? "TASK_KILLING" : i.state);
    b.setVersion(i.version);
    b.initLocalVolumes(0);
    auto results = b.initHealthCheckResults(i.healthy ? 1 : 0);
    if (i.healthy) {
      auto r = results[0];
      r.setAlive(*i.healthy);
      r.setConsecutiveFailures(i.failures);
      if (!i.first_success.empty())
        r.setFirstSuccess(i.first_success);
      if (!i.last_success.empty())
        r.setLastSuccess(i.last_success);
      if (!i.last_failure.empty())
        r.setLastFailure(i.last_failure);
      r.setInstanceId(i.task_id);
    }
  });
}

namespace {

// An app's record: its definition, what its deployment wants, its instances.
std::string app_record(const services_state& st, const std::string& id) {
  auto it = st.apps.find(id);
  if (it == st.apps.end())
    return {};
  auto& a = it->second;
  std::vector<const instance*> mine;
  for (auto& [tid, i] : st.instances)
    if (i.app == id)
      mine.push_back(&i);
  return to_json(
    make_wire<schema::services::StoredApp>([&](schema::services::StoredApp::Builder b) {
      b.setApp(*a.def);
      b.setWantedNew(a.wanted_new);
      b.setLastScalingAt(a.last_scaling_at);
      b.setLastConfigChangeAt(a.last_config_change_at);
      auto tasks = b.initTasks(static_cast<unsigned>(mine.size()));
      for (unsigned k = 0; k < mine.size(); ++k)
        tasks.setWithCaveats(k, task_record(*mine[k], *a.def).get());
    }).get());
}

} // namespace

void store_app(services_actor_ptr self, const std::string& id) {
  if (self->state.apps.count(id) == 0)
    return;
  // Forgetting the app drops a write not yet made, so it is there when rendered.
  put(self, "app" + id, [self, id] { return app_record(self->state, id); });
}

void forget_app(services_actor_ptr self, const std::string& id) {
  erase(self, "app" + id);
  store_index(self);
}

namespace {

std::string deployments_record(const services_state& st) {
  return to_json(make_wire<schema::services::StoredDeployments>([&](auto b) {
                auto list = b.initDeployments(static_cast<unsigned>(st.deployments.size()));
                unsigned n = 0;
                for (auto& [id, d] : st.deployments) {
                  auto r = list[n++];
                  auto doc = r.initDeployment();
                  doc.setId(d.id);
                  doc.setVersion(d.version);
                  auto affected = doc.initAffectedApps(static_cast<unsigned>(d.affected.size()));
                  for (unsigned k = 0; k < d.affected.size(); ++k)
                    affected.set(k, d.affected[k]);
                  auto steps = doc.initSteps(static_cast<unsigned>(d.steps.size()));
                  for (unsigned k = 0; k < d.steps.size(); ++k) {
                    auto actions = steps[k].initActions(static_cast<unsigned>(d.steps[k].size()));
                    for (unsigned m = 0; m < d.steps[k].size(); ++m) {
                      actions[m].setAction(kind_name(d.steps[k][m].what));
                      actions[m].setApp(d.steps[k][m].app.str());
                    }
                  }
                  doc.setCurrentStep(static_cast<int32_t>(d.current + 1));
                  doc.setTotalSteps(static_cast<int32_t>(d.steps.size()));
                  auto prev = r.initPrevious(static_cast<unsigned>(d.previous.size()));
                  for (unsigned k = 0; k < d.previous.size(); ++k)
                    prev.setWithCaveats(k, *d.previous[k]);
                  auto created = r.initRemoved(static_cast<unsigned>(d.created.size()));
                  for (unsigned k = 0; k < d.created.size(); ++k)
                    created.set(k, d.created[k]);
                }
              }).get());
}

} // namespace

void store_deployments(services_actor_ptr self) {
  put(self, "deployments", [self] { return deployments_record(self->state); });
}

void store_framework_id(services_actor_ptr self) {
  put(self, "framework_id", [self] { return self->state.framework_id; });
}

void on_master_found(services_actor_ptr self, master_actor master) {
  store_master_found(self, self->state.store, std::move(master));
  if (self->state.recovered && take_behind(self->state.store))
    store_all(self);
}

void store_all(services_actor_ptr self) {
  store_framework_id(self);
  store_index(self);
  for (auto& [id, a] : self->state.apps)
    store_app(self, id);
  store_deployments(self);
}

void recover(services_actor_ptr self, std::function<void()> done) {
  auto& st = self->state;
  st.apps.clear();
  st.instances.clear();
  st.deployments.clear();
  st.recover_done = done;
  begin_read_back(st.store, [self, done] {
    auto& st = self->state;
    log()->info("read back {} app(s), {} instance(s), {} deployment(s)", st.apps.size(),
                st.instances.size(), st.deployments.size());
    done();
  });
  read_key(self, "framework_id",
           [self](const std::string& value) { self->state.framework_id = value; });
  read_key(self, "index", [self](const std::string& value) {
    std::istringstream ids(value);
    std::string id;
    while (std::getline(ids, id))
      if (!id.empty())
        read_app_key(self, id);
  });
  read_key(self, "deployments", [self](const std::string& value) {
    if (value.empty())
      return;
    auto stored = from_json<schema::services::StoredDeployments>(value);
    if (!stored) {
      log()->error("stored deployments do not read back: {}", error_message(stored.error()));
      return;
    }
    for (auto r : (*stored)->getDeployments()) {
      auto d = deployment_of_record(r);
      self->state.deployments.emplace(d.id, std::move(d));
    }
  });
}

} // namespace cairn::services
