// The master, one message at a time: registration, offers, validation of
// ACCEPT, status updates and acknowledgements, decline filters, kills,
// teardown, the loss of an agent and failover, with fake agents and
// frameworks (tests/support/master_fixture.hpp).
#include <doctest/doctest.h>

#include "tests/support/master_fixture.hpp"

TEST_CASE_FIXTURE(master_fixture, "a subscribed framework is offered a registered agent") {
  register_agent();
  subscribe(framework, framework_id);
  auto offers = take(framework, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  auto offer = offers[0]->getOffers().getOffers()[0];
  CHECK(offer.getAgentId().getValue() == agent_id);
  CHECK(offer.getHostname() == "host-a");
  auto res = read_resources(offer.getResources()).value();
  CHECK(res.unallocated() == parse_resources("cpus:4;mem:4096").value());
  CHECK(offer.getAllocationInfo().getRole() == "*");
}

TEST_CASE_FIXTURE(master_fixture, "an accept launches what fits and refuses what does not") {
  register_agent();
  subscribe(framework, framework_id);
  auto offer = single_offer();
  from_framework(calls::launch(framework_id, {offer},
                               {task("small", "cpus:1;mem:128"), task("big", "cpus:1;mem:99999")}));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  auto s = updates[0]->getUpdate().getStatus();
  CHECK(s.getTaskId().getValue() == "big");
  CHECK(s.getState() == TaskState::TASK_ERROR);
  CHECK(s.getReason() == Reason::TASK_INVALID);
  auto runs = agent_events(AgentEvent::Type::RUN_TASK);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]->getRunTask().getTask().getTaskId().getValue() == "small");
  CHECK(runs[0]->getRunTask().getFrameworkInfo().getId().getValue() == framework_id);
  // Using the same offer again: it is gone, and the task is dropped with the reason.
  from_framework(calls::launch(framework_id, {offer}, {task("again", "cpus:1;mem:128")}));
  updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
  CHECK(updates[0]->getUpdate().getStatus().getReason() == Reason::INVALID_OFFERS);
  CHECK(agent_events(AgentEvent::Type::RUN_TASK).empty());
}

TEST_CASE_FIXTURE(master_fixture, "offers of two agents accepted together are refused and go back each to its agent") {
  register_agent("cpus:2;mem:1024");
  testing::fake_peer other = fake();
  caf::send_as(other.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                 c.setType(AgentCall::Type::REGISTER);
                 auto info = c.initRegister().initAgentInfo();
                 info.setHostname("host-b");
                 set_resources(info, parse_resources("cpus:2;mem:1024").value());
               }));
  settle();
  subscribe(framework, framework_id);
  std::vector<std::string> offers;
  for (auto& e : take(framework, Event::Type::OFFERS))
    for (auto o : e->getOffers().getOffers())
      offers.push_back(o.getId().getValue());
  REQUIRE(offers.size() == 2);
  from_framework(calls::launch(framework_id, offers, {task("t", "cpus:1;mem:128")}, 0));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
  CHECK(updates[0]->getUpdate().getStatus().getReason() == Reason::INVALID_OFFERS);
  // Both agents are offered again, whole.
  advance(1s);
  std::set<std::string> offered_agents;
  for (auto& e : take(framework, Event::Type::OFFERS))
    for (auto o : e->getOffers().getOffers()) {
      offered_agents.insert(o.getAgentId().getValue());
      CHECK(read_resources(o.getResources()).value().unallocated()
            == parse_resources("cpus:2;mem:1024").value());
    }
  CHECK(offered_agents.size() == 2);
  stop(other.handle);
}

TEST_CASE_FIXTURE(master_fixture, "status updates reach the framework; acknowledgements reach the agent") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  from_agent(status("t", TaskState::TASK_RUNNING, 7));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  auto s = updates[0]->getUpdate().getStatus();
  CHECK(s.getState() == TaskState::TASK_RUNNING);
  CHECK(s.getAgentId().getValue() == agent_id);
  from_framework(calls::acknowledge(framework_id, s));
  auto acks = agent_events(AgentEvent::Type::ACKNOWLEDGE);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0]->getAcknowledge().getTaskId().getValue() == "t");
  CHECK(acks[0]->getAcknowledge().getUuid()[0] == 7);
}

