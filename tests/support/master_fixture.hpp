#pragma once
// A master with a registrar, fake agents and fake frameworks, driven one
// message at a time: shared by the master's unit tests.
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

// Test code only: the tests read as the protocol does, unqualified.
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

  // A task an agent reports on re-registration: its state and the uuid of
  // its latest update (every byte `uuid_byte`; 0: none given), of
  // `framework_id` unless `framework` names another.
  struct reported_task {
    std::string id;
    TaskState state = TaskState::TASK_RUNNING;
    uint8_t uuid_byte = 0;
    std::string framework;
  };

  // The agent comes back (a new connection) and reports `tasks`.
  void reregister_reporting(testing::fake_peer& as, const std::vector<reported_task>& tasks) {
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
                     auto& reported = tasks[i];
                     list[i].initFrameworkId().setValue(
                       reported.framework.empty() ? framework_id : reported.framework);
                     auto t = list[i].initInfo();
                     t.initTaskId().setValue(reported.id);
                     t.setName(reported.id);
                     set_resources(t, parse_resources("cpus:1;mem:128").value().allocated_to("*"));
                     list[i].setState(reported.state);
                     if (reported.uuid_byte != 0)
                       for (auto& b : list[i].initUuid(16))
                         b = reported.uuid_byte;
                   }
                 }));
    settle();
  }

  // The agent comes back and reports `tasks` running, of `framework_id`
  // unless `framework_of` names another.
  void reregister(testing::fake_peer& as, const std::vector<std::string>& tasks,
                  const std::map<std::string, std::string>& framework_of = {}) {
    std::vector<reported_task> running;
    for (auto& id : tasks) {
      auto other = framework_of.find(id);
      running.push_back({id, TaskState::TASK_RUNNING, 0,
                         other == framework_of.end() ? std::string() : other->second});
    }
    reregister_reporting(as, running);
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
