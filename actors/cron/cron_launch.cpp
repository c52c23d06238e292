// Offers to launches: queued runs in order, as many per offer as fit and as
// the job's constraints allow; tasks are plain commands (shell or argv) with
// the job's environment and URIs.
#include <algorithm>
#include <set>

#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_state.hpp"
#include "actors/cron/job_container.hpp"
#include "actors/placement/offer_traits.hpp"
#include "actors/resources/convert.hpp"
#include "actors/scheduler/calls.hpp"
#include "runtime/log.hpp"

namespace cairn::cron {

namespace {

auto log() {
  return logger("cron");
}

resources needs_of(const job& j) {
  auto r = resources::scalar("cpus", j.cpus);
  r += resources::scalar("mem", j.mem_mb);
  r += resources::scalar("disk", j.disk_mb);
  return r;
}

task_spec task_of(const job& j, const run& r) {
  task_spec t;
  t.id = r.task_id;
  t.res = needs_of(j);
  auto spec = j.spec.get();
  t.info = make_wire<schema::TaskInfo>([&](schema::TaskInfo::Builder b) {
    b.setName("ChronosTask:" + j.name);
    b.initTaskId().setValue(r.task_id);
    set_resources(b, t.res);
    auto c = b.initCommand();
    c.setShell(spec.getShell());
    c.setValue(spec.getCommand());
    if (!spec.getShell()) {
      // Mesos' argv includes argv[0]; Chronos' arguments follow the command.
      auto args = c.initArguments(spec.getArguments().size() + 1);
      args.set(0, spec.getCommand());
      for (unsigned i = 0; i < spec.getArguments().size(); ++i)
        args.set(i + 1, spec.getArguments()[i]);
    }
    auto vars = spec.getEnvironmentVariables();
    auto env = c.initEnvironment().initVariables(vars.size() + 3);
    unsigned n = 0;
    for (auto v : vars) {
      env[n].setName(v.getName());
      env[n++].setValue(v.getValue());
    }
    // As Chronos sets them.
    env[n].setName("mesos_task_id");
    env[n++].setValue(r.task_id);
    env[n].setName("CHRONOS_JOB_NAME");
    env[n++].setValue(j.name);
    env[n].setName("CHRONOS_RESOURCE_MEM");
    env[n++].setValue(std::to_string(j.mem_mb));
    auto fetch = spec.getFetch();
    auto uris = c.initUris(fetch.size() + spec.getUris().size());
    unsigned u = 0;
    for (auto f : fetch) {
      uris[u].setValue(f.getUri());
      uris[u].setExecutable(f.getExecutable());
      uris[u].setExtract(f.getExtract());
      uris[u].setCache(f.getCache());
      uris[u++].setOutputFile(f.getOutputFile());
    }
    for (auto plain : spec.getUris())
      uris[u++].setValue(plain);
    if (spec.hasContainer())
      fill_container_info(spec.getContainer(), b.initContainer());
  });
  return t;
}

// Runs back to the front of the queue, in their order, as if never taken.
void unlaunch(cron_actor_ptr self, const std::vector<std::string>& ids) {
  auto& st = self->state;
  for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
    auto it = st.active.find(*id);
    if (it == st.active.end() || !it->second.launching)
      continue;
    run r = std::move(it->second);
    st.active.erase(it);
    if (r.killed)
      continue;
    r.launching = false;
    r.state = "QUEUED";
    r.agent_id.clear();
    r.start.clear();
    st.queue.push_front(std::move(r));
  }
}

// The launch leaves only once the store has confirmed that the runs are
// recorded as launched: a cron that restarts, or reads its state from a
// new leader, then knows of every run that may be on an agent (and asks the
// master about it) and never starts one again that already started. A run
// whose record did not make it goes back to the queue, its offer declined.
void launch_once_stored(cron_actor_ptr self, std::string offer_id, std::vector<std::string> ids,
                        std::vector<task_spec> tasks) {
  auto wanted = std::make_shared<std::vector<task_spec>>(std::move(tasks));
  store_runs(self, [self, offer_id, ids, wanted](bool stored) {
    auto& st = self->state;
    if (!stored) {
      log()->warn("{} run(s) not recorded as launched; back to the queue", ids.size());
      unlaunch(self, ids);
      if (st.driver && !st.framework_id.empty())
        self->send(st.driver, calls::decline(st.framework_id, {offer_id}, 1.0));
      want_offers(self);
      return;
    }
    std::vector<task_spec> go;
    for (auto& t : *wanted) {
      auto it = st.active.find(t.id);
      if (it == st.active.end() || !it->second.launching)
        continue;
      it->second.launching = false;
      if (it->second.killed) {
        // Killed while its record was being written: it never starts.
        it->second.state = "TASK_KILLED";
        it->second.end = now_iso();
        finish_unlaunched(self, it->first);
        continue;
      }
      go.push_back(std::move(t));
    }
    if (!st.driver || st.framework_id.empty())
      return;
    if (go.empty())
      self->send(st.driver, calls::decline(st.framework_id, {offer_id}, 1.0));
    else
      self->send(st.driver, calls::launch(st.framework_id, {offer_id}, go, 1.0));
  });
}

// What an offer (what is left of it) lacks for a job: cpus, mem, disk,
// constraints.
std::vector<std::string> lacking(const resources& left, const job& j, const agent_traits& t) {
  std::vector<std::string> out;
  if (left.get_scalar("cpus") < j.cpus)
    out.push_back("cpus");
  if (left.get_scalar("mem") < j.mem_mb)
    out.push_back("mem");
  if (left.get_scalar("disk") < j.disk_mb)
    out.push_back("disk");
  if (!satisfies(j.constraints, t))
    out.push_back("constraints");
  if (out.empty())
    out.push_back("resources of its role");  // the amounts are there, not for this role
  return out;
}

// A run read back after cron died is launched only within its epsilon, as
// a due run is; one later than that is skipped and counted.
// Said once per job and reason: why the queued runs found no room.
void note_waiting(cron_actor_ptr self,
                  const std::map<std::string, std::vector<std::string>>& lacked) {
  auto& st = self->state;
  std::set<std::string> queued;
  for (auto& r : st.queue)
    queued.insert(r.job);
  for (auto it = st.waiting_for.begin(); it != st.waiting_for.end();)
    it = queued.count(it->first) ? std::next(it) : st.waiting_for.erase(it);
  for (auto& [name, what] : lacked) {
    if (!queued.count(name))
      continue;
    std::string text;
    for (auto& w : what)
      text += (text.empty() ? "" : ", ") + w;
    auto& said = st.waiting_for[name];
    if (said != text)
      log()->info("job {}: waiting for an offer with enough {}", name, text);
    said = text;
  }
}

bool too_late(cron_actor_ptr self, const run& r, job& j) {
  if (!r.read_back || r.attempt > 0)
    return false;
  int64_t late_ms = now_ms() - r.due_ms;
  if (late_ms <= j.epsilon_ms)
    return false;
  ++j.skip_count;
  log()->info("job {}: run {} read back {} ms after its due time, beyond epsilon; skipped",
              r.job, r.task_id, late_ms);
  store_job(self, r.job);
  return true;
}

} // namespace