TEST_CASE_FIXTURE(master_fixture, "declined resources are filtered for refuse_seconds, then offered again") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::decline(framework_id, {single_offer()}, 5));
  live(2s);
  CHECK(take(framework, Event::Type::OFFERS).empty());
  live(4s);
  CHECK(take(framework, Event::Type::OFFERS).size() == 1);
}

TEST_CASE_FIXTURE(master_fixture, "a terminal update frees the task's resources for the next pass") {
  register_agent("cpus:1;mem:128");
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  advance(1s);
  CHECK(take(framework, Event::Type::OFFERS).empty()); // everything is in use
  from_agent(status("t", TaskState::TASK_FINISHED, 1));
  take(framework, Event::Type::UPDATE);
  advance(1s);
  CHECK(take(framework, Event::Type::OFFERS).size() == 1);
}

TEST_CASE_FIXTURE(master_fixture, "killing a running task goes to its agent; an unknown one is reported lost") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  from_framework(calls::kill(framework_id, "t", agent_id));
  auto kills = agent_events(AgentEvent::Type::KILL_TASK);
  REQUIRE(kills.size() == 1);
  CHECK(kills[0]->getKillTask().getTaskId().getValue() == "t");
  from_framework(calls::kill(framework_id, "nobody", agent_id));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
}

TEST_CASE_FIXTURE(master_fixture, "reconciliation answers with the latest known state, or that it is unknown") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  from_agent(status("t", TaskState::TASK_RUNNING, 3));
  take(framework, Event::Type::UPDATE);
  from_framework(calls::reconcile(framework_id, {}));
  auto implicit = take(framework, Event::Type::UPDATE);
  REQUIRE(implicit.size() == 1);
  CHECK(implicit[0]->getUpdate().getStatus().getState() == TaskState::TASK_RUNNING);
  CHECK(implicit[0]->getUpdate().getStatus().getReason() == Reason::RECONCILIATION);
  from_framework(calls::reconcile(framework_id, {{"t", agent_id}, {"ghost", agent_id}}));
  auto explicit_ = take(framework, Event::Type::UPDATE);
  REQUIRE(explicit_.size() == 2);
  CHECK(explicit_[1]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
}

TEST_CASE_FIXTURE(master_fixture, "teardown shuts the framework down on its agents and frees everything") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  from_framework(calls::teardown(framework_id));
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).size() == 1);
  testing::fake_peer other = fake();
  std::string other_id;
  subscribe(other, other_id, "other");
  auto offers = take(other, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  auto res = read_resources(offers[0]->getOffers().getOffers()[0].getResources()).value();
  CHECK(res.unallocated() == parse_resources("cpus:4;mem:4096").value());
  stop(other.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a call from another connection is refused with an error") {
  register_agent();
  subscribe(framework, framework_id);
  testing::fake_peer impostor = fake();
  caf::send_as(impostor.handle, master, calls::teardown(framework_id));
  settle();
  auto errors = take(impostor, Event::Type::ERROR);
  REQUIRE(errors.size() == 1);
  CHECK(std::string(errors[0]->getError().getMessage()).find("another connection")
        != std::string::npos);
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).empty());
  stop(impostor.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a broken agent connection stops offers and loses the tasks of a framework that does not checkpoint") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  advance(1s);
  auto second = single_offer();
  stop(agent.handle);
  // Both come at once (take() empties the inbox, so both are read first).
  std::vector<scheduler_event> rescinds, updates;
  for (auto& e : framework.box->scheduler)
    (e->getType() == Event::Type::RESCIND ? rescinds : updates).push_back(e);
  framework.box->scheduler.clear();
  REQUIRE(rescinds.size() == 1);
  CHECK(rescinds[0]->getRescind().getOfferId().getValue() == second);
  // Its executor cannot outlive the agent: lost at once, as in Mesos,
  // without waiting for the pings.
  REQUIRE(updates.size() == 1);
  REQUIRE(updates[0]->getType() == Event::Type::UPDATE);
  auto status = updates[0]->getUpdate().getStatus();
  CHECK(status.getTaskId().getValue() == "t");
  CHECK(status.getState() == TaskState::TASK_LOST);
  CHECK(status.getReason() == schema::TaskStatus::Reason::AGENT_DISCONNECTED);
  advance(5s);
  CHECK(take(framework, Event::Type::UPDATE).empty());  // once
  CHECK(take(framework, Event::Type::OFFERS).empty());
}

