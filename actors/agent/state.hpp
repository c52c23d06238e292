// What an agent knows: its frameworks, their executors and tasks, and the
// status updates on their way to the master.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/agent/agent.hpp"
#include "actors/agent/checkpointer.hpp"
#include "actors/agent/sandbox_gc.hpp"
#include "actors/agent/status_updates.hpp"
#include "actors/task_state.hpp"
#include "runtime/random.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

struct agent_task {
  wire<schema::TaskInfo> info;
  resources res;
  schema::TaskState state = schema::TaskState::TASK_STAGING;
  bool launched = false;  // handed to the executor (else still queued)
  // The uuids of the updates taken for it (bounded by
  // limits::max_received_update_uuids): one an executor sends again after
  // a restart is acknowledged to it, not forwarded twice.
  std::deque<std::string> received;
  // Its terminal update was acknowledged: a re-registration leaves it out.
  bool end_acknowledged = false;
};

struct executor_entry {
  std::string id;
  std::string framework_id;
  std::string container_id;
  std::string sandbox;
  executor_sink sink;  // set when it subscribes
  bool registered = false;
  bool registration_timed_out = false;
  // Made by the agent for a task without an executor of its own: the
  // framework does not know it, so its exit is not reported (as in Mesos).
  bool command_executor = false;
  // Found in the checkpoints after a restart: it has executor_reregistration_timeout
  // to subscribe again.
  bool recovered = false;
  std::unordered_map<std::string, agent_task> tasks;  // by task id
};

struct completed_executor {
  std::string framework_id;
  wire<schema::FrameworkInfo> framework_info;
  executor_entry executor;
};

// A task whose executor is gone while its terminal update still waits for
// the framework's acknowledgement. Re-registration reports it, so that a new
// master knows how it ended rather than calling it lost (Mesos' agent keeps
// such an executor until the update is acknowledged).
struct ended_task {
  std::string executor_id;
  wire<schema::TaskInfo> info;
  schema::TaskState state = schema::TaskState::TASK_LOST;
  std::string uuid;  // of its terminal update
};

struct framework_entry {
  std::string id;
  wire<schema::FrameworkInfo> info;
  std::unordered_map<std::string, executor_entry> executors;  // by executor id
};

struct agent_state {
  static inline const char* name = "agent";

  agent_options options;
  agent_call_sink master;      // null while the agent looks for its master
  caf::actor connector;        // finds the master by address (separate processes)
  uint64_t connection = 0;     // one per master handle: tells stale timers apart
  bool registered = false;     // with the current master
  // The registration retries under way: a timer of an older round is stale.
  uint64_t registration_round = 0;
  duration registration_backoff{};  // the next retry's nominal wait
  bool shutting_down = false;
  caf::actor_clock::time_point last_heard{};
  duration master_ping_timeout = std::chrono::seconds(15);  // as the master says
  uint32_t max_ping_timeouts = 5;
  containerizer_actor containers;
  std::unique_ptr<random_source> random;
  std::string agent_id;  // empty until registered
  resources used;        // by tasks that are not terminal
  std::unordered_map<std::string, framework_entry> frameworks;
  std::deque<completed_executor> completed;  // bounded by limits::max_completed_executors
  // By (framework id, task id); bounded by limits::max_tasks_per_agent.
  std::map<std::pair<std::string, std::string>, ended_task> ended_unacknowledged;
  // container id -> (framework id, executor id)
  std::unordered_map<std::string, std::pair<std::string, std::string>> containers_by_id;
  // Containers whose executor disconnected, destroyed one sweep later
  // (`older` at the next sweep): an executor that is exiting ends with its
  // own wait status rather than killed first. At most one per executor.
  std::vector<std::string> disconnected_newer;
  std::vector<std::string> disconnected_older;
  std::unordered_map<caf::actor_addr, std::string> container_by_executor;
  status_update_streams updates;
  uint64_t updates_sent = 0;
  uint64_t updates_acknowledged = 0;
  // Operator SUBSCRIBE streams (bounded by limits::max_operator_subscribers).
  std::vector<agent_operator_sink> subscribers;
  sandbox_gc_actor gc;  // removes ended runs' sandboxes; none without a work dir
  // Writes checkpoints (for frameworks that ask); null without a work dir.
  checkpointer_actor checkpointer;
};

using agent_ptr = agent_actor::stateful_pointer<agent_state>;

