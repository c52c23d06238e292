// Writing the agent's checkpoints (recovery is in checkpoint_recovery.cpp).
#include "actors/agent/checkpoint.hpp"

#include <initializer_list>
#include <utility>

#include "actors/agent/checkpoint_codec.hpp"
#include "actors/agent/checkpoint_layout.hpp"
#include "actors/checks.hpp"
#include "schema/checkpoint.capnp.h"

namespace cairn {

using namespace checkpoint_layout;

bool checkpoints(schema::FrameworkInfo::Reader info) {
  return info.getCheckpoint();
}

namespace checkpoint_paths {

std::string meta_dir(const std::string& work_dir) {
  return work_dir + "/meta";
}

std::string boot_id(const std::string& work_dir) {
  return meta_dir(work_dir) + "/boot_id";
}

std::string latest_agent(const std::string& work_dir) {
  return meta_dir(work_dir) + "/slaves/" + latest_name;
}

std::string agent_dir(const std::string& work_dir, const std::string& agent_id) {
  return meta_dir(work_dir) + "/slaves/" + agent_id;
}

std::string agent_info(const std::string& work_dir, const std::string& agent_id) {
  return agent_dir(work_dir, agent_id) + "/" + agent_info_name;
}

std::string framework_dir(const std::string& work_dir, const std::string& agent_id,
                          const std::string& framework_id) {
  return agent_dir(work_dir, agent_id) + "/frameworks/" + framework_id;
}

std::string framework_info(const std::string& work_dir, const std::string& agent_id,
                           const std::string& framework_id) {
  return framework_dir(work_dir, agent_id, framework_id) + "/" + framework_info_name;
}

std::string executor_dir(const std::string& work_dir, const std::string& agent_id,
                         const std::string& framework_id, const std::string& executor_id) {
  return framework_dir(work_dir, agent_id, framework_id) + "/executors/" + executor_id;
}

std::string sandbox(const std::string& work_dir, const std::string& agent_id,
                    const std::string& framework_id, const std::string& executor_id,
                    const std::string& container_id) {
  return work_dir + "/slaves/" + agent_id + "/frameworks/" + framework_id + "/executors/" +
         executor_id + "/runs/" + container_id;
}

} // namespace checkpoint_paths

std::string checkpoint_run::run_dir() const {
  return checkpoint_paths::executor_dir(work_dir, agent_id, framework_id, executor_id) +
         "/runs/" + container_id;
}

std::string checkpoint_run::task_dir(const std::string& task_id) const {
  return run_dir() + "/tasks/" + task_id;
}

namespace {

using ids = std::initializer_list<std::pair<const char*, std::string_view>>;

// Ids become directory names: one that is not a single valid component
// would put a checkpoint somewhere else.
caf::error check_ids(ids list) {
  for (const auto& [what, id] : list)
    if (auto problem = check_id(id); !problem.empty())
      return make_error(std::string("not checkpointed: ") + what + " ID is invalid: " + problem);
  return caf::none;
}

caf::error check_run(const checkpoint_run& run) {
  return check_ids({{"Agent", run.agent_id},
                    {"Framework", run.framework_id},
                    {"Executor", run.executor_id},
                    {"Container", run.container_id}});
}

template <class T>
caf::error write_message(checkpoint_store& store, const std::string& path,
                         typename T::Reader reader) {
  return store.write(path, frame_record(checkpoint_codec::encode<T>(reader)));
}

std::string update_record_bytes(schema::agent::StatusUpdate::Reader update) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::checkpoint::UpdateRecord>().setUpdate(update);
  auto reader = message.getRoot<schema::checkpoint::UpdateRecord>().asReader();
  return frame_record(checkpoint_codec::encode<schema::checkpoint::UpdateRecord>(reader));
}

std::string ack_record_bytes(const std::string& uuid) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::checkpoint::UpdateRecord>().setAck(
    kj::arrayPtr(reinterpret_cast<const kj::byte*>(uuid.data()), uuid.size()));
  auto reader = message.getRoot<schema::checkpoint::UpdateRecord>().asReader();
  return frame_record(checkpoint_codec::encode<schema::checkpoint::UpdateRecord>(reader));
}

} // namespace

caf::error write_boot_id(checkpoint_store& store, const std::string& work_dir,
                         const std::string& boot_id) {
  return store.write(checkpoint_paths::boot_id(work_dir), boot_id);
}

caf::error write_agent_info(checkpoint_store& store, const std::string& work_dir,
                            schema::AgentInfo::Reader info) {
  std::string agent_id = info.getId().getValue();
  if (auto err = check_ids({{"Agent", agent_id}}))
    return err;
  // The info first: `latest` never names an agent whose info is not there.
  if (auto err = write_message<schema::AgentInfo>(
        store, checkpoint_paths::agent_info(work_dir, agent_id), info))
    return err;
  return store.write(checkpoint_paths::latest_agent(work_dir), agent_id);
}

