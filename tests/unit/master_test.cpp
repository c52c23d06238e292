// The master, one message at a time: registration, offers, validation of
// ACCEPT, status updates and acknowledgements, decline filters, kills,
// teardown and the loss of an agent, with fake agents and frameworks; and
// input over the registry's limits refused with the limit, recording nothing.
#include <doctest/doctest.h>

#include <limits>

#include "actors/master/master.hpp"
#include "actors/master/state.hpp"
#include "actors/registrar/registrar.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"
#include "tests/support/actor_fixture.hpp"

using namespace cairn;
using namespace std::chrono_literals;
using schema::TaskState;
using Reason = schema::TaskStatus::Reason;
using AgentEvent = schema::agent::Event;
using AgentCall = schema::agent::Call;
using Event = schema::Event;

namespace {

task_spec task(const char* id, const char* res) {
  task_spec t;
  t.id = id;
  t.shell_command = "true";
  t.res = parse_resources(res).value();
  return t;
}

struct master_fixture : testing::actor_fixture {
  master_options options;
  registrar_actor registrar;
  master_actor master;
  testing::fake_peer agent = fake();
  testing::fake_peer framework = fake();
  std::string agent_id;
  std::string framework_id;

  master_fixture() {
    setup_logging("ERROR");
    options.allocation_interval = 1s;
    options.agent_ping_timeout = 1s;
    options.max_agent_ping_timeouts = 3;
    options.agent_removal_timeout = 10s;
    options.agent_reregister_timeout = 5s;
    registrar = spawn_registrar(sys, registrar_options{});
    options.registrar = registrar;
    master = spawn_master(sys, options);
    settle();
  }

  ~master_fixture() override {
    stop(caf::actor_cast<caf::actor>(master));
    stop(caf::actor_cast<caf::actor>(registrar));
    stop(agent.handle);
    stop(framework.handle);
  }