// -- agent.cpp
void send_to_master(agent_ptr self, agent_call call);

// A call to the master carrying this agent's id; `fill` sets the rest.
template <class F>
agent_call make_agent_call(agent_ptr self, schema::agent::Call::Type type, F&& fill) {
  return make_wire<schema::agent::Call>([&](schema::agent::Call::Builder c) {
    c.setType(type);
    c.initAgentId().setValue(self->state.agent_id);
    fill(c);
  });
}

// -- master_link.cpp: finding the master, (re-)registering, noticing its loss
// Registers (again) now and arms one chain of retries, replacing any
// earlier one: whoever asks for a registration asks here.
void start_registration(agent_ptr self);
// A retry of round `round` fell due.
void on_register_retry(agent_ptr self, uint64_t round);
void on_registered(agent_ptr self, schema::agent::Event::Registered::Reader r, bool again);
void heard_from_master(agent_ptr self);
void on_check_master(agent_ptr self, uint64_t connection);
void on_master_lost(agent_ptr self, const std::string& why);
void find_master(agent_ptr self);
// A newly elected master reached out: re-register with it.
void on_new_master(agent_ptr self, agent_call_sink master);

// What a re-registration tells the master: every task of a live executor but
// those whose terminal update was acknowledged, and the ended tasks still
// waiting for acknowledgement.
agent_call reregister_call(const agent_state& st);

// -- ended_tasks.cpp: ended tasks kept until their terminal update is acknowledged
// The executor `ex` is going: its ended, unacknowledged tasks are kept.
void keep_ended_tasks(agent_state& st, const std::string& framework_id,
                      const executor_entry& ex);
// The framework acknowledged the terminal update of the task.
void end_acknowledged(agent_state& st, const std::string& framework_id,
                      const std::string& task_id);
// The framework is gone: none of its updates will be acknowledged.
void forget_ended_tasks(agent_state& st, const std::string& framework_id);

// -- views.cpp, operator_api.cpp
agent_snapshot build_agent_state(agent_ptr self);
caf::result<agent_operator_response> on_agent_operator_call(agent_ptr self,
                                                            const operator_call& call);
// -- monitor.cpp: GET_CONTAINERS, the usage of every running executor's container
caf::result<agent_operator_response> get_containers(agent_ptr self);
// What the agent tells of itself (also in an executor's SUBSCRIBED).
void fill_agent_info(const agent_state& st, schema::AgentInfo::Builder info);
void fill_agent_get_state(const agent_state& st,
                          schema::operator_api::AgentResponse::GetState::Builder b);

// -- operator_events.cpp: the operator SUBSCRIBE stream
void add_subscriber(agent_ptr self, agent_operator_sink sink);
// Whether `addr` was a subscriber (now forgotten).
bool on_subscriber_gone(agent_ptr self, const caf::actor_addr& addr);
void publish_task_added(agent_ptr self, const std::string& framework_id,
                        const executor_entry& ex, const std::string& task_id,
                        const agent_task& task);
void publish_task_updated(agent_ptr self, const std::string& framework_id,
                          schema::TaskStatus::Reader status);
void heartbeat_subscribers(agent_ptr self);

// -- executors.cpp: launching, executor calls, termination
void run_task(agent_ptr self, schema::agent::Event::RunTask::Reader run);
void kill_task(agent_ptr self, schema::agent::Event::KillTask::Reader kill);
void shutdown_framework(agent_ptr self, const std::string& framework_id);
// A scheduler's SHUTDOWN: the executor is told to end (its tasks with it).
void shutdown_executor(agent_ptr self, const std::string& framework_id,
                       const std::string& executor_id);
void on_executor_call(agent_ptr self, const executor_call& call);
void on_executor_registration_timeout(agent_ptr self, const std::string& container_id);
// An executor told to shut down that is still there: its container goes.
void on_executor_shutdown_timeout(agent_ptr self, const std::string& container_id);
// The containerizer says the container is gone.
void on_container_ended(agent_ptr self, const std::string& container_id,
                        const container_termination& how);
void destroy_container(agent_ptr self, const std::string& container_id);
// Forgets the executor of the container; its unfinished tasks become
// `unfinished_state` with `reason`, and the master hears that it exited
// (wait status -1: none reaped).
void remove_executor(agent_ptr self, const std::string& container_id,
                     schema::TaskStatus::Reason reason, const std::string& message,
                     int wait_status = -1,
                     schema::TaskState unfinished_state = schema::TaskState::TASK_FAILED);
