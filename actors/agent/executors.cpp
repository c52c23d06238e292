// Executors: starting one per task, handing tasks to it once it subscribes,
// kills, and what happens when an executor ends or never shows up.
#include "actors/agent/state.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "actors/checks.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

using ExecutorEvent = schema::executor::Event;
using ExecutorCall = schema::executor::Call;
using TaskState = schema::TaskState;
using Reason = schema::TaskStatus::Reason;

caf::error make_dirs(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') {
      partial += path[i];
      continue;
    }
    if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      return make_error(fmt::format("cannot create {}: {}", partial, strerror(errno)));
    if (i < path.size())
      partial += '/';
  }
  return caf::none;
}

// Mesos' layout, so that operators find sandboxes where they expect them.
std::string sandbox_path(const agent_state& st, const std::string& framework_id,
                         const std::string& executor_id, const std::string& container_id) {
  return fmt::format("{}/slaves/{}/frameworks/{}/executors/{}/runs/{}", st.options.work_dir,
                     st.agent_id, framework_id, executor_id, container_id);
}

// The ids a sandbox path is made of: "" when each is a valid id.
std::string check_sandbox_ids(const agent_state& st, const std::string& framework_id,
                              const std::string& executor_id, const std::string& task_id) {
  const std::pair<const char*, const std::string*> ids[] = {
    {"Agent", &st.agent_id},
    {"Framework", &framework_id},
    {"Executor", &executor_id},
    {"Task", &task_id},
  };
  for (const auto& [what, id] : ids)
    if (auto problem = check_id(*id); !problem.empty())
      return fmt::format("{} ID is invalid: {}", what, problem);
  return {};
}

executor_entry* find_executor(agent_state& st, const std::string& framework_id,
                              const std::string& executor_id) {
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end())
    return nullptr;
  auto ex = fw->second.executors.find(executor_id);
  return ex == fw->second.executors.end() ? nullptr : &ex->second;
}

executor_entry* find_executor_of_task(agent_state& st, const std::string& framework_id,
                                      const std::string& task_id) {
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end())
    return nullptr;
  for (auto& [id, ex] : fw->second.executors)
    if (ex.tasks.count(task_id) > 0)
      return &ex;
  return nullptr;
}

void send_launch(agent_ptr self, executor_entry& ex, agent_task& task) {
  task.launched = true;
  self->send(ex.sink, make_wire<ExecutorEvent>([&](ExecutorEvent::Builder e) {
               e.setType(ExecutorEvent::Type::LAUNCH);
               e.initLaunch().setTask(*task.info);
             }));
}

// Forgets an executor; sends what its unfinished tasks became, and that it
// exited: with the wait status of its process, -1 when none was reaped (as Mesos).
void remove_executor(agent_ptr self, const std::string& container_id, Reason reason,
                     const std::string& message, int wait_status = -1) {
  auto& st = self->state;
  auto c = st.containers_by_id.find(container_id);
  if (c == st.containers_by_id.end())
    return;
  auto [framework_id, executor_id] = c->second;
  st.containers_by_id.erase(c);
  auto* ex = find_executor(st, framework_id, executor_id);
  if (ex == nullptr)
    return;
  if (ex->sink)
    st.container_by_executor.erase(ex->sink.address());
  std::vector<std::string> unfinished;
  for (const auto& [task_id, task] : ex->tasks)
    if (!is_terminal(task.state))
      unfinished.push_back(task_id);
  for (const auto& task_id : unfinished)
    agent_update(self, framework_id, executor_id, task_id, TaskState::TASK_FAILED, reason,
                 message);
  if (!ex->command_executor)
    send_to_master(self, make_agent_call(self, schema::agent::Call::Type::EXITED_EXECUTOR,
                                         [&](auto call) {
                                           auto e = call.initExitedExecutor();
                                           e.initFrameworkId().setValue(framework_id);
                                           e.initExecutorId().setValue(executor_id);
                                           e.setStatus(wait_status);
                                         }));
  auto& fw = st.frameworks[framework_id];
  st.completed.push_back({framework_id, fw.info, std::move(*ex)});
  if (st.completed.size() > limits::max_completed_executors)
    st.completed.pop_front();
  fw.executors.erase(executor_id);
  if (fw.executors.empty())
    st.frameworks.erase(framework_id);
}

} // namespace

