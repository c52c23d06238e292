// Agents: registration, their calls, and what happens when one goes away.
#include "actors/master/state.hpp"

#include <fmt/format.h>

#include "actors/resources/convert.hpp"
#include "runtime/clock.hpp"
#include "runtime/limits.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Call = schema::agent::Call;
using AgentEvent = schema::agent::Event;

void send_registered(master_ptr self, const agent_record& agent) {
  auto& st = self->state;
  self->send(agent.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
               e.setType(AgentEvent::Type::REGISTERED);
               auto r = e.initRegistered();
               r.initAgentId().setValue(agent.id);
               auto m = r.initMasterInfo();
               m.setId(st.master_id);
               m.setHostname(st.options.hostname);
               m.setPort(st.options.http_port);
               m.setVersion(CAIRN_VERSION);
             }));
}

void on_register(master_ptr self, Call::Register::Reader reg) {
  auto& st = self->state;
  auto sender = self->current_sender();
  if (!sender)
    return;
  auto sink = caf::actor_cast<agent_sink>(sender);
  // A retried registration from an agent we already admitted: answer again.
  if (auto known = st.agent_by_addr.find(sink.address()); known != st.agent_by_addr.end())
    return send_registered(self, st.agents.at(known->second));
  auto info = reg.getAgentInfo();
  auto total = read_resources(info.getResources());
  if (!total || info.getHostname().size() == 0 || st.agents.size() >= limits::max_agents) {
    logger("master")->warn("refusing agent registration: {}",
                           !total ? error_message(total.error())
                           : info.getHostname().size() == 0 ? "no hostname" : "too many agents");
    return;
  }
  agent_record agent;
  agent.id = fmt::format("{}-S{}", st.master_id, st.next_agent++);
  wire_builder<schema::AgentInfo> b;
  b.message().setRoot(info);
  b.message().getRoot<schema::AgentInfo>().initId().setValue(agent.id);
  agent.info = std::move(b).finish();
  agent.version = reg.getVersion();
  agent.sink = sink;
  agent.total = total->unallocated();
  agent.registered_time = wall_clock_seconds();
  st.agent_by_addr[sink.address()] = agent.id;
  self->monitor(sink);
  logger("master")->info("agent {} at {} registered with {}", agent.id,
                         info.getHostname().cStr(), agent.total.to_string());
  auto& stored = st.agents[agent.id] = std::move(agent);
  send_registered(self, stored);
  allocator_add_agent(self, stored);
}

agent_record* sender_agent(master_ptr self, Call::Reader call) {
  auto& st = self->state;
  auto sender = self->current_sender();
  auto i = st.agents.find(call.getAgentId().getValue());
  if (i == st.agents.end() || !sender
      || caf::actor_cast<agent_sink>(sender) != i->second.sink) {
    logger("master")->warn("dropping a call from an unknown agent '{}'",
                           call.getAgentId().getValue().cStr());
    return nullptr;
  }
  return &i->second;
}

// Removes an agent and everything on it: its tasks are lost to their
// frameworks, its offers rescinded, its resources forgotten.
void remove_agent(master_ptr self, const std::string& agent_id, task_reason reason,
                  const std::string& message) {
  auto& st = self->state;
  auto i = st.agents.find(agent_id);
  if (i == st.agents.end())
    return;
  auto& agent = i->second;
  std::vector<std::string> offers(agent.offers.begin(), agent.offers.end());
  for (const auto& o : offers)
    rescind_offer(self, o);
  for (const auto& [framework_id, task_id] : agent.tasks) {
    auto fw = st.frameworks.find(framework_id);
    if (fw == st.frameworks.end())
      continue;
    auto task = fw->second.tasks.find(task_id);
    if (task == fw->second.tasks.end())
      continue;
    if (!task->second.terminal()) {
      fw->second.used -= task->second.res.scalars();
      auto state = fw->second.partition_aware ? task_state::TASK_GONE : task_state::TASK_LOST;
      task->second.state = state;
      task->second.reason = reason;
      task->second.message = message;
      task->second.timestamp = wall_clock_seconds();
      send_master_update(self, fw->second, task_id, agent_id, state, reason, message);
    }
    fw->second.completed_tasks.push_back(std::move(task->second));
    fw->second.tasks.erase(task);
  }
  allocator_simple(self, schema::allocator::Call::REMOVE_AGENT, agent_id);
  st.agent_by_addr.erase(agent.sink.address());
  self->demonitor(agent.sink.address());
  logger("master")->info("agent {} removed: {}", agent_id, message);
  st.agents.erase(i);
}

} // namespace

void on_agent_call(master_ptr self, const agent_call& msg) {
  auto call = *msg;
  if (call.getType() == Call::Type::REGISTER) {
    if (!call.hasRegister())
      return;
    return on_register(self, call.getRegister());
  }
  auto* agent = sender_agent(self, call);
  if (agent == nullptr)
    return;
  switch (call.getType()) {
    case Call::Type::UPDATE:
      if (call.hasUpdate())
        on_status_update(self, *agent, call.getUpdate());
      return;
    case Call::Type::PONG:
      return;
    case Call::Type::EXITED_EXECUTOR: {
      auto e = call.getExitedExecutor();
      logger("master")->info("executor {} of framework {} on agent {} exited ({})",
                             e.getExecutorId().getValue().cStr(),
                             e.getFrameworkId().getValue().cStr(), agent->id, e.getStatus());
      return;
    }
    case Call::Type::UNREGISTER:
      return remove_agent(self, agent->id, task_reason::AGENT_REMOVED,
                          "Agent shut down gracefully");
    default:
      return;
  }
}

void on_agent_disconnected(master_ptr self, const std::string& agent_id) {
  remove_agent(self, agent_id, task_reason::AGENT_DISCONNECTED, "Agent disconnected");
}

} // namespace cairn
