// The replicated log and master failover, measured. Asserts nothing.
//
// Appends: three log nodes, each in an actor system of its own so that they
// talk over loopback TCP as separate machines would, each with its LevelDB
// replica in a temporary directory. A client keeps `window` appends in
// flight on the leader; printed are entries/s and the latency of each
// append (p50, p99), with synced (fsync) writes and without.
//
// Failover: three `cairn master` processes (--masters, --quorum 2) and 100
// agents (simulated executors, in this process) that find the leader by
// HTTP. The leader is killed with SIGKILL; printed are the times until a
// surviving master leads and answers calls, and until every agent is back.
//
//   log_bench [--appends N] [--windows 1,64] [--agents 100] [--failovers 3] [--cairn PATH]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/agent/agent.hpp"
#include "actors/cli/nodes.hpp"
#include "actors/log/log_actor.hpp"
#include "actors/master/master.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "runtime/connector.hpp"
#include "runtime/http_client.hpp"
#include "runtime/http_server.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "schema/state.capnp.h"
#include "tests/support/bench_support.hpp"
#include "tests/support/sim_containerizer.hpp"

using namespace cairn;
using namespace cairn::bench;
namespace fs = std::filesystem;

namespace {

// -- appends

// One node: its own actor system, an HTTP server that names its log port
// (what peers resolve, as they do against a master), and the log node.
struct log_host {
  system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<http_server> http;
  std::shared_ptr<std::atomic<uint16_t>> log_port = std::make_shared<std::atomic<uint16_t>>(0);
  std::string address;
  log_actor node;
};

caf::behavior ignore_leadership(caf::event_based_actor*) {
  return {[](elected_atom) {}, [](demoted_atom) {}};
}

struct load_result {
  double seconds = 0;
  std::vector<double> latencies_ms;
  size_t failed = 0;
};

struct load_state {
  static inline const char* name = "log-load";
  log_actor leader;
  std::string payload;
  size_t total = 0;
  size_t sent = 0;
  size_t done = 0;
  size_t failed = 0;
  clock_type::time_point started;
  std::vector<double> latencies_ms;
  std::shared_ptr<std::promise<load_result>> finished;
};

using load_ptr = caf::stateful_actor<load_state>*;

void send_one(load_ptr self) {
  auto& st = self->state;
  ++st.sent;
  auto started = clock_type::now();
  auto after = [=](bool ok) {
    auto& st = self->state;
    ++st.done;
    if (ok)
      st.latencies_ms.push_back(ms_since(started));
    else
      ++st.failed;
    if (st.sent < st.total)
      send_one(self);
    else if (st.done == st.total) {
      st.finished->set_value({ms_since(st.started) / 1000, std::move(st.latencies_ms), st.failed});
      self->quit();
    }
  };
  self->request(st.leader, std::chrono::seconds(30), append_atom::value, st.payload)
    .then([=](uint64_t) { after(true); }, [=](caf::error&) { after(false); });
}

caf::behavior load(load_ptr self, log_actor leader, size_t total, size_t window,
                   std::shared_ptr<std::promise<load_result>> finished) {
  auto& st = self->state;
  st.started = clock_type::now();
  st.leader = std::move(leader);
  st.payload = std::string(256, 'x');
  st.total = total;
  st.finished = std::move(finished);
  st.latencies_ms.reserve(total);
  for (size_t i = 0; i < std::min(window, total); ++i)
    send_one(self);
  return {[](caf::unit_t) {}};
}

load_result run_load(caf::actor_system& sys, const log_actor& leader, size_t total, size_t window) {
  auto finished = std::make_shared<std::promise<load_result>>();
  auto result = finished->get_future();
  sys.spawn(load, leader, total, window, finished);
  return result.get();
}

void bench_appends(size_t appends, const std::vector<size_t>& windows, bool sync) {
  auto dir = temp_dir("log-bench");
  std::vector<std::unique_ptr<log_host>> hosts;
  for (int i = 0; i < 3; ++i) {
    auto h = std::make_unique<log_host>();
    h->sys = std::make_unique<caf::actor_system>(h->cfg);
    auto port = h->log_port;
    auto http = http_server::start("127.0.0.1", 0, [port](http_request, http_reply reply) {
      http_response r;
      r.body = to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                         e.setHost("127.0.0.1");
                         e.setLogPort(port->load());
                       }).get());
      reply.send(std::move(r));
    });
    h->http = std::move(*http);
    h->address = fmt::format("127.0.0.1:{}", h->http->port());
    hosts.push_back(std::move(h));
  }
  std::vector<std::string> addresses;
  for (auto& h : hosts)
    addresses.push_back(h->address);
  for (uint32_t i = 0; i < 3; ++i) {
    auto& h = *hosts[i];
    log_options o;
    o.id = i;
    o.addresses = addresses;
    o.quorum = 2;
    o.work_dir = (dir / std::to_string(i)).string();
    fs::create_directories(o.work_dir);
    o.advertised = h.address;
    o.seed = 7 + i;
    o.sync = sync;
    h.node = spawn_log(*h.sys, o, h.sys->spawn(ignore_leadership)).value();
    h.log_port->store(h.sys->middleman().publish(h.node, 0, "127.0.0.1", true).value());
  }
  // Whoever names itself leads.
  log_host* leader = nullptr;
  for (int tries = 0; !leader && tries < 600; ++tries) {
    for (auto& h : hosts) {
      caf::scoped_actor self{*h->sys};
      self->request(h->node, std::chrono::seconds(1), leader_atom::value)
        .receive([&](const std::string& l) { if (l == h->address) leader = h.get(); },
                 [](caf::error&) {});
    }
    if (!leader)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!leader) {
    fmt::print("appends: no node was elected\n");
    return;
  }
  run_load(*leader->sys, leader->node, 200, 8);  // warm up connections and LevelDB
  for (auto window : windows) {
    auto r = run_load(*leader->sys, leader->node, appends, window);
    fmt::print("appends, 3 replicas, {:<8} window {:>3}: {:>8.0f} entries/s  p50 {:>7.2f} ms  "
               "p99 {:>7.2f} ms  ({} appends of 256 B, {} failed)\n",
               sync ? "synced" : "unsynced", window,
               static_cast<double>(r.latencies_ms.size()) / r.seconds,
               percentile(r.latencies_ms, 0.5), percentile(r.latencies_ms, 0.99), appends, r.failed);
  }
  for (auto& h : hosts) {
    caf::anon_send_exit(h->node, caf::exit_reason::user_shutdown);
    h->http.reset();
  }
  hosts.clear();
  fs::remove_all(dir);
}

