// Ended tasks an agent reports on re-registration, their updates not yet
// acknowledged: the master keeps them in the state they ended in, uncharged,
// answers reconciliation with that state, and forgets them once the
// framework acknowledges the terminal update.
#include "tests/support/master_fixture.hpp"

namespace {

struct ended_tasks_fixture : master_fixture {
  testing::fake_peer back = fake();        // the agent's new connection
  testing::fake_peer scheduler = fake();   // the framework, subscribed again

  ~ended_tasks_fixture() override {
    stop(back.handle);
    stop(scheduler.handle);
  }

  void reregister_with(const std::vector<reported_task>& tasks) {
    reregister_reporting(back, tasks);
    REQUIRE(!back.box->agent.empty());
  }

  // Tasks "a" and "b" run on the agent and the framework heard so.
  void launch_two() {
    register_agent();
    subscribe(framework, framework_id, "fw", false, 60);
    from_framework(calls::launch(framework_id, {single_offer()},
                                 {task("a", "cpus:1;mem:128"), task("b", "cpus:1;mem:128")}, 0));
    from_agent(status("a", TaskState::TASK_RUNNING, 1));
    from_agent(status("b", TaskState::TASK_RUNNING, 2));
    take(framework, Event::Type::UPDATE);
  }

  void subscribe_again() {
    std::string id;
    subscribe(scheduler, id, "fw", false, 60, framework_id);
    REQUIRE(id == framework_id);
  }

  // The state each task is reconciled in (all of them when `ids` is empty).
  std::map<std::string, TaskState> reconciled(const std::vector<std::string>& ids = {}) {
    std::vector<std::pair<std::string, std::string>> tasks;
    for (const auto& id : ids)
      tasks.emplace_back(id, agent_id);
    caf::send_as(scheduler.handle, master, calls::reconcile(framework_id, tasks));
    settle();
    std::map<std::string, TaskState> out;
    for (auto& e : take(scheduler, Event::Type::UPDATE))
      out[e->getUpdate().getStatus().getTaskId().getValue()] =
        e->getUpdate().getStatus().getState();
    return out;
  }

  // The cpus `who` has been offered of the agent (the allocator may offer at
  // once on re-registration, or at its next interval), leaving its inbox.
  double offered_cpus(testing::fake_peer& who) {
    advance(1s);
    double cpus = 0;
    for (auto& e : who.box->scheduler)
      if (e->getType() == Event::Type::OFFERS)
        for (auto o : e->getOffers().getOffers())
          cpus += read_resources(o.getResources()).value().get_scalar("cpus");
    return cpus;
  }

  void acknowledge(const std::string& task_id, uint8_t uuid_byte) {
    auto s = make_wire<schema::TaskStatus>([&](schema::TaskStatus::Builder b) {
      b.initTaskId().setValue(task_id);
      b.initAgentId().setValue(agent_id);
      for (auto& x : b.initUuid(16))
        x = uuid_byte;
    });
    caf::send_as(scheduler.handle, master, calls::acknowledge(framework_id, *s));
    settle();
  }

  size_t acks_to_agent(const std::string& task_id) {
    size_t n = 0;
    for (auto& e : back.box->agent)
      n += e->getType() == AgentEvent::Type::ACKNOWLEDGE &&
           e->getAcknowledge().getTaskId().getValue() == task_id;
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(ended_tasks_fixture, "after a failover an ended task is reconciled in the state it ended in, not lost") {
  launch_two();
  fail_over();
  subscribe_again();
  // "b" was killed while there was no master; its update waits for acknowledgement.
  reregister_with({{"a", TaskState::TASK_RUNNING, 1}, {"b", TaskState::TASK_KILLED, 9}});
  CHECK(back.box->agent.back()->getType() == AgentEvent::Type::REREGISTERED);
  // Only the running task holds resources.
  CHECK(offered_cpus(scheduler) == doctest::Approx(3));
  for (auto& e : back.box->agent)
    CHECK(e->getType() != AgentEvent::Type::KILL_TASK);
  auto states = reconciled({"a", "b"});
  CHECK(states.at("a") == TaskState::TASK_RUNNING);
  CHECK(states.at("b") == TaskState::TASK_KILLED);
  // The agent's update reaches the framework; its acknowledgement completes the task.
  caf::send_as(back.handle, master, status("b", TaskState::TASK_KILLED, 9));
  settle();
  auto updates = take(scheduler, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_KILLED);
  acknowledge("b", 9);
  CHECK(acks_to_agent("b") == 1);
  auto known = reconciled();
  CHECK(known.count("a") == 1);
  CHECK(known.count("b") == 0);
}

TEST_CASE_FIXTURE(ended_tasks_fixture, "the acknowledgement of an ended task's update completes it even before the update comes again") {
  // The framework heard of the end from the last master and acknowledges it
  // to this one: the uuid the agent reported is the one that completes it.
  launch_two();
  fail_over();
  subscribe_again();
  reregister_with({{"a", TaskState::TASK_RUNNING, 1}, {"b", TaskState::TASK_FINISHED, 9}});
  acknowledge("b", 8);  // not the terminal update: nothing completes
  CHECK(reconciled().count("b") == 1);
  acknowledge("b", 9);
  CHECK(acks_to_agent("b") == 2);
  auto known = reconciled();
  CHECK(known.count("a") == 1);
  CHECK(known.count("b") == 0);
}

TEST_CASE_FIXTURE(ended_tasks_fixture, "a running task its agent reports ended takes that state, not TASK_LOST, and frees its resources") {
  launch_two();
  // The agent comes back on a new connection (this master never went away)
  // with "b" ended meanwhile.
  reregister_with({{"a", TaskState::TASK_RUNNING, 1}, {"b", TaskState::TASK_FAILED, 5}});
  // Its resources are free: one task's worth is in use.
  CHECK(offered_cpus(framework) == doctest::Approx(3));
  auto told = take(framework, Event::Type::UPDATE);
  for (auto& e : told)
    CHECK(e->getUpdate().getStatus().getState() != TaskState::TASK_LOST);
  caf::send_as(framework.handle, master, calls::reconcile(framework_id, {{"b", agent_id}}));
  settle();
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_FAILED);
  // The acknowledgement of its earlier RUNNING update does not complete it.
  auto running = make_wire<schema::TaskStatus>([&](schema::TaskStatus::Builder b) {
    b.initTaskId().setValue("b");
    b.initAgentId().setValue(agent_id);
    for (auto& x : b.initUuid(16))
      x = 2;
  });
  from_framework(calls::acknowledge(framework_id, *running));
  caf::send_as(framework.handle, master, calls::reconcile(framework_id, {}));
  settle();
  std::set<std::string> known;
  for (auto& e : take(framework, Event::Type::UPDATE))
    known.insert(e->getUpdate().getStatus().getTaskId().getValue());
  CHECK(known == std::set<std::string>{"a", "b"});
}
