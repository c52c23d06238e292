// Read-only views of the master: the /master/state document (Mesos'
// state.json layout) and the operator API's answers.
#include "actors/master/state.hpp"

#include <map>

#include <capnp/schema.h>
#include <fmt/format.h>

#include "actors/resources/convert.hpp"
#include "runtime/json.hpp"

namespace cairn {

namespace {

namespace st_schema = schema::state;

// An attribute's value as Mesos' state.json spells it: "[1-2, 5-6]", "{a,b}".
std::string attribute_text(schema::Attribute::Reader a) {
  switch (a.getType()) {
    case schema::ValueType::SCALAR:
      return fmt::format("{}", a.getScalar().getValue());
    case schema::ValueType::RANGES: {
      std::string out = "[";
      for (auto r : a.getRanges().getRange())
        out += (out.size() > 1 ? ", " : "") + fmt::format("{}-{}", r.getBegin(), r.getEnd());
      return out + "]";
    }
    case schema::ValueType::SET: {
      std::string out = "{";
      for (auto item : a.getSet().getItem())
        out += (out.size() > 1 ? "," : "") + std::string(item.cStr());
      return out + "}";
    }
    case schema::ValueType::TEXT:
      return a.getText().getValue();
  }
  return {};
}

void fill_attributes(schema::TextMap::Builder b, schema::AgentInfo::Reader info) {
  auto attrs = info.getAttributes();
  auto entries = b.initEntries(attrs.size());
  for (unsigned i = 0; i < attrs.size(); ++i) {
    entries[i].setKey(attrs[i].getName());
    entries[i].setValue(attribute_text(attrs[i]));
  }
}

// By role, what the agent has reserved to it.
void fill_reserved(st_schema::SummaryMap::Builder b, const resources& total) {
  std::map<std::string, resources> by_role;
  for (const auto& r : total.items())
    if (r.reserved())
      by_role[r.role] += r;
  auto entries = b.initEntries(static_cast<unsigned>(by_role.size()));
  unsigned i = 0;
  for (const auto& [role, rs] : by_role) {
    entries[i].setKey(role);
    write_summary(rs, entries[i++].initValue());
  }
}

void fill_shown(st_schema::Task::Builder b, const task_record& t) {
  if (!t.shown)
    return;
  auto info = *t.shown;
  if (info.hasLabels())
    b.setLabels(info.getLabels().getLabels());
  if (info.hasDiscovery())
    b.setDiscovery(info.getDiscovery());
  if (info.hasContainer())
    b.setContainer(info.getContainer());
}

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
    statuses[i].setHealthy(t.statuses[i].healthy);
    if (t.statuses[i].check_status)
      statuses[i].setCheckStatus(*t.statuses[i].check_status);
  }
  fill_shown(b, t);
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
  if (fw.unregistered_time > 0)
    b.setUnregisteredTime(fw.unregistered_time);
  b.setRecovered(fw.recovered);
  if (info.hasHostname())
    b.setHostname(info.getHostname());
  if (info.hasWebuiUrl())
    b.setWebuiUrl(info.getWebuiUrl());
  auto caps = b.initCapabilities(info.getCapabilities().size());
  for (unsigned k = 0; k < caps.size(); ++k)
    caps.set(k, json_name(info.getCapabilities()[k].getType()));
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
  fill_attributes(b.initAttributes(), info);
  fill_reserved(b.initReservedResources(), a.total);
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
  if (!st.options.cluster.empty())
    m.setCluster(st.options.cluster);
  auto flags = m.initFlags().initEntries(static_cast<unsigned>(st.options.flags.size()));
  for (unsigned k = 0; k < flags.size(); ++k) {
    flags[k].setKey(st.options.flags[k].first);
    flags[k].setValue(st.options.flags[k].second);
  }
  uint32_t active = 0;
  uint32_t unreachable = 0;
  for (const auto& [id, a] : st.agents) {
    active += a.status == agent_status::active ? 1 : 0;
    unreachable += a.status == agent_status::unreachable ? 1 : 0;
  }
  for (const auto& [id, a] : st.recovered_agents)
    unreachable += a.reachable ? 0 : 1;
  m.setActivatedSlaves(active);
  m.setDeactivatedSlaves(static_cast<uint32_t>(st.agents.size()) - active);
  m.setUnreachableSlaves(unreachable);
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
