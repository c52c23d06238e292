#include "actors/executor/executor.hpp"

#include <sched.h>
#include <signal.h>

#include <atomic>
#include <optional>
#include <sys/wait.h>

#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <fmt/format.h>

#include "actors/executor/health_checking.hpp"
#include "actors/executor/health_policy.hpp"
#include "actors/executor/unacknowledged.hpp"
#include "actors/task_state.hpp"
#include "actors/command_line.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/contained_spawn.hpp"
#include "runtime/process.hpp"
#include "runtime/random.hpp"

namespace cairn {

namespace {

using Event = schema::executor::Event;
using Call = schema::executor::Call;
using TaskState = schema::TaskState;
using Reason = schema::TaskStatus::Reason;

using Health = schema::TaskStatus::Health;

struct running_task {
  std::string id;
  pid_t pid = 0;            // 0 until started; stays 0 for a Docker task
  bool started = false;     // its process or container runs (or ran)
  bool killing = false;
  int unsignalled = 0;      // signals to its container the engine did not carry out
  bool ended = false;       // its terminal update is sent
  duration grace_period{};
  std::string terminal_uuid;
  // Its health check and check, when it has them.
  std::optional<health_policy> health;
  probe_spec health_probe;
  bool killed_by_health = false;
  std::optional<check_policy> check;
  check_params check_timing;
  probe_spec check_probe;
  // What the latest update said, copied into the next health or check update
  // as Mesos copies its last status.
  Health last_health = Health::UNKNOWN;
  check_result last_check;
};

struct executor_state {
  static inline const char* name = "executor";
  executor_options options;
  executor_call_sink agent;
  std::unique_ptr<random_source> random;
  wire<schema::FrameworkInfo> framework_info;
  bool subscribed = false;
  bool shutting_down = false;
  std::optional<running_task> task;
  // Updates (and the task) the agent has not acknowledged.
  unacknowledged_book unacknowledged;
  // Counts agents reached (the first is 1): a subscribe retry names its own,
  // so an agent reached anew starts one retry loop, not two.
  uint64_t connection = 1;
  // Counts agents lost and found: a recovery timer names the disconnection
  // it was set for and is void once the agent is back.
  uint64_t disconnection = 0;
  // The recovery timeout ran out: the task is being killed, then the executor ends.
  bool given_up = false;
  caf::actor reconnector;  // spawned when the agent is first lost
  // Set when the executor ends: probes still running stop at once.
  std::shared_ptr<std::atomic<bool>> probes_cancelled = std::make_shared<std::atomic<bool>>(false);
};

using self_ptr = executor_actor::stateful_pointer<executor_state>;

bool has_killing_state(const executor_state& st) {
  if (!st.framework_info)
    return false;
  for (auto c : st.framework_info->getCapabilities())
    if (c.getType() == schema::FrameworkInfo::Capability::Type::TASK_KILLING_STATE)
      return true;
  return false;
}

wire<Call> make_call(const executor_state& st, Call::Type type,
                     const std::function<void(Call::Builder)>& fill) {
  return make_wire<Call>([&](Call::Builder c) {
    c.setType(type);
    c.initFrameworkId().setValue(st.options.framework_id);
    c.initExecutorId().setValue(st.options.executor_id);
    fill(c);
  });
}

// Without an agent (it went away and the framework checkpoints) nothing is
// sent; what matters is kept in the unacknowledged book meanwhile.
void send_call(self_ptr self, Call::Type type, const std::function<void(Call::Builder)>& fill) {
  auto& st = self->state;
  if (st.agent)
    self->send(st.agent, make_call(st, type, fill));
}

// Every update goes into the book; it goes out now only to a subscribed
// agent, else with the next SUBSCRIBE or right after SUBSCRIBED.
void send_update(self_ptr self, wire<Call> call) {
  auto& st = self->state;
  auto update = copy_to_wire<Call::Update>(call->getUpdate());
  bool terminal = is_terminal(update->getStatus().getState());
  auto forgotten = st.unacknowledged.made(update, terminal);
  if (forgotten > 0)
    logger("executor")->warn("forgot {} old unacknowledged update(s): more than {} are held",
                             forgotten, limits::executor_unacknowledged_updates);
  if (!st.agent || !st.subscribed)
    return;
  self->send(st.agent, std::move(call));
  st.unacknowledged.mark_sent(st.unacknowledged.updates().back().uuid);
}

// What an update says of the task's health and check besides its state.
// Mesos' command executor makes most updates afresh (no `healthy`; an empty
// `check_status` when the task has a check) and health and check updates as
// copies of the one before.
struct status_extras {
  Health health = Health::UNKNOWN;
  const check_result* check = nullptr;  // null: empty, when the task has a check
};

// Sends one status update; returns its uuid.
std::string send_status(self_ptr self, const std::string& task_id, TaskState state,
                        const std::string& message = {}, Reason reason = Reason::NONE,
                        status_extras extras = {}) {
  auto& st = self->state;
  auto uuid = st.random->uuid_bytes();
  running_task* task = st.task && st.task->id == task_id ? &*st.task : nullptr;
  if (task) {
    task->last_health = extras.health;
    if (task->check)
      task->last_check = extras.check ? *extras.check : check_result{task->last_check.type};
  }
  send_update(self, make_call(st, Call::Type::UPDATE, [&](Call::Builder c) {
    auto s = c.initUpdate().initStatus();
    s.initTaskId().setValue(task_id);
    s.setState(state);
    s.setReason(reason);
    s.setSource(schema::TaskStatus::Source::SOURCE_EXECUTOR);
    if (!message.empty())
      s.setMessage(message);
    s.setTimestamp(wall_clock_seconds());
    s.initExecutorId().setValue(st.options.executor_id);
    s.setUuid(kj::arrayPtr(uuid.data(), uuid.size()));
    s.setHealthy(extras.health);
    if (task && task->check)
      task->last_check.write(s.initCheckStatus());
  }));
  logger("executor")->info("task {}: {}{}", task_id, state_name(state),
                           message.empty() ? "" : " (" + message + ")");
  return std::string(reinterpret_cast<const char*>(uuid.data()), uuid.size());
}

void finish(self_ptr self, TaskState state, const std::string& message, Reason reason) {
  auto& task = *self->state.task;
  task.ended = true;
  // As Mesos: a task killed for failing its health checks ends unhealthy.
  status_extras extras;
  if (task.killed_by_health && state == TaskState::TASK_KILLED)
    extras.health = Health::UNHEALTHY;
  task.terminal_uuid = send_status(self, task.id, state, message, reason, extras);
}

spawn_options command_of(const executor_state& st, schema::TaskInfo::Reader info) {
  auto command = info.getCommand();
  spawn_options options;
  options.argv = command_argv(command);
  options.env = current_environment();
  options.env.push_back("MESOS_SANDBOX=" + st.options.sandbox);
  options.env.push_back(std::string("MESOS_TASK_ID=") + info.getTaskId().getValue().cStr());
  for (auto& v : command_environment(command))
    options.env.push_back(std::move(v));
  options.cwd = st.options.sandbox;
  // A group of its own: a kill reaches everything the command started.
  options.isolation = spawn_options::isolation::new_group;
  return options;
}

// A task in a Docker image: the launch the containerizer merged, in the
// image's root file system with the sandbox mounted inside.
caf::expected<pid_t> spawn_in_image(const executor_state& st, schema::TaskInfo::Reader info) {
  const auto& image = *st.options.image;
  launch_plan plan;
  plan.argv = image.launch.argv;
  plan.env = image.launch.env;
  plan.env.push_back(std::string("MESOS_TASK_ID=") + info.getTaskId().getValue().cStr());
  plan.cwd = image.launch.working_dir;
  plan.namespaces = CLONE_NEWNS;
  plan.rootfs = image.rootfs;
  plan.binds.push_back({st.options.sandbox, image.sandbox_mount});
  return spawn_contained(plan);
}

void wait_for_task(caf::blocking_actor*, pid_t pid, std::string task_id, executor_actor executor) {
  int status = wait_for_exit(pid);
  caf::anon_send(executor, exited_atom::value, std::move(task_id), status);
}

void kill(self_ptr self, duration grace);

duration now_of(self_ptr self) {
  return std::chrono::duration_cast<duration>(self->clock().now().time_since_epoch());
}

probe_context probe_context_of(const executor_state& st, const std::string& task_id) {
  probe_context context;
  context.sandbox = st.options.sandbox;
  context.env = current_environment();
  context.env.push_back("MESOS_SANDBOX=" + st.options.sandbox);
  context.env.push_back("MESOS_TASK_ID=" + task_id);
  return context;
}

// Set up before the first update, so that every update carries the check's
// (empty) status, as Mesos' do.
void prepare_checks(self_ptr self, running_task& task, schema::TaskInfo::Reader info) {
  if (!info.hasCheck())
    return;
  auto check = info.getCheck();
  task.check.emplace(check.getType());
  task.last_check = check_result{check.getType()};
  task.check_timing = check_params_of(check);
  task.check_probe = probe_of(check, probe_context_of(self->state, task.id));
}

// The task runs: health checking starts now (its grace period counts from
// here) and both wait their delay before the first probe.
void start_checks(self_ptr self, running_task& task, schema::TaskInfo::Reader info) {
  if (info.hasHealthCheck()) {
    auto check = info.getHealthCheck();
    task.health.emplace(health_params_of(check), now_of(self));
    task.health_probe = probe_of(check, probe_context_of(self->state, task.id));
    self->delayed_send(self, task.health->params().delay, probe_atom::value, true);
  }
  if (task.check)
    self->delayed_send(self, task.check_timing.delay, probe_atom::value, false);
}

void launch(self_ptr self, schema::TaskInfo::Reader info) {
  auto& st = self->state;
  std::string task_id = info.getTaskId().getValue();
  if (st.task) {
    send_status(self, task_id, TaskState::TASK_ERROR,
                "The command executor runs one task; this one already has " + st.task->id,
                Reason::TASK_INVALID);
    return;
  }
  st.task = running_task{};
  st.unacknowledged.launched(copy_to_wire<schema::TaskInfo>(info));
  auto& task = *st.task;
  task.id = task_id;
  task.grace_period = info.getKillPolicy().hasGracePeriod()
                        ? duration{info.getKillPolicy().getGracePeriod().getNanoseconds()}
                        : st.options.default_grace_period;
  prepare_checks(self, task, info);
  send_status(self, task_id, TaskState::TASK_STARTING);
  if (st.shutting_down)
    return finish(self, TaskState::TASK_KILLED, "Executor is shutting down", Reason::NONE);
  if (st.options.docker) {
    // TASK_RUNNING once the container has started (on_docker_started).
    run_docker_task(self->home_system(), *st.options.docker, st.options.sandbox, task_id,
                    caf::actor_cast<caf::actor>(self));
    return;
  }
  auto pid = st.options.image ? spawn_in_image(st, info) : spawn_process(command_of(st, info));
  if (!pid)
    return finish(self, TaskState::TASK_FAILED, "Failed to launch: " + error_message(pid.error()),
                  Reason::COMMAND_EXECUTOR_FAILED);
  task.pid = *pid;
  task.started = true;
  send_status(self, task_id, TaskState::TASK_RUNNING);
  self->home_system().spawn(wait_for_task, *pid, task_id,
                            caf::actor_cast<executor_actor>(self));
  start_checks(self, task, info);
}

// Probes stop once the task is being killed or has ended, as Mesos pauses
// its checkers then: no update follows a kill but the terminal one.
bool probing(const executor_state& st) {
  return st.task && !st.task->ended && !st.task->killing && st.task->started;
}

void on_probe(self_ptr self, bool for_health) {
  auto& st = self->state;
  if (!probing(st))
    return;
  auto& task = *st.task;
  if (for_health ? !task.health : !task.check)
    return;
  spawn_probe(self->home_system(), for_health ? task.health_probe : task.check_probe, for_health,
              st.probes_cancelled, caf::actor_cast<executor_actor>(self));
}

void on_health_result(self_ptr self, const probe_outcome& outcome) {
  auto& task = *self->state.task;
  bool healthy = healthy_outcome(outcome);
  auto verdict = task.health->on_result(healthy, now_of(self));
  if (!healthy)
    logger("executor")->warn("task {}: health check failed{}: {}", task.id,
                             verdict.report ? fmt::format(" {} times consecutively",
                                                          verdict.consecutive_failures)
                                            : " (ignored: in the grace period)",
                             outcome.message);
  if (verdict.report) {
    check_result check = task.last_check;
    status_extras extras{verdict.healthy ? Health::HEALTHY : Health::UNHEALTHY,
                         task.check ? &check : nullptr};
    send_status(self, task.id, TaskState::TASK_RUNNING, {},
                Reason::TASK_HEALTH_CHECK_STATUS_UPDATED, extras);
  }
  if (verdict.kill) {
    task.killed_by_health = true;
    return kill(self, task.grace_period);
  }
  self->delayed_send(self, task.health->params().interval, probe_atom::value, true);
}

void on_check_result(self_ptr self, const probe_outcome& outcome) {
  auto& task = *self->state.task;
  auto changed = task.check->on_result(check_result_of(task.last_check.type, outcome));
  if (changed) {
    status_extras extras{task.last_health, &*changed};
    send_status(self, task.id, TaskState::TASK_RUNNING, {}, Reason::TASK_CHECK_STATUS_UPDATED,
                extras);
  }
  self->delayed_send(self, task.check_timing.interval, probe_atom::value, false);
}

void on_probed(self_ptr self, bool for_health, int kind, int value, std::string message) {
  if (!probing(self->state))
    return;
  if (kind < 0 || kind > static_cast<int>(probe_outcome::kind::failed))
    return;
  probe_outcome outcome{static_cast<probe_outcome::kind>(kind), value, std::move(message)};
  if (for_health && self->state.task->health)
    return on_health_result(self, outcome);
  if (!for_health && self->state.task->check)
    return on_check_result(self, outcome);
}

// Signals the task: its process group, or its container through the engine.
void signal_task(self_ptr self, int sig) {
  auto& st = self->state;
  if (st.options.docker)
    return signal_docker_task(self->home_system(), *st.options.docker,
                              sig == SIGKILL ? "SIGKILL" : "SIGTERM", st.task->id,
                              caf::actor_cast<caf::actor>(self));
  signal_group(st.task->pid, sig);
}

void kill(self_ptr self, duration grace) {
  auto& st = self->state;
  if (!st.task || st.task->ended)
    return;
  auto& task = *st.task;
  if (task.killing)
    return;
  task.killing = true;
  if (has_killing_state(st))
    send_status(self, task.id, TaskState::TASK_KILLING);
  // Each signal to a container is an Engine API call; a SIGTERM with no time
  // to act on it (grace period 0) only doubles the engine's work.
  if (st.options.docker && grace.count() <= 0) {
    logger("executor")->info("task {}: SIGKILL (grace period 0)", task.id);
    return signal_task(self, SIGKILL);
  }
  // Said in the sandbox's stderr: which grace period applies is the
  // KillPolicy's or the agent's, and not visible anywhere else.
  logger("executor")->info("task {}: SIGTERM, then SIGKILL after {}", task.id,
                           format_duration(grace));
  signal_task(self, SIGTERM);
  self->delayed_send(self, grace, escalate_atom::value, task.id);
}

void on_exited(self_ptr self, int status) {
  auto& st = self->state;
  if (!st.task || st.task->ended)
    return;
  // Anything the command left behind in its group goes with it.
  signal_group(st.task->pid, SIGKILL);
  if (st.task->killing)
    finish(self, TaskState::TASK_KILLED, "Command " + describe_wait_status(status), Reason::NONE);
  else if (exited_cleanly(status))
    finish(self, TaskState::TASK_FINISHED, "Command exited with status 0", Reason::NONE);
  else
    finish(self, TaskState::TASK_FAILED, "Command " + describe_wait_status(status), Reason::NONE);
  // Killed because the agent did not come back: nobody is left to tell.
  if (st.given_up)
    self->quit();
}

void on_docker_started(self_ptr self, const std::string& task_id, const std::string& failure) {
  auto& st = self->state;
  if (!st.task || st.task->id != task_id)
    return;
  auto& task = *st.task;
  if (task.ended) {
    // Killed (or given up) while it was being started: it goes at once.
    if (failure.empty())
      signal_task(self, SIGKILL);
    return;
  }
  if (!failure.empty())
    return finish(self, TaskState::TASK_FAILED, "Failed to launch container: " + failure,
                  Reason::CONTAINER_LAUNCH_FAILED);
  task.started = true;
  send_status(self, task_id, TaskState::TASK_RUNNING);
}

// A signal the engine did not carry out is sent again, after 1 s doubling to
// 16 s, until the container ends: a task asked to die is never left running
// because the engine was once too busy to answer (Mesos' docker executor
// leaves that to the framework's next kill).
void on_docker_unsignalled(self_ptr self, const std::string& task_id,
                           const std::string& signal) {
  auto& st = self->state;
  if (!st.task || st.task->id != task_id || st.task->ended)
    return;
  duration wait = std::chrono::seconds(1 << std::min(st.task->unsignalled++, 4));
  logger("executor")->info("task {}: {} again in {}", task_id, signal, format_duration(wait));
  self->delayed_send(self, wait, docker_resignal_atom::value, task_id, signal);
}

// As Mesos' docker executor reports a container's end; beyond it, a kernel
// OOM kill (the engine's State.OOMKilled) is said to be one.
void on_docker_exited(self_ptr self, const std::string& task_id, int code, bool oom,
                      const std::string& failure) {
  auto& st = self->state;
  if (!st.task || st.task->id != task_id || st.task->ended)
    return;
  std::string status = "Container exited with status " + std::to_string(code);
  if (!failure.empty())
    finish(self, TaskState::TASK_FAILED, "Failed to wait for the container: " + failure,
           Reason::EXECUTOR_TERMINATED);
  else if (st.task->killing)
    finish(self, TaskState::TASK_KILLED, status, Reason::NONE);
  else if (oom)
    finish(self, TaskState::TASK_FAILED,
           "Memory limit exceeded: the kernel's OOM killer ended the container (" + status + ")",
           Reason::CONTAINER_LIMITATION_MEMORY);
  else if (code == 0)
    finish(self, TaskState::TASK_FINISHED, status, Reason::NONE);
  else
    finish(self, TaskState::TASK_FAILED, status, Reason::NONE);
  if (st.given_up)
    self->quit();
}

// Updates made while no agent was subscribed and not in a SUBSCRIBE yet.
void send_unsent_updates(self_ptr self) {
  auto& st = self->state;
  for (auto& e : st.unacknowledged.updates()) {
    if (e.sent)
      continue;
    self->send(st.agent, make_call(st, Call::Type::UPDATE,
                                   [&](Call::Builder c) { c.setUpdate(e.update.get()); }));
  }
  st.unacknowledged.mark_all_sent();
}

void subscribe(self_ptr self, uint64_t connection) {
  auto& st = self->state;
  if (st.subscribed || !st.agent || connection != st.connection)
    return;
  auto& book = st.unacknowledged;
  send_call(self, Call::Type::SUBSCRIBE, [&](Call::Builder c) {
    auto s = c.initSubscribe();
    if (book.task()) {
      auto tasks = s.initUnacknowledgedTasks(1);
      tasks.setWithCaveats(0, book.task().get());
    }
    if (!book.updates().empty()) {
      auto updates = s.initUnacknowledgedUpdates(static_cast<unsigned>(book.updates().size()));
      for (unsigned i = 0; i < updates.size(); ++i)
        updates.setWithCaveats(i, book.updates()[i].update.get());
    }
  });
  book.mark_all_sent();
  self->delayed_send(self, st.options.subscribe_retry, subscribe_atom::value, connection);
}

// The agent went away and the framework checkpoints: the task keeps running
// while the executor tries to reach the agent again, for a while.
void lose_agent(self_ptr self) {
  auto& st = self->state;
  st.agent = executor_call_sink{};
  st.subscribed = false;
  st.unacknowledged.connection_lost();
  auto disconnection = ++st.disconnection;
  logger("executor")->warn("lost the agent; the task keeps running while the executor tries "
                           "to reach the agent again for up to {}",
                           format_duration(st.options.recovery_timeout));
  self->delayed_send(self, st.options.recovery_timeout, recovery_timeout_atom::value,
                     disconnection);
  if (!st.reconnector)
    st.reconnector = spawn_agent_reconnector(self->home_system(), caf::actor_cast<caf::actor>(self),
                                             st.options.reconnect);
  caf::anon_send(st.reconnector, reconnect_atom::value);
}

void on_reconnected(self_ptr self, const caf::strong_actor_ptr& handle) {
  auto& st = self->state;
  if (st.given_up || st.agent || !handle)
    return;
  st.agent = caf::actor_cast<executor_call_sink>(handle);
  self->monitor(st.agent);
  ++st.disconnection;  // its recovery timer no longer applies
  auto connection = ++st.connection;
  logger("executor")->info("subscribing again with {} unacknowledged update(s)",
                           st.unacknowledged.updates().size());
  subscribe(self, connection);
}

void on_recovery_timeout(self_ptr self, uint64_t disconnection) {
  auto& st = self->state;
  if (disconnection != st.disconnection || st.agent || st.given_up)
    return;
  st.given_up = true;
  if (st.reconnector)
    self->send_exit(st.reconnector, caf::exit_reason::user_shutdown);
  logger("executor")->warn("the agent did not come back within {}; killing the task and exiting",
                           format_duration(st.options.recovery_timeout));
  if (!st.task || st.task->ended || !st.task->started)
    return self->quit();
  st.shutting_down = true;
  kill(self, st.task->grace_period);
}

void on_event(self_ptr self, const executor_event& msg) {
  auto& st = self->state;
  auto e = *msg;
  switch (e.getType()) {
    case Event::Type::SUBSCRIBED:
      st.subscribed = true;
      st.framework_info = copy_to_wire<schema::FrameworkInfo>(e.getSubscribed().getFrameworkInfo());
      return send_unsent_updates(self);
    case Event::Type::LAUNCH:
      return launch(self, e.getLaunch().getTask());
    case Event::Type::KILL: {
      auto k = e.getKill();
      duration grace = st.task ? st.task->grace_period : st.options.default_grace_period;
      if (k.getKillPolicy().hasGracePeriod())
        grace = duration{k.getKillPolicy().getGracePeriod().getNanoseconds()};
      if (st.task && !st.task->ended && !st.task->started)
        return finish(self, TaskState::TASK_KILLED, "Killed before it started", Reason::NONE);
      return kill(self, grace);
    }
    case Event::Type::ACKNOWLEDGED: {
      std::string uuid(reinterpret_cast<const char*>(e.getAcknowledged().getUuid().begin()),
                       e.getAcknowledged().getUuid().size());
      if (!st.unacknowledged.acknowledged(uuid))
        logger("executor")->debug("acknowledgement of an update not held; ignored");
      if (st.task && st.task->ended && uuid == st.task->terminal_uuid)
        self->quit();
      return;
    }
    case Event::Type::SHUTDOWN:
      st.shutting_down = true;
      if (!st.task || st.task->ended)
        return self->quit();
      return kill(self, st.task->grace_period);
    case Event::Type::ERROR:
      logger("executor")->error("agent reported: {}", e.getError().getMessage().cStr());
      return;
    default:
      return;
  }
}

executor_actor::behavior_type command_executor(self_ptr self, executor_options options,
                                               executor_call_sink agent) {
  auto& st = self->state;
  st.options = std::move(options);
  st.agent = std::move(agent);
  st.random = std::make_unique<random_source>(st.options.seed);
  self->monitor(st.agent);
  // However the executor ends, its probes stop with it.
  self->attach_functor([cancelled = st.probes_cancelled] { cancelled->store(true); });
  self->set_down_handler([=](caf::down_msg& down) {
    auto& st = self->state;
    if (!st.agent || down.source != st.agent.address())
      return; // an agent already left behind
    if (st.options.checkpoint)
      return lose_agent(self);
    // Without its agent nobody hears of the task again: end it and go.
    if (st.task && st.task->started && !st.task->ended)
      signal_task(self, SIGKILL);
    logger("executor")->warn("lost the agent; exiting");
    self->quit();
  });
  self->send(self, subscribe_atom::value, st.connection);
  return {
    [=](const executor_event& e) { on_event(self, e); },
    [=](exited_atom, const std::string&, int status) { on_exited(self, status); },
    [=](escalate_atom, const std::string& task_id) {
      auto& st = self->state;
      if (st.task && st.task->id == task_id && !st.task->ended)
        signal_task(self, SIGKILL);
    },
    [=](probe_atom, bool for_health) { on_probe(self, for_health); },
    [=](probed_atom, bool for_health, int kind, int value, std::string& message) {
      on_probed(self, for_health, kind, value, std::move(message));
    },
    [=](subscribe_atom, uint64_t connection) { subscribe(self, connection); },
    [=](reconnected_atom, const caf::strong_actor_ptr& agent) { on_reconnected(self, agent); },
    [=](recovery_timeout_atom, uint64_t disconnection) {
      on_recovery_timeout(self, disconnection);
    },
    [=](docker_started_atom, const std::string& task_id, const std::string& failure) {
      on_docker_started(self, task_id, failure);
    },
    [=](docker_exited_atom, const std::string& task_id, int code, bool oom,
        const std::string& failure) { on_docker_exited(self, task_id, code, oom, failure); },
    [=](docker_unsignalled_atom, const std::string& task_id, const std::string& signal) {
      on_docker_unsignalled(self, task_id, signal);
    },
    [=](docker_resignal_atom, const std::string& task_id, const std::string& signal) {
      auto& st = self->state;
      if (st.task && st.task->id == task_id && !st.task->ended)
        signal_task(self, signal == "SIGKILL" ? SIGKILL : SIGTERM);
    },
  };
}

} // namespace

executor_actor spawn_command_executor(caf::actor_system& sys, executor_options options,
                                      executor_call_sink agent) {
  return sys.spawn(command_executor, std::move(options), std::move(agent));
}

} // namespace cairn
