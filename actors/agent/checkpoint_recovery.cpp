// Reading the agent's checkpoints back after a restart, as Mesos' agent
// does (src/slave/state.cpp) with --strict=false: what cannot be read is
// skipped and reported, what can is recovered.
#include <exception>
#include <utility>

#include <kj/exception.h>

#include "actors/agent/checkpoint.hpp"
#include "actors/agent/checkpoint_codec.hpp"
#include "actors/agent/checkpoint_layout.hpp"
#include "actors/checks.hpp"
#include "schema/checkpoint.capnp.h"

namespace cairn {

using namespace checkpoint_layout;
using schema::checkpoint::UpdateRecord;

namespace checkpoint_layout {

std::string update_uuid(const wire<schema::agent::StatusUpdate>& update) {
  auto uuid = update->getStatus().getUuid();
  return std::string(reinterpret_cast<const char*>(uuid.begin()), uuid.size());
}

caf::expected<std::optional<update_stream>>
read_update_stream(checkpoint_store& store, const std::string& path, const std::string& task_id) {
  auto read = store.read(path);
  if (!read)
    return read.error();
  if (!*read)
    return std::optional<update_stream>{};
  const std::string& content = **read;
  update_stream out;
  auto scan = read_records(content);
  size_t offset = 0;  // where the record being decoded begins
  for (size_t i = 0; i < scan.records.size(); ++i) {
    const auto& payload = scan.records[i];
    std::string bad;
    auto record = checkpoint_codec::decode<UpdateRecord>(payload);
    if (!record) {
      bad = error_message(record.error());
    } else if ((*record)->isUpdate()) {
      auto update = (*record)->getUpdate();
      std::string of = update.getStatus().getTaskId().getValue();
      if (of != task_id)
        bad = "an update of task '" + of + "'";
      else
        out.updates.push_back(copy_to_wire<schema::agent::StatusUpdate>(update));
    } else if ((*record)->isAck()) {
      auto uuid = (*record)->getAck();
      out.acknowledged.emplace(reinterpret_cast<const char*>(uuid.begin()), uuid.size());
    } else {
      bad = "a record of an unknown kind";
    }
    if (!bad.empty()) {
      out.damage = "record " + std::to_string(i + 1) + " is not an update record: " + bad;
      out.good = content.substr(0, offset);
      return std::optional<update_stream>{std::move(out)};
    }
    offset += 8 + payload.size();
  }
  if (!scan.problem.empty()) {
    out.damage = scan.problem;
    out.torn = scan.torn;
    out.good = content.substr(0, scan.good_bytes);
  }
  return std::optional<update_stream>{std::move(out)};
}

} // namespace checkpoint_layout

std::vector<wire<schema::agent::StatusUpdate>> recovered_task::unacknowledged() const {
  std::vector<wire<schema::agent::StatusUpdate>> out;
  for (const auto& u : updates) {
    auto uuid = update_uuid(u);
    // An update without a uuid needs no acknowledgement (Mesos').
    if (!uuid.empty() && acknowledged.count(uuid) == 0)
      out.push_back(u);
  }
  return out;
}

namespace {

std::string file_name(const std::string& path) {
  return path.substr(path.find_last_of('/') + 1);
}

class recovery {
public:
  recovery(checkpoint_store& store, std::string work_dir)
    : store_(store), work_dir_(std::move(work_dir)) {
  }

  recovered_agent run() {
    out_.boot_id = read_text(checkpoint_paths::boot_id(work_dir_), "boot id taken as unknown")
                     .value_or("");
    auto latest_path = checkpoint_paths::latest_agent(work_dir_);
    auto latest = read_text(latest_path, "starting as a new agent");
    if (!latest)
      return std::move(out_);  // nothing checkpointed (or reported)
    const auto& agent_id = *latest;
    if (auto bad = check_id(agent_id); !bad.empty()) {
      problem(latest_path, "corrupt latest: names no valid agent id: " + bad,
              "starting as a new agent");
      return std::move(out_);
    }
    auto info_path = checkpoint_paths::agent_info(work_dir_, agent_id);
    auto info = read_info<schema::AgentInfo>(info_path, "starting as a new agent");
    if (!info)
      return std::move(out_);
    if ((*info)->getId().getValue() != agent_id) {
      problem(info_path,
              "corrupt slave.info: the info of agent '" +
                std::string((*info)->getId().getValue().cStr()) + "'",
              "starting as a new agent");
      return std::move(out_);
    }
    out_.found = true;
    out_.agent_id = agent_id;
    out_.info = *info;
    auto frameworks_dir = checkpoint_paths::agent_dir(work_dir_, agent_id) + "/frameworks";
    for (const auto& id : subdirs(frameworks_dir, "no framework recovered")) {
      try {
        if (auto fw = recover_framework(id))
          out_.frameworks.emplace(id, std::move(*fw));
      } catch (const kj::Exception& e) {
        problem(frameworks_dir + "/" + id, std::string("unreadable: ") + e.getDescription().cStr(),
                "framework skipped");
      } catch (const std::exception& e) {
        problem(frameworks_dir + "/" + id, std::string("unreadable: ") + e.what(),
                "framework skipped");
      }
    }
    return std::move(out_);
  }

private:
  void problem(std::string path, std::string what, std::string action) {
    out_.problems.push_back({std::move(path), std::move(what), std::move(action)});
  }

