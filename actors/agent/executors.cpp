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

} // namespace

// Forgets an executor; sends what its unfinished tasks became, and that it
// exited: with the wait status of its process, -1 when none was reaped (as Mesos).
void remove_executor(agent_ptr self, const std::string& container_id, Reason reason,
                     const std::string& message, int wait_status, TaskState unfinished_state) {
  auto& st = self->state;
  auto c = st.containers_by_id.find(container_id);
  if (c == st.containers_by_id.end())
    return;
  auto [framework_id, executor_id] = c->second;
  st.containers_by_id.erase(c);
  auto* ex = find_executor(st, framework_id, executor_id);
  if (ex == nullptr)
    return;
  auto sandbox = ex->sandbox;
  if (ex->sink)
    st.container_by_executor.erase(ex->sink.address());
  std::vector<std::string> unfinished;
  for (const auto& [task_id, task] : ex->tasks)
    if (!is_terminal(task.state))
      unfinished.push_back(task_id);
  for (const auto& task_id : unfinished)
    agent_update(self, framework_id, executor_id, task_id, unfinished_state, reason, message);
  keep_ended_tasks(st, framework_id, *ex);
  // Recovery after a restart leaves this run alone.
  checkpoint_completed(self, *ex);
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
  if (fw.executors.empty()) {
    bool checkpointed = checkpointing(st, framework_id);
    st.frameworks.erase(framework_id);
    if (checkpointed)
      forget_framework_checkpoint(self, framework_id);
  }
  sandbox_ended(self, sandbox, st.frameworks.count(framework_id) == 0);
}

