#include "tests/support/sim_agents.hpp"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "tests/support/sim_containerizer.hpp"

namespace cairn::testing {

namespace fs = std::filesystem;

void sim_agents::stop() {
  for (auto& a : agents)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  agents.clear();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

sim_agents start_sim_agents(caf::actor_system& sys, size_t count, const resources& total,
                            const std::vector<std::string>& masters, const std::string& name,
                            const std::vector<caf::actor>& connectors,
                            duration registration_backoff) {
  sim_agents out;
  auto nobody = http_server::start("127.0.0.1", 0, [](http_request, http_reply r) {
    http_response res;
    res.status = 404;
    r.send(std::move(res));
  });
  if (!nobody)
    return out;
  out.nobody = std::move(*nobody);
  out.dir = fs::exists("/dev/shm") ? fs::path("/dev/shm") / fmt::format("{}-{}", name, getpid())
                                   : fs::temp_directory_path() / fmt::format("{}-{}", name, getpid());
  auto probe = std::make_shared<usage_probe>();
  for (size_t i = 0; i < count; ++i) {
    agent_options a;
    a.hostname = "127.0.0.1";
    a.http_port = out.nobody->port();
    a.total = total;
    a.actor_endpoint = "in-process";
    a.master_addresses = masters;
    a.work_dir = (out.dir / std::to_string(i)).string();
    a.seed = 1000 + i;
    if (!connectors.empty())
      a.shared_connector = connectors[i % connectors.size()];
    a.sandbox_gc = false;
    a.registration_backoff = registration_backoff;
    sim_options sim;
    sim.min_task_time = sim.max_task_time = std::chrono::hours(24);
    sim.seed = i + 1;
    a.make_containerizer = make_sim_containerizer(fmt::format("{}-{}", name, i), sim, probe);
    out.agents.push_back(spawn_agent(sys, std::move(a), agent_call_sink{}));
  }
  return out;
}

} // namespace cairn::testing
