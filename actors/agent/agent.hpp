// The agent: offers its machine's resources to the master, runs each task in
// an executor started by its containerizer, and relays status updates until
// they are acknowledged. Protocols: schema/master.capnp (with the master),
// schema/executor.capnp (with executors).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/checkpoint.hpp"
#include "actors/agent/containerizer.hpp"
#include "actors/agent/recovery_plan.hpp"
#include "actors/agent/isolators/cgroups_options.hpp"
#include "actors/agent/fetcher_options.hpp"
#include "actors/agent/gc_schedule.hpp"
#include "actors/handles.hpp"
#include "actors/resources/parse.hpp"
#include "actors/resources/resources.hpp"
#include "runtime/duration.hpp"

namespace cairn {

using register_atom = caf::atom_constant<caf::atom("register")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using regtimeout_atom = caf::atom_constant<caf::atom("regtimeout")>;
using endpoint_atom = caf::atom_constant<caf::atom("endpoint")>;
using check_master_atom = caf::atom_constant<caf::atom("chkmaster")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using op_heartbeat_atom = caf::atom_constant<caf::atom("opheartbt")>;
using reregtimeout_atom = caf::atom_constant<caf::atom("reregtime")>;
using shuttimeout_atom = caf::atom_constant<caf::atom("shuttime")>;

// An operator following an agent's event stream.
using agent_operator_sink = caf::typed_actor<caf::reacts_to<agent_operator_event>>;

using agent_actor = agent_sink::extend<
  // From executors.
  caf::reacts_to<executor_call>,
  // Where its executors reach it ("host:port"), once it is published; an
  // agent registers only after it knows (unless its options say already).
  caf::reacts_to<endpoint_atom, std::string>,
  // Its state document (/state) and the v1 agent API.
  caf::replies_to<state_atom>::with<agent_snapshot>,
  // SUBSCRIBE makes the caller an agent_operator_sink: the events follow.
  caf::replies_to<operator_call>::with<agent_operator_response>,
  // A graceful stop: tell the master, end every executor, then quit. The
  // answer comes once the master has taken note (or after a bound).
  caf::replies_to<shutdown_atom>::with<bool>,
  caf::reacts_to<shutdown_atom, bool>,
  // Is the master still there? (connection number it was armed for)
  caf::reacts_to<check_master_atom, uint64_t>,
  // Timers: registration retry (the round it belongs to); the sweep of disconnected executors; a status update's retry
  // (framework, task, uuid); an executor's registration deadline (container).
  caf::reacts_to<register_atom, uint64_t>,
  caf::reacts_to<sweep_atom>,
  caf::reacts_to<op_heartbeat_atom>,
  caf::reacts_to<retry_atom, std::string, std::string, std::string>,
  caf::reacts_to<regtimeout_atom, std::string>,
  // The executor re-registration deadline after a recovery (container).
  caf::reacts_to<reregtimeout_atom, std::string>,
  // The end of a shut-down executor's grace period (container).
  caf::reacts_to<shuttimeout_atom, std::string>>;

// The built-in executor's program, in --launcher_dir (Mesos keeps its
// executors there too): one OS process per executor, linked with only what
// an executor needs, so that starting one costs little.
inline constexpr const char* executor_program = "cairn-executor";

struct agent_options {
  std::string hostname = "localhost";
  uint16_t http_port = 5051;
  std::string work_dir;              // sandboxes live under it
  resources total;                   // what the agent offers
  std::vector<attribute> attributes;
  duration executor_registration_timeout = std::chrono::minutes(1);  // Mesos' default
  // Told to executors (MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD): the docker
  // executor's kill grace period when KillPolicy gives none. An executor
  // told to shut down that has not ended this long after has its container
  // destroyed, as in Mesos.
  duration executor_shutdown_grace_period = std::chrono::seconds(5);  // Mesos' default
  fetcher_options fetcher;           // --fetcher_cache_dir, _size, --fetcher_stall_timeout
  // An unanswered registration is sent again after about this long, then
  // twice as long each time (spread by jitter), up to registration_backoff_max,
  // as Mesos' agent does (--registration_backoff_factor, its 1 min cap).
  duration registration_backoff = std::chrono::seconds(1);
  duration registration_backoff_max = std::chrono::minutes(1);
  // Beyond Mesos: the first retry after a master is found comes sooner (the
  // chain goes on from registration_backoff). A registration sent while the
  // agent's connection to a new leader crosses the leader's own call to
  // the agent can be lost between the two (CAF's node-to-node routing
  // keeps one of the two connections); one in twenty agents then waited a
  // whole second for the retry (log_bench, 100 agents).
  duration registration_first_retry = std::chrono::milliseconds(250);
  duration sweep_interval = std::chrono::milliseconds(500);
  // HEARTBEAT events to operator subscribers (Mesos' operator API default).
  duration operator_heartbeat_interval = std::chrono::seconds(15);
  std::string actor_endpoint;        // "host:port" executors connect back to
  std::string http_endpoint;         // "host:port" of its HTTP API, for custom executors
  // HTTP addresses of the masters. Empty: the master handle given at spawn
  // is used for good (one process); else the agent finds the master itself
  // and finds it again when it is lost.
  std::vector<std::string> master_addresses;
  uint64_t seed = 0;
  // --cgroups_*: for the mesos containerizer's cgroups isolators and launcher.
  cgroups_options cgroups;
  // Every flag of the command that started it, with its value, in Mesos'
  // names: what GET_FLAGS and /slave(1)/flags answer.
  std::vector<std::pair<std::string, std::string>> flags;
  // Makes the containerizer; the product's is the mesos containerizer.
  containerizer_factory make_containerizer;
  // The built-in command executor's command line; empty, the
  // executor_program beside the running binary.
  std::vector<std::string> executor_command;
  // The environment of every executor, "NAME=value": the agent's own unless
  // --executor_environment_variables gives one (then exactly that, even empty).
  std::optional<std::vector<std::string>> executor_environment;
  // Sandboxes go gc.delay after their executor ends, sooner as the work
  // dir's disk fills (--gc_delay, --gc_disk_headroom); the disk is looked
  // at every disk_watch_interval (--disk_watch_interval).
  gc_policy gc;
  duration disk_watch_interval = std::chrono::minutes(1);
  // Recovery after a restart (Mesos' --recover, --executor_reregistration_timeout,
  // --recovery_timeout): what becomes of the executors the checkpoints
  // name, how long they have to subscribe again, and how long they wait for
  // their agent to come back.
  recover_mode recover = recover_mode::reconnect;
  duration executor_reregistration_timeout = std::chrono::seconds(2);
  duration recovery_timeout = std::chrono::minutes(15);
  // Where checkpoints are written (frameworks with FrameworkInfo.checkpoint
  // only); null: the files under work_dir, or none without a work dir.
  std::shared_ptr<checkpoint_store> checkpoints;
  // What was read back from them before the agent started (spawn_agent
  // reads it when null and there is a work dir).
  std::shared_ptr<const recovered_agent> recovered;
  std::string boot_id;  // this boot's; empty: read from the kernel
  // For simulations of thousands of agents in one process, where a thread
  // per agent is what runs out: a connector (runtime/connector.hpp) that
  // agents of the process share to find the masters (none: the agent
  // spawns its own, a thread), and no sandbox GC (a thread per agent;
  // sandboxes are then never removed).
  caf::actor shared_connector;
  bool sandbox_gc = true;
};

// Reads the work dir's checkpoints first (a blocking read, before the agent
// runs) unless options.recovered holds them already.
agent_actor spawn_agent(caf::actor_system& sys, agent_options options, agent_call_sink master);

// Which of the agents sharing one machine this is (`cairn local --agents N`).
struct machine_share {
  unsigned index = 0;
  unsigned count = 1;
};

// What this machine has: CPUs, memory (minus 1 GB or half, as Mesos leaves
// for the system), disk of the work dir's file system (minus 5 GB or half),
// ports 31000-32000. `flag` (Mesos' --resources syntax) overrides any of them.
// Agents sharing the machine each detect their share of it: 1/N of the CPUs,
// memory and disk, and a port range of their own, so that together they
// offer no more than there is and never one host port twice.
caf::expected<resources> agent_resources(const std::string& flag, const std::string& work_dir,
                                         machine_share share = {});

// The same, from the machine's totals (cpus, memory and disk in MB).
caf::expected<resources> agent_resources(const std::string& flag, double cpus, double mem_mb,
                                         double disk_mb, machine_share share);

} // namespace cairn
