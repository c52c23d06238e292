#include "actors/services/services_actor.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/services/services_state.hpp"
#include "actors/services/step_progress.hpp"
#include "actors/task_state.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace services {

namespace {

using tick_atom = caf::atom_constant<caf::atom("svctick")>;
using kind = deployment_action::kind;

auto log() {
  return logger("services");
}

void start_driver(services_actor_ptr self) {
  auto& st = self->state;
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName(st.options.framework_name);
    i.setUser(st.options.user);
    i.initRoles(1).set(0, st.options.role);
    // Its tasks outlive it for a week, as Marathon asks of Mesos.
    i.setCheckpoint(true);
    i.setFailoverTimeout(7 * 24 * 3600.0);
    if (!st.framework_id.empty())
      i.initId().setValue(st.framework_id);
    i.initCapabilities(1)[0].setType(schema::FrameworkInfo::Capability::Type::MULTI_ROLE);
  });
  options.master_addresses = st.options.master_addresses;
  st.driver = caf::actor_cast<caf::actor>(
    spawn_driver(self->system(), std::move(options), caf::actor_cast<scheduler_call_sink>(st.store.master),
                 caf::actor_cast<scheduler_sink>(self)));
  self->link_to(st.driver);
}

bool ready(const instance& i, bool checked) {
  return i.alive() && i.state == "TASK_RUNNING" && (!checked || i.healthy.value_or(false));
}

// The app's counts as step_progress reads them; an app removed has only
// old instances.
app_progress progress_of(services_state& st, const std::string& key) {
  app_progress p;
  auto it = st.apps.find(key);
  bool checked = it != st.apps.end() && has_health_checks(*it->second.def);
  if (it != st.apps.end()) {
    p.target = it->second.def->getInstances();
    p.wanted_new = it->second.wanted_new;
  }
  for (auto& [id, i] : st.instances) {
    if (i.app != key)
      continue;
    if (!i.alive())
      ++p.dying;
    else if (it != st.apps.end() && is_current(it->second, i))
      ++p.current, p.current_ready += ready(i, checked);
    else
      ++p.old;
  }
  return p;
}

// Does what `d` says: asks for instances, kills old ones (the oldest first)
// and ones of the app's version (as its killSelection says).
void apply(services_actor_ptr self, const std::string& key, const step_decision& d) {
  auto& st = self->state;
  auto it = st.apps.find(key);
  std::vector<instance*> old, current;
  for (auto& [id, i] : st.instances)
    if (i.app == key && i.alive())
      (it != st.apps.end() && is_current(it->second, i) ? current : old).push_back(&i);
  auto older = [](auto* x, auto* y) { return x->staged_s < y->staged_s; };
  std::sort(old.begin(), old.end(), older);
  std::sort(current.begin(), current.end(), older);
  if (it != st.apps.end() &&
      it->second.def->getKillSelection() == schema::services::KillSelection::YOUNGEST_FIRST)
    std::reverse(current.begin(), current.end());
  for (int32_t k = 0; k < d.kill_old && k < static_cast<int32_t>(old.size()); ++k)
    kill_instance(self, *old[static_cast<size_t>(k)]);
  for (int32_t k = 0; k < d.kill_new && k < static_cast<int32_t>(current.size()); ++k)
    kill_instance(self, *current[static_cast<size_t>(k)]);
  if (it != st.apps.end() && it->second.wanted_new != d.wanted_new) {
    it->second.wanted_new = d.wanted_new;
    store_app(self, key);
    want_offers(self);
  }
}

// Whether one action of a running step is done, doing what it still needs.
bool advance_action(services_actor_ptr self, const deployment_action& action) {
  auto& st = self->state;
  auto key = action.app.str();
  auto it = st.apps.find(key);
  auto what = it == st.apps.end() ? kind::stop : action.what;
  double least = 1, over = 1;
  if (it != st.apps.end()) {
    auto upgrade = it->second.def->getUpgradeStrategy();
    least = upgrade.getMinimumHealthCapacity();
    over = upgrade.getMaximumOverCapacity();
  }
  auto d = advance(what, progress_of(st, key), least, over);
  apply(self, key, d);
  return d.done;
}

// Apps that no deployment holds are kept at their count: what died is
// replaced, what is too many is killed; instances of no app are killed.
void keep_counts(services_actor_ptr self) {
  auto& st = self->state;
  for (auto& [key, a] : st.apps)
    if (!deployment_of(st, key))
      apply(self, key, keep(progress_of(st, key)));
  for (auto& [id, i] : st.instances)
    if (i.alive() && st.apps.count(i.app) == 0 && !deployment_of(st, i.app))
      kill_instance(self, i);
}

// Marathon names a task after its app: /team/web's are team_web.<uuid>.
std::string version_suffix(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

} // namespace

