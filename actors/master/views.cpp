// Read-only views of the master: the /master/state document (Mesos'
// state.json layout) and the operator API's answers.
#include "actors/master/state.hpp"

#include "actors/resources/convert.hpp"

namespace cairn {

namespace {

namespace st_schema = schema::state;

void fill_task(st_schema::Task::Builder b, const task_record& t) {
  b.setId(t.id);
  b.setName(t.name);
  b.setFrameworkId(t.framework_id);
  b.setExecutorId(t.executor_id);
  b.setSlaveId(t.agent_id);
  b.setState(t.state);
  b.setRole(t.role);
  write_summary(t.res, b.initResources());
  auto statuses = b.initStatuses(static_cast<unsigned>(t.statuses.size()));
  for (unsigned i = 0; i < t.statuses.size(); ++i) {
    statuses[i].setState(t.statuses[i].state);
    statuses[i].setTimestamp(t.statuses[i].timestamp);
  }
}

void fill_framework(st_schema::Framework::Builder b, const framework_record& fw) {
  auto info = *fw.info;
  b.setId(fw.id);
  b.setName(info.getName());
  b.setUser(info.getUser());
  b.setPrincipal(info.getPrincipal());
  b.setRole(fw.roles.empty() ? "*" : fw.roles.front());
  auto roles = b.initRoles(static_cast<unsigned>(fw.roles.size()));
  for (unsigned i = 0; i < fw.roles.size(); ++i)
    roles.set(i, fw.roles[i]);
  b.setActive(fw.active);
  b.setConnected(fw.connected);
  b.setFailoverTimeout(fw.failover_timeout);
  b.setRegisteredTime(fw.registered_time);
  write_summary(fw.used, b.initUsedResources());
  write_summary(fw.offered, b.initOfferedResources());
  auto tasks = b.initTasks(static_cast<unsigned>(fw.tasks.size()));
  unsigned i = 0;
  for (const auto& [id, t] : fw.tasks)
    fill_task(tasks[i++], t);
  auto completed = b.initCompletedTasks(static_cast<unsigned>(fw.completed_tasks.size()));
  i = 0;
  for (const auto& t : fw.completed_tasks)
    fill_task(completed[i++], t);
}

void fill_agent(st_schema::Agent::Builder b, const agent_record& a) {
  auto info = *a.info;
  b.setId(a.id);
  b.setPid("slave(1)@" + std::string(info.getHostname().cStr()) + ":" + std::to_string(info.getPort()));
  b.setHostname(info.getHostname());
  b.setPort(info.getPort());
  b.setRegisteredTime(a.registered_time);
  write_summary(a.total, b.initResources());
  write_summary(a.used.unallocated(), b.initUsedResources());
  write_summary(a.offered.unallocated(), b.initOfferedResources());
  write_summary(a.total.unreserved(), b.initUnreservedResources());
  b.setActive(a.status == agent_status::active);
  b.setVersion(a.version);
}

} // namespace

master_snapshot build_state(master_ptr self) {
  auto& st = self->state;
  wire_builder<st_schema::Master> w{4096};
  auto m = w.root();
  m.setVersion(CAIRN_VERSION);
  m.setId(st.master_id);
  m.setPid("master@" + st.options.ip + ":" + std::to_string(st.options.http_port));
  m.setHostname(st.options.hostname);
  m.setStartTime(st.start_time);
  m.setElectedTime(st.start_time);
  m.setLeader(m.getPid());
  fill_master_info(self, m.initLeaderInfo());
  uint32_t active = 0;
  for (const auto& [id, a] : st.agents)
    active += a.status == agent_status::active ? 1 : 0;
  m.setActivatedSlaves(active);
  m.setDeactivatedSlaves(static_cast<uint32_t>(st.agents.size()) - active);
  auto agents = m.initSlaves(static_cast<unsigned>(st.agents.size()));
  unsigned i = 0;
  for (const auto& [id, a] : st.agents)
    fill_agent(agents[i++], a);
  auto frameworks = m.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  i = 0;
  for (const auto& [id, fw] : st.frameworks)
    fill_framework(frameworks[i++], fw);
  auto completed = m.initCompletedFrameworks(static_cast<unsigned>(st.completed_frameworks.size()));
  i = 0;
  for (const auto& fw : st.completed_frameworks)
    fill_framework(completed[i++], fw);
  return std::move(w).finish();
}

} // namespace cairn