// -- failover

struct master_process {
  std::vector<std::string> args;
  pid_t pid = -1;
};

std::optional<std::string> get_body(const std::string& url) {
  auto r = http_get(url, std::chrono::milliseconds(500));
  if (!r || r->status != 200)
    return std::nullopt;
  return r->body;
}

// The master at `address` leads and answers calls: its state, with how many
// agents are active.
// What a master's /master/state says is back: active agents, and
// frameworks connected to it.
struct presence {
  uint32_t agents = 0;
  uint32_t frameworks = 0;
};

std::optional<presence> present(const std::string& address) {
  auto body = get_body("http://" + address + "/master/state");
  if (!body)
    return std::nullopt;
  auto state = from_json<schema::state::Master>(*body);
  if (!state)
    return std::nullopt;
  presence p;
  p.agents = (*state)->getActivatedSlaves();
  for (auto f : (*state)->getFrameworks())
    p.frameworks += f.getConnected() ? 1 : 0;
  return p;
}

// A framework that only keeps its subscription: it declines what it is
// offered for an hour, and follows the leader through the driver.
caf::behavior idle_framework(caf::event_based_actor* self) {
  auto id = std::make_shared<std::string>();
  return {
    [=](const scheduler_event& event) {
      auto driver = caf::actor_cast<caf::actor>(self->current_sender());
      scheduler_handlers h;
      h.subscribed = [&](const std::string& framework_id) { *id = framework_id; };
      h.offers = [&](capnp::List<schema::Offer>::Reader offers) {
        std::vector<std::string> ids;
        for (auto o : offers)
          ids.emplace_back(o.getId().getValue().cStr());
        self->send(driver, calls::decline(*id, ids, 3600));
      };
      dispatch(event, h);
    },
  };
}

