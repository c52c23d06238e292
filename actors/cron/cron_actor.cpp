#include "actors/cron/cron_actor.hpp"

#include <cmath>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/cron/cron_state.hpp"
#include "actors/cron/tz_database.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/task_state.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace cron {

namespace {

using tick_atom = caf::atom_constant<caf::atom("crontick")>;
using retry_atom = caf::atom_constant<caf::atom("cronretry")>;
using reconcile_atom = caf::atom_constant<caf::atom("cronrecon")>;
using start_driver_atom = caf::atom_constant<caf::atom("crondrive")>;

// How often the runs believed launched are asked after: an answer the
// master held back (their agent had yet to come back to a new leader)
// comes with a later round.
constexpr auto reconcile_interval = std::chrono::seconds(5);

auto log() {
  return logger("cron");
}

// Whether a terminal update means the launch never reached an agent: the
// master answered for a run no agent has reported on (reconciliation of a
// task it does not know, or a launch with an offer it does not know).
bool never_started(const run& r, schema::TaskStatus::Reader s) {
  using schema::TaskState;
  using reason = schema::TaskStatus::Reason;
  if (r.killed || r.launching || r.state != "TASK_STAGING")
    return false;
  if (s.getSource() != schema::TaskStatus::Source::SOURCE_MASTER)
    return false;
  auto state = s.getState();
  bool gone = state == TaskState::TASK_LOST || state == TaskState::TASK_DROPPED
              || state == TaskState::TASK_UNKNOWN || state == TaskState::TASK_GONE;
  return gone && (s.getReason() == reason::RECONCILIATION
                  || s.getReason() == reason::INVALID_OFFERS);
}

// Whether a scheduled run of `job` due at `due_ms` is known already: read
// back from a store that recorded the run but not yet its job's schedule
// moved on (the two are separate keys, written in that order).
bool known_run(const cron_state& st, const std::string& job, int64_t due_ms) {
  auto same = [&](const run& r) { return r.job == job && r.due_ms == due_ms; };
  if (std::any_of(st.queue.begin(), st.queue.end(), same))
    return true;
  for (auto& [id, r] : st.active)
    if (same(r))
      return true;
  auto h = st.history.find(job);
  return h != st.history.end() && std::any_of(h->second.begin(), h->second.end(), same);
}

void start_driver(cron_actor_ptr self) {
  auto& st = self->state;
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName(st.options.framework_name);
    i.setUser(st.options.user);
    i.initRoles(1).set(0, st.options.role);
    // Its tasks outlive it for a week, as Chronos asks of Mesos.
    i.setCheckpoint(true);
    i.setFailoverTimeout(7 * 24 * 3600.0);
    // The master's UI links here to the jobs page, as Mesos' links to Chronos.
    if (!st.options.api_address.empty())
      i.setWebuiUrl("http://" + st.options.api_address + "/");
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

// Each scheduled job's due decision at `now`: skipped runs counted, due ones
// queued, used-up schedules disable their job.
void look_at_schedules(cron_actor_ptr self) {
  auto& st = self->state;
  int64_t now = now_ms();
  for (auto& [name, j] : st.jobs) {
    if (j.disabled || !j.schedule)
      continue;
    bool changed = false;
    for (int guard = 0; guard < 100; ++guard) {
      auto d = decide(*j.schedule, now, j.epsilon_ms);
      if (d.skipped > 0) {
        j.skip_count += d.skipped;
        changed = true;
        log()->info("job {}: skipped {} run(s) later than epsilon", name, d.skipped);
      }
      if (d.what == due_decision::action::finished) {
        j.disabled = true;
        changed = true;
        break;
      }
      if (d.what == due_decision::action::wait)
        break;
      changed = true;
      // Stored with the schedule moved on (below) before any offer can
      // launch the run.
      if (known_run(st, name, d.at_ms))
        log()->info("job {}: the run due at {} is known already", name, d.at_ms);
      else
        enqueue(self, name, d.at_ms, 0);
    }
    if (changed)
      store_job(self, name);
  }
}

// Asks after every run launched (and not just being launched): the master
// answers with each one's state, TASK_LOST for one it never heard of.
void reconcile(cron_actor_ptr self) {
  auto& st = self->state;
  if (!st.subscribed || !st.driver || st.framework_id.empty())
    return;
  std::vector<std::pair<std::string, std::string>> tasks;
  for (auto& [tid, r] : st.active)
    if (!r.launching)
      tasks.emplace_back(tid, r.agent_id);
  if (!tasks.empty())
    self->send(st.driver, calls::reconcile(st.framework_id, tasks));
}

void record_history(cron_actor_ptr self, const run& r) {
  auto& h = self->state.history[r.job];
  h.push_back(r);
  while (h.size() > max_history_per_job)
    h.pop_front();
  store_history(self, r.job);
}

// A run's last attempt is over: counters, children, history.
void finish(cron_actor_ptr self, run r, bool succeeded) {
  auto& st = self->state;
  auto it = st.jobs.find(r.job);
  record_history(self, r);
  if (it == st.jobs.end() || r.killed)
    return;
  auto& j = it->second;
  auto d = on_attempt_end(succeeded, r.attempt, j.spec->getRetries(), j.spec->getSoftError(),
                          now_iso(), j.counters);
  if (d.retry) {
    log()->info("job {}: attempt {} failed; again in {}", r.job, r.attempt + 1,
                format_duration(st.options.failure_retry));
    self->delayed_send(self, st.options.failure_retry, retry_atom::value, r.job, r.due_ms,
                       r.attempt + 1);
    return;
  }
  store_job(self, r.job);
  if (!d.children_may_run)
    return;
  for (auto& child : st.graph.parent_succeeded(r.job)) {
    auto c = st.jobs.find(child);
    if (c == st.jobs.end() || c->second.disabled)
      continue;
    enqueue(self, child, now_ms(), 0);
  }
}

} // namespace

bool acting(cron_actor_ptr self) {
  auto& st = self->state;
  return st.owner && st.owner->owns(now_ms());
}

void start_owning(cron_actor_ptr self) {
  recover(self, [self] {
    self->state.recovered = true;
    start_driver(self);
    self->send(self, tick_atom::value);
    self->delayed_send(self, reconcile_interval, reconcile_atom::value);
  });
}

void finish_unlaunched(cron_actor_ptr self, const std::string& task_id) {
  auto& st = self->state;
  auto it = st.active.find(task_id);
  if (it == st.active.end())
    return;
  run done = std::move(it->second);
  st.active.erase(it);
  store_runs(self);
  finish(self, std::move(done), false);
}

std::string task_id_of(const std::string& job, int64_t due_ms, uint32_t attempt) {
  return fmt::format("ct:{}:{}:{}:", due_ms, attempt, job);
}

int64_t now_ms() {
  return static_cast<int64_t>(std::llround(wall_clock_seconds() * 1000));
}

std::string now_iso() {
  return format_date_time(now_ms(), 0);
}

void enqueue(cron_actor_ptr self, const std::string& name, int64_t due_ms, uint32_t attempt,
             bool manual) {
  auto& st = self->state;
  auto it = st.jobs.find(name);
  if (it == st.jobs.end())
    return;
  auto& j = it->second;
  if (attempt == 0 && !manual) {
    size_t running = 0;
    for (auto& q : st.queue)
      running += q.job == name;
    for (auto& [id, a] : st.active)
      running += a.job == name;
    switch (on_due_while_running(j.policy, running)) {
      case overlap_action::drop:
        log()->info("job {}: a run is due while one runs; dropped (concurrency FORBID)", name);
        return;
      case overlap_action::replace:
        kill_runs(self, name);
        break;
      case overlap_action::launch:
        break;
    }
  }
  // A dependent child's edges count anew from this run.
  if (attempt == 0)
    st.graph.child_ran(name);
  if (st.queue.size() >= max_queued_runs) {
    log()->error("job {}: the queue holds {} runs; this one is dropped", name, max_queued_runs);
    return;
  }
  run r;
  r.job = name;
  r.due_ms = due_ms;
  r.attempt = attempt;
  r.task_id = task_id_of(name, due_ms, attempt);
  // Two runs due at one instant (a manual run) get distinct ids.
  while (st.active.count(r.task_id) > 0
         || std::any_of(st.queue.begin(), st.queue.end(),
                        [&](const run& q) { return q.task_id == r.task_id; }))
    r.task_id = task_id_of(name, ++r.due_ms, attempt);
  st.queue.push_back(std::move(r));
  store_runs(self);
  want_offers(self);
}

void kill_runs(cron_actor_ptr self, const std::string& name) {
  auto& st = self->state;
  bool changed = false;
  for (auto it = st.queue.begin(); it != st.queue.end();) {
    if (it->job != name) {
      ++it;
      continue;
    }
    changed = true;
    it = st.queue.erase(it);
  }
  for (auto& [id, r] : st.active) {
    if (r.job != name)
      continue;
    r.killed = true;
    changed = true;
    // Not launched yet: the launch is held back instead (cron_launch.cpp).
    if (!r.launching && st.driver && !st.framework_id.empty())
      self->send(st.driver, calls::kill(st.framework_id, id, r.agent_id));
  }
  if (changed)
    store_runs(self);
}

void on_update(cron_actor_ptr self, schema::TaskStatus::Reader s) {
  auto& st = self->state;
  std::string id = s.getTaskId().getValue();
  auto it = st.active.find(id);
  if (it == st.active.end())
    return;  // not ours any more (a job removed, a repeat)
  auto& r = it->second;
  if (never_started(r, s)) {
    // The master says the launch never reached an agent (it was sent to a
    // master that failed, or with an offer a new leader does not know): the
    // same run goes out again, neither lost nor counted as a failure.
    log()->info("job {}: run {} never started ({}); launching it again", r.job, id,
                std::string(s.getMessage()));
    run again = std::move(r);
    st.active.erase(it);
    again.state = "QUEUED";
    again.agent_id.clear();
    again.start.clear();
    st.queue.push_front(std::move(again));
    store_runs(self);
    want_offers(self);
    return;
  }
  r.state = state_name(s.getState());
  if (s.hasAgentId())
    r.agent_id = s.getAgentId().getValue();
  if (s.getMessage().size() > 0)
    r.message = s.getMessage();
  if (!is_terminal(s.getState())) {
    store_runs(self);
    return;
  }
  r.end = now_iso();
  // The command executor says "Command exited with status N".
  std::string m = r.message;
  if (auto at = m.find("exited with status "); at != std::string::npos)
    r.exit_status = std::atoi(m.c_str() + at + 19);
  run done = std::move(r);
  st.active.erase(it);
  store_runs(self);
  // Killed by anyone but this framework counts as a failure, and is retried.
  finish(self, std::move(done), s.getState() == schema::TaskState::TASK_FINISHED);
}

} // namespace cron

