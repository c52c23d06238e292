// The services framework at scale, measured. Asserts nothing.
//
// A `cairn master` and a `cairn services` process, as `cairn local` runs
// them apart; in this process, `--agents` agents whose executors are
// simulated (each task an actor that runs until killed), so that 1,000
// instances fit on one small machine. Through the Marathon API it prints:
// the time to scale one app from 0 to `--instances` running; the latency of
// `GET /v2/apps?embed=apps.tasks` with them all (p50 and p99 over
// `--requests` calls, one at a time); and the time a rolling restart of
// them all takes (POST /v2/apps/{id}/restart until the deployment is over
// and all run again).
//
//   services_bench [--instances 1000] [--agents 10] [--requests 100] [--cairn PATH]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "actors/agent/agent.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/errors.hpp"
#include "runtime/http_client.hpp"
#include "runtime/http_server.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "tests/support/bench_support.hpp"
#include "tests/support/sim_agents.hpp"

using namespace cairn;
using namespace cairn::bench;
namespace fs = std::filesystem;

namespace {

constexpr auto call_timeout = std::chrono::seconds(30);

struct bench_flags {
  size_t instances = 1000;
  size_t agents = 10;
  size_t requests = 100;
  std::string cairn;
};

// A number field of a compact JSON answer (the first one of that name).
double number_field(const std::string& body, const std::string& key) {
  auto at = body.find("\"" + key + "\":");
  if (at == std::string::npos)
    return -1;
  return std::strtod(body.c_str() + at + key.size() + 3, nullptr);
}

struct app_status {
  double running = 0;
  bool deploying = true;
};

std::optional<app_status> read_app(const std::string& services, const std::string& id) {
  auto r = http_get("http://" + services + "/v2/apps/" + id, call_timeout);
  if (!r || r->status != 200)
    return std::nullopt;
  app_status s;
  s.running = number_field(r->body, "tasksRunning");
  s.deploying = r->body.find("\"deployments\":[]") == std::string::npos;
  return s;
}

// Polls until the app runs `want` instances with no deployment left; the
// milliseconds since `since`, or nothing by the deadline.
std::optional<double> wait_settled(const std::string& services, const std::string& id,
                                   size_t want, clock_type::time_point since) {
  auto deadline = since + std::chrono::minutes(15);
  while (clock_type::now() < deadline) {
    auto s = read_app(services, id);
    if (s && !s->deploying && s->running == static_cast<double>(want))
      return ms_since(since);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

// The ids of the app's tasks, from GET /v2/apps/{id}/tasks.
std::set<std::string> task_ids(const std::string& services, const std::string& id) {
  std::set<std::string> ids;
  auto r = http_get("http://" + services + "/v2/apps/" + id + "/tasks", call_timeout);
  if (!r || r->status != 200)
    return ids;
  const std::string key = "\"id\":\"";
  for (auto at = r->body.find(key); at != std::string::npos; at = r->body.find(key, at)) {
    at += key.size();
    auto end = r->body.find('"', at);
    if (end == std::string::npos)
      break;
    ids.insert(r->body.substr(at, end - at));
  }
  return ids;
}

bool wait_ok(const std::string& url) {
  auto deadline = clock_type::now() + std::chrono::minutes(1);
  while (clock_type::now() < deadline) {
    auto r = http_get(url, std::chrono::seconds(2));
    if (r && r->status == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int run(const bench_flags& f) {
  auto dir = temp_dir("services-bench");
  uint16_t base = free_base_port();
  if (base == 0) {
    fmt::print("no free ports\n");
    return 1;
  }
  std::string master = fmt::format("127.0.0.1:{}", base);
  std::string services = fmt::format("127.0.0.1:{}", base + 1);
  std::vector<pid_t> children;
  children.push_back(spawn_process({f.cairn, "master", "--ip", "127.0.0.1", "--http-port",
                                    std::to_string(base), "--work-dir", (dir / "master").string(),
                                    "--logging-level", "WARNING"},
                                   dir / "master.log"));
  auto stop_children = [&] {
    for (auto pid : children) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  };
  auto give_up = [&](const std::string& why) {
    fmt::print("{} (logs in {})\n", why, dir.string());
    stop_children();
    std::fflush(stdout);
    _exit(1);
  };
  if (!wait_ok("http://" + master + "/health"))
    give_up("the master never answered");

  system_config cfg;
  caf::actor_system sys{cfg};
  // Room for every instance twice over, as a rolling restart with
  // Marathon's default upgrade strategy starts the new before the old stop.
  size_t per_agent = (2 * f.instances + f.agents - 1) / f.agents + 1;
  auto total = parse_resources(fmt::format("cpus:{};mem:{};disk:1000;ports:[31000-{}]",
                                           per_agent * 0.1 + 1, per_agent * 16 + 64,
                                           31000 + per_agent + 10))
                 .value();
  auto agents = testing::start_sim_agents(sys, f.agents, total, {master}, "cairn-services-bench");
  if (agents.agents.empty())
    give_up("no HTTP server for the agents' addresses");
  children.push_back(spawn_process({f.cairn, "services", "--master", master, "--ip", "127.0.0.1",
                                    "--http_port", std::to_string(base + 1), "--logging-level",
                                    "WARNING"},
                                   dir / "services.log"));
  if (!wait_ok("http://" + services + "/ping"))
    give_up("services never answered");

  auto created = http_post("http://" + services + "/v2/apps",
                           R"({"id":"/bench","cmd":"sleep 86400","cpus":0.1,"mem":16,)"
                           R"("instances":0})",
                           "application/json", call_timeout);
  if (!created || created->status != 201)
    give_up("the app was not created: " +
            (created ? std::to_string(created->status) + " " + created->body
                     : error_message(created.error())));
  auto scale_started = clock_type::now();
  auto scaled = http_send("PUT", "http://" + services + "/v2/apps/bench",
                          fmt::format(R"({{"instances":{}}})", f.instances), "application/json",
                          call_timeout);
  if (!scaled || scaled->status != 200)
    give_up("the app was not scaled");
  auto scale_ms = wait_settled(services, "bench", f.instances, scale_started);
  if (!scale_ms)
    give_up(fmt::format("{} instances never all ran", f.instances));
  fmt::print("scaled 0 -> {} instances on {} agents: all running after {:.1f} s\n", f.instances,
             f.agents, *scale_ms / 1000);

  std::vector<double> latencies;
  size_t bytes = 0;
  for (size_t i = 0; i < f.requests; ++i) {
    auto t = clock_type::now();
    auto r = http_get("http://" + services + "/v2/apps?embed=apps.tasks", call_timeout);
    if (!r || r->status != 200)
      give_up("GET /v2/apps?embed=apps.tasks failed");
    latencies.push_back(ms_since(t));
    bytes = r->body.size();
  }
  fmt::print("GET /v2/apps?embed=apps.tasks with {} tasks ({} KiB): p50 {:.1f} ms, p99 {:.1f} ms "
             "over {} requests\n",
             f.instances, bytes / 1024, percentile(latencies, 0.5), percentile(latencies, 0.99),
             f.requests);

  auto before = task_ids(services, "bench");
  auto restart_started = clock_type::now();
  auto restarted = http_post("http://" + services + "/v2/apps/bench/restart", "",
                             "application/json", call_timeout);
  if (!restarted || restarted->status != 200)
    give_up("the restart was refused");
  // Over when it has settled and none of the instances from before is left.
  std::optional<double> restart_ms;
  while (!restart_ms && ms_since(restart_started) < 15 * 60 * 1000.0) {
    restart_ms = wait_settled(services, "bench", f.instances, restart_started);
    if (restart_ms) {
      auto now_ids = task_ids(services, "bench");
      for (const auto& old : before)
        if (now_ids.count(old) > 0) {
          restart_ms.reset();
          break;
        }
      if (now_ids.size() != f.instances)
        restart_ms.reset();
    }
    if (!restart_ms)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!restart_ms)
    give_up("the rolling restart never ended");
  fmt::print("rolling restart of {} instances: over after {:.1f} s\n", f.instances,
             *restart_ms / 1000);

  agents.stop();
  stop_children();
  fs::remove_all(dir);
  std::fflush(stdout);
  _exit(0);
}

} // namespace

int main(int argc, char** argv) {
  bench_flags f;
  f.cairn = default_cairn();
  CLI::App app{"The services framework with many instances, measured"};
  app.add_option("--instances", f.instances, "Instances of the one app");
  app.add_option("--agents", f.agents, "Agents (actors in this process, simulated executors)");
  app.add_option("--requests", f.requests, "GET /v2/apps?embed=apps.tasks calls timed");
  app.add_option("--cairn", f.cairn, "The cairn binary");
  CLI11_PARSE(app, argc, argv);
  if (f.instances == 0 || f.agents == 0 || f.requests == 0) {
    fmt::print(stderr, "--instances, --agents and --requests must be positive\n");
    return 2;
  }
  setup_logging("ERROR");
  return run(f);
}
