// `cairn task log TASK`: a task's stdout (or stderr) from its sandbox, found
// as Mesos' CLI finds it: the task on the master, its agent, the executor's
// directory in the agent's /state, then the file through /files/read, page by
// page. --follow keeps reading until the task has ended and its output has
// stopped growing.
#include <cassert>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/cli/commands.hpp"
#include "actors/cli/master_http.hpp"
#include "actors/task_state.hpp"
#include "runtime/errors.hpp"
#include "runtime/flags.hpp"
#include "runtime/limits.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

namespace ss = schema::state;

// How often --follow looks for more output: a person watching sees lines
// within half a second, and an agent answers two small GETs per interval.
constexpr std::chrono::milliseconds follow_poll_interval{500};

struct log_flags {
  std::string master = "127.0.0.1:5050";
  std::string task;
  std::string framework;
  bool follow = false;
  bool stderr_file = false;
};

int fail(const std::string& message) {
  std::cerr << "cairn task log: " << message << std::endl;
  return 1;
}

std::string str(capnp::Text::Reader text) {
  return std::string(text.cStr(), text.size());
}

// What the master says about the task: whose it is, where it runs, whether
// it has ended.
struct task_place {
  std::string framework_id;
  std::string executor_id;
  std::string agent_address; // HOST:PORT of the agent's HTTP API; "" if unknown
  std::string agent_id;
  bool terminal = false;
};

double last_update(ss::Task::Reader task) {
  auto statuses = task.getStatuses();
  return statuses.size() == 0 ? 0 : statuses[statuses.size() - 1].getTimestamp();
}

// The task `id` in a /master/state document. Ids are unique within a
// framework only: of several, the live one wins, else the latest to change.
std::optional<task_place> lookup_task(ss::Master::Reader state, const std::string& id,
                                      const std::string& framework, size_t& matches) {
  std::optional<ss::Task::Reader> best;
  matches = 0;
  for_each_task(state, [&](ss::Framework::Reader fw, ss::Task::Reader task) {
    if (str(task.getId()) != id
        || (!framework.empty() && framework != str(fw.getId()) && framework != str(fw.getName())))
      return;
    ++matches;
    bool better = !best
                  || (is_terminal(best->getState()) && !is_terminal(task.getState()))
                  || (is_terminal(best->getState()) == is_terminal(task.getState())
                      && last_update(task) >= last_update(*best));
    if (better)
      best = task;
  });
  if (!best)
    return std::nullopt;
  task_place place;
  place.framework_id = str(best->getFrameworkId());
  place.executor_id = str(best->getExecutorId());
  place.agent_id = str(best->getSlaveId());
  place.terminal = is_terminal(best->getState());
  for (auto a : state.getSlaves())
    if (str(a.getId()) == place.agent_id)
      place.agent_address = str(a.getHostname()) + ":" + std::to_string(a.getPort());
  return place;
}

// The executor's sandbox directory in the agent's /state; nullopt when the
// agent does not (or no longer) show the executor.
caf::expected<std::optional<std::string>> find_sandbox(node_http& agent, const task_place& t) {
  auto state = agent.get_json<ss::AgentState>("/state");
  if (!state)
    return state.error();
  std::optional<std::string> found;
  // Live executors first; of ended ones the last listed is the latest.
  auto look = [&](capnp::List<ss::AgentExecutor>::Reader executors) {
    for (auto e : executors)
      if (str(e.getId()) == t.executor_id && (!found || e.getDirectory().size() > 0))
        found = str(e.getDirectory());
  };
  for (auto fw : (*state)->getFrameworks())
    if (str(fw.getId()) == t.framework_id) {
      look(fw.getCompletedExecutors());
      look(fw.getExecutors());
    }
  if (!found)
    for (auto fw : (*state)->getCompletedFrameworks())
      if (str(fw.getId()) == t.framework_id)
        look(fw.getCompletedExecutors());
  if (found && found->empty())
    found.reset();
  return found;
}

enum class drained { nothing, something, no_file };

// Reads one file of a sandbox through /files/read from where it left off.
class file_reader {
public:
  file_reader(node_http& agent, std::string path) : agent_(agent), path_(std::move(path)) {
  }

  const std::string& path() const {
    return path_;
  }

