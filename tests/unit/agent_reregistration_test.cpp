// What an agent re-registers with: its tasks, but not those whose terminal
// update was acknowledged, and the tasks that ended with their executor
// while their terminal update waits for acknowledgement, with its uuid.
#include <doctest/doctest.h>

#include <map>

#include "actors/agent/state.hpp"

using namespace cairn;
using schema::TaskState;

namespace {

agent_task task(const std::string& id, TaskState state, char uuid = 0) {
  agent_task t;
  t.info = make_wire<schema::TaskInfo>(
    [&](schema::TaskInfo::Builder b) { b.initTaskId().setValue(id); });
  t.state = state;
  if (uuid != 0)
    t.received.push_back(std::string(16, uuid));
  return t;
}

struct reported_task {
  TaskState state;
  std::string executor_id;
  std::string uuid;
};

std::map<std::string, reported_task> reported(const agent_state& st) {
  auto call = reregister_call(st);
  std::map<std::string, reported_task> out;
  for (auto t : call->getReregister().getTasks()) {
    auto uuid = t.getUuid();
    out[t.getInfo().getTaskId().getValue()] = {
      t.getState(), t.getExecutorId().getValue(),
      std::string(reinterpret_cast<const char*>(uuid.begin()), uuid.size())};
  }
  return out;
}

// Framework "f" with executor "live", running "run", "done" (its end not
// acknowledged) and "done-acked" (acknowledged); executor "gone" ended with
// "killed" unacknowledged and "finished" acknowledged.
agent_state agent_with_ended_tasks() {
  agent_state st;
  st.agent_id = "S1";
  auto& fw = st.frameworks["f"];
  fw.id = "f";
  fw.info = make_wire<schema::FrameworkInfo>(
    [](schema::FrameworkInfo::Builder b) { b.setName("f"); });
  auto& live = fw.executors["live"];
  live.id = "live";
  live.framework_id = "f";
  live.tasks["run"] = task("run", TaskState::TASK_RUNNING, 'r');
  live.tasks["done"] = task("done", TaskState::TASK_FINISHED, 'd');
  live.tasks["done-acked"] = task("done-acked", TaskState::TASK_FINISHED, 'a');
  live.tasks["done-acked"].end_acknowledged = true;
  executor_entry gone;
  gone.id = "gone";
  gone.framework_id = "f";
  gone.tasks["killed"] = task("killed", TaskState::TASK_KILLED, 'k');
  gone.tasks["finished"] = task("finished", TaskState::TASK_FINISHED, 'x');
  gone.tasks["finished"].end_acknowledged = true;
  keep_ended_tasks(st, "f", gone);
  return st;
}

} // namespace

TEST_CASE("a re-registration reports running tasks and ended ones whose end is not acknowledged") {
  auto st = agent_with_ended_tasks();
  auto tasks = reported(st);
  REQUIRE(tasks.size() == 3);
  CHECK(tasks.at("run").state == TaskState::TASK_RUNNING);
  CHECK(tasks.at("run").uuid.empty());  // only an ended task's uuid matters to the master
  CHECK(tasks.at("done").state == TaskState::TASK_FINISHED);
  CHECK(tasks.at("done").uuid == std::string(16, 'd'));
  CHECK(tasks.at("killed").state == TaskState::TASK_KILLED);
  CHECK(tasks.at("killed").executor_id == "gone");
  CHECK(tasks.at("killed").uuid == std::string(16, 'k'));
  CHECK(tasks.count("done-acked") == 0);
  CHECK(tasks.count("finished") == 0);
}

TEST_CASE("an ended task is no longer reported once its terminal update is acknowledged") {
  auto st = agent_with_ended_tasks();
  end_acknowledged(st, "f", "killed");
  end_acknowledged(st, "f", "done");
  end_acknowledged(st, "f", "run");  // not terminal: still reported
  auto tasks = reported(st);
  CHECK(tasks.size() == 1);
  CHECK(tasks.count("run") == 1);
  CHECK(st.ended_unacknowledged.empty());
}

TEST_CASE("the ended tasks of a framework that is shut down are forgotten, others' kept") {
  auto st = agent_with_ended_tasks();
  executor_entry other;
  other.id = "e";
  other.framework_id = "g";
  other.tasks["lost"] = task("lost", TaskState::TASK_LOST, 'l');
  keep_ended_tasks(st, "g", other);
  REQUIRE(st.ended_unacknowledged.size() == 2);
  forget_ended_tasks(st, "f");
  REQUIRE(st.ended_unacknowledged.size() == 1);
  CHECK(st.ended_unacknowledged.count({"g", "lost"}) == 1);
}