void bench_failover(const std::string& cairn, size_t agent_count, size_t failovers) {
  auto dir = temp_dir("failover-bench");
  uint16_t base = free_base_port();
  std::vector<std::string> addresses;
  for (int i = 0; i < 3; ++i)
    addresses.push_back(fmt::format("127.0.0.1:{}", base + i));
  std::string masters = fmt::format("{},{},{}", addresses[0], addresses[1], addresses[2]);
  std::vector<master_process> procs(3);
  for (int i = 0; i < 3; ++i) {
    procs[i].args = {cairn, "master", "--ip", "127.0.0.1", "--http-port",
                     std::to_string(base + i), "--masters", masters, "--quorum", "2",
                     "--work-dir", (dir / fmt::format("master-{}", i)).string(),
                     "--logging-level", "WARNING"};
    fs::create_directories(dir / fmt::format("master-{}", i));
    procs[i].pid = spawn_process(procs[i].args, dir / fmt::format("master-{}.log", i));
  }
  auto find_leader = [&](std::optional<size_t> dead, uint32_t want_agents,
                         uint32_t want_frameworks,
                         clock_type::time_point deadline) -> std::optional<size_t> {
    while (clock_type::now() < deadline) {
      for (size_t i = 0; i < 3; ++i) {
        if (dead && *dead == i)
          continue;
        auto p = present(addresses[i]);
        if (p && p->agents >= want_agents && p->frameworks >= want_frameworks)
          return i;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
  };

  // Agents as `cairn agent` runs them (HTTP endpoints, a published actor),
  // so that a new leader can reach out to each; their tasks are simulated.
  system_config cfg;
  caf::actor_system sys{cfg};
  auto total = parse_resources("cpus:4;mem:4096;disk:1000").value();
  auto probe = std::make_shared<testing::usage_probe>();
  std::vector<agent_node> agents;
  auto stop_agents = [&] {
    for (auto& a : agents)
      caf::anon_send_exit(a.agent, caf::exit_reason::user_shutdown);
  };
  for (size_t i = 0; i < agent_count; ++i) {
    agent_options a;
    a.hostname = "127.0.0.1";
    a.total = total;
    a.master_addresses = addresses;
    a.work_dir = (dir / fmt::format("agent-{}", i)).string();
    a.seed = 1000 + i;
    a.make_containerizer = testing::make_sim_containerizer(fmt::format("agent-{}", i), {}, probe);
    auto node = start_agent_node(sys, {"127.0.0.1", "127.0.0.1", 0, 0}, std::move(a),
                                 agent_call_sink{});
    if (!node) {
      fmt::print("failover: agent {} did not start: {}\n", i, error_message(node.error()));
      stop_agents();
      return;
    }
    agents.push_back(std::move(*node));
  }
  // One framework given every master, as `cairn execute --master a,b,c` is.
  driver_options framework;
  framework.framework_info = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder i) {
    i.setName("failover-bench");
    i.setUser("root");
    i.setFailoverTimeout(3600);
  });
  framework.master_addresses = addresses;
  auto first = connect_within<master_actor>(sys, addresses, std::chrono::minutes(1));
  if (!first) {
    fmt::print("failover: no master to subscribe the framework to: {}\n",
               error_message(first.error()));
    stop_agents();
    return;
  }
  auto idle = sys.spawn(idle_framework);
  auto driver = spawn_driver(sys, std::move(framework), caf::actor_cast<scheduler_call_sink>(*first),
                             caf::actor_cast<scheduler_sink>(idle));
  // Every actor of this process ends before its actor system does; one left
  // running kept the bench waiting in the system's destructor for ever.
  auto stop_framework = [&] {
    caf::anon_send_exit(driver, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(idle, caf::exit_reason::user_shutdown);
  };
  auto leader = find_leader(std::nullopt, static_cast<uint32_t>(agent_count), 1,
                            clock_type::now() + std::chrono::minutes(2));
  if (!leader) {
    fmt::print("failover: the {} agents never registered with a leader (logs in {})\n",
               agent_count, dir.string());
    stop_framework();
    stop_agents();
    return;
  }
  std::vector<double> elected_ms, agents_ms;
  for (size_t round = 0; round < failovers; ++round) {
    size_t dead = *leader;
    auto killed_at = clock_type::now();
    kill(procs[dead].pid, SIGKILL);
    waitpid(procs[dead].pid, nullptr, 0);
    auto next = find_leader(dead, 0, 0, killed_at + std::chrono::minutes(1));
    if (!next) {
      fmt::print("failover {}: no new leader within a minute\n", round + 1);
      break;
    }
    double elected = ms_since(killed_at);
    auto back = find_leader(dead, static_cast<uint32_t>(agent_count), 1,
                            killed_at + std::chrono::minutes(2));
    double all_back = ms_since(killed_at);
    fmt::print("failover {}: master {} killed; master {} leads and answers after {:.0f} ms; "
               "{} agents and the framework back after {:.0f} ms{}\n",
               round + 1, dead, *next, elected, agent_count, all_back,
               back ? "" : " (not all came back)");
    elected_ms.push_back(elected);
    agents_ms.push_back(all_back);
    // The dead master comes back from its disk as a standby.
    procs[dead].pid = spawn_process(procs[dead].args, dir / fmt::format("master-{}.log", dead));
    leader = back ? back : next;
    std::this_thread::sleep_for(std::chrono::seconds(3));  // it catches up
  }
  if (!elected_ms.empty())
    fmt::print("failover with {} agents, median of {}: new leader answers after {:.0f} ms, "
               "every agent and the framework back after {:.0f} ms\n",
               agent_count, elected_ms.size(), percentile(elected_ms, 0.5),
               percentile(agents_ms, 0.5));
  stop_framework();
  stop_agents();
  for (auto& p : procs) {
    kill(p.pid, SIGTERM);
    waitpid(p.pid, nullptr, 0);
  }
  fs::remove_all(dir);
}

} // namespace

int main(int argc, char** argv) {
  size_t appends = 2000;
  std::string windows_flag = "1,64";
  size_t agents = 100;
  size_t failovers = 3;
  std::string cairn = default_cairn();
  CLI::App app{"Replicated log appends and master failover, measured"};
  app.add_option("--appends", appends, "Appends per run");
  app.add_option("--windows", windows_flag, "Appends in flight, one run each");
  app.add_option("--agents", agents, "Agents attached during failover");
  app.add_option("--failovers", failovers, "Leaders killed, one after another");
  app.add_option("--cairn", cairn, "The cairn binary");
  CLI11_PARSE(app, argc, argv);
  setup_logging("ERROR");
  std::vector<size_t> windows;
  for (auto& w : split_addresses(windows_flag))
    windows.push_back(std::stoul(w));
  if (appends > 0) {  // 0: failover only
    bench_appends(appends, windows, true);
    bench_appends(appends, windows, false);
  }
  if (agents > 0 && failovers > 0)
    bench_failover(cairn, agents, failovers);
  return 0;
}
