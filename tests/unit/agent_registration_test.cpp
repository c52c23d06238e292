// An agent whose registration goes unanswered asks again less and less often
// (one chain of retries, however often a registration is started), and
// stops asking once it is registered.
#include <doctest/doctest.h>

#include <memory>

#include "actors/agent/agent.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/log.hpp"
#include "tests/support/actor_fixture.hpp"

using namespace cairn;
using namespace std::chrono_literals;

namespace {

using Call = schema::agent::Call;
using Event = schema::agent::Event;

struct seen_calls {
  size_t registrations = 0;  // REGISTER and REREGISTER
  bool answer = false;       // answer the first with REGISTERED
};

caf::behavior master_double(caf::event_based_actor* self, std::shared_ptr<seen_calls> seen) {
  return {[=](const agent_call& c) {
    auto type = c->getType();
    if (type != Call::Type::REGISTER && type != Call::Type::REREGISTER)
      return;
    if (++seen->registrations == 1 && seen->answer)
      self->send(caf::actor_cast<caf::actor>(self->current_sender()),
                 make_wire<Event>([](Event::Builder e) {
                   e.setType(Event::Type::REGISTERED);
                   auto r = e.initRegistered();
                   r.initAgentId().setValue("agent-1");
                   r.initMasterInfo().setId("master-1");
                 }));
  }};
}

caf::behavior no_containerizer(caf::event_based_actor*) {
  return {[](const caf::message&) {}};
}

struct registration_fixture : testing::actor_fixture {
  std::shared_ptr<seen_calls> seen = std::make_shared<seen_calls>();
  caf::actor master;
  agent_actor agent;

  void start() {
    setup_logging("off");
    master = sys.spawn(master_double, seen);
    agent_options o;
    o.hostname = "127.0.0.1";
    o.http_port = 5051;
    o.total = parse_resources("cpus:1;mem:128").value();
    o.actor_endpoint = "in-process";
    o.seed = 3;
    o.sandbox_gc = false;
    o.make_containerizer = [](caf::actor_system& s, caf::strong_actor_ptr) {
      return caf::actor_cast<containerizer_actor>(s.spawn(no_containerizer));
    };
    agent = spawn_agent(sys, std::move(o), caf::actor_cast<agent_call_sink>(master));
    settle();
  }

  ~registration_fixture() {
    stop(caf::actor_cast<caf::actor>(agent));
    stop(master);
  }
};

} // namespace

TEST_CASE_FIXTURE(registration_fixture, "unanswered registrations back off to a handful a minute") {
  start();
  CHECK(seen->registrations == 1);
  advance(60s);
  // Nominal waits 0.25 (the first retry), 1, 2, 4, 8, 16, 32 s, each spread
  // over [half, one and a half]: seven or eight in a minute (sixty-one at a
  // fixed second).
  CHECK(seen->registrations >= 7);
  CHECK(seen->registrations <= 8);
}

TEST_CASE_FIXTURE(registration_fixture, "a registration lost on the way is sent again soon") {
  start();
  CHECK(seen->registrations == 1);
  advance(100ms);
  CHECK(seen->registrations == 1);
  advance(300ms);
  // The first retry comes within [125, 375] ms, the next not before 500 ms more.
  CHECK(seen->registrations == 2);
  advance(400ms);
  CHECK(seen->registrations == 2);
}

TEST_CASE_FIXTURE(registration_fixture, "starting registration again replaces the retries") {
  start();
  for (int i = 0; i < 5; ++i)
    caf::anon_send(agent, endpoint_atom::value, std::string("in-process"));
  settle();
  CHECK(seen->registrations == 6);
  advance(60s);
  // One chain of retries, not six.
  CHECK(seen->registrations <= 6 + 8);
}

TEST_CASE_FIXTURE(registration_fixture, "a registered agent asks no more") {
  seen->answer = true;
  start();
  advance(60s);
  CHECK(seen->registrations == 1);
}