  void register_agent(const char* res = "cpus:4;mem:4096") {
    caf::send_as(agent.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                   c.setType(AgentCall::Type::REGISTER);
                   auto info = c.initRegister().initAgentInfo();
                   info.setHostname("host-a");
                   set_resources(info, parse_resources(res).value());
                 }));
    settle();
    REQUIRE(!agent.box->agent.empty());
    REQUIRE(agent.box->agent.back()->getType() == AgentEvent::Type::REGISTERED);
    agent_id = agent.box->agent.back()->getRegistered().getAgentId().getValue();
  }

  void subscribe(testing::fake_peer& who, std::string& id, const char* name = "fw",
                 bool partition_aware = false, double failover_timeout = 0,
                 const std::string& resume_id = "") {
    auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
      i.setName(name);
      i.setUser("root");
      i.setFailoverTimeout(failover_timeout);
      if (!resume_id.empty())
        i.initId().setValue(resume_id);
      if (partition_aware)
        i.initCapabilities(1)[0].setType(
          schema::FrameworkInfo::Capability::Type::PARTITION_AWARE);
    });
    caf::send_as(who.handle, master, calls::subscribe(*info));
    settle();
    REQUIRE(!who.box->scheduler.empty());
    REQUIRE(who.box->scheduler.front()->getType() == Event::Type::SUBSCRIBED);
    id = who.box->scheduler.front()->getSubscribed().getFrameworkId().getValue();
  }

  void from_framework(scheduler_call call) {
    caf::send_as(framework.handle, master, std::move(call));
    settle();
  }

  void from_agent(agent_call call) {
    caf::send_as(agent.handle, master, std::move(call));
    settle();
  }

  // Events of `type` the framework received since the last call.
  std::vector<scheduler_event> take(testing::fake_peer& who, Event::Type type) {
    std::vector<scheduler_event> out;
    for (auto& e : who.box->scheduler)
      if (e->getType() == type)
        out.push_back(e);
    who.box->scheduler.clear();
    return out;
  }

  // Takes the agent's events of `type` out of its inbox.
  std::vector<agent_event> agent_events(AgentEvent::Type type) {
    std::vector<agent_event> out;
    std::vector<agent_event> rest;
    for (auto& e : agent.box->agent)
      (e->getType() == type ? out : rest).push_back(e);
    agent.box->agent = std::move(rest);
    return out;
  }

  std::string single_offer() {
    auto offers = take(framework, Event::Type::OFFERS);
    REQUIRE(offers.size() == 1);
    REQUIRE(offers[0]->getOffers().getOffers().size() == 1);
    return offers[0]->getOffers().getOffers()[0].getId().getValue();
  }

  // Answers every PING the agent has received so far.
  void pong() {
    agent_events(AgentEvent::Type::PING);
    from_agent(make_wire<AgentCall>([&](AgentCall::Builder c) {
      c.setType(AgentCall::Type::PONG);
      c.initAgentId().setValue(agent_id);
    }));
  }

  // Time passes while the agent answers its pings.
  void live(caf::timespan d) {
    for (caf::timespan done{0}; done < d; done += 1s) {
      advance(1s);
      pong();
    }
  }

  // What the registrar holds now.
  registry stored() {
    auto out = std::make_shared<std::string>();
    auto r = registrar;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(r, caf::infinite, recover_atom::value).then([=](const std::string& s) {
        *out = s;
      });
    });
    settle();
    registry reg;
    REQUIRE(reg.apply(*out).ok);
    return reg;
  }

  // Task "t" runs on the agent, then the agent answers no ping: the state of
  // the one update the framework gets for it.
  TaskState state_after_agent_goes_silent() {
    from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
    from_agent(status("t", TaskState::TASK_RUNNING, 1));
    take(framework, Event::Type::UPDATE);
    advance(5s);
    auto updates = take(framework, Event::Type::UPDATE);
    REQUIRE(updates.size() == 1);
    return updates[0]->getUpdate().getStatus().getState();
  }

  // The agent, long forgotten, comes back: it is told to shut down.
  void check_forgotten_on_return() {
    testing::fake_peer back = fake();
    reregister(back, {});
    REQUIRE(!back.box->agent.empty());
    CHECK(back.box->agent.back()->getType() == AgentEvent::Type::SHUTDOWN_AGENT);
    stop(back.handle);
  }

  // The leader fails over: a new master takes over what the registry holds.
  void fail_over() {
    auto recovered = stored().snapshot();
    stop(caf::actor_cast<caf::actor>(master));
    auto next = options;
    next.recovered = recovered;
    master = spawn_master(sys, next);
    settle();
  }

  // The agent comes back (a new connection) and reports `tasks` running,
  // of `framework_id` unless `framework_of` names another.
  void reregister(testing::fake_peer& as, const std::vector<std::string>& tasks,
                  const std::map<std::string, std::string>& framework_of = {}) {
    caf::send_as(as.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                   c.setType(AgentCall::Type::REREGISTER);
                   c.initAgentId().setValue(agent_id);
                   auto r = c.initReregister();
                   auto info = r.initAgentInfo();
                   info.setHostname("host-a");
                   info.initId().setValue(agent_id);
                   set_resources(info, parse_resources("cpus:4;mem:4096").value());
                   auto list = r.initTasks(static_cast<unsigned>(tasks.size()));
                   for (unsigned i = 0; i < tasks.size(); ++i) {
                     auto other = framework_of.find(tasks[i]);
                     list[i].initFrameworkId().setValue(
                       other == framework_of.end() ? framework_id : other->second);
                     auto t = list[i].initInfo();
                     t.initTaskId().setValue(tasks[i]);
                     t.setName(tasks[i]);
                     set_resources(t, parse_resources("cpus:1;mem:128").value().allocated_to("*"));
                     list[i].setState(TaskState::TASK_RUNNING);
                   }
                 }));
    settle();
  }

  agent_call status(const std::string& task, TaskState state, uint8_t uuid_byte) {
    return make_wire<AgentCall>([&](AgentCall::Builder c) {
      c.setType(AgentCall::Type::UPDATE);
      c.initAgentId().setValue(agent_id);
      auto u = c.initUpdate();
      u.initFrameworkId().setValue(framework_id);
      auto s = u.initStatus();
      s.initTaskId().setValue(task);
      s.setState(state);
      s.setSource(schema::TaskStatus::Source::SOURCE_EXECUTOR);
      auto uuid = s.initUuid(16);
      for (auto& b : uuid)
        b = uuid_byte;
    });
  }
};

} // namespace

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

