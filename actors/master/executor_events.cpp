// What passes between a framework and its executors through the master:
// the scheduler's SHUTDOWN of an executor, an executor's MESSAGE for its
// scheduler, and the FAILURE events (executor exited, agent removed).
#include "actors/master/state.hpp"

#include <fmt/format.h>

#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::Event;
using AgentEvent = schema::agent::Event;

framework_record* connected_framework(master_ptr self, const std::string& id) {
  auto i = self->state.frameworks.find(id);
  if (i == self->state.frameworks.end() || !i->second.connected || !i->second.sink)
    return nullptr;
  return &i->second;
}

} // namespace

void on_shutdown_executor(master_ptr self, framework_record& fw,
                          schema::Call::Shutdown::Reader shutdown) {
  auto sender = self->current_sender();
  std::string executor_id = shutdown.getExecutorId().getValue();
  std::string agent_id = shutdown.getAgentId().getValue();
  if (executor_id.empty() || agent_id.empty())
    return send_error(self, sender,
                      "Expecting 'shutdown.executor_id' and 'shutdown.agent_id' to be present");
  auto agent = self->state.agents.find(agent_id);
  if (agent == self->state.agents.end() || agent->second.status != agent_status::active) {
    // Mesos drops it with a warning too: the executor will be reconciled
    // (or its tasks reported lost) when the agent comes back or is removed.
    logger("master")->warn("cannot shut down executor {} of framework {}: agent {} is not"
                           " connected", executor_id, fw.id, agent_id);
    return;
  }
  logger("master")->info("framework {} asked to shut down executor {} on agent {}", fw.id,
                         executor_id, agent_id);
  self->send(agent->second.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
               e.setType(AgentEvent::Type::SHUTDOWN_EXECUTOR);
               auto s = e.initShutdownExecutor();
               s.initFrameworkId().setValue(fw.id);
               s.initExecutorId().setValue(executor_id);
             }));
}

void on_executor_exited(master_ptr self, const agent_record& agent,
                        schema::agent::Call::ExitedExecutor::Reader exited) {
  std::string framework_id = exited.getFrameworkId().getValue();
  logger("master")->info("executor {} of framework {} on agent {} exited with status {}",
                         exited.getExecutorId().getValue().cStr(), framework_id, agent.id,
                         exited.getStatus());
  auto* fw = connected_framework(self, framework_id);
  if (fw == nullptr)
    return;
  send_to_framework(self, *fw, make_wire<Event>([&](Event::Builder e) {
                      e.setType(Event::Type::FAILURE);
                      auto f = e.initFailure();
                      f.initAgentId().setValue(agent.id);
                      f.setExecutorId(exited.getExecutorId());
                      f.setStatus(exited.getStatus());
                    }));
}

void tell_agent_lost(master_ptr self, const std::string& agent_id) {
  // Every framework hears it, as Mesos' lost-agent message goes to all.
  for (auto& [id, fw] : self->state.frameworks) {
    if (!fw.connected || !fw.sink)
      continue;
    send_to_framework(self, fw, make_wire<Event>([&](Event::Builder e) {
                        e.setType(Event::Type::FAILURE);
                        e.initFailure().initAgentId().setValue(agent_id);
                      }));
  }
}

void on_executor_message(master_ptr self, const agent_record& agent,
                         schema::agent::Call::ExecutorMessage::Reader message) {
  std::string framework_id = message.getFrameworkId().getValue();
  auto* fw = connected_framework(self, framework_id);
  if (fw == nullptr) {
    // Framework messages are best effort in Mesos as well.
    logger("master")->warn("dropping a message from executor {} on agent {}: framework {}"
                           " is not connected", message.getExecutorId().getValue().cStr(),
                           agent.id, framework_id);
    return;
  }
  send_to_framework(self, *fw, make_wire<Event>([&](Event::Builder e) {
                      e.setType(Event::Type::MESSAGE);
                      auto m = e.initMessage();
                      m.initAgentId().setValue(agent.id);
                      m.setExecutorId(message.getExecutorId());
                      m.setData(message.getData());
                    }));
}

} // namespace cairn