caf::error write_framework(checkpoint_store& store, const std::string& work_dir,
                           const std::string& agent_id, schema::FrameworkInfo::Reader info) {
  std::string framework_id = info.getId().getValue();
  if (auto err = check_ids({{"Agent", agent_id}, {"Framework", framework_id}}))
    return err;
  if (!checkpoints(info))
    return make_error("not checkpointed: framework " + framework_id +
                      " did not ask for checkpointing (FrameworkInfo.checkpoint)");
  return write_message<schema::FrameworkInfo>(
    store, checkpoint_paths::framework_info(work_dir, agent_id, framework_id), info);
}

caf::error write_executor(checkpoint_store& store, const checkpoint_run& run,
                          schema::ExecutorInfo::Reader info, bool generated_for_command_task) {
  if (auto err = check_run(run))
    return err;
  if (info.getExecutorId().getValue() != run.executor_id)
    return make_error("not checkpointed: the ExecutorInfo is of executor '" +
                      std::string(info.getExecutorId().getValue().cStr()) + "', not '" +
                      run.executor_id + "'");
  auto dir = checkpoint_paths::executor_dir(run.work_dir, run.agent_id, run.framework_id,
                                            run.executor_id);
  if (auto err = write_message<schema::ExecutorInfo>(store, dir + "/" + executor_info_name, info))
    return err;
  if (auto err = store.write(dir + "/" + command_task_marker_name,
                             generated_for_command_task ? "1" : "0"))
    return err;
  return store.write(dir + "/runs/" + latest_name, run.container_id);
}

caf::error write_forked_pid(checkpoint_store& store, const checkpoint_run& run, int64_t pid) {
  if (auto err = check_run(run))
    return err;
  if (pid <= 0)
    return make_error("not checkpointed: " + std::to_string(pid) + " is not a process id");
  return store.write(run.run_dir() + "/" + forked_pid_name, std::to_string(pid));
}

caf::error write_executor_completed(checkpoint_store& store, const checkpoint_run& run) {
  if (auto err = check_run(run))
    return err;
  return store.write(run.run_dir() + "/" + sentinel_name, "");
}

caf::error write_task(checkpoint_store& store, const checkpoint_run& run,
                      schema::TaskInfo::Reader info) {
  std::string task_id = info.getTaskId().getValue();
  if (auto err = check_run(run))
    return err;
  if (auto err = check_ids({{"Task", task_id}}))
    return err;
  return write_message<schema::TaskInfo>(store, run.task_dir(task_id) + "/" + task_info_name,
                                         info);
}

caf::error append_update(checkpoint_store& store, const checkpoint_run& run,
                         schema::agent::StatusUpdate::Reader update) {
  std::string task_id = update.getStatus().getTaskId().getValue();
  if (auto err = check_run(run))
    return err;
  if (auto err = check_ids({{"Task", task_id}}))
    return err;
  return store.append(run.task_dir(task_id) + "/" + task_updates_name,
                      update_record_bytes(update));
}

caf::error append_ack(checkpoint_store& store, const checkpoint_run& run,
                      const std::string& task_id, const std::string& uuid) {
  if (auto err = check_run(run))
    return err;
  if (auto err = check_ids({{"Task", task_id}}))
    return err;
  if (uuid.empty())
    return make_error("not checkpointed: an acknowledgement without a uuid");
  return store.append(run.task_dir(task_id) + "/" + task_updates_name, ack_record_bytes(uuid));
}

caf::error compact_updates(checkpoint_store& store, const checkpoint_run& run,
                           const std::string& task_id) {
  if (auto err = check_run(run))
    return err;
  if (auto err = check_ids({{"Task", task_id}}))
    return err;
  auto path = run.task_dir(task_id) + "/" + task_updates_name;
  auto read = read_update_stream(store, path, task_id);
  if (!read)
    return read.error();
  if (!*read)
    return caf::none;
  const auto& stream = **read;
  if (!stream.damage.empty())
    return make_error("not compacted: " + path + ": " + stream.damage);
  // Kept: the latest update (it holds the task's state) and every one not
  // yet acknowledged, each followed by its acknowledgement if it has one.
  std::string bytes;
  const auto& updates = stream.updates;
  for (size_t i = 0; i < updates.size(); ++i) {
    auto uuid = update_uuid(updates[i]);
    bool acked = stream.acknowledged.count(uuid) > 0;
    if (acked && i + 1 != updates.size())
      continue;
    bytes += update_record_bytes(updates[i].get());
    if (acked)
      bytes += ack_record_bytes(uuid);
  }
  return store.write(path, bytes);
}

caf::error remove_framework(checkpoint_store& store, const std::string& work_dir,
                            const std::string& agent_id, const std::string& framework_id) {
  if (auto err = check_ids({{"Agent", agent_id}, {"Framework", framework_id}}))
    return err;
  return store.remove(checkpoint_paths::framework_dir(work_dir, agent_id, framework_id));
}

caf::error remove_executor(checkpoint_store& store, const std::string& work_dir,
                           const std::string& agent_id, const std::string& framework_id,
                           const std::string& executor_id) {
  if (auto err = check_ids(
        {{"Agent", agent_id}, {"Framework", framework_id}, {"Executor", executor_id}}))
    return err;
  return store.remove(
    checkpoint_paths::executor_dir(work_dir, agent_id, framework_id, executor_id));
}

} // namespace cairn
