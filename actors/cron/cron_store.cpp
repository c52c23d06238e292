// The cron framework's state in the master's replicated key-value store:
// the framework id, an index of job names, each job (its JSON as GET shows
// it), each job's history, and the runs queued or launched. Writes are
// whole values in the order they are made; a write that fails leaves the
// value to the next write of the same key, after the master is found again.
#include <sstream>

#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_state.hpp"
#include "actors/cron/tz_database.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace cairn::cron {

namespace {

auto log() {
  return logger("cron");
}

// `render` makes the value when the write is made: the latest state, once
// per write however many changes came meanwhile.
void put(cron_actor_ptr self, const std::string& k, std::function<std::string()> render,
         std::function<void(bool stored)> then = nullptr) {
  store_put(self, self->state.store, k, std::move(render), std::move(then));
}

void erase(cron_actor_ptr self, const std::string& k) {
  store_erase(self, self->state.store, k);
}

std::string index_text(const cron_state& st) {
  std::string out;
  for (auto& [name, j] : st.jobs)
    out += name + "\n";
  return out;
}

void store_index(cron_actor_ptr self) {
  put(self, "index", [self] { return index_text(self->state); });
}

run run_of(schema::cron::Run::Reader r) {
  run out;
  out.task_id = r.getTaskId();
  out.job = r.getJobName();
  out.state = r.getState();
  out.agent_id = r.getAgentId();
  out.start = r.getStart();
  out.end = r.getEnd();
  out.exit_status = r.getExitStatus();
  out.attempt = r.getAttempt();
  out.message = r.getMessage();
  // ct:<due>:<attempt>:<job>:
  auto a = out.task_id.find(':'), b = out.task_id.find(':', a + 1);
  if (a != std::string::npos && b != std::string::npos)
    out.due_ms = std::atoll(out.task_id.c_str() + a + 1);
  return out;
}

std::string runs_json(const std::deque<run>& a, const std::map<std::string, run>* b,
                      const std::string& framework_id) {
  size_t n = a.size() + (b ? b->size() : 0);
  return to_json(make_wire<schema::cron::History>([&](schema::cron::History::Builder h) {
                   auto list = h.initRuns(static_cast<unsigned>(n));
                   unsigned i = 0;
                   for (auto& r : a)
                     list.setWithCaveats(i++, run_record(r, framework_id).get());
                   if (b)
                     for (auto& [id, r] : *b)
                       list.setWithCaveats(i++, run_record(r, framework_id).get());
                 }).get());
}

void read_key(cron_actor_ptr self, const std::string& k,
              std::function<void(const std::string& value)> got) {
  store_read(self, self->state.store, k, std::move(got));
}

void read_job_keys(cron_actor_ptr self, const std::string& index) {
  std::istringstream names(index);
  std::string name;
  while (std::getline(names, name)) {
    if (name.empty())
      continue;
    read_key(self, "job/" + name, [self, name](const std::string& value) {
      if (value.empty())
        return;
      auto j = read_job(value, job_kind::any, now_ms(), find_time_zone);
      if (!j) {
        log()->error("stored job {} does not read back: {}", name, error_message(j.error()));
        return;
      }
      self->state.jobs.emplace(name, std::move(*j));
    });
    read_key(self, "history/" + name, [self, name](const std::string& value) {
      auto h = from_json<schema::cron::History>(value.empty() ? "{}" : value);
      if (!h)
        return;
      for (auto r : (*h)->getRuns())
        self->state.history[name].push_back(run_of(r));
    });
  }
}

} // namespace

wire<schema::cron::Run> run_record(const run& r, const std::string& framework_id) {
  return make_wire<schema::cron::Run>([&](schema::cron::Run::Builder b) {
    b.setTaskId(r.task_id);
    b.setJobName(r.job);
    b.setStart(r.start);
    b.setEnd(r.end);
    b.setState(r.state);
    b.setAgentId(r.agent_id);
    b.setExitStatus(r.exit_status);
    b.setAttempt(r.attempt);
    b.setMessage(r.message);
    if (!r.agent_id.empty() && !framework_id.empty())
      b.setSandbox("slaves/" + r.agent_id + "/frameworks/" + framework_id + "/executors/" +
                   r.task_id + "/runs/latest");
  });
}

void store_job(cron_actor_ptr self, const std::string& name) {
  if (self->state.jobs.count(name) == 0)
    return;
  // Forgetting the job drops a write not yet made, so it is there when rendered.
  put(self, "job/" + name, [self, name] {
    auto it = self->state.jobs.find(name);
    return it == self->state.jobs.end() ? std::string{} : to_json(job_document(it->second).get());
  });
}

void forget_job(cron_actor_ptr self, const std::string& name) {
  erase(self, "job/" + name);
  erase(self, "history/" + name);
  store_index(self);
}

void store_runs(cron_actor_ptr self, std::function<void(bool stored)> then) {
  put(
    self, "runs",
    [self] { return runs_json(self->state.queue, &self->state.active, self->state.framework_id); },
    std::move(then));
}

void store_history(cron_actor_ptr self, const std::string& name) {
  if (self->state.history.count(name) == 0)
    return;
  put(self, "history/" + name, [self, name] {
    auto it = self->state.history.find(name);
    return it == self->state.history.end()
             ? std::string{}
             : runs_json(it->second, nullptr, self->state.framework_id);
  });
}

void store_framework_id(cron_actor_ptr self) {
  put(self, "framework_id", [self] { return self->state.framework_id; });
}

void on_master_found(cron_actor_ptr self, master_actor master) {
  store_master_found(self, self->state.store, std::move(master));
  if (self->state.recovered && take_behind(self->state.store))
    store_all(self);
}

void store_all(cron_actor_ptr self) {
  store_framework_id(self);
  store_index(self);
  for (auto& [name, j] : self->state.jobs) {
    store_job(self, name);
    store_history(self, name);
  }
  store_runs(self);
}

void recover(cron_actor_ptr self, std::function<void()> done) {
  auto& st = self->state;
  st.jobs.clear();
  st.graph = dependency_graph{};
  st.queue.clear();
  st.active.clear();
  st.history.clear();
  st.recover_done = done;
  begin_read_back(st.store, [self, done] {
    auto& st = self->state;
    for (auto& [name, j] : st.jobs) {
      std::vector<std::string> known;
      for (auto& p : j.parents)
        if (st.jobs.count(p))
          known.push_back(p);
      if (!st.graph.would_cycle(name, known))
        st.graph.set_parents(name, known);
    }
    log()->info("read back {} job(s), {} run(s) queued, {} launched", st.jobs.size(),
                st.queue.size(), st.active.size());
    done();
  });
  read_key(self, "framework_id",
           [self](const std::string& value) { self->state.framework_id = value; });
  read_key(self, "index",
           [self](const std::string& value) { read_job_keys(self, value); });
  read_key(self, "runs", [self](const std::string& value) {
    auto h = from_json<schema::cron::History>(value.empty() ? "{}" : value);
    if (!h)
      return;
    for (auto r : (*h)->getRuns()) {
      auto one = run_of(r);
      if (one.state == "QUEUED") {
        one.read_back = true;
        self->state.queue.push_back(std::move(one));
      }
      else
        self->state.active.emplace(one.task_id, std::move(one));
    }
  });
}

} // namespace cairn::cron