void on_executor_disconnected(agent_ptr self, const std::string& container_id);
// On each sweep: destroys what disconnected a sweep ago.
void destroy_disconnected(agent_ptr self);

// -- checkpointing.cpp: what the agent checkpoints, through its checkpointer
void start_checkpointer(agent_ptr self);
// Whether the framework's executors, tasks and updates are checkpointed here.
bool checkpointing(const agent_state& st, const std::string& framework_id);
void checkpoint_agent(agent_ptr self);
// The framework, the executor (on its first task) and the task, before the
// executor is launched.
void checkpoint_launch(agent_ptr self, const executor_entry& ex, const agent_task& task,
                       bool fresh_executor);
void checkpoint_forked_pid(agent_ptr self, const executor_entry& ex, int64_t pid);
void checkpoint_completed(agent_ptr self, const executor_entry& ex);
// An update: `then` runs once it is durable (at once when not checkpointed).
void checkpoint_update(agent_ptr self, const std::string& framework_id,
                       const status_update_streams::origin& from,
                       schema::agent::StatusUpdate::Reader update, std::function<void()> then);
void checkpoint_ack(agent_ptr self, const std::string& framework_id,
                    const status_update_streams::origin& from, const std::string& task_id,
                    const std::string& uuid);
// Once nothing of a framework runs here and none of its updates waits for
// acknowledgement, its checkpoints go: a restart has nothing to take back
// of it, and meta/ does not grow with every framework ever seen.
void forget_framework_checkpoint(agent_ptr self, const std::string& framework_id);

// -- recovery.cpp: taking back what the checkpoints name after a restart
// Rebuilds frameworks, executors, tasks and unacknowledged updates, and asks
// the containerizer to recover their containers (before registering).
void recover(agent_ptr self);
// An executor that has not subscribed again in time: destroyed, its tasks lost.
void on_executor_reregistration_timeout(agent_ptr self, const std::string& container_id);
// A re-subscribing executor's unacknowledged tasks and updates.
void take_resubscription(agent_ptr self, executor_entry& ex, const executor_call& call,
                         const executor_sink& sender);

// -- sandboxes.cpp: making sandboxes and handing them to the garbage collector
void start_sandbox_gc(agent_ptr self);
// Makes the executor's run directory and points runs/latest at it; an
// error (the disk is full) names the path.
caf::error make_sandbox(agent_ptr self, const executor_entry& ex);
// The run in `sandbox` ended: it goes after --gc_delay, with its executor's
// directory, and its framework's when `framework_done`.
void sandbox_ended(agent_ptr self, const std::string& sandbox, bool framework_done);

// -- updates.cpp: status updates of the agent's own and from executors
// Takes an update for the master: records the task's state, frees resources
// of a terminal task, and queues it in its stream.
// For a checkpointing framework the update is checkpointed first; `durable`
// runs once it is (at once otherwise).
void forward_update(agent_ptr self, const std::string& framework_id,
                    const std::string& executor_id, schema::TaskStatus::Reader status,
                    std::function<void()> durable = {});
// Whether the task has taken the update with this status's uuid already.
bool already_received(const agent_state& st, const std::string& framework_id,
                      const std::string& executor_id, schema::TaskStatus::Reader status);
// An update from the executor of `container_id`: forwarded, then
// acknowledged to it. A TASK_FAILED first asks the containerizer whether the
// container reached a limit, and carries that limit's reason and message if
// so: the executor sees its task killed (by the OOM killer) before the
// containerizer's poll sees why.
void take_executor_update(agent_ptr self, const std::string& container_id,
                          const executor_call& call, const executor_sink& sender);
// An update the agent itself decides (executor gone, launch failed, ...).
void agent_update(agent_ptr self, const std::string& framework_id,
                  const std::string& executor_id, const std::string& task_id,
                  schema::TaskState state, schema::TaskStatus::Reason reason,
                  const std::string& message);
void on_acknowledge(agent_ptr self, schema::agent::Event::Acknowledge::Reader ack);
// Sends the head of every stream again (after re-registering).
void flush_updates(agent_ptr self);
void on_update_retry(agent_ptr self, const std::string& framework_id, const std::string& task_id,
                     const std::string& uuid);

} // namespace cairn
