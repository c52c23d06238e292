// What the master knows: agents, frameworks, offers and tasks, and the
// handler functions (one file per concern) that change it.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/allocator/allocator.hpp"
#include "actors/master/master.hpp"
#include "actors/master/validation.hpp"
#include "actors/resources/resources.hpp"
#include "actors/task_state.hpp"
#include "runtime/random.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

using task_state = schema::TaskState;
using task_reason = schema::TaskStatus::Reason;
using task_source = schema::TaskStatus::Source;


struct status_entry {
  task_state state;
  double timestamp;
  // What the update said of the task's health and check, for /master/state.
  schema::TaskStatus::Health healthy = schema::TaskStatus::Health::UNKNOWN;
  wire<schema::CheckStatusInfo> check_status;  // empty: none
};

struct task_record {
  std::string id;
  std::string name;
  std::string framework_id;
  std::string agent_id;
  std::string executor_id;
  std::string role;
  resources res;  // allocated to `role`
  // The latest status, for reconciliation and /master/state.
  task_state state = task_state::TASK_STAGING;
  task_reason reason = task_reason::NONE;
  task_source source = task_source::SOURCE_MASTER;
  std::string message;
  double timestamp = 0;
  std::string latest_uuid;  // of the latest update that carried one
  // Terminal as its agent re-registered, the update saying so yet to come:
  // that update's uuid is what the framework's acknowledgement completes.
  bool end_update_due = false;
  std::vector<status_entry> statuses;  // keep_status: the latest per state in a row, bounded
  // The parts of its TaskInfo that /master/state shows (labels, discovery,
  // container); empty when it had none.
  wire<schema::TaskInfo> shown;

  bool terminal() const {
    return is_terminal(state);
  }
};

struct framework_record {
  std::string id;
  wire<schema::FrameworkInfo> info;  // as subscribed, with the id filled in
  std::vector<std::string> roles;
  bool partition_aware = false;
  bool task_killing_state = false;
  double failover_timeout = 0;  // seconds
  scheduler_sink sink;
  bool connected = true;
  bool active = true;
  bool recovered = false;  // known from the registry; not subscribed to this master yet
  uint64_t disconnections = 0;  // tells a stale failover timer from a live one
  double registered_time = 0;
  double unregistered_time = 0;
  std::unordered_map<std::string, task_record> tasks;  // by task id
  std::deque<task_record> completed_tasks;
  std::unordered_set<std::string> offers;
  // Scalars only: ranges and sets of different agents do not add up.
  resources used;     // by its tasks
  resources offered;  // in its outstanding offers
};

enum class agent_status {
  active,        // connected and answering pings
  disconnected,  // its connection broke; not offered; pings decide what next
  unreachable,   // missed too many pings: its tasks are reported unreachable or lost
};

struct agent_record {
  std::string id;
  agent_status status = agent_status::active;
  uint32_t missed_pings = 0;
  bool awaiting_pong = false;
  bool marking_unreachable = false;  // the registry is being told; pings wait
  caf::actor_clock::time_point unreachable_since{};
  uint64_t generation = 0;  // of its latest addition to the allocator
  wire<schema::AgentInfo> info;  // as registered, with the id filled in
  std::string version;
  agent_sink sink;
  resources total;
  resources used;
  resources offered;
  double registered_time = 0;
  std::set<std::pair<std::string, std::string>> tasks;  // (framework id, task id)
  std::unordered_set<std::string> offers;
};

// An agent the registry lists that has not re-registered with this master.
struct recovered_agent {
  wire<schema::AgentInfo> info;
  bool reachable = true;
  caf::actor_clock::time_point unreachable_since{};  // when not reachable
};

struct master_state {
  static inline const char* name = "master";

  master_options options;
  std::unique_ptr<random_source> random;
  std::string master_id;
  double start_time = 0;
  uint64_t next_framework = 0;
  uint64_t next_agent = 0;
  uint64_t next_offer = 0;
  uint64_t next_generation = 1;
  allocator_actor allocator;
  caf::actor agent_dialer;  // reaching the registry's agents after an election

  std::unordered_map<std::string, framework_record> frameworks;
  std::deque<framework_record> completed_frameworks;
  std::unordered_map<std::string, agent_record> agents;
  // Agents forgotten after being away too long; they must register anew.
  // The deque keeps their order (the oldest is let go first), the set
  // answers "was it removed?" at once on every call from an unknown agent.
  std::deque<std::string> removed_agents;
  std::unordered_set<std::string> removed_agent_ids;
  // Agents the registry lists that have not come back to this master yet.
  std::map<std::string, recovered_agent> recovered_agents;
  // Registrations and subscriptions waiting for their registry write, by the
  // sender's address: a retry while one is pending is dropped.
  std::unordered_set<caf::actor_addr> pending_admissions;
  std::unordered_set<caf::actor_addr> pending_subscriptions;
  std::unordered_map<std::string, offer_record> offers;
  // Tasks that ended, by terminal state (Mesos' master/tasks_* counters).
  std::array<uint64_t, 14> terminal_counts{};
  uint64_t valid_status_updates = 0;
  // Operators following the event stream (SUBSCRIBE).
  std::vector<operator_sink> subscribers;
  // Who is behind an actor address, for identity checks and disconnections.
  std::unordered_map<caf::actor_addr, std::string> framework_by_addr;
  std::unordered_map<caf::actor_addr, std::string> agent_by_addr;
};

