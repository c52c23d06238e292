// Task bookkeeping: status updates from agents on their way to frameworks,
// acknowledgements on their way back, kills and reconciliation.
#include "actors/master/state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/clock.hpp"
#include "runtime/limits.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::Event;
using AgentEvent = schema::agent::Event;

void record_status(master_ptr self, task_record& task, schema::TaskStatus::Reader status) {
  bool due = task.end_update_due && is_terminal(status.getState());
  if (task.terminal() && !due)
    return; // a terminal state is final; later (stale) updates do not undo it
  // The update of an end its agent reported on re-registration: it says why,
  // and its uuid is the one the framework acknowledges. It was counted then.
  bool counted = due;
  task.end_update_due = false;
  task.state = status.getState();
  task.reason = status.getReason();
  task.source = status.getSource();
  task.message = status.getMessage();
  task.timestamp = status.getTimestamp();
  if (status.getUuid().size() > 0)
    task.latest_uuid.assign(reinterpret_cast<const char*>(status.getUuid().begin()),
                            status.getUuid().size());
  status_entry entry{task.state, task.timestamp, status.getHealthy(), {}};
  if (status.hasCheckStatus())
    entry.check_status = copy_to_wire<schema::CheckStatusInfo>(status.getCheckStatus());
  keep_status(task, std::move(entry));
  if (!counted)
    count_task_end(self, task.state);
  publish_task_updated(self, task);
}

// Moves a terminal, acknowledged task to the framework's completed tasks.
void complete_task(master_ptr self, framework_record& fw, const std::string& task_id) {
  auto i = fw.tasks.find(task_id);
  if (i == fw.tasks.end() || !i->second.terminal())
    return;
  if (auto a = self->state.agents.find(i->second.agent_id); a != self->state.agents.end())
    a->second.tasks.erase({fw.id, task_id});
  keep_completed_task(self, fw, std::move(i->second));
  fw.tasks.erase(i);
}

void fill_status(schema::TaskStatus::Builder s, const task_record& task) {
  s.initTaskId().setValue(task.id);
  s.setState(task.state);
  s.setReason(task.reason);
  s.setSource(task.source);
  if (!task.message.empty())
    s.setMessage(task.message);
  s.setTimestamp(task.timestamp);
  if (!task.agent_id.empty())
    s.initAgentId().setValue(task.agent_id);
  if (!task.executor_id.empty())
    s.initExecutorId().setValue(task.executor_id);
}

scheduler_event update_event(const std::function<void(schema::TaskStatus::Builder)>& fill) {
  return make_wire<Event>([&](Event::Builder e) {
    e.setType(Event::Type::UPDATE);
    fill(e.initUpdate().initStatus());
  });
}

} // namespace

void send_to_framework(master_ptr self, framework_record& fw, scheduler_event event) {
  if (fw.connected)
    self->send(fw.sink, std::move(event));
}

void free_task_resources(master_ptr self, task_record& task) {
  auto& st = self->state;
  if (auto fw = st.frameworks.find(task.framework_id); fw != st.frameworks.end())
    fw->second.used -= task.res.scalars();
  if (auto a = st.agents.find(task.agent_id); a != st.agents.end()) {
    a->second.used -= task.res;
    // An agent away from the allocator gets its whole usage back when it returns.
    if (a->second.status == agent_status::active)
      allocator_recover(self, task.framework_id, task.agent_id, task.res, 0);
  }
}

void change_task_state(master_ptr self, framework_record& fw, task_record& task,
                       task_state state, task_reason reason, const std::string& message,
                       bool notify) {
  task.state = state;
  task.reason = reason;
  task.source = task_source::SOURCE_MASTER;
  task.message = message;
  task.timestamp = wall_clock_seconds();
  keep_status(task, {state, task.timestamp});
  count_task_end(self, state);
  publish_task_updated(self, task);
  if (notify)
    send_master_update(self, fw, task.id, task.agent_id, state, reason, message);
}

void send_master_update(master_ptr self, framework_record& fw, const std::string& task_id,
                        const std::string& agent_id, task_state state, task_reason reason,
                        const std::string& message) {
  logger("master")->info("task {} of framework {}: {} ({})", task_id, fw.id,
                         static_cast<int>(state), message);
  send_to_framework(self, fw, update_event([&](schema::TaskStatus::Builder s) {
                      s.initTaskId().setValue(task_id);
                      s.setState(state);
                      s.setReason(reason);
                      s.setSource(schema::TaskStatus::Source::SOURCE_MASTER);
                      s.setMessage(message);
                      s.setTimestamp(wall_clock_seconds());
                      if (!agent_id.empty())
                        s.initAgentId().setValue(agent_id);
                    }));
}

void on_status_update(master_ptr self, agent_record& agent,
                      schema::agent::StatusUpdate::Reader update) {
  auto& st = self->state;
  auto status = update.getStatus();
  std::string framework_id = update.getFrameworkId().getValue();
  std::string task_id = status.getTaskId().getValue();
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end()) {
    // The framework is gone: acknowledge for it so the agent stops retrying,
    // and tell the agent to shut the framework's executors down.
    self->send(agent.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::ACKNOWLEDGE);
                 auto a = e.initAcknowledge();
                 a.initFrameworkId().setValue(framework_id);
                 a.initTaskId().setValue(task_id);
                 a.setUuid(status.getUuid());
               }));
    self->send(agent.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::SHUTDOWN_FRAMEWORK);
                 e.initShutdownFramework().initFrameworkId().setValue(framework_id);
               }));
    return;
  }
  auto task = fw->second.tasks.find(task_id);
  // Only the task's own agent speaks for it (Mesos looks it up on the
  // sending agent): another's word would free resources where it runs.
  if (task != fw->second.tasks.end() && task->second.agent_id == agent.id) {
    bool was_terminal = task->second.terminal();
    ++st.valid_status_updates;
    record_status(self, task->second, status);
    if (!was_terminal && task->second.terminal())
      free_task_resources(self, task->second);
  }
  send_to_framework(self, fw->second, make_wire<Event>([&](Event::Builder e) {
                      e.setType(Event::Type::UPDATE);
                      e.initUpdate().setStatus(status);
                      auto s = e.getUpdate().getStatus();
                      if (!s.hasAgentId())
                        s.initAgentId().setValue(agent.id);
                    }));
}

