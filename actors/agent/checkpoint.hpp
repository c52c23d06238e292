// The agent's checkpoints, in Mesos' layout under <work_dir>/meta:
//
//   meta/boot_id
//   meta/slaves/latest                                    the current agent id
//   meta/slaves/<agent>/slave.info                        AgentInfo
//     frameworks/<fw>/framework.info                      FrameworkInfo
//       executors/<ex>/executor.info                      ExecutorInfo
//       executors/<ex>/executor_generated_for_command_task  "1" or "0"
//         runs/latest                                     the latest run's container id
//         runs/<container>/executor.sentinel              the run has ended
//         runs/<container>/pids/forked.pid                the executor's pid
//         runs/<container>/tasks/<task>/task.info         TaskInfo
//         runs/<container>/tasks/<task>/task.updates      UpdateRecord stream
//
// Mesos' `latest` entries are symlinks; here they are small files naming
// the id, written atomically like every other file. Messages are Cap'n Proto
// (flat words), each file framed as records with a length and a CRC-32C
// (storage/checkpoint_store.hpp): an info file holds one record, written
// whole; task.updates is appended to, one record per update or
// acknowledgement, as Mesos appends to it — an update costs one small append
// however long the stream is, and a record torn by a crash is found by its
// framing and dropped at recovery.
//
// Only frameworks with FrameworkInfo.checkpoint are checkpointed (Mesos'
// rule): write_framework refuses the others, and the agent writes nothing
// else for them.
//
// Pure except through the store; every call blocks on it (see
// checkpoint_store), so the agent calls these from a dedicated actor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "runtime/wire.hpp"
#include "schema/master.capnp.h"
#include "schema/mesos.capnp.h"
#include "storage/checkpoint_store.hpp"

namespace cairn {

// Whether a framework's executors, tasks and updates are checkpointed.
bool checkpoints(schema::FrameworkInfo::Reader info);

namespace checkpoint_paths {

std::string meta_dir(const std::string& work_dir);
std::string boot_id(const std::string& work_dir);
std::string latest_agent(const std::string& work_dir);
std::string agent_dir(const std::string& work_dir, const std::string& agent_id);
std::string agent_info(const std::string& work_dir, const std::string& agent_id);
std::string framework_dir(const std::string& work_dir, const std::string& agent_id,
                          const std::string& framework_id);
std::string framework_info(const std::string& work_dir, const std::string& agent_id,
                           const std::string& framework_id);
std::string executor_dir(const std::string& work_dir, const std::string& agent_id,
                         const std::string& framework_id, const std::string& executor_id);
// The sandbox of an executor run (outside meta, where Mesos keeps it).
std::string sandbox(const std::string& work_dir, const std::string& agent_id,
                    const std::string& framework_id, const std::string& executor_id,
                    const std::string& container_id);

} // namespace checkpoint_paths

// Names one executor run: where its checkpoints go.
struct checkpoint_run {
  std::string work_dir;
  std::string agent_id;
  std::string framework_id;
  std::string executor_id;
  std::string container_id;

  std::string run_dir() const;
  std::string task_dir(const std::string& task_id) const;
};

// -- writing: each is durable when it returns; an invalid id (one that is not
// a single path component, see check_id) is refused and nothing is written.

caf::error write_boot_id(checkpoint_store& store, const std::string& work_dir,
                         const std::string& boot_id);
// slave.info, then meta/slaves/latest naming the agent (info.id).
caf::error write_agent_info(checkpoint_store& store, const std::string& work_dir,
                            schema::AgentInfo::Reader info);
// framework.info (framework id: info.id); refused unless info.checkpoint.
caf::error write_framework(checkpoint_store& store, const std::string& work_dir,
                           const std::string& agent_id, schema::FrameworkInfo::Reader info);
// executor.info, the command-task marker, then runs/latest naming this run.
caf::error write_executor(checkpoint_store& store, const checkpoint_run& run,
                          schema::ExecutorInfo::Reader info, bool generated_for_command_task);
caf::error write_forked_pid(checkpoint_store& store, const checkpoint_run& run, int64_t pid);
// The run has ended (Mesos' executor.sentinel): recovery does not reattach to it.
caf::error write_executor_completed(checkpoint_store& store, const checkpoint_run& run);
// task.info (task id: info.task_id).
caf::error write_task(checkpoint_store& store, const checkpoint_run& run,
                      schema::TaskInfo::Reader info);
// An update taken for the master (task id: update.status.task_id), before it
// is sent: an update is never sent that a restart would forget.
caf::error append_update(checkpoint_store& store, const checkpoint_run& run,
                         schema::agent::StatusUpdate::Reader update);
// The framework acknowledged the update with `uuid` (raw bytes).
caf::error append_ack(checkpoint_store& store, const checkpoint_run& run,
                      const std::string& task_id, const std::string& uuid);
// Rewrites a task's stream with what recovery needs of it (the latest update
// and every unacknowledged one, with their order and acknowledgements), so
// that a long-lived task's stream stays small. Atomic like every write.
caf::error compact_updates(checkpoint_store& store, const checkpoint_run& run,
                           const std::string& task_id);
// A framework's (an executor's) checkpoints, with everything beneath them.
caf::error remove_framework(checkpoint_store& store, const std::string& work_dir,
                            const std::string& agent_id, const std::string& framework_id);
caf::error remove_executor(checkpoint_store& store, const std::string& work_dir,
                           const std::string& agent_id, const std::string& framework_id,
                           const std::string& executor_id);

// -- recovery

// A file that could not be used: its path, what was wrong with it, and what
// recovery did about it ("task skipped", "dropped the torn last record").
struct recovery_problem {
  std::string path;
  std::string what;
  std::string action;
};

struct recovered_task {
  std::string id;
  wire<schema::TaskInfo> info;
  std::vector<wire<schema::agent::StatusUpdate>> updates;  // in the order taken
  std::set<std::string> acknowledged;                      // uuids (raw bytes)
  schema::TaskState state = schema::TaskState::TASK_STAGING;  // the latest update's

  // Updates not yet acknowledged, in order: to be resent.
  std::vector<wire<schema::agent::StatusUpdate>> unacknowledged() const;
};

struct recovered_executor {
  std::string id;
  wire<schema::ExecutorInfo> info;
  bool generated_for_command_task = false;
  std::string container_id;           // the latest run
  std::string sandbox;                // the latest run's
  std::optional<int64_t> forked_pid;  // unknown if the agent died before writing it
  bool completed = false;             // the latest run has ended
  std::map<std::string, recovered_task> tasks;  // of the latest run, by id
  std::vector<std::string> older_runs;          // container ids, for garbage collection
};

struct recovered_framework {
  std::string id;
  wire<schema::FrameworkInfo> info;
  std::map<std::string, recovered_executor> executors;  // by id
};

struct recovered_agent {
  bool found = false;  // false: nothing to recover, start as a new agent
  std::string agent_id;
  wire<schema::AgentInfo> info;
  std::string boot_id;  // "" if none was checkpointed
  std::map<std::string, recovered_framework> frameworks;  // by id
  std::vector<recovery_problem> problems;
};

// Reads back everything under <work_dir>/meta. Never throws: a file that is
// unreadable, truncated or corrupt is skipped (with what depends on it) and
// reported in `problems`; a task.updates whose last record is torn keeps the
// records before it and is rewritten without the torn one, so that later
// appends follow a whole record.
recovered_agent recover_agent(checkpoint_store& store, const std::string& work_dir);

} // namespace cairn
