#include "tests/support/cluster.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/resources/parse.hpp"

namespace cairn::testing {

cluster::cluster(caf::actor_system& sys, cluster_options options) : sys_(sys) {
  master_options m;
  m.allocation_interval = options.allocation_interval;
  m.seed = options.seed;
  master = spawn_master(sys, m);
  auto total = parse_resources(options.agent_resources).value();
  for (size_t i = 0; i < options.agents; ++i) {
    auto name = fmt::format("agent-{}", i);
    probe->set_total(name, total);
    agent_options a;
    a.hostname = name;
    a.total = total;
    a.actor_endpoint = "in-process";
    a.seed = options.seed + i + 1;
    auto sim = options.sim;
    sim.seed = options.seed * 1000 + i;
    a.make_containerizer = make_sim_containerizer(name, sim, probe);
    agents.push_back(spawn_agent(sys, std::move(a), caf::actor_cast<agent_call_sink>(master)));
  }
}

cluster::~cluster() {
  for (auto& a : agents)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
}

std::vector<agent_snapshot> cluster::agent_states() {
  std::vector<agent_snapshot> out;
  caf::scoped_actor self{sys_};
  for (auto& a : agents)
    self->request(a, std::chrono::seconds(10), state_atom::value)
      .receive([&](const agent_snapshot& s) { out.push_back(s); }, [](caf::error&) {});
  return out;
}

master_snapshot cluster::master_state() {
  master_snapshot out;
  caf::scoped_actor self{sys_};
  self->request(master, std::chrono::seconds(10), state_atom::value)
    .receive([&](const master_snapshot& s) { out = s; }, [](caf::error&) {});
  return out;
}

} // namespace cairn::testing