void want_offers(cron_actor_ptr self) {
  auto& st = self->state;
  if (!st.subscribed || !st.driver)
    return;
  if (!st.queue.empty() && st.suppressed) {
    st.suppressed = false;
    self->send(st.driver, calls::revive(st.framework_id));
  } else if (st.queue.empty() && !st.suppressed) {
    st.suppressed = true;
    self->send(st.driver, calls::suppress(st.framework_id));
  }
}

void on_offers(cron_actor_ptr self, capnp::List<schema::Offer>::Reader offers) {
  auto& st = self->state;
  std::vector<std::string> decline;
  bool may_launch = acting(self);
  bool dropped = false;
  std::map<std::string, std::vector<std::string>> lacked;
  for (auto offer : offers) {
    std::string offer_id = offer.getId().getValue();
    auto offered = read_resources(offer.getResources());
    if (!offered || st.queue.empty() || !may_launch) {
      decline.push_back(offer_id);
      continue;
    }
    auto left = offered->unallocated();
    auto traits = placement::traits_of(offer);
    std::vector<task_spec> tasks;
    std::vector<std::string> ids;
    for (auto it = st.queue.begin(); it != st.queue.end();) {
      auto j = st.jobs.find(it->job);
      if (j == st.jobs.end() || too_late(self, *it, j->second)) {
        it = st.queue.erase(it);
        dropped = true;
        continue;
      }
      auto need = needs_of(j->second);
      if (!left.contains(need) || !satisfies(j->second.constraints, traits)) {
        auto& said = lacked[it->job];
        for (auto& what : lacking(left, j->second, traits))
          if (std::find(said.begin(), said.end(), what) == said.end())
            said.push_back(what);
        ++it;
        continue;
      }
      left -= need;
      log()->info("job {}: run {} takes an offer on agent {}", it->job, it->task_id,
                  std::string(offer.getAgentId().getValue()));
      tasks.push_back(task_of(j->second, *it));
      ids.push_back(it->task_id);
      it->launching = true;
      it->state = "TASK_STAGING";
      it->agent_id = offer.getAgentId().getValue();
      it->start = now_iso();
      st.active.emplace(it->task_id, std::move(*it));
      it = st.queue.erase(it);
    }
    if (tasks.empty()) {
      decline.push_back(offer_id);
      continue;
    }
    launch_once_stored(self, offer_id, std::move(ids), std::move(tasks));
  }
  if (dropped)
    store_runs(self);
  if (may_launch)
    note_waiting(self, lacked);
  if (!decline.empty())
    self->send(st.driver, calls::decline(st.framework_id, decline, st.queue.empty() ? 5.0 : 1.0));
  want_offers(self);
}

} // namespace cairn::cron