TEST_CASE_FIXTURE(master_fixture, "an agent back on a new connection while the old looked alive has its offers withdrawn") {
  register_agent();
  subscribe(framework, framework_id);
  auto old_offer = single_offer();
  testing::fake_peer back = fake();
  reregister(back, {});
  // The withdrawal and the new offer come in one settle: read both at once.
  std::vector<std::string> rescinded;
  std::vector<std::string> offered;
  for (auto& e : framework.box->scheduler) {
    if (e->getType() == Event::Type::RESCIND)
      rescinded.push_back(e->getRescind().getOfferId().getValue());
    if (e->getType() == Event::Type::OFFERS)
      for (auto o : e->getOffers().getOffers())
        offered.push_back(o.getId().getValue());
  }
  framework.box->scheduler.clear();
  CHECK(rescinded == std::vector<std::string>{old_offer});
  // Offered again, once: accepting the withdrawn offer launches nothing, the
  // new one launches on the agent's whole resources.
  REQUIRE(offered.size() == 1);
  auto new_offer = offered[0];
  CHECK(new_offer != old_offer);
  from_framework(calls::launch(framework_id, {old_offer}, {task("stale", "cpus:4;mem:4096")}, 0));
  from_framework(calls::launch(framework_id, {new_offer}, {task("t", "cpus:4;mem:4096")}, 0));
  std::vector<std::string> launched;
  for (auto& e : back.box->agent)
    if (e->getType() == AgentEvent::Type::RUN_TASK)
      launched.push_back(e->getRunTask().getTask().getTaskId().getValue());
  CHECK(launched == std::vector<std::string>{"t"});
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a partition-aware framework sees unreachable, then running again") {
  register_agent();
  subscribe(framework, framework_id, "pa", true);
  CHECK(state_after_agent_goes_silent() == TaskState::TASK_UNREACHABLE);
  from_framework(calls::reconcile(framework_id, {{"t", agent_id}}));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_UNREACHABLE);
  // The agent returns over a new connection, still running the task, one
  // the master has never heard of (a partition-aware framework's task is
  // taken over) and one of a framework that does not exist (killed).
  testing::fake_peer back = fake();
  reregister(back, {"t", "stranger", "orphan"}, {{"orphan", "no-such-framework"}});
  REQUIRE(!back.box->agent.empty());
  bool reregistered = false;
  std::vector<std::string> killed;
  for (auto& e : back.box->agent) {
    reregistered |= e->getType() == AgentEvent::Type::REREGISTERED;
    if (e->getType() == AgentEvent::Type::KILL_TASK)
      killed.push_back(e->getKillTask().getTaskId().getValue());
  }
  CHECK(reregistered);
  CHECK(killed == std::vector<std::string>{"orphan"});
  updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_RUNNING);
  CHECK(updates[0]->getUpdate().getStatus().getReason() == Reason::AGENT_REREGISTERED);
  from_framework(calls::reconcile(framework_id, {{"stranger", agent_id}}));
  auto stranger = take(framework, Event::Type::UPDATE);
  REQUIRE(stranger.size() == 1);
  CHECK(stranger[0]->getUpdate().getStatus().getState() == TaskState::TASK_RUNNING);
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "an agent that answers its pings stays; one away too long is forgotten") {
  register_agent();
  subscribe(framework, framework_id);
  live(6s);
  CHECK(take(framework, Event::Type::UPDATE).empty());
  CHECK(take(framework, Event::Type::RESCIND).empty());
  advance(4s);  // unreachable now
  advance(11s); // and past the removal timeout
  check_forgotten_on_return();
}

TEST_CASE_FIXTURE(master_fixture, "an agent that unregisters is removed at once and told so") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  take(framework, Event::Type::OFFERS);
  from_agent(make_wire<AgentCall>([&](AgentCall::Builder c) {
    c.setType(AgentCall::Type::UNREGISTER);
    c.initAgentId().setValue(agent_id);
  }));
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_AGENT).size() == 1);
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
  advance(1s);
  CHECK(take(framework, Event::Type::OFFERS).empty());
}