double now_s() {
  return wall_clock_seconds();
}

std::string iso_now() {
  return version_suffix(static_cast<int64_t>(std::llround(now_s() * 1000)));
}

std::string new_version() {
  static int64_t last = 0;
  int64_t ms = static_cast<int64_t>(std::llround(now_s() * 1000));
  last = std::max(last + 1, ms);
  return version_suffix(last);
}

bool is_current(const app_entry& a, const instance& i) {
  // Versions are ISO times of one width: launched at or after the last change
  // of the definition is of it. A scale makes a new version, not new instances.
  std::string changed = a.last_config_change_at;
  if (changed.empty())
    changed = a.def->getVersion();
  return i.version >= changed;
}

bool has_health_checks(App::Reader app) {
  return app.getHealthChecks().size() > 0;
}

instance_counts count_instances(const services_state& st, const std::string& app) {
  instance_counts c;
  auto it = st.apps.find(app);
  bool checked = it != st.apps.end() && has_health_checks(*it->second.def);
  for (auto& [id, i] : st.instances) {
    if (i.app != app || !i.alive())
      continue;
    if (it != st.apps.end() && is_current(it->second, i)) {
      ++c.current;
      c.current_healthy += ready(i, checked);
    } else {
      ++c.old;
    }
  }
  return c;
}

int32_t waiting(const services_state& st, const app_entry& a) {
  int32_t live = 0;
  std::string app = a.def->getId();
  for (auto& [id, i] : st.instances)
    live += i.app == app && is_current(a, i) && i.alive();
  return std::max(0, a.wanted_new - live);
}

void kill_instance(services_actor_ptr self, instance& task) {
  auto& st = self->state;
  bool first = !task.killing;
  task.killing = true;
  if (st.driver && !st.framework_id.empty())
    self->send(st.driver, calls::kill(st.framework_id, task.task_id, task.agent_id));
  if (first)
    store_app(self, task.app);
}

void on_update(services_actor_ptr self, schema::TaskStatus::Reader s) {
  auto& st = self->state;
  std::string id = s.getTaskId().getValue();
  auto state = s.getState();
  auto it = st.instances.find(id);
  if (it == st.instances.end()) {
    // A task of this framework no app knows (its app removed while the
    // framework was away): killed, as Marathon kills unknown tasks.
    if (st.unknown_killed.size() >= max_unknown_killed)
      st.unknown_killed.clear();  // a repeat kill is harmless; an unbounded set is not
    if (!is_terminal(state) && st.unknown_killed.insert(id).second && st.driver)
      self->send(st.driver, calls::kill(st.framework_id, id,
                                        s.hasAgentId() ? std::string(s.getAgentId().getValue())
                                                       : std::string()));
    return;
  }
  auto& i = it->second;
  if (s.hasAgentId() && s.getAgentId().getValue().size() > 0)
    i.agent_id = s.getAgentId().getValue();
  auto health = s.getHealthy();
  auto was_healthy = i.healthy;
  if (health != schema::TaskStatus::Health::UNKNOWN) {
    bool healthy = health == schema::TaskStatus::Health::HEALTHY;
    if (healthy) {
      if (i.first_success.empty())
        i.first_success = iso_now();
      i.last_success = iso_now();
      i.failures = 0;
    } else {
      i.last_failure = iso_now();
      ++i.failures;
    }
    i.healthy = healthy;
  }
  std::string name = state_name(state);
  bool changed = name != i.state || health != schema::TaskStatus::Health::UNKNOWN;
  bool moved = name != i.state;
  i.state = name;
  if (moved)
    emit_status_update(self, i, s.getMessage());
  if (i.healthy != was_healthy)
    emit_health_changed(self, i);
  if (state == schema::TaskState::TASK_RUNNING && i.started_at.empty())
    i.started_at = iso_now();
  // An unreachable instance is replaced at once, as Marathon's default
  // unreachableStrategy (inactiveAfterSeconds 0) says; if it comes back it
  // is killed.
  if (state == schema::TaskState::TASK_UNREACHABLE && !i.killing)
    kill_instance(self, i);
  if (!is_terminal(state)) {
    // A kill lost with a master is asked again.
    if (i.killing && s.getReason() == schema::TaskStatus::Reason::RECONCILIATION)
      self->send(st.driver, calls::kill(st.framework_id, i.task_id, i.agent_id));
    if (changed)
      store_app(self, i.app);
    return;
  }
  log()->info("{}: task {} {}{}", i.app, id, name,
              s.getMessage().size() > 0 ? std::string(": ") + s.getMessage().cStr() : "");
  bool counts = !i.killing && (state == schema::TaskState::TASK_FAILED ||
                               state == schema::TaskState::TASK_FINISHED ||
                               state == schema::TaskState::TASK_ERROR);
  auto app = i.app;
  bool current = false;
  if (auto a = st.apps.find(app); a != st.apps.end())
    current = is_current(a->second, i);
  st.instances.erase(it);
  if (auto a = st.apps.find(app); a != st.apps.end()) {
    if (counts && current) {
      auto d = *a->second.def;
      a->second.backoff.failed(now_s(), d.getBackoffSeconds(), d.getBackoffFactor(),
                               d.getMaxLaunchDelaySeconds());
      log()->info("{}: next launch in {:.1f}s (backoff)", app, a->second.backoff.delay());
    }
  }
  store_app(self, app);
  want_offers(self);
}