TEST_CASE_FIXTURE(master_fixture, "a broken agent connection stops offers; missed pings make it unreachable") {
  register_agent();
  subscribe(framework, framework_id);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("t", "cpus:1;mem:128")}, 0));
  advance(1s);
  auto second = single_offer();
  stop(agent.handle);
  auto rescinds = take(framework, Event::Type::RESCIND);
  REQUIRE(rescinds.size() == 1);
  CHECK(rescinds[0]->getRescind().getOfferId().getValue() == second);
  advance(2s);
  CHECK(take(framework, Event::Type::UPDATE).empty()); // not yet: pings decide
  advance(3s);
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0]->getUpdate().getStatus().getTaskId().getValue() == "t");
  CHECK(updates[0]->getUpdate().getStatus().getState() == TaskState::TASK_LOST);
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

// -- hostile input never fills the registry (issue 16)

namespace {

wire<schema::FrameworkInfo> labelled(const std::string& id, size_t label_bytes) {
  return make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName("labelled");
    i.setUser("root");
    i.setFailoverTimeout(7 * 24 * 3600);  // the longest stay is the worst case
    if (!id.empty())
      i.initId().setValue(id);
    auto label = i.initLabels().initLabels(1)[0];
    label.setKey("k");
    label.setValue(std::string(label_bytes, 'l'));
  });
}

struct written_kv {
  bool ok = false;
  std::string why;
};

} // namespace

TEST_CASE_FIXTURE(master_fixture, "an oversized SUBSCRIBE or agent is refused with the limit, and nothing is recorded") {
  caf::send_as(framework.handle, master, calls::subscribe(*labelled("", 900 * 1024)));
  settle();
  auto errors = take(framework, Event::Type::ERROR);
  REQUIRE(errors.size() == 1);
  std::string why = errors[0]->getError().getMessage();
  INFO(why);
  CHECK(why.find("limit of 65536 bytes on one FrameworkInfo") != std::string::npos);
  caf::send_as(agent.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                 c.setType(AgentCall::Type::REGISTER);
                 auto info = c.initRegister().initAgentInfo();
                 info.setHostname(std::string(limits::max_agent_info_bytes, 'h'));
                 set_resources(info, parse_resources("cpus:1;mem:64").value());
               }));
  settle();
  CHECK(agent.box->agent.empty());
  auto reg = stored();
  CHECK(reg.frameworks().empty());
  CHECK(reg.agents().empty());
  // Within the limits, both are admitted as ever.
  register_agent();
  subscribe(framework, framework_id);
}

TEST_CASE_FIXTURE(master_fixture, "a full key-value store refuses keys only; frameworks and agents are admitted") {
  auto set = [&](const std::string& key, const std::string& value) {
    auto out = std::make_shared<written_kv>();
    auto m = master;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(m, caf::infinite, kv_set_atom::value, key, value, uint64_t{0}, true)
        .then([=](bool ok, const std::string& why, uint64_t) { *out = {ok, why}; });
    });
    settle();
    return *out;
  };
  auto over = set("big", std::string(limits::max_kv_value_bytes + 1, 'v'));
  CHECK_FALSE(over.ok);
  CHECK(over.why.find("limit of 1048576 bytes") != std::string::npos);
  CHECK(stored().kv_size() == 0);
  size_t keys = 0;
  written_kv last;
  while ((last = set("fill/" + std::to_string(keys), std::string(limits::max_kv_value_bytes,
                                                                 'v'))).ok)
    REQUIRE(++keys < 100);
  CHECK(last.why.find("quota") != std::string::npos);
  CHECK(stored().kv_size() == keys);
  register_agent();
  subscribe(framework, framework_id);
  CHECK(stored().find_framework(framework_id) != nullptr);
}

TEST_CASE_FIXTURE(master_fixture, "with frameworks at their share, a new framework is refused and an agent admitted") {
  // Anyone may subscribe: frameworks of nearly the largest info fill their share.
  auto apply = [&](const std::string& entry) {
    auto out = std::make_shared<written_kv>();
    auto r = registrar;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(r, caf::infinite, apply_atom::value, entry)
        .then([=](bool ok, const std::string& why, uint64_t) { *out = {ok, why}; });
    });
    settle();
    return *out;
  };
  size_t added = 0;
  while (apply(add_framework_entry(*labelled("filler-" + std::to_string(added), 60 * 1024))).ok)
    REQUIRE(++added < 1000);
  CHECK(stored().frameworks_bytes() <= limits::frameworks_quota_bytes);
  caf::send_as(framework.handle, master, calls::subscribe(*labelled("", 60 * 1024)));
  settle();
  auto errors = take(framework, Event::Type::ERROR);
  REQUIRE(errors.size() == 1);
  CHECK(std::string(errors[0]->getError().getMessage()).find("their share") !=
        std::string::npos);
  CHECK(stored().frameworks().size() == added);
  register_agent();
  CHECK(stored().find_agent(agent_id) != nullptr);
}