TEST_CASE_FIXTURE(master_fixture, "offers made to a scheduler that another replaces go back and are offered again") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 3600);
  auto first = single_offer();
  testing::fake_peer next = fake();
  subscribe(next, framework_id, "fw", false, 3600, framework_id);
  advance(1s);
  auto offers = take(next, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  REQUIRE(offers[0]->getOffers().getOffers().size() == 1);
  CHECK(std::string(offers[0]->getOffers().getOffers()[0].getId().getValue()) != first);
  stop(next.handle);
}

TEST_CASE_FIXTURE(master_fixture, "an agent the master does not know is told to register again; a removed one to shut down") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  agent.box->agent.clear();
  // A new leader that recovered nothing, and an agent that took a former
  // leader's answer for its registration: its update is not taken, and it
  // hears that it is not connected (on which an agent registers again).
  auto recovered_id = agent_id;
  stop(caf::actor_cast<caf::actor>(master));
  master = spawn_master(sys, options);
  settle();
  subscribe(framework, framework_id, "fw", false, 0, framework_id);
  from_agent(status("t", TaskState::TASK_RUNNING, 1));
  auto pings = agent_events(AgentEvent::Type::PING);
  REQUIRE(pings.size() == 1);
  CHECK_FALSE(pings[0]->getPing().getConnected());
  CHECK(take(framework, Event::Type::UPDATE).empty());
  // Its PONG is not answered (the two would play on for ever).
  pong();
  CHECK(agent.box->agent.empty());
  // It registers again, and what it sends is taken from then on.
  reregister(agent, {"t"});
  CHECK(agent_events(AgentEvent::Type::REREGISTERED).size() == 1);
  from_agent(status("t", TaskState::TASK_FINISHED, 2));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_FINISHED);
  CHECK(agent_events(AgentEvent::Type::PING).empty());
  // Removed (it unregistered), then heard from again: it is shut down.
  from_agent(make_wire<AgentCall>([&](AgentCall::Builder c) {
    c.setType(AgentCall::Type::UNREGISTER);
    c.initAgentId().setValue(agent_id);
  }));
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_AGENT).size() == 1);
  from_agent(status("t", TaskState::TASK_FINISHED, 3));
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_AGENT).size() == 1);
  CHECK(agent_events(AgentEvent::Type::PING).empty());
  CHECK(recovered_id == agent_id);
}

TEST_CASE_FIXTURE(master_fixture, "a disconnected agent that still sends is told to register again") {
  register_agent();
  agent.box->agent.clear();
  // Its connection broke as the master saw it (a down message), the agent
  // itself carries on: it hears that it is not connected.
  caf::anon_send(caf::actor_cast<caf::actor>(master),
                 caf::down_msg{agent.handle.address(), caf::exit_reason::unknown});
  settle();
  from_agent(make_wire<AgentCall>([&](AgentCall::Builder c) {
    c.setType(AgentCall::Type::EXITED_EXECUTOR);
    c.initAgentId().setValue(agent_id);
  }));
  auto pings = agent_events(AgentEvent::Type::PING);
  REQUIRE(pings.size() == 1);
  CHECK_FALSE(pings[0]->getPing().getConnected());
}

