// Status updates on their way from executors (or the agent itself) to the
// master, retried until the framework acknowledges them.
#include "actors/agent/state.hpp"

#include <capnp/message.h>

#include <algorithm>

#include "runtime/clock.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Call = schema::agent::Call;

std::string bytes_of(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

void send_now(agent_ptr self, const std::string& framework_id, const std::string& task_id,
              const status_update_streams::send& s) {
  ++self->state.updates_sent;
  send_to_master(self, s.message);
  self->delayed_send(self, s.retry_after, retry_atom::value, framework_id, task_id, s.uuid);
}

// Records the task's new state; a terminal state frees its resources.
void record(agent_ptr self, const std::string& framework_id, const std::string& executor_id,
            const std::string& task_id, schema::TaskState state) {
  auto& st = self->state;
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end())
    return;
  auto ex = fw->second.executors.find(executor_id);
  if (ex == fw->second.executors.end())
    return;
  auto task = ex->second.tasks.find(task_id);
  if (task == ex->second.tasks.end() || is_terminal(task->second.state))
    return;
  task->second.state = state;
  if (is_terminal(state))
    st.used -= task->second.res;
}

void remember_received(agent_state& st, const std::string& framework_id,
                       const std::string& executor_id, const std::string& task_id,
                       const std::string& uuid) {
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end() || uuid.empty())
    return;
  auto ex = fw->second.executors.find(executor_id);
  if (ex == fw->second.executors.end())
    return;
  auto task = ex->second.tasks.find(task_id);
  if (task == ex->second.tasks.end())
    return;
  auto& seen = task->second.received;
  seen.push_back(uuid);
  if (seen.size() > limits::max_received_update_uuids)
    seen.pop_front();
}

} // namespace

void forward_update(agent_ptr self, const std::string& framework_id,
                    const std::string& executor_id, schema::TaskStatus::Reader status,
                    std::function<void()> durable) {
  auto& st = self->state;
  std::string task_id = status.getTaskId().getValue();
  record(self, framework_id, executor_id, task_id, status.getState());
  auto uuid = bytes_of(status.getUuid());
  remember_received(st, framework_id, executor_id, task_id, uuid);
  auto message = make_agent_call(self, Call::Type::UPDATE, [&](Call::Builder c) {
    auto u = c.initUpdate();
    u.initFrameworkId().setValue(framework_id);
    u.initExecutorId().setValue(executor_id);
    u.initAgentId().setValue(st.agent_id);
    u.setStatus(status);
    auto s = u.getStatus();
    s.initAgentId().setValue(st.agent_id);
    s.initExecutorId().setValue(executor_id);
  });
  publish_task_updated(self, framework_id, message->getUpdate().getStatus());
  // A checkpointing framework's update reaches the master only once it is
  // on disk: a restart never forgets an update the framework may have seen.
  status_update_streams::origin from;
  if (checkpointing(st, framework_id))
    if (auto fw = st.frameworks.find(framework_id); fw != st.frameworks.end())
      if (auto ex = fw->second.executors.find(executor_id); ex != fw->second.executors.end())
        from = {executor_id, ex->second.container_id};
  bool terminal = is_terminal(status.getState());
  auto queue = [self, framework_id, task_id, uuid, terminal, message, from, durable] {
    if (auto now = self->state.updates.add(framework_id, task_id, uuid, terminal, message, from))
      send_now(self, framework_id, task_id, *now);
    if (durable)
      durable();
  };
  checkpoint_update(self, framework_id, from, message->getUpdate(), std::move(queue));
}

bool already_received(const agent_state& st, const std::string& framework_id,
                      const std::string& executor_id, schema::TaskStatus::Reader status) {
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end())
    return false;
  auto ex = fw->second.executors.find(executor_id);
  if (ex == fw->second.executors.end())
    return false;
  auto task = ex->second.tasks.find(status.getTaskId().getValue());
  if (task == ex->second.tasks.end())
    return false;
  const auto& seen = task->second.received;
  return std::find(seen.begin(), seen.end(), bytes_of(status.getUuid())) != seen.end();
}

namespace {

void acknowledge_to_executor(agent_ptr self, const executor_sink& sender,
                             schema::TaskStatus::Reader status) {
  using Event = schema::executor::Event;
  self->send(sender, make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::ACKNOWLEDGED);
               auto a = e.initAcknowledged();
               a.setTaskId(status.getTaskId());
               a.setUuid(status.getUuid());
             }));
}