void on_acknowledge(master_ptr self, framework_record& fw,
                    schema::Call::Acknowledge::Reader ack) {
  auto& st = self->state;
  std::string task_id = ack.getTaskId().getValue();
  if (ack.getUuid().size() != 16) {
    logger("master")->warn("framework {} acknowledged task {} with an invalid uuid", fw.id,
                           task_id);
    return;
  }
  auto agent = st.agents.find(ack.getAgentId().getValue());
  if (agent != st.agents.end())
    self->send(agent->second.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::ACKNOWLEDGE);
                 auto a = e.initAcknowledge();
                 a.initFrameworkId().setValue(fw.id);
                 a.initTaskId().setValue(task_id);
                 a.setUuid(ack.getUuid());
               }));
  auto task = fw.tasks.find(task_id);
  if (task == fw.tasks.end())
    return;
  std::string uuid(reinterpret_cast<const char*>(ack.getUuid().begin()), ack.getUuid().size());
  if (task->second.terminal() && uuid == task->second.latest_uuid)
    complete_task(self, fw, task_id);
}

namespace {

// Explicit reconciliation of a task the master does not know, as Mesos
// answers it: nothing while its agent (or, with no agent given, any agent)
// has yet to re-register after a failover, since the task may be there;
// TASK_UNREACHABLE while the agent is unreachable; TASK_GONE when the agent
// is here and would have told us; TASK_GONE_BY_OPERATOR once the agent was
// removed; TASK_UNKNOWN otherwise. Frameworks that are not partition-aware
// get TASK_LOST for each of these.
void reconcile_unknown(master_ptr self, framework_record& fw, const std::string& task_id,
                       const std::string& agent_id) {
  auto& st = self->state;
  auto recovered = st.recovered_agents.find(agent_id);
  if (agent_id.empty() ? !st.recovered_agents.empty()
                       : recovered != st.recovered_agents.end() && recovered->second.reachable)
    return;
  bool removed = was_removed(st, agent_id);
  auto state = !fw.partition_aware                      ? task_state::TASK_LOST
               : recovered != st.recovered_agents.end() ? task_state::TASK_UNREACHABLE
               : st.agents.count(agent_id) > 0          ? task_state::TASK_GONE
               : removed                                ? task_state::TASK_GONE_BY_OPERATOR
                                                        : task_state::TASK_UNKNOWN;
  send_to_framework(self, fw, update_event([&](schema::TaskStatus::Builder s) {
                      s.initTaskId().setValue(task_id);
                      s.setState(state);
                      s.setReason(task_reason::RECONCILIATION);
                      s.setSource(schema::TaskStatus::Source::SOURCE_MASTER);
                      s.setMessage("Reconciliation: task is unknown");
                      s.setTimestamp(wall_clock_seconds());
                      if (!agent_id.empty())
                        s.initAgentId().setValue(agent_id);
                    }));
}

} // namespace

void on_kill(master_ptr self, framework_record& fw, schema::Call::Kill::Reader kill) {
  auto& st = self->state;
  std::string task_id = kill.getTaskId().getValue();
  auto task = fw.tasks.find(task_id);
  if (task == fw.tasks.end()) {
    // Unknown to the master: answered as reconciling it is, as Mesos does.
    // Right after a failover that is nothing while its agent may still
    // bring it back: a TASK_LOST then would have the framework replace a
    // task that keeps running.
    return reconcile_unknown(self, fw, task_id, kill.getAgentId().getValue());
  }
  if (task->second.terminal())
    return;
  if (kill.hasKillPolicy())
    if (auto problem = check_kill_policy(kill.getKillPolicy()); !problem.empty()) {
      logger("master")->warn("framework {}: refusing to kill task {}: {}", fw.id, task_id,
                             problem);
      return;
    }
  auto agent = st.agents.find(task->second.agent_id);
  if (agent == st.agents.end())
    return;
  self->send(agent->second.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
               e.setType(AgentEvent::Type::KILL_TASK);
               auto k = e.initKillTask();
               k.initFrameworkId().setValue(fw.id);
               k.initTaskId().setValue(task_id);
               if (kill.hasKillPolicy())
                 k.setKillPolicy(kill.getKillPolicy());
             }));
}

void on_reconcile(master_ptr self, framework_record& fw,
                  schema::Call::Reconcile::Reader reconcile) {
  auto send_known = [&](const task_record& task) {
    send_to_framework(self, fw, update_event([&](schema::TaskStatus::Builder s) {
                        fill_status(s, task);
                        s.setReason(task_reason::RECONCILIATION);
                        s.setSource(schema::TaskStatus::Source::SOURCE_MASTER);
                      }));
  };
  if (reconcile.getTasks().size() == 0) {
    // Implicit: every task the master knows, in its latest state.
    for (const auto& [id, task] : fw.tasks)
      send_known(task);
    return;
  }
  for (auto t : reconcile.getTasks()) {
    std::string task_id = t.getTaskId().getValue();
    if (auto task = fw.tasks.find(task_id); task != fw.tasks.end()) {
      send_known(task->second);
      continue;
    }
    reconcile_unknown(self, fw, task_id, t.getAgentId().getValue());
  }
}

} // namespace cairn
