// Chronos' REST API (paths below /v1/scheduler, or /scheduler as Chronos 2
// spells them), answered inside the cron actor with Chronos' status codes:
// 204 for a change, 400 for a job that does not exist or does not read
// (with a one-line reason; Chronos answers 500 with a trace for some).
#include <algorithm>
#include <cctype>
#include <cmath>

#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_state.hpp"
#include "actors/cron/tz_database.hpp"
#include "runtime/http_server.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace cairn::cron {

namespace {

api_answer text(int status, std::string body) {
  return {status, "text/plain", std::move(body) + "\n"};
}

api_answer no_content() {
  return {204, "application/json", ""};
}

api_answer json(std::string body) {
  return {200, "application/json", std::move(body)};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string param(const std::string& query, const std::string& name) {
  http_request r;
  r.query = query;
  return r.query_param(name);
}

api_answer unknown_job(const std::string& name) {
  return text(400, "no job named '" + name + "'");
}

api_answer post_job(cron_actor_ptr self, const std::string& body, job_kind kind) {
  auto& st = self->state;
  auto j = read_job(body, kind, now_ms(), find_time_zone);
  if (!j)
    return text(400, error_message(j.error()));
  for (auto& p : j->parents)
    if (!st.jobs.count(p))
      return text(400, "parent '" + p + "' does not exist");
  if (st.graph.would_cycle(j->name, j->parents))
    return text(400, "parents of '" + j->name + "' would make a cycle");
  bool replacing = st.jobs.count(j->name) > 0;
  if (!replacing && st.jobs.size() >= max_jobs)
    return text(400, "cron holds " + std::to_string(max_jobs) + " jobs, its limit");
  auto name = j->name;
  st.graph.set_parents(name, j->parents);
  st.jobs.erase(name);
  st.jobs.emplace(name, std::move(*j));
  store_job(self, name);
  if (!replacing)
    store_all(self);  // the index names it
  return no_content();
}

std::vector<const job*> search(const cron_state& st, const std::string& query) {
  auto name = lower(param(query, "name")), command = lower(param(query, "command")),
       any = lower(param(query, "any"));
  std::vector<const job*> out;
  for (auto& [n, j] : st.jobs) {
    auto ln = lower(n), lc = lower(j.spec->getCommand());
    if (!name.empty() && ln.find(name) == std::string::npos)
      continue;
    if (!command.empty() && lc.find(command) == std::string::npos)
      continue;
    if (!any.empty() && ln.find(any) == std::string::npos && lc.find(any) == std::string::npos)
      continue;
    out.push_back(&j);
  }
  return out;
}

caf::expected<size_t> count_param(const std::string& query, const char* name, size_t fallback) {
  auto v = param(query, name);
  if (v.empty())
    return fallback;
  if (v.size() > 9 || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
    return make_error(std::string(name) + " must be a number");
  return static_cast<size_t>(std::stoul(v));
}

std::string jobs_json(const std::vector<const job*>& jobs) {
  std::string out = "[";
  for (size_t i = 0; i < jobs.size(); ++i)
    out += (i ? "," : "") + to_json(job_document(*jobs[i]).get());
  return out + "]";
}

std::string last_status(const cron_state& st, const std::string& name) {
  auto& j = st.jobs.at(name);
  if (j.counters.last_success.empty() && j.counters.last_error.empty())
    return "fresh";
  return j.counters.last_success >= j.counters.last_error ? "success" : "failure";
}

std::string run_state(const cron_state& st, const std::string& name) {
  size_t running = 0, queued = 0;
  for (auto& [id, r] : st.active)
    running += r.job == name;
  for (auto& r : st.queue)
    queued += r.job == name;
  if (running > 0)
    return std::to_string(running) + " running";
  return queued > 0 ? "queued" : "idle";
}

api_answer summary(const cron_state& st) {
  return json(to_json(make_wire<schema::cron::Summary>([&](schema::cron::Summary::Builder b) {
                        auto list = b.initJobs(static_cast<unsigned>(st.jobs.size()));
                        unsigned i = 0;
                        for (auto& [name, j] : st.jobs) {
                          auto e = list[i++];
                          e.setName(name);
                          e.setStatus(last_status(st, name));
                          e.setState(run_state(st, name));
                          if (j.schedule)
                            e.setSchedule(j.schedule->text());
                          auto ps = e.initParents(static_cast<unsigned>(j.parents.size()));
                          for (unsigned p = 0; p < j.parents.size(); ++p)
                            ps.set(p, j.parents[p]);
                          e.setDisabled(j.disabled);
                          if (auto w = st.waiting_for.find(name); w != st.waiting_for.end())
                            e.setWaitingFor(w->second);
                        }
                      }).get()));
}

api_answer graph(const cron_state& st, bool dot) {
  std::string out;
  if (dot) {
    out = "digraph G {\n";
    for (auto& [name, j] : st.jobs)
      out += "  \"" + name + "\" [label=\"" + name + "\"];\n";
    for (auto& [p, c] : st.graph.edges())
      out += "  \"" + p + "\" -> \"" + c + "\";\n";
    return text(200, out + "}");
  }
  // Chronos' CSV: a node line per job, a link line per edge.
  for (auto& [name, j] : st.jobs)
    out += "node," + name + "," + last_status(st, name) + "," + run_state(st, name) + "\n";
  for (auto& [p, c] : st.graph.edges())
    out += "link," + p + "," + c + "\n";
  return {200, "text/plain", out};
}

api_answer history(const cron_state& st, const std::string& name) {
  auto it = st.history.find(name);
  size_t n = it == st.history.end() ? 0 : it->second.size();
  return json(to_json(make_wire<schema::cron::History>([&](schema::cron::History::Builder b) {
                        auto runs = b.initRuns(static_cast<unsigned>(n));
                        for (unsigned i = 0; i < n; ++i)
                          runs.setWithCaveats(i, run_record(it->second[i], st.framework_id).get());
                      }).get()));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto at = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) ;
  return v[std::min(v.size() - 1, at == 0 ? 0 : at - 1)];
}

int64_t instant(const std::string& iso) {
  auto w = parse_date_time(iso);
  return w ? w->local_ms - int64_t{w->offset_s.value_or(0)} * 1000 : 0;
}

// Chronos' job/stat/{name}: durations of finished runs in seconds.
api_answer stat(const cron_state& st, const std::string& name) {
  std::vector<double> secs;
  std::vector<const run*> runs;
  if (auto it = st.history.find(name); it != st.history.end())
    for (auto& r : it->second) {
      runs.push_back(&r);
      if (!r.start.empty() && !r.end.empty())
        secs.push_back(static_cast<double>(instant(r.end) - instant(r.start)) / 1000.0);
    }
  double mean = 0;
  for (double s : secs)
    mean += s / static_cast<double>(secs.size());
  return json(to_json(make_wire<schema::cron::JobStat>([&](schema::cron::JobStat::Builder b) {
                        auto h = b.initHistogram();
                        h.setP75(percentile(secs, 0.75));
                        h.setP95(percentile(secs, 0.95));
                        h.setP98(percentile(secs, 0.98));
                        h.setP99(percentile(secs, 0.99));
                        h.setMedian(percentile(secs, 0.5));
                        h.setMean(mean);
                        h.setCount(secs.size());
                        auto list = b.initTaskStatHistory(static_cast<unsigned>(runs.size()));
                        for (unsigned i = 0; i < runs.size(); ++i) {
                          auto& r = *runs[i];
                          list[i].setTaskId(r.task_id);
                          list[i].setJobName(r.job);
                          list[i].setSlaveId(r.agent_id);
                          list[i].setTaskState(r.state);
                          list[i].setTaskStartTs(r.start);
                          list[i].setTaskEndTs(r.end);
                          if (!r.start.empty() && !r.end.empty())
                            list[i].setTaskDuration(std::to_string(
                              static_cast<double>(instant(r.end) - instant(r.start)) / 1000.0) + "s");
                        }
                      }).get()));
}

// PUT job/success/{name}: counted as a success; the children see it.
api_answer mark_success(cron_actor_ptr self, const std::string& name) {
  auto& st = self->state;
  auto& j = st.jobs.at(name);
  on_attempt_end(true, 0, 0, false, now_iso(), j.counters);
  store_job(self, name);
  for (auto& child : st.graph.parent_succeeded(name))
    if (!st.jobs.at(child).disabled)
      enqueue(self, child, now_ms(), 0);
  return {200, "application/json", "true"};
}

api_answer remove_job(cron_actor_ptr self, const std::string& name) {
  auto& st = self->state;
  if (st.graph.has_children(name))
    return text(400, "job '" + name + "' has dependent jobs; remove them first");
  kill_runs(self, name);
  st.graph.remove(name);
  st.jobs.erase(name);
  st.history.erase(name);
  forget_job(self, name);
  return no_content();
}

} // namespace

api_answer serve_api(cron_actor_ptr self, const std::string& method, const std::string& raw_path,
                     const std::string& query, const std::string& body) {
  auto& st = self->state;
  auto path = url_decode(raw_path, false);
  auto starts = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  auto rest = [&](const char* prefix) { return path.substr(std::string(prefix).size()); };
  auto is = [&](const char* m) { return method == m || (std::string(m) == "GET" && method == "HEAD"); };
  if (path == "/leader" && is("GET"))
    return json(to_json(make_wire<schema::cron::Leader>([&](auto b) {
                          // The owner of the prefix, this one or another.
                          b.setLeader(st.owner && !st.owner->owner().empty()
                                        ? st.owner->owner() : st.options.api_address);
                        }).get()));
  if (path == "/iso8601" && is("POST"))
    return post_job(self, body, job_kind::scheduled);
  if (path == "/dependency" && is("POST"))
    return post_job(self, body, job_kind::dependent);
  if (path == "/jobs" && is("GET")) {
    std::vector<const job*> all;
    for (auto& [n, j] : st.jobs)
      all.push_back(&j);
    return json(jobs_json(all));
  }
  if (path == "/jobs/summary" && is("GET"))
    return summary(st);
  if (path == "/jobs/search" && is("GET")) {
    auto limit = count_param(query, "limit", 10);
    auto offset = count_param(query, "offset", 0);
    if (!limit || !offset)
      return text(400, error_message(!limit ? limit.error() : offset.error()));
    auto found = search(st, query);
    std::vector<const job*> page;
    for (size_t i = *offset; i < found.size() && page.size() < *limit; ++i)
      page.push_back(found[i]);
    return json(jobs_json(page));
  }
  if ((path == "/graph/dot" || path == "/graph/csv") && is("GET"))
    return graph(st, path == "/graph/dot");
  if (starts("/job/stat/") && is("GET")) {
    auto name = rest("/job/stat/");
    return st.jobs.count(name) ? stat(st, name) : unknown_job(name);
  }
  if (starts("/job/success/") && is("PUT")) {
    auto name = rest("/job/success/");
    return st.jobs.count(name) ? mark_success(self, name) : unknown_job(name);
  }
  if (starts("/task/kill/") && is("DELETE")) {
    auto name = rest("/task/kill/");
    if (!st.jobs.count(name))
      return unknown_job(name);
    kill_runs(self, name);
    return no_content();
  }
  if (starts("/job/")) {
    auto name = rest("/job/");
    bool hist = name.size() > 8 && name.compare(name.size() - 8, 8, "/history") == 0;
    if (hist)
      name.resize(name.size() - 8);
    if (!valid_job_name(name))
      return text(400, "no job named '" + name + "'");
    if (!st.jobs.count(name))
      return unknown_job(name);
    if (hist && is("GET"))
      return history(st, name);
    if (hist)
      return text(405, "GET a job's history");
    if (is("GET"))
      return json(to_json(job_document(st.jobs.at(name)).get()));
    if (is("PUT")) {
      if (!param(query, "arguments").empty())
        return text(400, "arguments for a manual run are not supported yet");
      enqueue(self, name, now_ms(), 0, true);
      return no_content();
    }
    if (is("DELETE"))
      return remove_job(self, name);
    return text(405, "GET, PUT or DELETE a job");
  }
  return text(404, "no such endpoint: " + method + " " + path);
}

} // namespace cairn::cron
