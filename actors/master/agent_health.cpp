// Whether agents are still there, after Mesos' master: a ping every
// agent_ping_timeout; after max_agent_ping_timeouts unanswered in a row the
// agent is unreachable (its tasks: TASK_UNREACHABLE for partition-aware
// frameworks, TASK_LOST for others); after agent_removal_timeout it is forgotten.
#include "actors/master/state.hpp"

#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using AgentEvent = schema::agent::Event;

constexpr size_t max_removed_agents_kept = 10'000;

} // namespace

void stop_offering(master_ptr self, agent_record& agent) {
  std::vector<std::string> offers(agent.offers.begin(), agent.offers.end());
  for (const auto& o : offers)
    rescind_offer(self, o);
  allocator_simple(self, schema::allocator::Call::REMOVE_AGENT, agent.id);
}

namespace {

void forget(master_ptr self, agent_record& agent) {
  auto& st = self->state;
  st.agent_by_addr.erase(agent.sink.address());
  self->demonitor(agent.sink.address());
  write_registry(self, remove_agent_entry(agent.id));
  remember_removed_agent(self, agent.id);
  st.agents.erase(agent.id);
}

// What becomes of the tasks of an agent the registry now lists as unreachable.
void unreachable_recorded(master_ptr self, agent_record& agent) {
  auto& st = self->state;
  logger("master")->warn("agent {} missed {} pings: unreachable", agent.id, agent.missed_pings);
  if (agent.status == agent_status::active)
    stop_offering(self, agent);
  agent.status = agent_status::unreachable;
  agent.unreachable_since = self->clock().now();
  std::string message = "Agent " + agent.id + " is unreachable";
  std::vector<std::pair<std::string, std::string>> lost;
  for (const auto& [framework_id, task_id] : agent.tasks) {
    auto& fw = st.frameworks.at(framework_id);
    auto& task = fw.tasks.at(task_id);
    if (task.terminal())
      continue;
    fw.used -= task.res.scalars();
    auto state = fw.partition_aware ? task_state::TASK_UNREACHABLE : task_state::TASK_LOST;
    change_task_state(self, fw, task, state, task_reason::AGENT_REMOVED, message, true);
    if (!fw.partition_aware)
      lost.push_back({framework_id, task_id});
  }
  // Frameworks that are not partition-aware are told their tasks are lost;
  // the master forgets them (should the agent return, they are killed there).
  for (const auto& [framework_id, task_id] : lost) {
    auto& fw = st.frameworks.at(framework_id);
    auto& task = fw.tasks.at(task_id);
    agent.used -= task.res;
    agent.tasks.erase({framework_id, task_id});
    keep_completed_task(self, fw, std::move(task));
    fw.tasks.erase(task_id);
  }
  tell_agent_lost(self, agent.id);
}

} // namespace

void remember_removed_agent(master_ptr self, const std::string& agent_id) {
  auto& st = self->state;
  if (!st.removed_agent_ids.insert(agent_id).second)
    return;
  st.removed_agents.push_back(agent_id);
  if (st.removed_agents.size() > max_removed_agents_kept) {
    st.removed_agent_ids.erase(st.removed_agents.front());
    st.removed_agents.pop_front();
  }
}

bool was_removed(const master_state& st, const std::string& agent_id) {
  return st.removed_agent_ids.count(agent_id) > 0;
}

bool agent_id_taken(const master_state& st, const std::string& agent_id) {
  return st.agents.count(agent_id) > 0 || st.recovered_agents.count(agent_id) > 0
         || was_removed(st, agent_id);
}

std::vector<std::pair<std::string, resources>> used_by_framework(master_ptr self,
                                                                 const agent_record& agent) {
  std::map<std::string, resources> by_framework;
  for (const auto& [framework_id, task_id] : agent.tasks) {
    auto fw = self->state.frameworks.find(framework_id);
    if (fw == self->state.frameworks.end())
      continue;
    auto task = fw->second.tasks.find(task_id);
    if (task != fw->second.tasks.end() && !task->second.terminal())
      by_framework[framework_id] += task->second.res;
  }
  return {by_framework.begin(), by_framework.end()};
}

void ping_agents(master_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  std::vector<std::string> unreachable;
  std::vector<std::string> expired;
  for (auto& [id, agent] : st.agents) {
    if (agent.marking_unreachable)
      continue;
    if (agent.status == agent_status::unreachable) {
      if (now - agent.unreachable_since >= st.options.agent_removal_timeout)
        expired.push_back(id);
    } else if (agent.awaiting_pong && ++agent.missed_pings >= st.options.max_agent_ping_timeouts) {
      unreachable.push_back(id);
      continue;
    }
    agent.awaiting_pong = true;
    bool connected = agent.status != agent_status::unreachable;
    self->send(agent.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::PING);
                 e.initPing().setConnected(connected);
               }));
  }
  for (const auto& id : unreachable)
    mark_unreachable(self, st.agents.at(id));
  for (const auto& id : expired)
    remove_agent(self, id, task_reason::AGENT_REMOVED, "Agent was unreachable for too long");
  expire_recovered_agents(self);
}