namespace {

// The command line and environment of a custom executor (Mesos' names).
void custom_executor(agent_state& st, schema::ExecutorInfo::Reader info,
                     const executor_entry& ex, container_launch& launch) {
  auto command = info.getCommand();
  if (command.getShell()) {
    launch.argv = {"/bin/sh", "-c", command.getValue()};
  } else {
    for (auto a : command.getArguments())
      launch.argv.emplace_back(a.cStr());
    if (launch.argv.empty())
      launch.argv.emplace_back(command.getValue().cStr());
    launch.argv.front() = command.getValue();
  }
  launch.env = {
    "MESOS_AGENT_ENDPOINT=" + st.options.http_endpoint,
    "MESOS_SLAVE_ID=" + st.agent_id,
    "MESOS_AGENT_ID=" + st.agent_id,
    "MESOS_DIRECTORY=" + ex.sandbox,
    "MESOS_CHECKPOINT=0",
    "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=5secs",
  };
  for (auto v : command.getEnvironment().getVariables())
    launch.env.push_back(std::string(v.getName().cStr()) + "=" + v.getValue().cStr());
}

// Starts the container of a new executor; false (and the executor is gone,
// its task failed) when that is impossible.
bool start_container(agent_ptr self, executor_entry& ex, schema::TaskInfo::Reader info) {
  auto& st = self->state;
  container_launch launch;
  launch.container_id = ex.container_id;
  launch.framework_id = ex.framework_id;
  launch.executor_id = ex.id;
  launch.sandbox = ex.sandbox;
  launch.agent_endpoint = st.options.actor_endpoint;
  launch.agent = caf::actor_cast<caf::strong_actor_ptr>(self);
  if (info.hasExecutor())
    custom_executor(st, info.getExecutor(), ex, launch);
  auto err = make_dirs(ex.sandbox);
  if (!err)
    err = st.containers->launch(launch);
  if (err) {
    logger("agent")->warn("cannot launch executor {}: {}", ex.id, error_message(err));
    remove_executor(self, ex.container_id, Reason::CONTAINER_LAUNCH_FAILED,
                    "Failed to launch container: " + error_message(err));
    return false;
  }
  self->delayed_send(self, st.options.executor_registration_timeout, regtimeout_atom::value,
                     ex.container_id);
  return true;
}

} // namespace

void run_task(agent_ptr self, schema::agent::Event::RunTask::Reader run) {
  auto& st = self->state;
  auto info = run.getTask();
  std::string framework_id = run.getFrameworkInfo().getId().getValue();
  std::string task_id = info.getTaskId().getValue();
  // A custom executor is named by the task; the command executor takes the
  // task's id, one per task, as in Mesos.
  std::string executor_id = info.hasExecutor()
                              ? std::string(info.getExecutor().getExecutorId().getValue())
                              : task_id;
  auto refuse = [&](TaskState state, Reason reason, const std::string& message) {
    agent_update(self, framework_id, executor_id, task_id, state, reason, message);
  };
  // The master checks these ids; the agent turns them into a path, so it
  // checks them again rather than trust every master it may ever hear.
  if (auto problem = check_sandbox_ids(st, framework_id, executor_id, task_id); !problem.empty())
    return refuse(TaskState::TASK_ERROR, Reason::TASK_INVALID, problem);
  auto res = read_resources(info.getResources());
  if (!res)
    return refuse(TaskState::TASK_ERROR, Reason::TASK_INVALID, error_message(res.error()));
  // The master never over-commits an agent; refusing here keeps that true
  // even if a bug or a stale master ever tried.
  if (!st.options.total.contains(st.used.unallocated() + res->unallocated()))
    return refuse(TaskState::TASK_ERROR, Reason::RESOURCES_UNKNOWN,
                  "Task would over-commit the agent");
  auto* existing = find_executor(st, framework_id, executor_id);
  if (existing != nullptr && (!info.hasExecutor() || existing->tasks.count(task_id) > 0))
    return refuse(TaskState::TASK_ERROR, Reason::TASK_INVALID, "Task is already running here");
  auto& fw = st.frameworks[framework_id];
  fw.id = framework_id;
  fw.info = copy_to_wire<schema::FrameworkInfo>(run.getFrameworkInfo());
  bool fresh = existing == nullptr;
  if (fresh) {
    executor_entry ex;
    ex.id = executor_id;
    ex.framework_id = framework_id;
    ex.command_executor = !info.hasExecutor();
    ex.container_id = st.random->uuid();
    ex.sandbox = sandbox_path(st, framework_id, ex.id, ex.container_id);
    existing = &(fw.executors[executor_id] = std::move(ex));
    st.containers_by_id[existing->container_id] = {framework_id, executor_id};
  }
  agent_task task;
  task.info = copy_to_wire<schema::TaskInfo>(info);
  task.res = *res;
  auto& stored = existing->tasks[task_id] = std::move(task);
  st.used += *res;
  logger("agent")->info("launching task {} of framework {} in {}", task_id, framework_id,
                        existing->sandbox);
  publish_task_added(self, framework_id, *existing, task_id, stored);
  if (fresh)
    start_container(self, *existing, info);
  else if (existing->registered)
    send_launch(self, *existing, stored);
}