namespace {

using Config = schema::containerizer::ContainerConfig;

void add_env(schema::Environment::Builder env, const std::vector<std::string>& vars) {
  auto list = env.initVariables(static_cast<unsigned>(vars.size()));
  for (unsigned i = 0; i < vars.size(); ++i) {
    auto eq = vars[i].find('=');
    list[i].setName(vars[i].substr(0, eq));
    list[i].setValue(eq == std::string::npos ? "" : vars[i].substr(eq + 1));
  }
}

// The executor's environment: the agent's (or --executor_environment_variables),
// where to find its agent, and what Mesos tells every executor.
std::vector<std::string> executor_env(const agent_state& st, const executor_entry& ex) {
  auto env = st.options.executor_environment ? *st.options.executor_environment
                                             : current_environment();
  for (auto e : std::initializer_list<std::string>{
         "CAIRN_AGENT_ENDPOINT=" + st.options.actor_endpoint,
         "CAIRN_FRAMEWORK_ID=" + ex.framework_id,
         "CAIRN_EXECUTOR_ID=" + ex.id,
         "CAIRN_CONTAINER_ID=" + ex.container_id,
         "CAIRN_SANDBOX=" + ex.sandbox,
         "MESOS_SANDBOX=" + ex.sandbox,
         "MESOS_DIRECTORY=" + ex.sandbox,
         "MESOS_FRAMEWORK_ID=" + ex.framework_id,
         "MESOS_EXECUTOR_ID=" + ex.id,
         "MESOS_AGENT_ENDPOINT=" + st.options.http_endpoint,
         "MESOS_SLAVE_ID=" + st.agent_id,
         "MESOS_AGENT_ID=" + st.agent_id,
         "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=" +
           format_duration(st.options.executor_shutdown_grace_period),
       })
    env.push_back(e);
  // An executor of a checkpointing framework outlives its agent and waits
  // for it up to --recovery_timeout, trying to subscribe again at most a
  // quarter of the re-registration timeout apart, so that it is back well
  // within that timeout.
  if (checkpointing(st, ex.framework_id)) {
    env.push_back("MESOS_CHECKPOINT=1");
    env.push_back("MESOS_RECOVERY_TIMEOUT=" + format_duration(st.options.recovery_timeout));
    env.push_back("MESOS_SUBSCRIPTION_BACKOFF_MAX=" +
                  format_duration(st.options.executor_reregistration_timeout / 4));
  } else {
    env.push_back("MESOS_CHECKPOINT=0");
  }
  return env;
}

// What the container of a new executor is: the built-in command executor
// for a task without one, else the framework's executor; the resources of
// the task (and of a custom executor); the user it runs as.
container_config container_of(const agent_state& st, const executor_entry& ex,
                              schema::TaskInfo::Reader info,
                              schema::FrameworkInfo::Reader framework) {
  return make_wire<Config>([&](Config::Builder c) {
    c.setContainerId(ex.container_id);
    c.setFrameworkId(ex.framework_id);
    c.setExecutorId(ex.id);
    c.setAgentId(st.agent_id);
    c.setDirectory(ex.sandbox);
    auto env = executor_env(st, ex);
    std::string user = framework.getUser();
    if (info.hasExecutor()) {
      auto executor = info.getExecutor();
      c.setCommand(executor.getCommand());
      if (executor.getCommand().hasUser())
        user = executor.getCommand().getUser();
      for (auto v : executor.getCommand().getEnvironment().getVariables())
        env.push_back(std::string(v.getName().cStr()) + "=" + v.getValue().cStr());
      if (executor.hasContainer()) {
        c.setContainer(executor.getContainer());
        c.setHasContainer(true);
      }
      auto res = c.initResources(info.getResources().size() + executor.getResources().size());
      unsigned i = 0;
      for (auto r : executor.getResources())
        res.setWithCaveats(i++, r);
      for (auto r : info.getResources())
        res.setWithCaveats(i++, r);
    } else {
      auto argv = st.options.executor_command;
      if (argv.empty())
        argv = {current_executable_dir() + "/" + executor_program};
      auto command = c.initCommand();
      command.setShell(false);
      command.setValue(argv.front());
      auto args = command.initArguments(static_cast<unsigned>(argv.size()));
      for (unsigned i = 0; i < argv.size(); ++i)
        args.set(i, argv[i]);
      // The task's URIs are fetched into the executor's sandbox.
      if (info.hasCommand()) {
        command.setUris(info.getCommand().getUris());
        if (info.getCommand().hasUser())
          user = info.getCommand().getUser();
      }
      if (info.hasContainer()) {
        c.setContainer(info.getContainer());
        c.setHasContainer(true);
      }
      c.setResources(info.getResources());
      c.setTask(info);
      c.setHasTask(true);
    }
    add_env(c.getCommand().initEnvironment(), env);
    c.setUser(user);
  });
}

// Starts the container of a new executor. If that fails, the executor is
// gone and its tasks failed, with the containerizer's reason.
void start_container(agent_ptr self, executor_entry& ex, schema::TaskInfo::Reader info,
                     schema::FrameworkInfo::Reader framework) {
  auto& st = self->state;
  auto container_id = ex.container_id;
  auto fail = [self, container_id](const caf::error& err) {
    logger("agent")->warn("cannot launch container {}: {}", container_id, error_message(err));
    remove_executor(self, container_id, Reason::CONTAINER_LAUNCH_FAILED,
                    "Failed to launch container: " + error_message(err));
  };
  if (auto err = make_sandbox(self, ex))
    return fail(err);
  self->request(st.containers, caf::infinite, container_launch_atom::value,
                container_of(st, ex, info, framework))
    .then(
      [self, container_id](int64_t pid) {
        auto& st = self->state;
        if (auto c = st.containers_by_id.find(container_id); c != st.containers_by_id.end())
          if (auto* ex = find_executor(st, c->second.first, c->second.second))
            checkpoint_forked_pid(self, *ex, pid);
        self->delayed_send(self, st.options.executor_registration_timeout,
                           regtimeout_atom::value, container_id);
      },
      fail);
  // Asked right behind the launch, so that the containerizer knows the
  // container when it hears it: a destroy sent before the launch's answer
  // (a framework torn down at once) cannot end it unwatched. A launch that
  // failed has no container to wait on; its failure is reported above.
  self->request(st.containers, caf::infinite, container_wait_atom::value, container_id)
    .then([self, container_id](const container_termination& how) {
      on_container_ended(self, container_id, how);
    },
    [](const caf::error&) {});
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
  checkpoint_launch(self, *existing, stored, fresh);
  if (fresh)
    start_container(self, *existing, info, run.getFrameworkInfo());
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
      destroy_container(self, ex->container_id);
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

namespace {

// A subscribed executor is told to shut down (it kills its tasks and
// exits); one still there after --executor_shutdown_grace_period has its
// container destroyed, as Mesos' agent does, a second later than Mesos so
// that an executor that takes the whole period to kill its tasks (its
// SIGTERM to SIGKILL) still reports how they ended. One that has not
// subscribed cannot be asked, so its container ends at once (its tasks
// fail with it).
constexpr auto shutdown_margin = std::chrono::seconds(1);

void end_executor(agent_ptr self, const executor_entry& ex) {
  if (!ex.registered)
    return destroy_container(self, ex.container_id);
  self->send(ex.sink, make_wire<ExecutorEvent>([](ExecutorEvent::Builder e) {
               e.setType(ExecutorEvent::Type::SHUTDOWN);
             }));
  self->delayed_send(self, self->state.options.executor_shutdown_grace_period + shutdown_margin,
                     shuttimeout_atom::value, ex.container_id);
}

} // namespace

void shutdown_framework(agent_ptr self, const std::string& framework_id) {
  auto& st = self->state;
  auto fw = st.frameworks.find(framework_id);
  st.updates.remove_framework(framework_id);
  forget_ended_tasks(st, framework_id);
  if (fw == st.frameworks.end())
    return;
  logger("agent")->info("shutting down framework {}", framework_id);
  for (auto& [id, ex] : fw->second.executors)
    end_executor(self, ex);
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
  end_executor(self, *ex);
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
    if (ex->recovered)
      take_resubscription(self, *ex, msg, sender);
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
      return take_executor_update(self, ex->container_id, msg, sender);
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
  destroy_container(self, container_id);
  remove_executor(self, container_id, Reason::EXECUTOR_REGISTRATION_TIMEOUT,
                  "Executor did not register within " +
                    format_duration(st.options.executor_registration_timeout));
}

void on_executor_shutdown_timeout(agent_ptr self, const std::string& container_id) {
  auto& st = self->state;
  auto c = st.containers_by_id.find(container_id);
  if (c == st.containers_by_id.end())
    return; // it ended in time
  logger("agent")->warn("executor {} of framework {} did not end within {} of its shutdown; "
                        "destroying its container",
                        c->second.second, c->second.first,
                        format_duration(st.options.executor_shutdown_grace_period +
                                        shutdown_margin));
  destroy_container(self, container_id);
}

void destroy_container(agent_ptr self, const std::string& container_id) {
  // An unanswered error would end the agent: every request handles one.
  self->request(self->state.containers, caf::infinite, container_destroy_atom::value,
                container_id)
    .then([](bool) {}, [](const caf::error&) {});
}

void on_container_ended(agent_ptr self, const std::string& container_id,
                        const container_termination& how) {
  auto t = *how;
  remove_executor(self, container_id, t.getReason(), t.getMessage(),
                  t.getHasStatus() ? t.getStatus() : -1);
}

void on_executor_disconnected(agent_ptr self, const std::string& container_id) {
  // The process may still be running; without its executor it is useless.
  // Its end is taken from the containerizer (on_container_ended), which has
  // the wait status the framework's FAILURE event carries: an executor that
  // exits is usually seen disconnecting first, so it is destroyed only if
  // still there a sweep later.
  self->state.disconnected_newer.push_back(container_id);
}

void destroy_disconnected(agent_ptr self) {
  auto& st = self->state;
  for (const auto& container_id : st.disconnected_older)
    if (st.containers_by_id.count(container_id) > 0)
      destroy_container(self, container_id);
  st.disconnected_older = std::move(st.disconnected_newer);
  st.disconnected_newer.clear();
}

} // namespace cairn