void on_pong(master_ptr self, agent_record& agent) {
  agent.awaiting_pong = false;
  agent.missed_pings = 0;
  (void) self;
}

void on_agent_disconnected(master_ptr self, const std::string& agent_id) {
  auto& st = self->state;
  auto i = st.agents.find(agent_id);
  if (i == st.agents.end() || i->second.status != agent_status::active)
    return;
  // Mesos waits for the pings to decide: the agent may be back soon.
  logger("master")->warn("agent {} disconnected; not offering it until it returns", agent_id);
  auto& agent = i->second;
  agent.status = agent_status::disconnected;
  stop_offering(self, agent);
  // Only a checkpointing framework's executors outlive their agent's
  // process: the tasks of every other framework are lost now, as Mesos'
  // master decides on a disconnection (and their executors end with it).
  std::vector<std::pair<std::string, std::string>> lost;
  for (const auto& key : agent.tasks) {
    auto fw = st.frameworks.find(key.first);
    if (fw != st.frameworks.end() && !fw->second.info->getCheckpoint())
      lost.push_back(key);
  }
  for (const auto& [framework_id, task_id] : lost) {
    auto& fw = st.frameworks.at(framework_id);
    auto task = fw.tasks.find(task_id);
    // A task that ended is left to its update, still on its way.
    if (task == fw.tasks.end() || task->second.terminal())
      continue;
    agent.tasks.erase({framework_id, task_id});
    fw.used -= task->second.res.scalars();
    agent.used -= task->second.res;
    change_task_state(self, fw, task->second, task_state::TASK_LOST,
                      task_reason::AGENT_DISCONNECTED, "Agent " + agent_id + " disconnected",
                      true);
    keep_completed_task(self, fw, std::move(task->second));
    fw.tasks.erase(task);
  }
}

void mark_unreachable(master_ptr self, agent_record& agent) {
  if (agent.marking_unreachable || agent.status == agent_status::unreachable)
    return;
  // Frameworks hear of it only once the registry holds it: a new leader
  // must not take the agent's tasks for running when they were reported lost.
  agent.marking_unreachable = true;
  std::string id = agent.id;
  write_registry(self, mark_unreachable_entry(id, wall_clock_seconds()),
                 [=](bool ok, const std::string&) {
                   auto& st = self->state;
                   auto i = st.agents.find(id);
                   // It may have re-registered meanwhile (its return is written after).
                   if (i == st.agents.end() || !i->second.marking_unreachable)
                     return;
                   i->second.marking_unreachable = false;
                   if (ok)
                     unreachable_recorded(self, i->second);
                 });
}

void remove_agent(master_ptr self, const std::string& agent_id, task_reason reason,
                  const std::string& message, task_state partition_aware_state) {
  auto& st = self->state;
  auto i = st.agents.find(agent_id);
  if (i == st.agents.end())
    return;
  auto& agent = i->second;
  bool was_unreachable = agent.status == agent_status::unreachable;
  if (agent.status == agent_status::active)
    stop_offering(self, agent);
  for (const auto& [framework_id, task_id] : agent.tasks) {
    auto fw = st.frameworks.find(framework_id);
    if (fw == st.frameworks.end())
      continue;
    auto task = fw->second.tasks.find(task_id);
    if (task == fw->second.tasks.end())
      continue;
    // Tasks of an agent forgotten after being unreachable are not reported
    // again: reconciliation answers TASK_UNKNOWN for them, as in Mesos.
    if (!task->second.terminal() && !was_unreachable) {
      fw->second.used -= task->second.res.scalars();
      auto state = fw->second.partition_aware ? partition_aware_state : task_state::TASK_LOST;
      change_task_state(self, fw->second, task->second, state, reason, message, true);
    }
    keep_completed_task(self, fw->second, std::move(task->second));
    fw->second.tasks.erase(task);
  }
  logger("master")->info("agent {} removed: {}", agent_id, message);
  std::string id = agent_id;  // may be agent.id, which forget() erases
  forget(self, agent);
  publish_agent_removed(self, id);
  // Frameworks heard of it when it became unreachable (as in Mesos).
  if (!was_unreachable)
    tell_agent_lost(self, id);
}

} // namespace cairn