void kill_task(agent_ptr self, schema::agent::Event::KillTask::Reader kill) {
  auto& st = self->state;
  std::string framework_id = kill.getFrameworkId().getValue();
  std::string task_id = kill.getTaskId().getValue();
  auto* ex = find_executor_of_task(st, framework_id, task_id);
  if (ex == nullptr)
    return agent_update(self, framework_id, task_id, task_id, TaskState::TASK_LOST,
                        Reason::TASK_UNKNOWN, "Attempted to kill an unknown task");
  auto& task = ex->tasks.at(task_id);
  if (is_terminal(task.state))
    return;
  if (!task.launched) {
    // Not yet with its executor: it ends here, and so does the container.
    agent_update(self, framework_id, ex->id, task_id, TaskState::TASK_KILLED,
                 Reason::TASK_KILLED_DURING_LAUNCH, "Killed before it was launched");
    bool others = false;
    for (const auto& [id, t] : ex->tasks)
      others |= id != task_id && !is_terminal(t.state);
    if (!others)
      st.containers->destroy(ex->container_id);
    return;
  }
  self->send(ex->sink, make_wire<ExecutorEvent>([&](ExecutorEvent::Builder e) {
               e.setType(ExecutorEvent::Type::KILL);
               auto k = e.initKill();
               k.initTaskId().setValue(task_id);
               if (kill.hasKillPolicy())
                 k.setKillPolicy(kill.getKillPolicy());
             }));
}

void shutdown_framework(agent_ptr self, const std::string& framework_id) {
  auto& st = self->state;
  auto fw = st.frameworks.find(framework_id);
  st.updates.remove_framework(framework_id);
  if (fw == st.frameworks.end())
    return;
  logger("agent")->info("shutting down framework {}", framework_id);
  for (auto& [id, ex] : fw->second.executors) {
    if (ex.registered)
      self->send(ex.sink, make_wire<ExecutorEvent>([](ExecutorEvent::Builder e) {
                   e.setType(ExecutorEvent::Type::SHUTDOWN);
                 }));
    else
      st.containers->destroy(ex.container_id);
  }
}

void shutdown_executor(agent_ptr self, const std::string& framework_id,
                       const std::string& executor_id) {
  auto& st = self->state;
  auto* ex = find_executor(st, framework_id, executor_id);
  if (ex == nullptr) {
    logger("agent")->warn("asked to shut down unknown executor {} of framework {}",
                          executor_id, framework_id);
    return;
  }
  logger("agent")->info("shutting down executor {} of framework {}", executor_id,
                        framework_id);
  // The executor kills its tasks and exits; one that has not subscribed
  // cannot be asked, so its container ends (its tasks fail with it).
  if (ex->registered)
    self->send(ex->sink, make_wire<ExecutorEvent>([](ExecutorEvent::Builder e) {
                 e.setType(ExecutorEvent::Type::SHUTDOWN);
               }));
  else
    st.containers->destroy(ex->container_id);
}

