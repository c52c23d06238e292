// The v1 agent API (Mesos' agent/agent.proto Calls that apply here).
#include "actors/agent/state.hpp"

#include <algorithm>
#include <array>

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

using AR = op::AgentResponse;

// Where a task is in its life, in the agent API's terms.
enum class task_place { queued, launched, terminated, completed };

task_place place_of(const task_ref& r) {
  if (r.completed)
    return task_place::completed;
  if (is_terminal(r.task->state))
    return task_place::terminated;
  return r.task->launched ? task_place::launched : task_place::queued;
}

void fill_tasks(const agent_state& st, AR::GetTasks::Builder b) {
  auto refs = all_tasks(st);
  std::array<unsigned, 4> counts{};
  for (const auto& r : refs)
    ++counts[static_cast<size_t>(place_of(r))];
  b.initPendingTasks(0);
  std::array<capnp::List<schema::Task>::Builder, 4> lists{
    b.initQueuedTasks(counts[0]), b.initLaunchedTasks(counts[1]),
    b.initTerminatedTasks(counts[2]), b.initCompletedTasks(counts[3])};
  std::array<unsigned, 4> next{};
  for (const auto& r : refs) {
    auto p = static_cast<size_t>(place_of(r));
    fill_task(lists[p][next[p]++], st, r);
  }
}

// The ExecutorInfo the executor was launched with: a custom executor's is in
// its tasks; the command executor's is made up as Mesos makes it.
void fill_executor_info(const executor_entry& ex, schema::ExecutorInfo::Builder info) {
  for (const auto& [tid, t] : ex.tasks)
    if (t.info->hasExecutor()) {
      info.setType(schema::ExecutorInfo::Type::CUSTOM);
      auto given = t.info->getExecutor();
      info.setExecutorId(given.getExecutorId());
      if (given.hasName())
        info.setName(given.getName());
      if (given.hasCommand())
        info.setCommand(given.getCommand());
      if (given.hasResources())
        info.setResources(given.getResources());
      info.initFrameworkId().setValue(ex.framework_id);
      return;
    }
  info.initExecutorId().setValue(ex.id);
  info.initFrameworkId().setValue(ex.framework_id);
  info.setName("Command Executor (Task: " + ex.id + ")");
  info.setSource(ex.id);
}

void fill_executors(const agent_state& st, AR::GetExecutors::Builder b) {
  size_t n = 0;
  for (const auto& [fid, fw] : st.frameworks)
    n += fw.executors.size();
  auto list = b.initExecutors(static_cast<unsigned>(n));
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors)
      fill_executor_info(ex, list[i++].initExecutorInfo());
  auto done = b.initCompletedExecutors(static_cast<unsigned>(st.completed.size()));
  i = 0;
  for (const auto& c : st.completed)
    fill_executor_info(c.executor, done[i++].initExecutorInfo());
}

void fill_frameworks(const agent_state& st, AR::GetFrameworks::Builder b) {
  unsigned n = 0;
  for (const auto& [fid, fw] : st.frameworks)
    n += fw.info ? 1 : 0;
  auto list = b.initFrameworks(n);
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks)
    if (fw.info)
      list[i++].setFrameworkInfo(*fw.info);
  // Frameworks the agent no longer runs anything for, once each.
  std::vector<const completed_executor*> gone;
  for (const auto& c : st.completed)
    if (c.framework_info && st.frameworks.count(c.framework_id) == 0
        && std::none_of(gone.begin(), gone.end(), [&](const completed_executor* g) {
             return g->framework_id == c.framework_id;
           }))
      gone.push_back(&c);
  auto done = b.initCompletedFrameworks(static_cast<unsigned>(gone.size()));
  for (unsigned k = 0; k < gone.size(); ++k)
    done[k].setFrameworkInfo(*gone[k]->framework_info);
}

} // namespace

void fill_agent_info(const agent_state& st, schema::AgentInfo::Builder info) {
  info.setHostname(st.options.hostname);
  info.setPort(st.options.http_port);
  if (!st.agent_id.empty())
    info.initId().setValue(st.agent_id);
  set_resources(info, st.options.total);
  write_attributes(st.options.attributes,
                   info.initAttributes(static_cast<unsigned>(st.options.attributes.size())));
}

void fill_agent_get_state(const agent_state& st, AR::GetState::Builder s) {
  fill_tasks(st, s.initGetTasks());
  fill_executors(st, s.initGetExecutors());
  fill_frameworks(st, s.initGetFrameworks());
}

namespace {

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

caf::result<agent_operator_response> on_agent_operator_call(agent_ptr self,
                                                            const operator_call& call) {
  auto& st = self->state;
  // Asks the containerizer, so it answers later.
  if (call->getType() == Type::GET_CONTAINERS)
    return get_containers(self);
  wire_builder<AR> w{1024};
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
    case Type::GET_STATE:
      fill_agent_get_state(st, r.initGetState());
      break;
    case Type::SUBSCRIBE:
      // The caller follows events from now on; SUBSCRIBED (the state) comes first.
      if (auto sender = caf::actor_cast<agent_operator_sink>(self->current_sender()))
        add_subscriber(self, sender);
      break;
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