// The executor's TASK_FAILED, with the limit's reason and message when the
// container reached one. Dropped when the agent has ended the task itself
// meanwhile (its container ended first, with the same limit if there was one).
void forward_failure(agent_ptr self, const executor_call& msg, const executor_sink& sender,
                     schema::containerizer::Termination::Reader limit) {
  auto& st = self->state;
  auto call = *msg;
  auto status = call.getUpdate().getStatus();
  std::string framework_id = call.getFrameworkId().getValue();
  std::string executor_id = call.getExecutorId().getValue();
  std::string task_id = status.getTaskId().getValue();
  bool pending = false;
  if (auto fw = st.frameworks.find(framework_id); fw != st.frameworks.end())
    if (auto ex = fw->second.executors.find(executor_id); ex != fw->second.executors.end())
      if (auto task = ex->second.tasks.find(task_id); task != ex->second.tasks.end())
        pending = !is_terminal(task->second.state);
  if (pending) {
    capnp::MallocMessageBuilder scratch{512};
    scratch.setRoot(status);
    auto limited = scratch.getRoot<schema::TaskStatus>();
    if (limit.getReason() != schema::TaskStatus::Reason::NONE) {
      limited.setReason(limit.getReason());
      limited.setMessage(limit.getMessage());
    }
    return forward_update(self, framework_id, executor_id, limited.asReader(),
                          [self, msg, sender] {
                            acknowledge_to_executor(self, sender, msg->getUpdate().getStatus());
                          });
  }
  acknowledge_to_executor(self, sender, status);
}

} // namespace

void take_executor_update(agent_ptr self, const std::string& container_id,
                          const executor_call& msg, const executor_sink& sender) {
  auto call = *msg;
  auto status = call.getUpdate().getStatus();
  std::string framework_id = call.getFrameworkId().getValue();
  std::string executor_id = call.getExecutorId().getValue();
  // Sent again by an executor that did not hear the acknowledgement (the
  // agent restarted): the agent has it; the executor may forget it.
  if (already_received(self->state, framework_id, executor_id, status))
    return acknowledge_to_executor(self, sender, status);
  if (status.getState() != schema::TaskState::TASK_FAILED) {
    // Once the agent has the update (on disk, if checkpointed), the
    // executor may forget it.
    return forward_update(self, framework_id, executor_id, status, [self, msg, sender] {
      acknowledge_to_executor(self, sender, msg->getUpdate().getStatus());
    });
  }
  self->request(self->state.containers, caf::infinite, container_limitation_atom::value,
                container_id)
    .then(
      [self, msg, sender](const container_termination& limit) {
        forward_failure(self, msg, sender, *limit);
      },
      [self, msg, sender](const caf::error&) {
        capnp::MallocMessageBuilder none{64};
        forward_failure(self, msg, sender,
                        none.initRoot<schema::containerizer::Termination>().asReader());
      });
}

void agent_update(agent_ptr self, const std::string& framework_id,
                  const std::string& executor_id, const std::string& task_id,
                  schema::TaskState state, schema::TaskStatus::Reason reason,
                  const std::string& message) {
  auto uuid = self->state.random->uuid_bytes();
  capnp::MallocMessageBuilder scratch{256};
  auto status = scratch.initRoot<schema::TaskStatus>();
  status.initTaskId().setValue(task_id);
  status.setState(state);
  status.setReason(reason);
  status.setSource(schema::TaskStatus::Source::SOURCE_AGENT);
  status.setMessage(message);
  status.setTimestamp(wall_clock_seconds());
  status.setUuid(kj::arrayPtr(uuid.data(), uuid.size()));
  logger("agent")->info("task {}: {} ({})", task_id, state_name(state), message);
  forward_update(self, framework_id, executor_id, status.asReader());
}

void on_acknowledge(agent_ptr self, schema::agent::Event::Acknowledge::Reader ack) {
  auto& st = self->state;
  std::string framework_id = ack.getFrameworkId().getValue();
  std::string task_id = ack.getTaskId().getValue();
  auto uuid = bytes_of(ack.getUuid());
  auto result = st.updates.acknowledge(framework_id, task_id, uuid);
  if (!result.matched)
    return; // a duplicate or stale acknowledgement
  ++st.updates_acknowledged;
  if (result.terminal)
    end_acknowledged(st, framework_id, task_id);
  checkpoint_ack(self, framework_id, result.from, task_id, uuid);
  if (!result.from.container_id.empty())
    forget_framework_checkpoint(self, framework_id);
  if (result.next)
    send_now(self, framework_id, task_id, *result.next);
}

void flush_updates(agent_ptr self) {
  for (const auto& h : self->state.updates.heads())
    send_now(self, h.framework_id, h.task_id, h.update);
}

void on_update_retry(agent_ptr self, const std::string& framework_id, const std::string& task_id,
                     const std::string& uuid) {
  if (auto again = self->state.updates.retry(framework_id, task_id, uuid)) {
    logger("agent")->info("resending an unacknowledged update of task {}", task_id);
    send_now(self, framework_id, task_id, *again);
  }
}

} // namespace cairn