using namespace cron;

caf::actor spawn_cron(caf::actor_system& sys, cron_options options, master_actor master) {
  return sys.spawn([options = std::move(options), master](cron_actor_ptr self) -> caf::behavior {
    auto& store = self->state.store;
    self->state.options = options;
    store.master = master;
    store.prefix = options.kv_prefix;
    store.master_addresses = options.master_addresses;
    store.component = "cron";
    // Outside its lease another instance may own the prefix by now.
    store.may_write = [self] { return acting(self); };
    // The owner record names this instance by its API address once the
    // server listens; without a server it claims after a short wait all the
    // same, under a name of its own.
    if (!options.api_address.empty())
      begin_ownership(self, options.api_address);
    else
      self->delayed_send(self, std::chrono::seconds(2), start_driver_atom::value);
    return {
      [=](const scheduler_event& event) {
        auto& st = self->state;
        scheduler_handlers h;
        h.subscribed = [&](const std::string& id) {
          bool changed = st.framework_id != id;
          // Subscribed again: the leader may have changed, and a write to
          // a master that is gone waits for its timeout before it fails.
          if (st.subscribed_once)
            find_store_master(self, st.store);
          st.subscribed_once = true;
          st.framework_id = id;
          st.subscribed = true;
          // What the master holds of an earlier subscription's SUPPRESS is
          // not known (it may keep it across a framework failover): said
          // again, whichever the queue asks for.
          st.suppressed = !st.queue.empty();
          if (changed)
            store_framework_id(self);
          reconcile(self);
          want_offers(self);
        };
        h.offers = [&](auto offers) { on_offers(self, offers); };
        h.update = [&](schema::TaskStatus::Reader s) { on_update(self, s); };
        h.error = [&](const std::string& message) {
          log()->error("the master refused the framework: {}", message);
        };
        dispatch(event, h);
      },
      [=](reconcile_atom) {
        reconcile(self);
        self->delayed_send(self, reconcile_interval, reconcile_atom::value);
      },
      [=](tick_atom) {
        if (acting(self))
          look_at_schedules(self);
        self->delayed_send(self, self->state.options.tick, tick_atom::value);
      },
      [=](api_address_atom, const std::string& address) {
        self->state.options.api_address = address;
        begin_ownership(self, address);
      },
      [=](start_driver_atom) { begin_ownership(self, "cron-" + std::to_string(self->id())); },
      [=](owner_tick_atom) { owner_tick(self); },
      [=](store_master_found_atom, master_actor master) {
        on_master_found(self, std::move(master));
      },
      [=](store_read_again_atom) {
        if (!self->state.recovered)
          recover(self, self->state.recover_done);
      },
      [=](retry_atom, const std::string& job, int64_t due_ms, uint32_t attempt) {
        enqueue(self, job, due_ms, attempt);
      },
      [=](cron_api_atom, const std::string& method, const std::string& path,
          const std::string& query, const std::string& body) {
        auto rp = self->make_response_promise();
        auto& st = self->state;
        bool owns = st.owner && st.owner->claimed();
        if (!owns) {
          auto at = st.owner ? st.owner->owner() : std::string();
          if (path == "/leader" && !at.empty()) {
            auto a = serve_api(self, method, path, query, body);
            rp.deliver(a.status, a.content_type, a.body);
          } else if (at.empty() || at == st.owner_address) {
            rp.deliver(503, std::string("text/plain"),
                       std::string("no cron owns " + st.options.kv_prefix + " yet; try again"));
          } else {
            rp.deliver(cron_forward_status, std::string("text/plain"), at);
          }
          return rp;
        }
        if (!self->state.recovered) {
          rp.deliver(503, std::string("text/plain"),
                     std::string("cron is reading its state back; try again"));
          return rp;
        }
        auto a = std::make_shared<api_answer>();
        store_change(
          st.store, [&] { *a = serve_api(self, method, path, query, body); },
          [rp, a](bool stored) mutable {
            if (!stored && a->status < 300)
              *a = {503, "text/plain", change_not_stored};
            rp.deliver(a->status, a->content_type, a->body);
          });
        return rp;
      },
    };
  });
}

} // namespace cairn