TEST_CASE_FIXTURE(master_fixture, "a framework that comes back within its failover timeout keeps its tasks") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 10);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  stop(framework.handle);
  live(5s);
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).empty());
  testing::fake_peer back = fake();
  std::string id;
  subscribe(back, id, "fw", false, 10, framework_id);
  CHECK(id == framework_id);
  live(10s);
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).empty());
  caf::send_as(back.handle, master, calls::reconcile(framework_id, {}));
  settle();
  auto updates = take(back, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getTaskId().getValue() == "t");
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a framework that subscribes again without suppressed roles is offered again") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 60);
  single_offer();
  from_framework(calls::suppress(framework_id));
  stop(framework.handle);
  live(2s);
  // Its successor subscribes with no suppressed roles: as in Mesos, the
  // subscription says exactly which roles are suppressed, so it is offered.
  testing::fake_peer back = fake();
  std::string id;
  subscribe(back, id, "fw", false, 60, framework_id);
  live(3s);
  CHECK_FALSE(take(back, Event::Type::OFFERS).empty());
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a framework that stays away past its failover timeout is torn down") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 3);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  stop(framework.handle);
  live(2s);
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).empty());
  live(2s);
  CHECK(agent_events(AgentEvent::Type::SHUTDOWN_FRAMEWORK).size() == 1);
  testing::fake_peer back = fake();
  auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName("fw");
    i.setUser("root");
    i.initId().setValue(framework_id);
  });
  caf::send_as(back.handle, master, calls::subscribe(*info));
  settle();
  CHECK(take(back, Event::Type::ERROR).size() == 1); // a removed framework cannot return
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "operators that subscribe get the state, then every change") {
  register_agent();
  testing::fake_peer op = fake();
  caf::send_as(op.handle, master, make_wire<schema::operator_api::Call>([](auto c) {
                 c.setType(schema::operator_api::Call::Type::SUBSCRIBE);
               }));
  settle();
  // SUBSCRIBED, and at once the first HEARTBEAT, as Mesos sends them.
  REQUIRE(op.box->operators.size() == 2);
  auto first = op.box->operators[0];
  CHECK(first->getType() == schema::operator_api::Event::Type::SUBSCRIBED);
  CHECK(op.box->operators[1]->getType() == schema::operator_api::Event::Type::HEARTBEAT);
  CHECK(first->getSubscribed().getGetState().getGetAgents().getAgents().size() == 1);
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  from_agent(status("t", TaskState::TASK_RUNNING, 2));
  std::vector<schema::operator_api::Event::Type> kinds;
  for (auto& e : op.box->operators)
    kinds.push_back(e->getType());
  using T = schema::operator_api::Event::Type;
  CHECK(kinds == std::vector<T>{T::SUBSCRIBED, T::HEARTBEAT, T::FRAMEWORK_ADDED, T::TASK_ADDED,
                                T::TASK_UPDATED});
  stop(op.handle);
}