std::optional<std::string> deployment_of(const services_state& st, const std::string& app) {
  for (auto& [id, d] : st.deployments)
    if (std::find(d.affected.begin(), d.affected.end(), app) != d.affected.end())
      return id;
  return std::nullopt;
}

void run_deployments(services_actor_ptr self) {
  auto& st = self->state;
  std::vector<std::string> finished;
  bool changed = false;
  for (auto& [id, d] : st.deployments) {
    while (d.current < d.steps.size()) {
      bool done = true;
      for (auto& action : d.steps[d.current])
        done = advance_action(self, action) && done;
      if (!d.step_started) {
        d.step_started = true;
        changed = true;
        emit_deployment(self, "deployment_info", d);
      }
      if (!done)
        break;
      emit_deployment(self, "deployment_step_success", d);
      log()->info("deployment {}: step {} of {} done", id, d.current + 1, d.steps.size());
      ++d.current;
      d.step_started = false;
      changed = true;
    }
    if (d.current >= d.steps.size())
      finished.push_back(id);
  }
  for (auto& id : finished) {
    log()->info("deployment {} finished", id);
    emit_deployment(self, "deployment_success", st.deployments.at(id));
    st.deployments.erase(id);
  }
  if (changed || !finished.empty())
    store_deployments(self);
  keep_counts(self);
}

caf::expected<std::optional<std::string>> deploy(services_actor_ptr self,
                                                 std::map<std::string, wire<App>> target,
                                                 const std::string& version,
                                                 const std::set<std::string>& restart) {
  auto& st = self->state;
  app_set before, after;
  for (auto& [key, a] : st.apps)
    before.emplace(*parse_path_id(key).id, *a.def);
  for (auto& [key, a] : target)
    after.emplace(*parse_path_id(key).id, *a);
  auto steps = plan_deployment(before, after);
  if (!steps)
    return steps.error();
  if (steps->empty() && !restart.empty()) {
    deployment_step step;
    for (auto& key : restart)
      step.push_back({kind::restart, *parse_path_id(key).id, target.at(key)->getInstances()});
    steps->push_back(std::move(step));
  }
  if (steps->empty())
    return std::optional<std::string>{};
  if (st.deployments.size() >= max_deployments)
    return make_error(fmt::format("{} deployments are running, the limit", max_deployments));
  deployment d;
  d.id = st.random->uuid();
  d.version = version;
  d.steps = std::move(*steps);
  std::set<std::string> affected;
  for (auto& step : d.steps)
    for (auto& action : step)
      affected.insert(action.app.str());
  d.affected.assign(affected.begin(), affected.end());
  for (auto& key : d.affected) {
    if (auto old = st.apps.find(key); old != st.apps.end())
      d.previous.push_back(old->second.def);
    else
      d.created.push_back(key);
  }
  // The apps become their targets now; their instances follow step by step.
  for (auto& key : d.affected) {
    auto t = target.find(key);
    if (t == target.end()) {
      st.apps.erase(key);
      forget_app(self, key);
      continue;
    }
    auto& a = st.apps[key];
    bool fresh = !a.def;
    bool changed = fresh || restart.count(key) > 0 || definition_changed(*a.def, *t->second);
    if (fresh || changed) {
      a.wanted_new = 0;
      a.backoff.reset();
      a.last_config_change_at = version;
    }
    a.last_scaling_at = version;
    a.def = t->second;
    store_app(self, key);
    if (fresh)
      store_index(self);
  }
  auto id = d.id;
  st.deployments.emplace(id, std::move(d));
  store_deployments(self);
  log()->info("deployment {}: {} step(s) for {} app(s)", id, st.deployments[id].steps.size(),
              affected.size());
  run_deployments(self);
  return std::optional<std::string>{id};
}

