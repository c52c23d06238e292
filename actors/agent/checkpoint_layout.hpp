// The file names of the agent's checkpoints (Mesos' names) and the reading
// of a task's update stream, shared by writing (compaction) and recovery.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "runtime/wire.hpp"
#include "schema/master.capnp.h"
#include "storage/checkpoint_store.hpp"

namespace cairn::checkpoint_layout {

inline const std::string latest_name = "latest";
inline const std::string agent_info_name = "slave.info";
inline const std::string framework_info_name = "framework.info";
inline const std::string executor_info_name = "executor.info";
inline const std::string command_task_marker_name = "executor_generated_for_command_task";
inline const std::string sentinel_name = "executor.sentinel";
inline const std::string forked_pid_name = "pids/forked.pid";
inline const std::string task_info_name = "task.info";
inline const std::string task_updates_name = "task.updates";

struct update_stream {
  std::vector<wire<schema::agent::StatusUpdate>> updates;
  std::set<std::string> acknowledged;  // uuids
  // Why reading stopped before the end, "" when the whole file was read;
  // `good` then holds the file's bytes before the damaged record.
  std::string damage;
  bool torn = false;  // the file ends inside its last record
  std::string good;
};

// A task's stream; nullopt when the file does not exist, an error when it
// cannot be read at all.
caf::expected<std::optional<update_stream>>
read_update_stream(checkpoint_store& store, const std::string& path, const std::string& task_id);

std::string update_uuid(const wire<schema::agent::StatusUpdate>& update);

} // namespace cairn::checkpoint_layout