  // Writes to stdout what the file holds past the last read.
  caf::expected<drained> drain() {
    // The size first, then pages up to it. A page's data is exactly the
    // bytes it covers (the agent leaves a cut character for the next page).
    auto size = read(-1, 0);
    if (!size)
      return size.error();
    if (!*size)
      return drained::no_file;
    int64_t end = (*size)->getOffset();
    if (end < offset_)
      offset_ = end; // truncated: carry on from its new end
    auto result = drained::nothing;
    while (offset_ < end) {
      auto length = std::min<int64_t>(end - offset_, limits::files_read_max_bytes);
      auto chunk = read(offset_, length);
      if (!chunk)
        return chunk.error();
      if (!*chunk)
        return drained::no_file;
      auto data = (*chunk)->getData();
      if (data.size() == 0)
        break; // shrank under us: the next round sees its new size
      std::cout.write(data.cStr(), static_cast<std::streamsize>(data.size()));
      offset_ += static_cast<int64_t>(data.size());
      result = drained::something;
    }
    std::cout.flush();
    if (!std::cout)
      return make_error("cannot write to stdout");
    return result;
  }

private:
  // One page of the file; an empty wire when the agent has no such file.
  caf::expected<wire<ss::FileData>> read(int64_t offset, int64_t length) {
    std::string query = "/files/read?path=" + url_encode(path_) + "&offset="
                        + std::to_string(offset) + "&length=" + std::to_string(length);
    auto answer = agent_.get_any(query);
    if (!answer)
      return answer.error();
    if (answer->status == 404)
      return wire<ss::FileData>{};
    if (answer->status != 200)
      return make_error(agent_.where() + " answered GET /files/read for " + path_ + " with "
                        + std::to_string(answer->status) + ": " + answer->body.substr(0, 200));
    auto data = from_json<ss::FileData>(answer->body);
    if (!data)
      return make_error(agent_.where() + " answered /files/read for " + path_
                        + " with a document that does not parse: " + error_message(data.error()));
    return data;
  }

  node_http& agent_;
  std::string path_;
  int64_t offset_ = 0;
};

// Waits between polls on an actor's timer: the runtime owns the clock.
class poll_timer {
public:
  void wait(std::chrono::milliseconds interval) {
    self_->receive(caf::after(interval) >> [] {});
  }

private:
  system_config config_{false};
  caf::actor_system system_{config_};
  caf::scoped_actor self_{system_};
};

std::string describe(const task_place& t, const std::string& task_id) {
  return "task '" + task_id + "' (executor '" + t.executor_id + "' of framework '"
         + t.framework_id + "')";
}

// The task the flags name, on the master, with the agent it is on.
caf::expected<task_place> locate(node_http& master, const log_flags& f) {
  auto state = master.get_json<ss::Master>("/master/state");
  if (!state)
    return state.error();
  size_t matches = 0;
  auto place = lookup_task(state->get(), f.task, f.framework, matches);
  if (!place)
    return make_error("no task '" + f.task + "' on " + master.where()
                      + (f.framework.empty() ? "" : " in framework '" + f.framework + "'"));
  if (matches > 1)
    std::cerr << "cairn task log: " << matches << " tasks have the id '" << f.task
              << "'; showing the one of framework " << place->framework_id
              << " (--framework chooses)" << std::endl;
  if (place->agent_address.empty())
    return make_error("task '" + f.task + "' is on agent " + place->agent_id + ", which "
                      + master.where() + " does not know");
  return *place;
}

int run_task_log(const log_flags& f) {
  const std::string file_name = f.stderr_file ? "stderr" : "stdout";
  node_http master{"master", f.master};
  auto place = locate(master, f);
  if (!place)
    return fail(error_message(place.error()));
  node_http agent{"agent", place->agent_address};
  std::optional<file_reader> file;
  std::unique_ptr<poll_timer> timer;
  bool terminal = place->terminal; // terminal states are final: never re-checked
  bool quiet = false;
  for (;;) {
    // While output flows the task is surely worth following; the master is
    // asked again only once it has gone quiet.
    if (f.follow && quiet && !terminal) {
      auto now = master.get_json<ss::Master>("/master/state");
      if (!now)
        return fail(error_message(now.error()));
      size_t matches = 0;
      auto again = lookup_task(now->get(), f.task, place->framework_id, matches);
      terminal = !again || again->terminal; // one the master forgot has ended
    }
    if (!file) {
      auto dir = find_sandbox(agent, *place);
      if (!dir)
        return fail(error_message(dir.error()));
      if (*dir)
        file.emplace(agent, **dir + "/" + file_name);
      else if (!f.follow || terminal)
        return fail(agent.where() + " shows no sandbox for " + describe(*place, f.task));
    }
    auto got = drained::nothing;
    if (file) {
      auto d = file->drain();
      if (!d)
        return fail(error_message(d.error()));
      if (*d == drained::no_file && (!f.follow || terminal))
        return fail(agent.where() + " has no file " + file->path() + " for "
                    + describe(*place, f.task));
      got = *d;
    }
    if (!f.follow || (terminal && got != drained::something))
      return 0;
    quiet = got != drained::something;
    if (!timer)
      timer = std::make_unique<poll_timer>();
    timer->wait(follow_poll_interval);
  }
}

} // namespace

command add_task_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("task", "Look at one task");
  app->require_subcommand(1);
  auto f = std::make_shared<log_flags>();
  auto* log = app->add_subcommand("log", "Print a task's stdout (or stderr) from its sandbox");
  log->add_option("task", f->task, "The task's id")->required();
  add_flag(*log, "master", f->master, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  add_flag(*log, "framework", f->framework, "The task's framework (id or name), if ids repeat");
  add_bool_flag(*log, "follow", f->follow, "Keep printing output until the task has ended");
  add_bool_flag(*log, "stderr", f->stderr_file, "Print stderr instead of stdout");
  return {app, [f, log] {
            if (log->parsed())
              return run_task_log(*f);
            return 1;
          }};
}

} // namespace cairn
