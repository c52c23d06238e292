// The v1 agent API (Mesos' agent/agent.proto Calls that apply here).
#include "actors/agent/state.hpp"

#include "actors/resources/convert.hpp"
#include "runtime/clock.hpp"
#include "schema/operator.capnp.h"

namespace cairn {

namespace {

namespace op = schema::operator_api;
using Type = op::Call::Type;

struct task_ref {
  const std::string* framework_id;
  const executor_entry* executor;
  const std::string* task_id;
  const agent_task* task;
  bool completed;
};

std::vector<task_ref> all_tasks(const agent_state& st) {
  std::vector<task_ref> out;
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors)
      for (const auto& [tid, t] : ex.tasks)
        out.push_back({&fid, &ex, &tid, &t, false});
  for (const auto& c : st.completed)
    for (const auto& [tid, t] : c.executor.tasks)
      out.push_back({&c.framework_id, &c.executor, &tid, &t, true});
  return out;
}

void fill_task(schema::Task::Builder b, const agent_state& st, const task_ref& r) {
  b.setName(r.task->info->getName());
  b.initTaskId().setValue(*r.task_id);
  b.initFrameworkId().setValue(*r.framework_id);
  b.initExecutorId().setValue(r.executor->id);
  b.initAgentId().setValue(st.agent_id);
  b.setState(r.task->state);
  set_resources(b, r.task->res);
}

void fill_tasks(const agent_state& st, op::Response::GetTasks::Builder b) {
  auto refs = all_tasks(st);
  size_t done = 0;
  for (const auto& r : refs)
    done += r.completed || is_terminal(r.task->state);
  auto active = b.initTasks(static_cast<unsigned>(refs.size() - done));
  auto completed = b.initCompletedTasks(static_cast<unsigned>(done));
  unsigned a = 0;
  unsigned c = 0;
  for (const auto& r : refs)
    fill_task(r.completed || is_terminal(r.task->state) ? completed[c++] : active[a++], st, r);
}

void fill_executors(const agent_state& st, op::Response::GetExecutors::Builder b) {
  size_t n = 0;
  for (const auto& [fid, fw] : st.frameworks)
    n += fw.executors.size();
  auto list = b.initExecutors(static_cast<unsigned>(n));
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors) {
      auto e = list[i++];
      auto info = e.initExecutorInfo();
      info.setType(schema::ExecutorInfo::Type::DEFAULT);
      info.initExecutorId().setValue(eid);
      info.initFrameworkId().setValue(fid);
      e.initAgentId().setValue(st.agent_id);
    }
}

void fill_frameworks(const agent_state& st, op::Response::GetFrameworks::Builder b) {
  auto list = b.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks) {
    auto f = list[i++];
    if (fw.info)
      f.setFrameworkInfo(*fw.info);
    f.setActive(true);
    f.setConnected(true);
  }
}

void fill_agent_info(const agent_state& st, schema::AgentInfo::Builder info) {
  info.setHostname(st.options.hostname);
  info.setPort(st.options.http_port);
  info.initId().setValue(st.agent_id);
  set_resources(info, st.options.total);
}

std::vector<std::pair<std::string, double>> agent_metrics(const agent_state& st) {
  std::vector<std::pair<std::string, double>> m;
  double running = 0;
  double executors = 0;
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors) {
      ++executors;
      for (const auto& [tid, t] : ex.tasks)
        running += t.state == schema::TaskState::TASK_RUNNING;
    }
  m.emplace_back("slave/registered", st.registered ? 1 : 0);
  m.emplace_back("slave/tasks_running", running);
  m.emplace_back("slave/executors_running", executors);
  m.emplace_back("slave/executors_terminated", static_cast<double>(st.completed.size()));
  m.emplace_back("slave/valid_status_updates", static_cast<double>(st.updates_sent));
  m.emplace_back("slave/status_updates_pending", static_cast<double>(st.updates.pending()));
  auto total = st.options.total;
  auto used = st.used.unallocated();
  for (const char* r : {"cpus", "mem", "disk", "gpus"}) {
    double t = total.get_scalar(r);
    double u = used.get_scalar(r);
    m.emplace_back(std::string("slave/") + r + "_total", t);
    m.emplace_back(std::string("slave/") + r + "_used", u);
    m.emplace_back(std::string("slave/") + r + "_percent", t > 0 ? u / t : 0);
  }
  return m;
}

} // namespace

operator_response on_agent_operator_call(agent_ptr self, const operator_call& call) {
  auto& st = self->state;
  wire_builder<op::Response> w{1024};
  auto r = w.root();
  r.setType(call->getType());
  switch (call->getType()) {
    case Type::GET_HEALTH:
      r.initGetHealth().setHealthy(true);
      break;
    case Type::GET_VERSION:
      r.initGetVersion().initVersionInfo().setVersion(CAIRN_VERSION);
      break;
    case Type::GET_FLAGS: {
      const auto& given = st.options.flags;
      auto flags = r.initGetFlags().initFlags(static_cast<unsigned>(given.size()));
      for (unsigned i = 0; i < given.size(); ++i) {
        flags[i].setName(given[i].first);
        flags[i].setValue(given[i].second);
      }
      break;
    }
    case Type::GET_METRICS: {
      auto metrics = agent_metrics(st);
      auto list = r.initGetMetrics().initMetrics(static_cast<unsigned>(metrics.size()));
      for (unsigned i = 0; i < metrics.size(); ++i) {
        list[i].setName(metrics[i].first);
        list[i].setValue(metrics[i].second);
      }
      break;
    }
    case Type::GET_STATE: {
      auto s = r.initGetState();
      fill_tasks(st, s.initGetTasks());
      fill_executors(st, s.initGetExecutors());
      fill_frameworks(st, s.initGetFrameworks());
      break;
    }
    case Type::GET_TASKS:
      fill_tasks(st, r.initGetTasks());
      break;
    case Type::GET_EXECUTORS:
      fill_executors(st, r.initGetExecutors());
      break;
    case Type::GET_FRAMEWORKS:
      fill_frameworks(st, r.initGetFrameworks());
      break;
    case Type::GET_AGENT:
      fill_agent_info(st, r.initGetAgent().initAgentInfo());
      break;
    default:
      r.setType(Type::UNKNOWN); // not an agent call: the gateway answers 400
      break;
  }
  return std::move(w).finish();
}

} // namespace cairn