TEST_CASE_FIXTURE(master_fixture, "the registry holds every admitted agent and subscribed framework") {
  register_agent();
  subscribe(framework, framework_id, "fw", true);
  auto reg = stored();
  REQUIRE(reg.find_agent(agent_id) != nullptr);
  CHECK(reg.find_agent(agent_id)->reachable);
  CHECK(std::string((*reg.find_agent(agent_id)->info).getHostname()) == "host-a");
  REQUIRE(reg.find_framework(framework_id) != nullptr);
  CHECK(std::string((*reg.find_framework(framework_id))->getName()) == "fw");
  advance(5s); // the agent answers no ping
  CHECK(!stored().find_agent(agent_id)->reachable);
  testing::fake_peer back = fake();
  reregister(back, {});
  CHECK(stored().find_agent(agent_id)->reachable);
  from_framework(calls::teardown(framework_id));
  CHECK(stored().find_framework(framework_id) == nullptr);
  caf::send_as(back.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                 c.setType(AgentCall::Type::UNREGISTER);
                 c.initAgentId().setValue(agent_id);
               }));
  settle();
  CHECK(stored().find_agent(agent_id) == nullptr);
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a new leader takes agents, frameworks and their tasks over from the registry") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 0);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  from_agent(status("t", TaskState::TASK_RUNNING, 1));
  take(framework, Event::Type::UPDATE);
  fail_over();
  // The agent comes back with its task, and one of a framework never recorded.
  testing::fake_peer back = fake();
  reregister(back, {"t", "orphan"}, {{"orphan", "no-such-framework"}});
  std::vector<std::string> killed;
  bool reregistered = false;
  for (auto& e : back.box->agent) {
    reregistered |= e->getType() == AgentEvent::Type::REREGISTERED;
    if (e->getType() == AgentEvent::Type::KILL_TASK)
      killed.push_back(e->getKillTask().getTaskId().getValue());
  }
  CHECK(reregistered);
  CHECK(killed == std::vector<std::string>{"orphan"});
  // The framework (failover timeout 0) is still there: it gets as long as
  // agents do to come back.
  testing::fake_peer scheduler = fake();
  std::string id;
  subscribe(scheduler, id, "fw", false, 0, framework_id);
  CHECK(id == framework_id);
  // The task's resources are in use: the agent is offered what is left.
  advance(1s);
  auto offers = take(scheduler, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  auto res = read_resources(offers[0]->getOffers().getOffers()[0].getResources());
  REQUIRE(res);
  CHECK(res->get_scalar("cpus") == doctest::Approx(3));
  caf::send_as(scheduler.handle, master, calls::reconcile(framework_id, {}));
  settle();
  auto updates = take(scheduler, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getTaskId().getValue() == "t");
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_RUNNING);
  stop(back.handle);
  stop(scheduler.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a master started again with its predecessor's seed gives no agent an id in use") {
  // A node that leads again starts a master with the options of the last:
  // its ids must not name what the last one admitted. Given one, a new
  // agent took over the record of an agent that was back with its task and
  // offers, and the next decline of those offers aborted the master.
  register_agent();
  subscribe(framework, framework_id, "fw", false, 3600);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  fail_over();
  subscribe(framework, framework_id, "fw", false, 3600, framework_id);
  reregister(agent, {"t"});
  REQUIRE(agent_events(AgentEvent::Type::REREGISTERED).size() == 1);
  auto offer = single_offer();
  testing::fake_peer other = fake();
  caf::send_as(other.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                 c.setType(AgentCall::Type::REGISTER);
                 auto info = c.initRegister().initAgentInfo();
                 info.setHostname("host-b");
                 set_resources(info, parse_resources("cpus:2;mem:1024").value());
               }));
  settle();
  REQUIRE(!other.box->agent.empty());
  REQUIRE(other.box->agent.front()->getType() == AgentEvent::Type::REGISTERED);
  std::string other_id = other.box->agent.front()->getRegistered().getAgentId().getValue();
  CHECK(other_id != agent_id);
  // The offer of the first agent is still its own: declined, it comes back;
  // each agent is offered under its own id, and the task is still known.
  from_framework(calls::decline(framework_id, {offer}, 0));
  advance(1s);
  std::map<std::string, std::string> offered_on;
  for (auto& e : framework.box->scheduler)
    if (e->getType() == Event::Type::OFFERS)
      for (auto o : e->getOffers().getOffers())
        offered_on[o.getAgentId().getValue()] =
          read_resources(o.getResources()).value().unallocated().to_string();
  framework.box->scheduler.clear();
  CHECK(offered_on.count(agent_id) == 1);
  CHECK(offered_on.count(other_id) == 1);
  from_agent(status("t", TaskState::TASK_FINISHED, 2));
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_FINISHED);
  stop(other.handle);
}