void on_executor_call(agent_ptr self, const executor_call& msg) {
  auto& st = self->state;
  auto call = *msg;
  std::string framework_id = call.getFrameworkId().getValue();
  std::string executor_id = call.getExecutorId().getValue();
  auto* ex = find_executor(st, framework_id, executor_id);
  auto sender = caf::actor_cast<executor_sink>(self->current_sender());
  if (ex == nullptr || !sender) {
    logger("agent")->warn("call from unknown executor {} of framework {}", executor_id,
                          framework_id);
    if (sender)
      self->send(sender, make_wire<ExecutorEvent>([](ExecutorEvent::Builder e) {
                   e.setType(ExecutorEvent::Type::SHUTDOWN);
                 }));
    return;
  }
  if (call.getType() == ExecutorCall::Type::SUBSCRIBE) {
    if (ex->registered && ex->sink != sender)
      return; // a second executor claiming the same id
    ex->registered = true;
    ex->sink = sender;
    st.container_by_executor[sender.address()] = ex->container_id;
    self->monitor(sender);
    auto& fw = st.frameworks.at(framework_id);
    self->send(sender, make_wire<ExecutorEvent>([&](ExecutorEvent::Builder e) {
                 e.setType(ExecutorEvent::Type::SUBSCRIBED);
                 auto s = e.initSubscribed();
                 s.setFrameworkInfo(*fw.info);
                 auto info = s.initExecutorInfo();
                 info.initExecutorId().setValue(executor_id);
                 info.initFrameworkId().setValue(framework_id);
                 s.initContainerId().setValue(ex->container_id);
                 fill_agent_info(st, s.initAgentInfo());
               }));
    for (auto& [id, task] : ex->tasks)
      if (!task.launched && !is_terminal(task.state))
        send_launch(self, *ex, task);
    return;
  }
  if (!ex->registered || ex->sink != sender)
    return;
  switch (call.getType()) {
    case ExecutorCall::Type::UPDATE: {
      auto status = call.getUpdate().getStatus();
      if (status.getUuid().size() != 16)
        return; // every executor update needs a uuid to be acknowledged by
      forward_update(self, framework_id, executor_id, status);
      // The agent has the update now; the executor may forget it.
      self->send(sender, make_wire<ExecutorEvent>([&](ExecutorEvent::Builder e) {
                   e.setType(ExecutorEvent::Type::ACKNOWLEDGED);
                   auto a = e.initAcknowledged();
                   a.setTaskId(status.getTaskId());
                   a.setUuid(status.getUuid());
                 }));
      return;
    }
    case ExecutorCall::Type::MESSAGE:
      // Relayed through the master to the framework's scheduler, best effort
      // as in Mesos (not checkpointed, not retried).
      return send_to_master(self, make_agent_call(self, schema::agent::Call::Type::MESSAGE,
                                                  [&](auto c) {
                                                    auto m = c.initMessage();
                                                    m.initFrameworkId().setValue(framework_id);
                                                    m.initExecutorId().setValue(executor_id);
                                                    m.setData(call.getMessage().getData());
                                                  }));
    default:
      return;
  }
}

void on_executor_registration_timeout(agent_ptr self, const std::string& container_id) {
  auto& st = self->state;
  auto c = st.containers_by_id.find(container_id);
  if (c == st.containers_by_id.end())
    return;
  auto* ex = find_executor(st, c->second.first, c->second.second);
  if (ex == nullptr || ex->registered)
    return;
  logger("agent")->warn("executor {} did not register within {}", ex->id,
                        format_duration(st.options.executor_registration_timeout));
  st.containers->destroy(container_id);
  remove_executor(self, container_id, Reason::EXECUTOR_REGISTRATION_TIMEOUT,
                  "Executor did not register within " +
                    format_duration(st.options.executor_registration_timeout));
}

void on_container_ended(agent_ptr self, const std::string& container_id, int wait_status) {
  remove_executor(self, container_id, Reason::EXECUTOR_TERMINATED,
                  "Executor " + describe_wait_status(wait_status), wait_status);
}

void on_executor_disconnected(agent_ptr self, const std::string& container_id) {
  // The process may still be running; without its executor it is useless.
  // Its end is taken from the reaper (on_container_ended), which has the
  // wait status the framework's FAILURE event carries: an executor that
  // exits is usually seen disconnecting first, so it is destroyed only if
  // still there a reap tick later.
  self->state.disconnected_newer.push_back(container_id);
}

void destroy_disconnected(agent_ptr self) {
  auto& st = self->state;
  for (const auto& container_id : st.disconnected_older)
    if (st.containers_by_id.count(container_id) > 0)
      st.containers->destroy(container_id);
  st.disconnected_older = std::move(st.disconnected_newer);
  st.disconnected_newer.clear();
}

} // namespace cairn