// -- hostile input: refused with a reason; the master and its allocator keep serving

TEST_CASE_FIXTURE(master_fixture, "a task asking for 1e300 cpus is refused and the master serves on") {
  register_agent();
  subscribe(framework, framework_id);
  // calls::launch cannot hold such a value: the call is edited as a peer could send it.
  auto valid = calls::launch(framework_id, {single_offer()}, {task("huge", "cpus:1;mem:128")}, 0);
  wire_builder<schema::Call> b;
  b.message().setRoot(valid.get());
  auto launch = b.message().getRoot<schema::Call>().getAccept().getOperations()[0].getLaunch();
  for (auto r : launch.getTaskInfos()[0].getResources())
    if (r.getName() == "cpus")
      r.getScalar().setValue(1e300);
  from_framework(std::move(b).finish());
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  auto s = updates[0]->getUpdate().getStatus();
  CHECK(s.getState() == TaskState::TASK_ERROR);
  CHECK(std::string(s.getMessage().cStr()).find("cpus") != std::string::npos);
  CHECK(agent_events(AgentEvent::Type::RUN_TASK).empty());
  // The offer went back whole: the next pass offers it again, and it launches.
  advance(1s);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("ok", "cpus:4;mem:128")}));
  CHECK(agent_events(AgentEvent::Type::RUN_TASK).size() == 1);
}

TEST_CASE_FIXTURE(master_fixture, "a framework id that is a path is refused, and nothing is stored") {
  testing::fake_peer hostile = fake();
  for (const char* id : {"../../../../tmp/x", "..", "a/b"}) {
    auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
      i.setName("fw");
      i.initId().setValue(id);
    });
    caf::send_as(hostile.handle, master, calls::subscribe(*info));
    settle();
    auto errors = take(hostile, Event::Type::ERROR);
    REQUIRE(errors.size() == 1);
    CHECK(std::string(errors[0]->getError().getMessage().cStr()).find("id") != std::string::npos);
  }
  CHECK(stored().frameworks().empty());
  stop(hostile.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a failover_timeout that is no duration is refused") {
  testing::fake_peer hostile = fake();
  for (double timeout : {std::numeric_limits<double>::infinity(), -1.0, 1e300}) {
    auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
      i.setName("fw");
      i.setFailoverTimeout(timeout);
    });
    caf::send_as(hostile.handle, master, calls::subscribe(*info));
    settle();
    auto errors = take(hostile, Event::Type::ERROR);
    REQUIRE(errors.size() == 1);
    CHECK(std::string(errors[0]->getError().getMessage().cStr()).find("failover_timeout")
          != std::string::npos);
  }
  CHECK(stored().frameworks().empty());
  stop(hostile.handle);
}

TEST_CASE_FIXTURE(master_fixture, "tasks an agent reports beyond its resources are killed, not taken over") {
  register_agent();
  subscribe(framework, framework_id);
  take(framework, Event::Type::OFFERS);
  // Five tasks of one cpu each on an agent of four: the allocator's books
  // could not hold them (it used to abort on that).
  testing::fake_peer back = fake();
  reregister(back, {"t1", "t2", "t3", "t4", "t5"});
  std::vector<std::string> killed;
  for (auto& e : back.box->agent)
    if (e->getType() == AgentEvent::Type::KILL_TASK)
      killed.push_back(e->getKillTask().getTaskId().getValue());
  CHECK(killed == std::vector<std::string>{"t5"});
  // The allocator took the agent with the four tasks and offers what is left.
  advance(1s);
  auto offers = take(framework, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  auto res = read_resources(offers[0]->getOffers().getOffers()[0].getResources());
  REQUIRE(res);
  CHECK(res->get_scalar("mem") == doctest::Approx(4096 - 4 * 128));
  stop(back.handle);
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
