// 1,000 short tasks from two frameworks over three agents in one process: each
// task ends exactly once, no agent ever runs more than it has, and every status
// update is acknowledged.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "actors/resources/parse.hpp"
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