using master_ptr = master_actor::stateful_pointer<master_state>;

// -- master.cpp
void fill_master_info(master_ptr self, schema::MasterInfo::Builder m);

// -- registry.cpp: the master's durable state
// Appends an operation (storage/registry.hpp builds them) to the registry;
// `then(ok, why)` runs once it is durable, or refused as invalid. A registry
// that cannot be written stops the master, as in Mesos: a master must not go
// on deciding what it cannot record (a new one recovers in its place).
using registry_callback = std::function<void(bool ok, const std::string& why)>;
void write_registry(master_ptr self, std::string entry, registry_callback then = {});
// Takes over what options.recovered holds: agents to wait for, frameworks
// to wait for, weights.
void recover_from_registry(master_ptr self);
// Recovered agents that did not come back in time become unreachable.
void on_reregister_timeout(master_ptr self);
// Recovered agents unreachable for too long are forgotten.
void expire_recovered_agents(master_ptr self);

// -- frameworks.cpp: the scheduler calls
// An ERROR event to `to` (a scheduler's connection), logged.
void send_error(master_ptr self, const caf::strong_actor_ptr& to, const std::string& message);
void on_scheduler_call(master_ptr self, const scheduler_call& call);
void on_framework_disconnected(master_ptr self, const std::string& framework_id);
void on_failover_timeout(master_ptr self, const std::string& framework_id, uint64_t epoch);
void remove_framework(master_ptr self, const std::string& framework_id);
// Takes a (checked) FrameworkInfo into the record.
void set_framework_info(framework_record& fw, wire<schema::FrameworkInfo> info,
                        std::vector<std::string> roles);

// -- framework_update.cpp: UPDATE_FRAMEWORK
// Checks and applies the update; `done` gets "" once it is applied, or why not.
using update_done = std::function<void(const std::string& why)>;
void update_framework(master_ptr self, framework_record& fw, const scheduler_call& call,
                      update_done done);
// From a framework actor: a refusal is an ERROR event to it.
void on_update_framework(master_ptr self, framework_record& fw, const scheduler_call& call);
// From the HTTP gateway, which has checked who sends it: the answer is the refusal.
caf::typed_response_promise<std::string> on_update_framework_request(master_ptr self,
                                                                    const scheduler_call& call);

// -- executor_events.cpp: what frameworks hear of their executors and of agents
// SHUTDOWN: the agent is asked to end the executor (and so its tasks).
void on_shutdown_executor(master_ptr self, framework_record& fw,
                          schema::Call::Shutdown::Reader shutdown);
// FAILURE events: an executor exited (with its wait status), an agent was removed.
void on_executor_exited(master_ptr self, const agent_record& agent,
                        schema::agent::Call::ExitedExecutor::Reader exited);
void tell_agent_lost(master_ptr self, const std::string& agent_id);
// MESSAGE from an executor, relayed to its framework's scheduler.
void on_executor_message(master_ptr self, const agent_record& agent,
                         schema::agent::Call::ExecutorMessage::Reader message);

// -- offers.cpp: grants become offers; ACCEPT and DECLINE
void on_allocation(master_ptr self, const allocation& grants);
void on_accept(master_ptr self, framework_record& fw, schema::Call::Accept::Reader accept);
void on_decline(master_ptr self, framework_record& fw, schema::Call::Decline::Reader decline);
// Removes an offer; its resources go back to the allocator with `refuse_seconds`.
void remove_offer(master_ptr self, const std::string& offer_id, double refuse_seconds);
void rescind_offer(master_ptr self, const std::string& offer_id);

// -- agents.cpp: registration, re-registration and the agents' calls
void on_agent_call(master_ptr self, const agent_call& call);
void send_registered(master_ptr self, const agent_record& agent, bool again);