TEST_CASE_FIXTURE(master_fixture, "after a failover, reconciliation waits for the task's agent before calling it lost") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 60);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  from_agent(status("t", TaskState::TASK_RUNNING, 1));
  take(framework, Event::Type::UPDATE);
  fail_over();
  testing::fake_peer scheduler = fake();
  std::string id;
  subscribe(scheduler, id, "fw", false, 60, framework_id);
  // The agent has not re-registered yet: the task may well be running there,
  // so no answer for it, with or without its agent named.
  caf::send_as(scheduler.handle, master,
               calls::reconcile(framework_id, {{"t", agent_id}, {"never-launched", ""}}));
  settle();
  CHECK(take(scheduler, Event::Type::UPDATE).empty());
  testing::fake_peer back = fake();
  reregister(back, {"t"});
  caf::send_as(scheduler.handle, master,
               calls::reconcile(framework_id, {{"t", agent_id}, {"never-launched", ""}}));
  settle();
  auto updates = take(scheduler, Event::Type::UPDATE);
  REQUIRE(updates.size() == 2);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_RUNNING);
  CHECK(updates[1]->getUpdate().getStatus().getTaskId().getValue() == "never-launched");
  CHECK(updates[1]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
  CHECK(updates[1]->getUpdate().getStatus().getReason() == Reason::RECONCILIATION);
  stop(back.handle);
  stop(scheduler.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a partition-aware framework hears where an unknown task's agent is") {
  register_agent();
  subscribe(framework, framework_id, "pa", true, 60);
  fail_over();
  testing::fake_peer scheduler = fake();
  std::string id;
  subscribe(scheduler, id, "pa", true, 60, framework_id);
  advance(6s); // past the re-register timeout: the agent is unreachable
  caf::send_as(scheduler.handle, master,
               calls::reconcile(framework_id, {{"a", agent_id}, {"b", "no-such-agent"}}));
  settle();
  auto updates = take(scheduler, Event::Type::UPDATE);
  REQUIRE(updates.size() == 2);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_UNREACHABLE);
  CHECK(updates[1]->getUpdate().getStatus().getState() == TaskState::TASK_UNKNOWN);
  stop(scheduler.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a kill of a task whose agent has yet to re-register after a failover is not answered lost") {
  register_agent();
  subscribe(framework, framework_id, "fw", false, 60);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}));
  fail_over();
  testing::fake_peer scheduler = fake();
  std::string id;
  subscribe(scheduler, id, "fw", false, 60, framework_id);
  // The task may still run there: TASK_LOST would have it replaced while it runs.
  caf::send_as(scheduler.handle, master, calls::kill(framework_id, "t", agent_id));
  settle();
  CHECK(take(scheduler, Event::Type::UPDATE).empty());
  // Once the agent is unreachable, the kill is answered as reconciliation is.
  advance(6s);
  caf::send_as(scheduler.handle, master, calls::kill(framework_id, "t", agent_id));
  settle();
  auto updates = take(scheduler, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
  stop(scheduler.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a recovered agent that does not return is unreachable, then removed") {
  register_agent();
  fail_over();
  advance(4s);
  CHECK(stored().find_agent(agent_id)->reachable);
  advance(2s); // past the re-register timeout
  CHECK(!stored().find_agent(agent_id)->reachable);
  advance(11s); // past the removal timeout
  CHECK(stored().find_agent(agent_id) == nullptr);
  check_forgotten_on_return();
}

TEST_CASE_FIXTURE(master_fixture, "tasks reported lost while their agent was unreachable are killed when it returns") {
  register_agent();
  subscribe(framework, framework_id);
  CHECK(state_after_agent_goes_silent() == TaskState::TASK_LOST);
  fail_over(); // the new leader knows only what the registry says
  testing::fake_peer back = fake();
  reregister(back, {"t"});
  std::vector<std::string> killed;
  for (auto& e : back.box->agent)
    if (e->getType() == AgentEvent::Type::KILL_TASK)
      killed.push_back(e->getKillTask().getTaskId().getValue());
  CHECK(killed == std::vector<std::string>{"t"});
  stop(back.handle);
}

TEST_CASE_FIXTURE(master_fixture, "frameworks' keys change only at the version a writer expects, and outlive the leader") {
  struct written {
    bool ok = false;
    std::string why;
    uint64_t version = 0;
  };
  auto write = [&](auto... call) {
    auto out = std::make_shared<written>();
    auto m = master;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(m, caf::infinite, call...)
        .then([=](bool ok, const std::string& why, uint64_t v) { *out = {ok, why, v}; });
    });
    settle();
    return *out;
  };
  auto get = [&](const std::string& key) {
    auto out = std::make_shared<std::pair<uint64_t, std::string>>();
    auto m = master;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(m, caf::infinite, kv_get_atom::value, key)
        .then([=](uint64_t v, const std::string& value) { *out = {v, value}; });
    });
    settle();
    return *out;
  };
  auto set = [&](const std::string& key, const std::string& value, uint64_t expected, bool any) {
    return write(kv_set_atom::value, key, value, expected, any);
  };
  auto created = set("apps/web", "one", 0, false);
  CHECK(created.ok);
  CHECK(created.version == 1);
  auto again = set("apps/web", "other", 0, false);
  CHECK_FALSE(again.ok);
  CHECK(again.why.find("version 1") != std::string::npos);
  CHECK(set("apps/web", "two", 1, false).version == 2);
  CHECK_FALSE(set("apps/web", "stale", 1, false).ok);
  CHECK(get("apps/web") == std::pair<uint64_t, std::string>{2, "two"});
  CHECK(stored().kv_get("apps/web").value == "two");

  fail_over();
  CHECK(get("apps/web") == std::pair<uint64_t, std::string>{2, "two"});
  CHECK_FALSE(write(kv_delete_atom::value, std::string("apps/web"), uint64_t{1}, false).ok);
  auto deleted = write(kv_delete_atom::value, std::string("apps/web"), uint64_t{2}, false);
  CHECK(deleted.ok);
  CHECK(deleted.version == 0);
  CHECK(get("apps/web").first == 0);
  CHECK_FALSE(write(kv_delete_atom::value, std::string("apps/web"), uint64_t{0}, true).ok);
}