caf::expected<std::optional<std::string>> cancel_deployment(services_actor_ptr self,
                                                            const std::string& id,
                                                            bool rollback) {
  auto& st = self->state;
  auto it = st.deployments.find(id);
  if (it == st.deployments.end())
    return make_error("no deployment " + id);
  auto d = std::move(it->second);
  st.deployments.erase(it);
  emit_deployment(self, "deployment_failed", d);
  store_deployments(self);
  if (!rollback)
    return std::optional<std::string>{};
  std::map<std::string, wire<App>> target;
  for (auto& [key, a] : st.apps)
    target.emplace(key, a.def);
  for (auto& key : d.created)
    target.erase(key);
  auto version = new_version();
  for (auto& prev : d.previous) {
    // The old definition under a new version: its instances are replaced
    // only where it differs from what runs now.
    auto copy = edited_app(*prev, [&](App::Builder b) {
      b.setVersion(version);
    });
    target[prev->getId()] = std::move(copy);
  }
  return deploy(self, std::move(target), version);
}

} // namespace services

using namespace services;

caf::actor spawn_services(caf::actor_system& sys, services_options options,
                          master_actor master) {
  return sys.spawn([options = std::move(options),
                    master](services_actor_ptr self) -> caf::behavior {
    auto& store = self->state.store;
    self->state.options = options;
    store.master = master;
    store.prefix = options.kv_prefix;
    store.master_addresses = options.master_addresses;
    store.component = "services";
    self->state.random = std::make_unique<random_source>(entropy_seed());
    // A /v2/events subscriber that ends (its client left) is forgotten.
    self->set_down_handler(
      [self](caf::down_msg& down) { self->state.subscribers.erase(down.source); });
    recover(self, [self] {
      self->state.recovered = true;
      start_driver(self);
      self->send(self, tick_atom::value);
    });
    return {
      [=](const scheduler_event& event) {
        auto& st = self->state;
        scheduler_handlers h;
        h.subscribed = [&](const std::string& id) {
          bool changed = st.framework_id != id;
          st.framework_id = id;
          st.subscribed = true;
          st.suppressed = false;
          for (auto& [key, a] : st.apps)
            a.last_waiting = 0;
          if (changed)
            store_framework_id(self);
          // Every task launched before is asked after (TASK_LOST for one
          // the master never heard of), then every task the master knows,
          // so that tasks no app knows are found and killed.
          std::vector<std::pair<std::string, std::string>> tasks;
          for (auto& [tid, i] : st.instances)
            tasks.emplace_back(tid, i.agent_id);
          if (!tasks.empty())
            self->send(st.driver, calls::reconcile(st.framework_id, tasks));
          self->send(st.driver, calls::reconcile(st.framework_id, {}));
          want_offers(self);
        };
        h.offers = [&](auto offers) { on_offers(self, offers); };
        h.update = [&](schema::TaskStatus::Reader s) {
          auto& st = self->state;
          auto it = st.instances.find(s.getTaskId().getValue());
          auto app = it == st.instances.end() ? std::string() : it->second.app;
          on_update(self, s);
          // A step that waits on this instance moves on with the update
          // that ends the wait, not a tick later: a client that sees the
          // task running sees its deployment finished.
          if (!app.empty() && deployment_of(st, app))
            run_deployments(self);
        };
        h.error = [&](const std::string& message) {
          log()->error("the master refused the framework: {}", message);
        };
        dispatch(event, h);
      },
      [=](tick_atom) {
        run_deployments(self);
        want_offers(self);
        self->delayed_send(self, self->state.options.tick, tick_atom::value);
      },
      [=](services_subscribe_atom, caf::actor who, const std::string& types) {
        if (self->state.subscribers.size() >= max_event_subscribers)
          return false;
        subscribe_events(self, std::move(who), types);
        return true;
      },
      [=](services_address_atom, const std::string& address) {
        self->state.options.api_address = address;
      },
      [=](store_master_found_atom, master_actor master) {
        on_master_found(self, std::move(master));
      },
      [=](store_read_again_atom) {
        if (!self->state.recovered)
          recover(self, self->state.recover_done);
      },
      [=](services_api_atom, const std::string& method, const std::string& path,
          const std::string& query, const std::string& body) {
        auto rp = self->make_response_promise();
        if (!self->state.recovered) {
          rp.deliver(503, std::string("application/json"),
                     std::string(R"({"message":"services is reading its state back; try again"})"),
                     std::string());
          return rp;
        }
        // Answered once what the call changed is stored, as Marathon answers
        // once its change is in ZooKeeper.
        auto a = std::make_shared<api_answer>();
        store_change(
          self->state.store, [&] { *a = serve_api(self, method, path, query, body); },
          [rp, a](bool stored) mutable {
            if (!stored && a->status < 300)
              *a = {503, "application/json",
                    R"({"message":")" + std::string(change_not_stored) + R"("})", ""};
            rp.deliver(a->status, a->content_type, a->body, a->location);
          });
        return rp;
      },
    };
  });
}

} // namespace cairn