// -- agent_health.cpp: pings, broken connections, unreachable and removed agents
void ping_agents(master_ptr self);
void on_pong(master_ptr self, agent_record& agent);
void on_agent_disconnected(master_ptr self, const std::string& agent_id);
// Takes an agent out of the allocator and withdraws its offers.
void stop_offering(master_ptr self, agent_record& agent);
// Records in the registry that the agent is unreachable, then tells the
// frameworks what became of its tasks.
void mark_unreachable(master_ptr self, agent_record& agent);
// Keeps a removed agent's id (bounded) so that it is refused should it return.
void remember_removed_agent(master_ptr self, const std::string& agent_id);
bool was_removed(const master_state& st, const std::string& agent_id);
// Whether an agent id is taken: admitted, recovered from the registry or
// removed. A master started again with its predecessor's options counts
// its ids from the start; it must skip those.
bool agent_id_taken(const master_state& st, const std::string& agent_id);
// Forgets an agent: its tasks are lost to their frameworks (or
// `partition_aware_state`, for partition-aware ones) with `reason` and `message`.
void remove_agent(master_ptr self, const std::string& agent_id, task_reason reason,
                  const std::string& message,
                  task_state partition_aware_state = task_state::TASK_GONE);
// What frameworks hold on an agent, for the allocator.
std::vector<std::pair<std::string, resources>> used_by_framework(master_ptr self,
                                                                 const agent_record& agent);

// -- tasks.cpp: status updates and their bookkeeping
void on_status_update(master_ptr self, agent_record& agent,
                      schema::agent::StatusUpdate::Reader update);
void on_acknowledge(master_ptr self, framework_record& fw,
                    schema::Call::Acknowledge::Reader ack);
void on_kill(master_ptr self, framework_record& fw, schema::Call::Kill::Reader kill);
void on_reconcile(master_ptr self, framework_record& fw,
                  schema::Call::Reconcile::Reader reconcile);
// Records a status the master itself decided (TASK_ERROR, TASK_DROPPED, ...)
// and tells the framework; such updates need no acknowledgement.
void send_master_update(master_ptr self, framework_record& fw, const std::string& task_id,
                        const std::string& agent_id, task_state state, task_reason reason,
                        const std::string& message);
void send_to_framework(master_ptr self, framework_record& fw, scheduler_event event);
// Moves a known task to a state the master decided (it was lost, became
// unreachable, came back, was killed with its framework): records it, counts
// it, tells operators and, when `notify`, the framework.
void change_task_state(master_ptr self, framework_record& fw, task_record& task,
                       task_state state, task_reason reason, const std::string& message,
                       bool notify);
void free_task_resources(master_ptr self, task_record& task);

// -- task_history.cpp: what is kept of the past, bounded by Mesos' flags
// Adds a status to a task's history, once per state in a row.
void keep_status(task_record& task, status_entry entry);
void keep_completed_task(master_ptr self, framework_record& fw, task_record task);
// Keeps what /master/state shows of a task's TaskInfo.
void keep_shown_info(task_record& task, schema::TaskInfo::Reader info);
void keep_completed_framework(master_ptr self, framework_record fw);

// -- views.cpp: /master/state
master_snapshot build_state(master_ptr self);

// -- operator_api.cpp: the v1 operator calls
caf::typed_response_promise<operator_response> on_operator_call(master_ptr self,
                                                                const operator_call& call);

// -- operator_events.cpp: the SUBSCRIBE stream
void add_subscriber(master_ptr self, operator_sink sink);
void on_subscriber_gone(master_ptr self, const caf::actor_addr& addr);
void publish_task_added(master_ptr self, const task_record& task);
void publish_task_updated(master_ptr self, const task_record& task);
void publish_agent_added(master_ptr self, const agent_record& agent);
void publish_agent_removed(master_ptr self, const std::string& agent_id);
void publish_framework(master_ptr self, const framework_record& fw,
                       schema::operator_api::Event::Type type);
void heartbeat_subscribers(master_ptr self);

// -- metrics.cpp
using metric_list = std::vector<std::pair<std::string, double>>;
struct allocator_metrics {
  uint64_t runs = 0;
  double last_run_ms = 0;
};
// Counts a task that reached a terminal state (called once per task).
void count_task_end(master_ptr self, task_state state);
metric_list master_metrics(master_ptr self, const allocator_metrics& alloc);

// -- allocator calls, built in one place (allocator_calls.cpp)
void allocator_add_framework(master_ptr self, const framework_record& fw);
void allocator_update_framework(master_ptr self, const framework_record& fw,
                                capnp::List<capnp::Text>::Reader suppressed_roles);
void allocator_simple(master_ptr self, schema::allocator::Call::Which which,
                      const std::string& id);
void allocator_add_agent(master_ptr self, agent_record& agent);
void allocator_recover(master_ptr self, const std::string& framework_id,
                       const std::string& agent_id, const resources& res,
                       double refuse_seconds);
void allocator_weights(master_ptr self,
                       const std::vector<std::pair<std::string, double>>& weights);
void allocator_roles(master_ptr self, bool revive, const std::string& framework_id,
                     capnp::List<capnp::Text>::Reader roles);

} // namespace cairn