TEST_CASE_FIXTURE(master_fixture, "weights set by an operator are in the registry and outlive the leader") {
  namespace op = schema::operator_api;
  auto call = [&](operator_call c) {
    auto out = std::make_shared<std::optional<operator_response>>();
    auto failed = std::make_shared<std::string>();
    auto m = master;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(m, caf::infinite, c)
        .then([=](const operator_response& r) { *out = r; },
              [=](caf::error& err) { *failed = error_message(err); });
    });
    settle();
    return std::make_pair(*out, *failed);
  };
  auto update = [&](std::vector<std::pair<std::string, double>> weights) {
    return call(make_wire<op::Call>([&](op::Call::Builder c) {
      c.setType(op::Call::Type::UPDATE_WEIGHTS);
      auto list = c.initUpdateWeights().initWeightInfos(static_cast<unsigned>(weights.size()));
      for (unsigned i = 0; i < weights.size(); ++i) {
        list[i].setRole(weights[i].first);
        list[i].setWeight(weights[i].second);
      }
    }));
  };
  auto current = [&] {
    auto [r, failed] = call(make_wire<op::Call>(
      [](op::Call::Builder c) { c.setType(op::Call::Type::GET_WEIGHTS); }));
    REQUIRE(r);
    std::vector<std::pair<std::string, double>> out;
    for (auto w : (*r)->getGetWeights().getWeightInfos())
      out.emplace_back(w.getRole(), w.getWeight());
    return out;
  };
  CHECK(update({{"web", 2}, {"batch", 0.5}}).first);
  CHECK(update({{"web", 3}}).first);
  using weights = std::vector<std::pair<std::string, double>>;
  CHECK(current() == weights{{"batch", 0.5}, {"web", 3}});
  auto in_registry = stored().weights();
  CHECK(weights(in_registry.begin(), in_registry.end()) == weights{{"batch", 0.5}, {"web", 3}});

  auto refused = update({{"web", 0}});
  CHECK_FALSE(refused.first);
  CHECK(refused.second.find("out of range") != std::string::npos);
  CHECK_FALSE(update({{"x", 1}, {"x", 2}}).first);
  CHECK_FALSE(update({{"web", 5e-324}}).first);
  CHECK_FALSE(update({{"..", 1}}).first);
  CHECK_FALSE(update({{"a b", 1}}).first);
  CHECK(current() == weights{{"batch", 0.5}, {"web", 3}});

  fail_over();
  CHECK(current() == weights{{"batch", 0.5}, {"web", 3}});
}

TEST_CASE("a task's history keeps each state once in a row, the latest, bounded, the first always") {
  using Health = schema::TaskStatus::Health;
  task_record t;
  keep_status(t, {task_state::TASK_STAGING, 1});
  keep_status(t, {task_state::TASK_STARTING, 2});
  keep_status(t, {task_state::TASK_RUNNING, 3});
  // A health update of the running task replaces the update before it, as in Mesos.
  keep_status(t, {task_state::TASK_RUNNING, 4, Health::UNHEALTHY, {}});
  REQUIRE(t.statuses.size() == 3);
  CHECK(t.statuses[1].timestamp == 2);
  CHECK(t.statuses[2].state == task_state::TASK_RUNNING);
  CHECK(t.statuses[2].timestamp == 4);
  CHECK(t.statuses[2].healthy == Health::UNHEALTHY);
  for (int i = 0; i < 100; ++i)
    keep_status(t, {i % 2 ? task_state::TASK_RUNNING : task_state::TASK_KILLING, 5.0 + i});
  CHECK(t.statuses.size() == limits::max_statuses_per_task);
  CHECK(t.statuses.front().state == task_state::TASK_STAGING);
  CHECK(t.statuses.back().timestamp == 104);
}