  // A file of one record holding a message of type T; nullopt (reported)
  // when it is missing or cannot be used.
  template <class T>
  std::optional<wire<T>> read_info(const std::string& path, const std::string& action) {
    auto name = file_name(path);
    auto read = store_.read(path);
    if (!read) {
      problem(path, "unreadable " + name + ": " + error_message(read.error()), action);
      return std::nullopt;
    }
    if (!*read) {
      problem(path, "missing " + name, action);
      return std::nullopt;
    }
    const auto& content = **read;
    if (content.empty()) {
      problem(path, "empty " + name, action);
      return std::nullopt;
    }
    auto scan = read_records(content);
    if (!scan.problem.empty()) {
      problem(path, (scan.torn ? "truncated " : "corrupt ") + name + ": " + scan.problem, action);
      return std::nullopt;
    }
    if (scan.records.size() != 1) {
      problem(path,
              "corrupt " + name + ": " + std::to_string(scan.records.size()) +
                " records where one belongs",
              action);
      return std::nullopt;
    }
    auto message = checkpoint_codec::decode<T>(scan.records.front());
    if (!message) {
      problem(path, "corrupt " + name + ": " + error_message(message.error()), action);
      return std::nullopt;
    }
    return std::move(*message);
  }

  // A small text file; nullopt when missing (not reported) or unreadable
  // (reported with `action`).
  std::optional<std::string> read_text(const std::string& path, const std::string& action) {
    auto read = store_.read(path);
    if (!read) {
      problem(path, "unreadable " + file_name(path) + ": " + error_message(read.error()), action);
      return std::nullopt;
    }
    return std::move(*read);
  }

  bool exists(const std::string& path) {
    auto read = store_.read(path);
    return read && *read;
  }

  std::vector<std::string> subdirs(const std::string& dir, const std::string& action) {
    std::vector<std::string> out;
    auto list = store_.list(dir);
    if (!list) {
      problem(dir, "unreadable directory: " + error_message(list.error()), action);
      return out;
    }
    for (const auto& e : *list)
      if (e.directory)
        out.push_back(e.name);
    return out;
  }

  std::optional<recovered_framework> recover_framework(const std::string& id) {
    const auto& agent = out_.agent_id;
    auto path = checkpoint_paths::framework_info(work_dir_, agent, id);
    auto info = read_info<schema::FrameworkInfo>(path, "framework skipped");
    if (!info)
      return std::nullopt;
    if ((*info)->getId().getValue() != id) {
      problem(path,
              "corrupt framework.info: the info of framework '" +
                std::string((*info)->getId().getValue().cStr()) + "'",
              "framework skipped");
      return std::nullopt;
    }
    if (!checkpoints(**info)) {
      problem(path, "framework.info of a framework that does not checkpoint",
              "framework skipped");
      return std::nullopt;
    }
    recovered_framework fw;
    fw.id = id;
    fw.info = *info;
    auto executors_dir = checkpoint_paths::framework_dir(work_dir_, agent, id) + "/executors";
    for (const auto& ex : subdirs(executors_dir, "no executor of framework " + id + " recovered"))
      if (auto e = recover_executor(id, ex))
        fw.executors.emplace(ex, std::move(*e));
    return fw;
  }

