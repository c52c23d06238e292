// What a restarted agent does with its checkpoints (recovery_plan): the same
// agent id only on the same boot and under --recover=reconnect; runs that
// ended are not reattached but their unacknowledged updates are resent;
// --recover=cleanup destroys what runs; a reboot reattaches and resends
// nothing. And the checkpointer's writes (apply_checkpoint_write) read back
// as recovery expects, over the fake store that loses unsynced writes.
#include <doctest/doctest.h>

#include "actors/agent/checkpointer.hpp"
#include "actors/agent/recovery_plan.hpp"
#include "runtime/errors.hpp"
#include "tests/support/fake_checkpoint_store.hpp"

using namespace cairn;
using cairn::test::fake_checkpoint_store;
using Write = schema::checkpoint::Write;

namespace {

const std::string W = "/w";
const std::string agent = "agent-1";
const std::string boot = "boot-1";

std::string uuid_of(char c) {
  return std::string(16, c);
}

template <class F>
void apply(checkpoint_store& store, F&& fill, const std::string& framework = "",
           const std::string& executor = "", const std::string& container = "") {
  auto w = make_wire<Write>([&](Write::Builder b) {
    b.setAgentId(agent);
    b.setFrameworkId(framework);
    b.setExecutorId(executor);
    b.setContainerId(container);
    fill(b);
  });
  auto err = apply_checkpoint_write(store, W, *w);
  REQUIRE_MESSAGE(!err, error_message(err));
}

void write_agent(checkpoint_store& store) {
  apply(store, [](Write::Builder b) {
    auto a = b.initAgent();
    a.setHostname("host-a");
    a.initId().setValue(agent);
    b.setBootId(boot);
  });
}

void write_framework(checkpoint_store& store, const std::string& id, bool checkpoint = true) {
  apply(store, [&](Write::Builder b) {
    auto f = b.initFramework();
    f.initId().setValue(id);
    f.setCheckpoint(checkpoint);
  }, id);
}

// An executor run of a command task, with its task and pid.
void write_run(checkpoint_store& store, const std::string& fw, const std::string& task,
               const std::string& container, int64_t pid) {
  apply(store, [&](Write::Builder b) {
    auto e = b.initExecutor();
    e.setGeneratedForCommandTask(true);
    e.initInfo().initExecutorId().setValue(task);
  }, fw, task, container);
  apply(store, [&](Write::Builder b) { b.initTask().initTaskId().setValue(task); }, fw, task,
        container);
  apply(store, [&](Write::Builder b) { b.setForkedPid(pid); }, fw, task, container);
}

void write_update(checkpoint_store& store, const std::string& fw, const std::string& task,
                  const std::string& container, schema::TaskState state, char uuid) {
  apply(store, [&](Write::Builder b) {
    auto u = b.initUpdate();
    u.initFrameworkId().setValue(fw);
    auto s = u.initStatus();
    s.initTaskId().setValue(task);
    s.setState(state);
    auto id = uuid_of(uuid);
    s.setUuid(kj::arrayPtr(reinterpret_cast<const kj::byte*>(id.data()), id.size()));
  }, fw, task, container);
}

void write_ack(checkpoint_store& store, const std::string& fw, const std::string& task,
               const std::string& container, char uuid) {
  apply(store, [&](Write::Builder b) {
    auto a = b.initAck();
    a.setTaskId(task);
    auto id = uuid_of(uuid);
    a.setUuid(kj::arrayPtr(reinterpret_cast<const kj::byte*>(id.data()), id.size()));
  }, fw, task, container);
}

// Two frameworks' runs: t1 running (its RUNNING acknowledged), t2 ended
// (its FINISHED not acknowledged yet).
void write_cluster(checkpoint_store& store) {
  write_agent(store);
  write_framework(store, "fw");
  write_run(store, "fw", "t1", "c1", 101);
  write_update(store, "fw", "t1", "c1", schema::TaskState::TASK_RUNNING, 'a');
  write_ack(store, "fw", "t1", "c1", 'a');
  write_run(store, "fw", "t2", "c2", 102);
  write_update(store, "fw", "t2", "c2", schema::TaskState::TASK_RUNNING, 'b');
  write_ack(store, "fw", "t2", "c2", 'b');
  write_update(store, "fw", "t2", "c2", schema::TaskState::TASK_FINISHED, 'c');
  apply(store, [](Write::Builder b) { b.setCompleted(); }, "fw", "t2", "c2");
}

} // namespace

TEST_CASE("the checkpointer's writes are what recovery reads back") {
  fake_checkpoint_store store;
  write_cluster(store);
  auto r = recover_agent(store, W);
  REQUIRE(r.found);
  CHECK(r.problems.empty());
  CHECK(r.agent_id == agent);
  CHECK(r.boot_id == boot);
  REQUIRE(r.frameworks.count("fw") == 1);
  const auto& fw = r.frameworks.at("fw");
  REQUIRE(fw.executors.size() == 2);
  const auto& t1 = fw.executors.at("t1");
  CHECK(t1.container_id == "c1");
  CHECK(t1.forked_pid == 101);
  CHECK(!t1.completed);
  CHECK(t1.generated_for_command_task);
  CHECK(t1.tasks.at("t1").state == schema::TaskState::TASK_RUNNING);
  CHECK(t1.tasks.at("t1").unacknowledged().empty());
  const auto& t2 = fw.executors.at("t2");
  CHECK(t2.completed);
  REQUIRE(t2.tasks.at("t2").unacknowledged().size() == 1);
}

