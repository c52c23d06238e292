// What the agent checkpoints, after Mesos' agent: for frameworks with
// FrameworkInfo.checkpoint only, the agent's info, the framework, each
// executor and its forked pid, each task, each status update before it is
// sent and each acknowledgement. Every write goes through the checkpointer
// (a detached actor, checkpointer.hpp) in the order it is made here.
#include "actors/agent/state.hpp"

#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/machine.hpp"

namespace cairn {

namespace {

using Write = schema::checkpoint::Write;

template <class F>
checkpoint_write make_write(const agent_state& st, const std::string& framework_id,
                            const std::string& executor_id, const std::string& container_id,
                            F&& fill) {
  return make_wire<Write>([&](Write::Builder w) {
    w.setAgentId(st.agent_id);
    w.setFrameworkId(framework_id);
    w.setExecutorId(executor_id);
    w.setContainerId(container_id);
    fill(w);
  });
}

// A write whose failure is logged: the agent goes on (an update is still
// sent), as it cannot do better than say which checkpoint is missing.
void send_write(agent_ptr self, checkpoint_write write, std::string what,
                std::function<void()> then = {}) {
  self->request(self->state.checkpointer, caf::infinite, std::move(write))
    .then(
      [then](bool) {
        if (then)
          then();
      },
      [what, then](const caf::error& err) {
        logger("agent")->error("cannot checkpoint {}: {}", what, error_message(err));
        if (then)
          then();
      });
}

} // namespace

void start_checkpointer(agent_ptr self) {
  auto& st = self->state;
  if (st.options.work_dir.empty() && !st.options.checkpoints)
    return;
  auto store = st.options.checkpoints;
  if (!store)
    store = std::make_shared<file_checkpoint_store>();
  st.checkpointer = spawn_checkpointer(self->system(), st.options.work_dir, std::move(store));
  // It ends with the agent; what it was given is written first.
  self->link_to(st.checkpointer);
}

bool checkpointing(const agent_state& st, const std::string& framework_id) {
  if (!st.checkpointer)
    return false;
  auto fw = st.frameworks.find(framework_id);
  return fw != st.frameworks.end() && fw->second.info && checkpoints(*fw->second.info);
}

void checkpoint_agent(agent_ptr self) {
  auto& st = self->state;
  if (!st.checkpointer)
    return;
  if (st.options.boot_id.empty())
    st.options.boot_id = boot_id();
  send_write(self, make_write(st, "", "", "", [&](Write::Builder w) {
               fill_agent_info(st, w.initAgent());
               w.setBootId(st.options.boot_id);
             }),
             "the agent's info");
}

void checkpoint_launch(agent_ptr self, const executor_entry& ex, const agent_task& task,
                       bool fresh_executor) {
  auto& st = self->state;
  if (!checkpointing(st, ex.framework_id))
    return;
  const auto& fw = st.frameworks.at(ex.framework_id);
  auto info = *task.info;
  if (fresh_executor) {
    send_write(self, make_write(st, ex.framework_id, "", "", [&](Write::Builder w) {
                 w.setFramework(*fw.info);
               }),
               "framework " + ex.framework_id);
    send_write(self, make_write(st, ex.framework_id, ex.id, ex.container_id,
                                [&](Write::Builder w) {
                                  auto e = w.initExecutor();
                                  e.setGeneratedForCommandTask(ex.command_executor);
                                  if (info.hasExecutor()) {
                                    e.setInfo(info.getExecutor());
                                    return;
                                  }
                                  // The agent makes the command executor;
                                  // its info says which and for what.
                                  auto made = e.initInfo();
                                  made.initExecutorId().setValue(ex.id);
                                  made.initFrameworkId().setValue(ex.framework_id);
                                  made.setName("Command Executor (Task: " + ex.id + ")");
                                  made.setResources(info.getResources());
                                }),
               "executor " + ex.id);
  }
  send_write(self, make_write(st, ex.framework_id, ex.id, ex.container_id,
                              [&](Write::Builder w) { w.setTask(info); }),
             "task " + std::string(info.getTaskId().getValue().cStr()));
}

void checkpoint_forked_pid(agent_ptr self, const executor_entry& ex, int64_t pid) {
  auto& st = self->state;
  if (!checkpointing(st, ex.framework_id) || pid <= 0)
    return;
  send_write(self, make_write(st, ex.framework_id, ex.id, ex.container_id,
                              [&](Write::Builder w) { w.setForkedPid(pid); }),
             "the pid of executor " + ex.id);
}

void checkpoint_completed(agent_ptr self, const executor_entry& ex) {
  auto& st = self->state;
  if (!checkpointing(st, ex.framework_id))
    return;
  send_write(self, make_write(st, ex.framework_id, ex.id, ex.container_id,
                              [&](Write::Builder w) { w.setCompleted(); }),
             "the end of executor " + ex.id);
}

void checkpoint_update(agent_ptr self, const std::string& framework_id,
                       const status_update_streams::origin& from,
                       schema::agent::StatusUpdate::Reader update, std::function<void()> then) {
  auto& st = self->state;
  if (from.container_id.empty() || !checkpointing(st, framework_id))
    return then();
  send_write(self, make_write(st, framework_id, from.executor_id, from.container_id,
                              [&](Write::Builder w) { w.setUpdate(update); }),
             "an update of task " +
               std::string(update.getStatus().getTaskId().getValue().cStr()),
             std::move(then));
}

void checkpoint_ack(agent_ptr self, const std::string& framework_id,
                    const status_update_streams::origin& from, const std::string& task_id,
                    const std::string& uuid) {
  auto& st = self->state;
  if (!st.checkpointer || from.container_id.empty())
    return;
  send_write(self, make_write(st, framework_id, from.executor_id, from.container_id,
                              [&](Write::Builder w) {
                                auto a = w.initAck();
                                a.setTaskId(task_id);
                                a.setUuid(kj::arrayPtr(
                                  reinterpret_cast<const kj::byte*>(uuid.data()), uuid.size()));
                              }),
             "an acknowledgement of task " + task_id);
}

void forget_framework_checkpoint(agent_ptr self, const std::string& framework_id) {
  auto& st = self->state;
  if (!st.checkpointer || st.frameworks.count(framework_id) > 0 ||
      st.updates.has_framework(framework_id))
    return;
  send_write(self, make_write(st, framework_id, "", "",
                              [&](Write::Builder w) { w.setRemoveFramework(); }),
             "the removal of framework " + framework_id);
}

} // namespace cairn
