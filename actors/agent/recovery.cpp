// Taking back, after a restart, what the checkpoints name (Mesos' agent
// recovery): the plan (recovery_plan.hpp) decides; here the agent rebuilds
// its frameworks, executors, tasks and unacknowledged updates, has the
// containerizer find their containers again, and gives each executor
// --executor_reregistration_timeout to subscribe again.
#include "actors/agent/state.hpp"

#include "actors/agent/checkpoint_layout.hpp"
#include "actors/checks.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/machine.hpp"

namespace cairn {

namespace {

using TaskState = schema::TaskState;
using Reason = schema::TaskStatus::Reason;
using Capability = schema::FrameworkInfo::Capability;

bool partition_aware(schema::FrameworkInfo::Reader info) {
  for (auto c : info.getCapabilities())
    if (c.getType() == Capability::Type::PARTITION_AWARE)
      return true;
  return false;
}

resources resources_of(schema::TaskInfo::Reader info, const std::string& what) {
  auto res = read_resources(info.getResources());
  if (res)
    return *res;
  logger("agent")->error("recovered {} with unreadable resources: {}", what,
                         error_message(res.error()));
  return {};
}

// The agent's view of an executor run it finds in its checkpoints.
void take_run(agent_ptr self, const recovery_plan::run& run) {
  auto& st = self->state;
  const auto& rfw = *run.framework;
  const auto& rex = *run.executor;
  auto& fw = st.frameworks[rfw.id];
  fw.id = rfw.id;
  fw.info = rfw.info;
  executor_entry ex;
  ex.id = rex.id;
  ex.framework_id = rfw.id;
  ex.container_id = rex.container_id;
  ex.sandbox = rex.sandbox;
  ex.command_executor = rex.generated_for_command_task;
  ex.recovered = true;
  for (const auto& [task_id, rt] : rex.tasks) {
    agent_task task;
    task.info = rt.info;
    task.res = resources_of(*rt.info, "task " + task_id);
    task.state = rt.state;
    task.launched = true;  // its executor has it: never launched twice
    for (const auto& u : rt.updates)
      task.received.push_back(checkpoint_layout::update_uuid(u));
    // Acknowledged before the restart: the master has forgotten it.
    task.end_acknowledged = is_terminal(task.state) && rt.unacknowledged().empty();
    if (!is_terminal(task.state))
      st.used += task.res;
    ex.tasks.emplace(task_id, std::move(task));
  }
  st.containers_by_id[ex.container_id] = {rfw.id, rex.id};
  logger("agent")->info("recovered executor {} of framework {} (container {}, pid {}) with {} "
                        "task(s)",
                        rex.id, rfw.id, rex.container_id,
                        rex.forked_pid ? std::to_string(*rex.forked_pid) : "unknown",
                        rex.tasks.size());
  fw.executors.emplace(rex.id, std::move(ex));
}

// What the containerizer is told of one checkpointed run.
void describe_run(schema::containerizer::Recovered::Builder c, const recovery_plan::run& run) {
  const auto& ex = *run.executor;
  c.setContainerId(ex.container_id);
  c.setPid(ex.forked_pid ? static_cast<int32_t>(*ex.forked_pid) : 0);
  c.setDirectory(ex.sandbox);
  auto config = c.initConfig();
  config.setContainerId(ex.container_id);
  config.setFrameworkId(run.framework->id);
  config.setExecutorId(ex.id);
  config.setDirectory(ex.sandbox);
  // Which containerizer runs it follows its ContainerInfo: the task's
  // for a command executor, else the executor's.
  if (ex.generated_for_command_task) {
    for (const auto& [id, t] : ex.tasks)
      if (t.info->hasContainer()) {
        config.setContainer(t.info->getContainer());
        config.setHasContainer(true);
        config.setTask(*t.info);
        config.setHasTask(true);
      }
  } else if (ex.info->hasContainer()) {
    config.setContainer(ex.info->getContainer());
    config.setHasContainer(true);
  }
  // Its limits follow what its tasks (and its own info) hold.
  // (A command executor's info holds its task's: counted once.)
  bool own = !ex.generated_for_command_task || ex.tasks.empty();
  size_t count = own ? ex.info->getResources().size() : 0;
  for (const auto& [id, t] : ex.tasks)
    count += t.info->getResources().size();
  auto res = config.initResources(static_cast<unsigned>(count));
  unsigned r = 0;
  if (own)
    for (auto x : ex.info->getResources())
      res.setWithCaveats(r++, x);
  for (const auto& [id, t] : ex.tasks)
    for (auto x : t.info->getResources())
      res.setWithCaveats(r++, x);
}

container_recovery containers_of(const recovery_plan& plan) {
  using State = schema::containerizer::RecoverState;
  return make_wire<State>([&](State::Builder b) {
    auto list = b.initContainers(
      static_cast<unsigned>(plan.reattach.size() + plan.destroy.size()));
    unsigned i = 0;
    for (const auto* runs : {&plan.reattach, &plan.destroy})
      for (const auto& run : *runs)
        describe_run(list[i++], run);
    auto ended = b.initEnded(static_cast<unsigned>(plan.ended.size()));
    for (unsigned e = 0; e < plan.ended.size(); ++e)
      describe_run(ended[e], plan.ended[e]);
  });
}

// The containerizer has recovered the containers: each reattached one is
// watched again, each of --recover=cleanup destroyed.
void containers_recovered(agent_ptr self, const std::vector<std::string>& reattached,
                          const std::vector<std::string>& destroyed) {
  auto& st = self->state;
  for (const auto& container_id : reattached) {
    self->request(st.containers, caf::infinite, container_wait_atom::value, container_id)
      .then([self, container_id](const container_termination& how) {
        on_container_ended(self, container_id, how);
      },
      [self, container_id](const caf::error& err) {
        remove_executor(self, container_id, Reason::EXECUTOR_TERMINATED,
                        "Executor's container was not recovered: " + error_message(err));
      });
    self->delayed_send(self, st.options.executor_reregistration_timeout,
                       reregtimeout_atom::value, container_id);
  }
  for (const auto& container_id : destroyed)
    destroy_container(self, container_id);
}

} // namespace

void recover(agent_ptr self) {
  auto& st = self->state;
  if (!st.options.recovered)
    return;
  if (st.options.boot_id.empty())
    st.options.boot_id = boot_id();
  const auto& recovered = *st.options.recovered;
  auto plan = plan_recovery(recovered, st.options.boot_id, st.options.recover);
  for (const auto& note : plan.notes)
    logger("agent")->error("recovery: {}", note);
  st.agent_id = plan.agent_id;
  if (!st.agent_id.empty())
    logger("agent")->info("recovering agent {}: {} executor(s) to reattach, {} update(s) to "
                          "send again",
                          st.agent_id, plan.reattach.size(), plan.resends.size());
  std::vector<std::string> reattached;
  std::vector<std::string> destroyed;
  for (const auto& run : plan.reattach) {
    take_run(self, run);
    reattached.push_back(run.executor->container_id);
  }
  for (const auto& run : plan.destroy) {
    logger("agent")->warn("recovery: killing executor {} of framework {} (--recover=cleanup)",
                          run.executor->id, run.framework->id);
    destroyed.push_back(run.executor->container_id);
  }
  // Sent once the master takes the agent back (flush_updates).
  for (const auto& r : plan.resends) {
    auto status = r.update->getStatus();
    std::string task_id = status.getTaskId().getValue();
    auto uuid = checkpoint_layout::update_uuid(r.update);
    auto message = make_agent_call(self, schema::agent::Call::Type::UPDATE,
                                   [&](auto c) { c.setUpdate(r.update.get()); });
    st.updates.add(r.framework_id, task_id, uuid, is_terminal(status.getState()),
                   std::move(message), {r.executor_id, r.container_id});
  }
  // Even with nothing to reattach the containerizers look for what no
  // checkpoint names (cgroups, mesos- containers) and take back what ended
  // runs left (a stopped container still to be removed).
  if (!recovered.found)
    return;
  self->request(st.containers, caf::infinite, container_recover_atom::value,
                containers_of(plan))
    .then([self, reattached, destroyed](bool) {
      containers_recovered(self, reattached, destroyed);
    },
    [self, reattached](const caf::error& err) {
      logger("agent")->error("recovery: the containerizer could not recover: {}",
                             error_message(err));
      for (const auto& container_id : reattached)
        remove_executor(self, container_id, Reason::EXECUTOR_TERMINATED,
                        "Executor's container was not recovered: " + error_message(err));
    });
}

void on_executor_reregistration_timeout(agent_ptr self, const std::string& container_id) {
  auto& st = self->state;
  auto c = st.containers_by_id.find(container_id);
  if (c == st.containers_by_id.end())
    return;
  auto [framework_id, executor_id] = c->second;
  auto& fw = st.frameworks.at(framework_id);
  auto& ex = fw.executors.at(executor_id);
  if (!ex.recovered)
    return;  // it subscribed again
  // Alive but silent (or stopped): it is destroyed and its tasks are lost,
  // as Mesos' agent does.
  auto message = "Executor did not re-register within " +
                 format_duration(st.options.executor_reregistration_timeout);
  logger("agent")->warn("executor {} of framework {}: {}", executor_id, framework_id, message);
  auto state = partition_aware(*fw.info) ? TaskState::TASK_GONE : TaskState::TASK_LOST;
  std::vector<std::string> unfinished;
  for (const auto& [task_id, task] : ex.tasks)
    if (!is_terminal(task.state))
      unfinished.push_back(task_id);
  for (const auto& task_id : unfinished)
    agent_update(self, framework_id, executor_id, task_id, state,
                 Reason::EXECUTOR_REREGISTRATION_TIMEOUT, message);
  destroy_container(self, container_id);
}

void take_resubscription(agent_ptr self, executor_entry& ex, const executor_call& msg,
                         const executor_sink& sender) {
  auto& st = self->state;
  ex.recovered = false;
  auto subscribe = msg->getSubscribe();
  logger("agent")->info("executor {} of framework {} subscribed again with {} unacknowledged "
                        "update(s)",
                        ex.id, ex.framework_id, subscribe.getUnacknowledgedUpdates().size());
  // Tasks the agent died before it checkpointed: the executor runs them.
  for (auto info : subscribe.getUnacknowledgedTasks()) {
    std::string task_id = info.getTaskId().getValue();
    if (ex.tasks.count(task_id) > 0 || !check_id(task_id).empty())
      continue;
    agent_task task;
    task.info = copy_to_wire<schema::TaskInfo>(info);
    task.res = resources_of(info, "task " + task_id);
    task.launched = true;
    st.used += task.res;
    ex.tasks.emplace(task_id, std::move(task));
  }
  // Every update it carries is taken as if sent now: acknowledged to it,
  // forwarded unless the agent has it already (by uuid).
  std::string container_id = ex.container_id;
  for (auto u : subscribe.getUnacknowledgedUpdates()) {
    if (u.getStatus().getUuid().size() != 16)
      continue;  // no uuid: nothing to acknowledge it by (as for UPDATE)
    auto call = make_wire<schema::executor::Call>([&](schema::executor::Call::Builder c) {
      c.setType(schema::executor::Call::Type::UPDATE);
      c.setFrameworkId(msg->getFrameworkId());
      c.setExecutorId(msg->getExecutorId());
      c.setUpdate(u);
    });
    take_executor_update(self, container_id, call, sender);
  }
}

} // namespace cairn