TEST_CASE("a write that does not fit is refused and writes nothing") {
  fake_checkpoint_store store;
  write_agent(store);
  auto w = make_wire<Write>([&](Write::Builder b) {
    b.setAgentId(agent);
    b.initFramework().initId().setValue("fw");  // no FrameworkInfo.checkpoint
  });
  CHECK(apply_checkpoint_write(store, W, *w));
  auto bad = make_wire<Write>([&](Write::Builder b) {
    b.setAgentId(agent);
    b.setFrameworkId("fw");
    b.setExecutorId("../escape");
    b.setContainerId("c");
    b.initTask().initTaskId().setValue("t");
  });
  CHECK(apply_checkpoint_write(store, W, *bad));
  auto r = recover_agent(store, W);
  CHECK(r.frameworks.empty());
}

TEST_CASE("reconnect on the same boot: same agent id, running runs reattached, updates resent") {
  fake_checkpoint_store store;
  write_cluster(store);
  auto r = recover_agent(store, W);
  auto plan = plan_recovery(r, boot, recover_mode::reconnect);
  CHECK(plan.agent_id == agent);
  REQUIRE(plan.reattach.size() == 1);
  CHECK(plan.reattach[0].executor->container_id == "c1");
  CHECK(plan.reattach[0].framework->id == "fw");
  CHECK(plan.destroy.empty());
  // The ended run is the containerizer's still (its stopped container).
  REQUIRE(plan.ended.size() == 1);
  CHECK(plan.ended[0].executor->container_id == "c2");
  // The ended run's FINISHED was never acknowledged: it goes out again.
  REQUIRE(plan.resends.size() == 1);
  CHECK(plan.resends[0].container_id == "c2");
  CHECK(plan.resends[0].executor_id == "t2");
  CHECK(plan.resends[0].update->getStatus().getState() == schema::TaskState::TASK_FINISHED);
  CHECK(plan.notes.empty());
}

TEST_CASE("cleanup kills what runs and registers anew") {
  fake_checkpoint_store store;
  write_cluster(store);
  auto r = recover_agent(store, W);
  auto plan = plan_recovery(r, boot, recover_mode::cleanup);
  CHECK(plan.agent_id.empty());
  CHECK(plan.reattach.empty());
  REQUIRE(plan.destroy.size() == 1);
  CHECK(plan.destroy[0].executor->container_id == "c1");
  REQUIRE(plan.ended.size() == 1);
  CHECK(plan.ended[0].executor->container_id == "c2");
  CHECK(plan.resends.empty());
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("--recover=cleanup") != std::string::npos);
}

TEST_CASE("after a reboot nothing is reattached, killed or resent") {
  fake_checkpoint_store store;
  write_cluster(store);
  auto r = recover_agent(store, W);
  auto plan = plan_recovery(r, "boot-2", recover_mode::reconnect);
  CHECK(plan.agent_id.empty());
  CHECK(plan.reattach.empty());
  CHECK(plan.destroy.empty());
  CHECK(plan.resends.empty());
  // Every run ended with the reboot, and what they left outlives it (a
  // Docker engine's containers).
  REQUIRE(plan.ended.size() == 2);
  CHECK(plan.ended[0].executor->container_id != plan.ended[1].executor->container_id);
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("rebooted") != std::string::npos);
}

TEST_CASE("nothing checkpointed: a new agent, nothing to do") {
  fake_checkpoint_store store;
  auto plan = plan_recovery(recover_agent(store, W), boot, recover_mode::reconnect);
  CHECK(plan.agent_id.empty());
  CHECK(plan.reattach.empty());
  CHECK(plan.ended.empty());
  CHECK(plan.notes.empty());
}

TEST_CASE("a damaged file is in the plan's notes with its path and what was done") {
  fake_checkpoint_store store;
  write_cluster(store);
  auto path = W + "/meta/slaves/" + agent + "/frameworks/fw/executors/t1/runs/c1/tasks/t1/" +
              "task.info";
  auto content = store.read(path);
  REQUIRE(content);
  REQUIRE(*content);
  REQUIRE(!store.write(path, (*content)->substr(0, (*content)->size() / 2)));
  auto r = recover_agent(store, W);
  auto plan = plan_recovery(r, boot, recover_mode::reconnect);
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("checkpoint " + path + ": truncated task.info") == 0);
  CHECK(plan.notes[0].find("task skipped") != std::string::npos);
  // Its executor is still reattached: it runs, and is destroyed or
  // re-subscribes like any other.
  CHECK(plan.agent_id == agent);
  REQUIRE(plan.reattach.size() == 1);
  CHECK(plan.reattach[0].executor->tasks.empty());
}

TEST_CASE("--recover takes Mesos' two values only") {
  CHECK(*parse_recover_mode("reconnect") == recover_mode::reconnect);
  CHECK(*parse_recover_mode("cleanup") == recover_mode::cleanup);
  auto bad = parse_recover_mode("Reconnect");
  REQUIRE(!bad);
  CHECK(error_message(bad.error()).find("'Reconnect'") != std::string::npos);
}
