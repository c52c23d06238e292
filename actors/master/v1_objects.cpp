#include "actors/master/v1_objects.hpp"

#include "actors/resources/convert.hpp"

namespace cairn {

namespace {

void set_time(schema::TimeInfo::Builder b, double seconds) {
  b.setNanoseconds(static_cast<int64_t>(seconds * 1e9));
}

template <class ListBuilder>
void write_list(ListBuilder list, const resources& rs) {
  write_resources(rs, list);
}

} // namespace

void fill_v1_task(schema::Task::Builder b, const task_record& task, const framework_record& fw) {
  b.setName(task.name);
  b.initTaskId().setValue(task.id);
  b.initFrameworkId().setValue(task.framework_id);
  if (!task.executor_id.empty())
    b.initExecutorId().setValue(task.executor_id);
  b.initAgentId().setValue(task.agent_id);
  b.setState(task.state);
  set_resources(b, task.res);
  b.setUser(fw.info ? fw.info->getUser() : "");
  auto statuses = b.initStatuses(static_cast<unsigned>(task.statuses.size()));
  for (unsigned i = 0; i < task.statuses.size(); ++i) {
    auto s = statuses[i];
    s.initTaskId().setValue(task.id);
    s.setState(task.statuses[i].state);
    s.setTimestamp(task.statuses[i].timestamp);
    s.initAgentId().setValue(task.agent_id);
    s.setHealthy(task.statuses[i].healthy);
    if (task.statuses[i].check_status)
      s.setCheckStatus(*task.statuses[i].check_status);
  }
  if (!task.statuses.empty()) {
    // The latest status carries what explains it.
    auto last = statuses[static_cast<unsigned>(task.statuses.size() - 1)];
    last.setReason(task.reason);
    last.setSource(task.source);
    if (!task.message.empty())
      last.setMessage(task.message);
  }
}

void fill_v1_agent(op::Response::GetAgents::Agent::Builder b, const agent_record& agent) {
  b.setAgentInfo(*agent.info);
  b.setActive(agent.status == agent_status::active);
  b.setVersion(agent.version);
  b.setPid("slave(1)@" + std::string(agent.info->getHostname()) + ":"
           + std::to_string(agent.info->getPort()));
  set_time(b.initRegisteredTime(), agent.registered_time);
  write_list(b.initTotalResources(static_cast<unsigned>(agent.total.items().size())),
             agent.total);
  write_list(b.initAllocatedResources(static_cast<unsigned>(agent.used.items().size())),
             agent.used);
  write_list(b.initOfferedResources(static_cast<unsigned>(agent.offered.items().size())),
             agent.offered);
}

void fill_v1_framework(master_ptr self, op::Response::GetFrameworks::Framework::Builder b,
                       const framework_record& fw) {
  auto& st = self->state;
  b.setFrameworkInfo(*fw.info);
  b.setActive(fw.active);
  b.setConnected(fw.connected);
  set_time(b.initRegisteredTime(), fw.registered_time);
  if (fw.unregistered_time > 0)
    set_time(b.initUnregisteredTime(), fw.unregistered_time);
  auto offers = b.initOffers(static_cast<unsigned>(fw.offers.size()));
  unsigned i = 0;
  resources offered;
  for (const auto& id : fw.offers) {
    const auto& offer = st.offers.at(id);
    auto o = offers[i++];
    o.initId().setValue(offer.id);
    o.initFrameworkId().setValue(offer.framework_id);
    o.initAgentId().setValue(offer.agent_id);
    set_resources(o, offer.res);
    o.initAllocationInfo().setRole(offer.role);
    offered += offer.res;
  }
  resources allocated;
  for (const auto& [id, task] : fw.tasks)
    if (!task.terminal() && task.state != task_state::TASK_UNREACHABLE)
      allocated += task.res;
  write_list(b.initAllocatedResources(static_cast<unsigned>(allocated.items().size())),
             allocated);
  write_list(b.initOfferedResources(static_cast<unsigned>(offered.items().size())), offered);
}

void fill_get_tasks(master_ptr self, op::Response::GetTasks::Builder b) {
  auto& st = self->state;
  size_t active = 0;
  size_t unreachable = 0;
  size_t completed = 0;
  for (const auto& [id, fw] : st.frameworks) {
    for (const auto& [tid, t] : fw.tasks)
      (t.state == task_state::TASK_UNREACHABLE ? unreachable : active)++;
    completed += fw.completed_tasks.size();
  }
  for (const auto& fw : st.completed_frameworks)
    completed += fw.completed_tasks.size();
  auto tasks = b.initTasks(static_cast<unsigned>(active));
  auto lost = b.initUnreachableTasks(static_cast<unsigned>(unreachable));
  auto done = b.initCompletedTasks(static_cast<unsigned>(completed));
  unsigned a = 0;
  unsigned u = 0;
  unsigned c = 0;
  for (const auto& [id, fw] : st.frameworks) {
    for (const auto& [tid, t] : fw.tasks)
      fill_v1_task(t.state == task_state::TASK_UNREACHABLE ? lost[u++] : tasks[a++], t, fw);
    for (const auto& t : fw.completed_tasks)
      fill_v1_task(done[c++], t, fw);
  }
  for (const auto& fw : st.completed_frameworks)
    for (const auto& t : fw.completed_tasks)
      fill_v1_task(done[c++], t, fw);
}

void fill_get_agents(master_ptr self, op::Response::GetAgents::Builder b) {
  auto& st = self->state;
  auto list = b.initAgents(static_cast<unsigned>(st.agents.size()));
  unsigned i = 0;
  for (const auto& [id, agent] : st.agents)
    fill_v1_agent(list[i++], agent);
}

void fill_get_frameworks(master_ptr self, op::Response::GetFrameworks::Builder b) {
  auto& st = self->state;
  auto list = b.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  unsigned i = 0;
  for (const auto& [id, fw] : st.frameworks)
    fill_v1_framework(self, list[i++], fw);
  auto done = b.initCompletedFrameworks(static_cast<unsigned>(st.completed_frameworks.size()));
  i = 0;
  for (const auto& fw : st.completed_frameworks)
    fill_v1_framework(self, done[i++], fw);
}

void fill_get_executors(master_ptr self, op::Response::GetExecutors::Builder b) {
  auto& st = self->state;
  size_t n = 0;
  for (const auto& [id, fw] : st.frameworks)
    for (const auto& [tid, t] : fw.tasks)
      n += t.terminal() ? 0 : 1;
  auto list = b.initExecutors(static_cast<unsigned>(n));
  unsigned i = 0;
  for (const auto& [id, fw] : st.frameworks)
    for (const auto& [tid, t] : fw.tasks) {
      if (t.terminal())
        continue;
      auto e = list[i++];
      auto info = e.initExecutorInfo();
      info.setType(schema::ExecutorInfo::Type::DEFAULT);
      info.initExecutorId().setValue(t.executor_id);
      info.initFrameworkId().setValue(t.framework_id);
      e.initAgentId().setValue(t.agent_id);
    }
}

void fill_get_state(master_ptr self, op::Response::GetState::Builder b) {
  fill_get_tasks(self, b.initGetTasks());
  fill_get_executors(self, b.initGetExecutors());
  fill_get_frameworks(self, b.initGetFrameworks());
  fill_get_agents(self, b.initGetAgents());
}

} // namespace cairn
