// 1,000 short tasks from two frameworks over three agents in one process: each
// task ends exactly once, no agent ever runs more than it has, and every status
// update is acknowledged. And a framework hears FAILURE when an agent goes.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include <caf/scoped_actor.hpp>

#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "examples/launch_n_framework.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "tests/support/cluster.hpp"

using namespace cairn;

namespace {

struct results {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<examples::tally> tallies;

  void add(const examples::tally& t) {
    std::lock_guard<std::mutex> guard{mutex};
    tallies.push_back(t);
    changed.notify_all();
  }

  bool wait_for(size_t n, std::chrono::seconds bound) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, bound, [&] { return tallies.size() >= n; });
  }
};

} // namespace

TEST_CASE("1,000 tasks from two frameworks over three agents") {
  setup_logging("WARNING");
  system_config cfg{false};
  caf::actor_system sys{cfg};
  testing::cluster_options options;
  options.agents = 3;
  // Eight tasks of <0.5 CPU, 128 MB> fit an agent at once: the tasks must
  // wait for each other, so over-commitment would show.
  options.agent_resources = "cpus:4;mem:1024;disk:100";
  testing::cluster c{sys, options};
  results r;
  for (const char* name : {"alpha", "beta"}) {
    examples::launch_n_config config;
    config.name = name;
    config.count = 500;
    config.task_resources = parse_resources("cpus:0.5;mem:128").value();
    examples::spawn_launch_n(sys, caf::actor_cast<scheduler_call_sink>(c.master), config,
                             [&r](const examples::tally& t) { r.add(t); });
  }
  REQUIRE(r.wait_for(2, std::chrono::seconds(300)));
  for (const auto& t : r.tallies) {
    CHECK(t.launched == 500);
    CHECK(t.finished() == 500);
    CHECK(t.terminal.size() == 1);
    CHECK(t.tasks_with_two_terminal_states == 0);
  }
  CHECK(c.probe->overcommits() == 0);
  CHECK(c.probe->started() == 1000);
  // The last acknowledgements may still be on their way to the agents.
  bool all_acknowledged = false;
  for (int attempt = 0; attempt < 100 && !all_acknowledged; ++attempt) {
    all_acknowledged = true;
    uint64_t sent = 0;
    for (const auto& s : c.agent_states()) {
      all_acknowledged &= s->getPendingUpdates() == 0
                          && s->getUpdatesSent() == s->getUpdatesAcknowledged();
      sent += s->getUpdatesSent();
    }
    all_acknowledged &= sent == 3000; // STARTING, RUNNING, FINISHED for each task
    if (!all_acknowledged)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(all_acknowledged);
}

TEST_CASE("every subscribed framework hears FAILURE naming an agent that is removed") {
  setup_logging("WARNING");
  system_config cfg{false};
  caf::actor_system sys{cfg};
  testing::cluster_options options;
  options.agents = 2;
  testing::cluster c{sys, options};
  caf::scoped_actor self{sys};
  capnp::MallocMessageBuilder info_message;
  auto info = info_message.initRoot<schema::FrameworkInfo>();
  info.setUser("root");
  info.setName("hears-failures");
  self->send(c.master, calls::subscribe(info));
  // Waits for an event of `type`; every event it passes is kept in `seen`.
  std::vector<scheduler_event> seen;
  auto wait_for = [&](schema::Event::Type type) -> std::optional<scheduler_event> {
    for (int i = 0; i < 1000; ++i) {
      std::optional<scheduler_event> got;
      bool timed_out = false;
      self->receive([&](const scheduler_event& e) { got = e; },
                    caf::after(std::chrono::seconds(30)) >> [&] { timed_out = true; });
      if (timed_out)
        return std::nullopt;
      seen.push_back(*got);
      if ((*got)->getType() == type)
        return got;
    }
    return std::nullopt;
  };
  REQUIRE(wait_for(schema::Event::Type::SUBSCRIBED));
  // The agent of an offer has registered and has its id (the other one
  // may not have yet).
  auto offers = wait_for(schema::Event::Type::OFFERS);
  REQUIRE(offers);
  std::string gone = (**offers).getOffers().getOffers()[0].getAgentId().getValue();
  auto states = c.agent_states();
  size_t which = 0;
  while (which < states.size() && states[which]->getId() != gone)
    ++which;
  REQUIRE(which < states.size());
  // The agent shuts down gracefully: it unregisters and the master removes it.
  self->request(c.agents[which], std::chrono::seconds(30), shutdown_atom::value)
    .receive([](bool) {}, [](caf::error&) {});
  auto failure = wait_for(schema::Event::Type::FAILURE);
  REQUIRE(failure);
  auto f = (**failure).getFailure();
  CHECK(f.getAgentId().getValue() == gone);
  CHECK_FALSE(f.hasExecutorId());
}