  std::optional<recovered_executor> recover_executor(const std::string& framework_id,
                                                     const std::string& id) {
    const auto& agent = out_.agent_id;
    auto dir = checkpoint_paths::executor_dir(work_dir_, agent, framework_id, id);
    auto latest_path = dir + "/runs/" + latest_name;
    auto latest = read_text(latest_path, "executor skipped");
    if (!latest) {
      if (exists(dir + "/" + executor_info_name) || !subdirs(dir + "/runs", "").empty())
        problem(latest_path, "missing runs/latest", "executor skipped");
      return std::nullopt;
    }
    if (auto bad = check_id(*latest); !bad.empty()) {
      problem(latest_path, "corrupt runs/latest: names no valid container id: " + bad,
              "executor skipped");
      return std::nullopt;
    }
    auto info_path = dir + "/" + executor_info_name;
    auto info = read_info<schema::ExecutorInfo>(info_path, "executor skipped");
    if (!info)
      return std::nullopt;
    if ((*info)->getExecutorId().getValue() != id) {
      problem(info_path,
              "corrupt executor.info: the info of executor '" +
                std::string((*info)->getExecutorId().getValue().cStr()) + "'",
              "executor skipped");
      return std::nullopt;
    }
    recovered_executor ex;
    ex.id = id;
    ex.info = *info;
    ex.generated_for_command_task = command_task(dir + "/" + command_task_marker_name, **info);
    ex.container_id = *latest;
    ex.sandbox = checkpoint_paths::sandbox(work_dir_, agent, framework_id, id, ex.container_id);
    for (const auto& run : subdirs(dir + "/runs", "older runs of executor " + id + " not listed"))
      if (run != ex.container_id)
        ex.older_runs.push_back(run);
    checkpoint_run run{work_dir_, agent, framework_id, id, ex.container_id};
    ex.completed = exists(run.run_dir() + "/" + sentinel_name);
    ex.forked_pid = forked_pid(run.run_dir() + "/" + forked_pid_name);
    for (const auto& task : subdirs(run.run_dir() + "/tasks", "no task of executor " + id +
                                                                " recovered"))
      if (auto t = recover_task(run, task))
        ex.tasks.emplace(task, std::move(*t));
    return ex;
  }

  bool command_task(const std::string& path, schema::ExecutorInfo::Reader info) {
    // Without the marker, Mesos' guess: the agent names the executors it makes.
    bool guess = std::string_view(info.getName().cStr()).rfind("Command Executor", 0) == 0;
    auto action = std::string("taken as ") + (guess ? "a command executor" : "a custom executor") +
                  " from its name";
    auto text = read_text(path, action);
    if (text && (*text == "0" || *text == "1"))
      return *text == "1";
    if (text)
      problem(path, "corrupt " + file_name(path) + ": '" + text->substr(0, 16) + "'", action);
    else
      problem(path, "missing " + file_name(path), action);
    return guess;
  }

  std::optional<int64_t> forked_pid(const std::string& path) {
    auto text = read_text(path, "the executor's pid is unknown");
    if (!text)
      return std::nullopt;  // the agent died before the containerizer wrote it
    int64_t pid = 0;
    bool digits = !text->empty() && text->size() <= 10;
    for (char c : *text) {
      digits = digits && c >= '0' && c <= '9';
      if (digits)
        pid = pid * 10 + (c - '0');
    }
    if (!digits || pid <= 0) {
      problem(path, "corrupt forked.pid: '" + text->substr(0, 16) + "' is not a process id",
              "the executor's pid is unknown");
      return std::nullopt;
    }
    return pid;
  }

  std::optional<recovered_task> recover_task(const checkpoint_run& run, const std::string& id) {
    auto dir = run.task_dir(id);
    auto info_path = dir + "/" + task_info_name;
    auto info = read_info<schema::TaskInfo>(info_path, "task skipped");
    if (!info)
      return std::nullopt;
    if ((*info)->getTaskId().getValue() != id) {
      problem(info_path,
              "corrupt task.info: the info of task '" +
                std::string((*info)->getTaskId().getValue().cStr()) + "'",
              "task skipped");
      return std::nullopt;
    }
    recovered_task task;
    task.id = id;
    task.info = *info;
    auto updates_path = dir + "/" + task_updates_name;
    auto stream = read_update_stream(store_, updates_path, id);
    if (!stream) {
      problem(updates_path, "unreadable task.updates: " + error_message(stream.error()),
              "task recovered without its updates");
      return task;
    }
    if (!*stream)
      return task;  // the agent died before the first update
    auto& s = **stream;
    if (!s.damage.empty())
      repair(updates_path, s);
    task.updates = std::move(s.updates);
    task.acknowledged = std::move(s.acknowledged);
    if (!task.updates.empty())
      task.state = task.updates.back()->getStatus().getState();
    return task;
  }

  // Cuts a damaged stream back to its whole records, so that the next
  // append follows a whole record instead of being hidden behind the damage.
  void repair(const std::string& path, const update_stream& s) {
    std::string action = s.torn ? "dropped the torn last record"
                                : "dropped the damaged record and everything after it";
    action += ", kept the " + std::to_string(s.updates.size()) + " updates and " +
              std::to_string(s.acknowledged.size()) + " acknowledgements before it";
    if (auto err = store_.write(path, s.good))
      action += "; could not rewrite the file (" + error_message(err) +
                "): a later append may be lost behind the damage";
    else
      action += ", rewrote the file without it";
    problem(path, (s.torn ? "truncated task.updates: " : "corrupt task.updates: ") + s.damage,
            action);
  }

  checkpoint_store& store_;
  std::string work_dir_;
  recovered_agent out_;
};

} // namespace

recovered_agent recover_agent(checkpoint_store& store, const std::string& work_dir) {
  return recovery(store, work_dir).run();
}

} // namespace cairn
