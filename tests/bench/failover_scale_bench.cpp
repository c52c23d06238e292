// Master failover at scale, measured. Asserts nothing.
//
// Three `cairn master` processes (--masters, --quorum 2); in this process,
// `--agents` agent actors with simulated executors that find the leader by
// HTTP as `cairn agent --master a,b,c` does, and one framework (given every
// master) that launches `--tasks` long tasks across them. The leading master
// is killed with SIGKILL; printed are the times until a surviving master
// leads, until every agent has re-registered with it, until its state is
// complete (every task known, running) and until the framework is back.
//
// All agents share this process's one connection per master (CAF's
// middleman multiplexes every actor of a process over it), so the masters'
// sockets are not measured: in a real cluster each agent is a process with a
// connection of its own. So that 10,000 agents fit in one process on a small
// machine, they share `--connectors` connectors (threads) to find the master
// (in `cairn agent` each has its own) and run no sandbox GC (a thread each).
//
// Each master's peak resident memory (VmHWM) is printed before it is
// killed or stopped, and this process's at the end.
//
//   failover_scale_bench [--agents 10000] [--tasks 100000] [--failovers 1]
//                        [--connectors 16] [--cairn PATH] [--keep-logs]
//                        [--election-timeout D] [--heartbeat-interval D]
//                        [--master-logging-level L] [--logging-level L]
//                        [--registration-backoff D]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/agent/agent.hpp"
#include "actors/master/master.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/task_state.hpp"
#include "runtime/connector.hpp"
#include "runtime/duration.hpp"
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

// What a master's /metrics/snapshot says: cheap next to /master/state with
// 100,000 tasks, and answered by standbys too (elected 0).
struct counters {
  bool elected = false;
  double agents = 0;
  double tasks_running = 0;
  double frameworks = 0;
};

double read_counter(const std::string& body, const std::string& key) {
  auto at = body.find("\"" + key + "\":");
  if (at == std::string::npos)
    return 0;
  return std::strtod(body.c_str() + at + key.size() + 3, nullptr);
}

std::optional<counters> read_counters(const std::string& address) {
  auto r = http_get("http://" + address + "/metrics/snapshot", std::chrono::milliseconds(2000));
  if (!r || r->status != 200)
    return std::nullopt;
  counters c;
  c.elected = read_counter(r->body, "master/elected") > 0;
  c.agents = read_counter(r->body, "master/slaves_active");
  c.tasks_running = read_counter(r->body, "master/tasks_running");
  c.frameworks = read_counter(r->body, "master/frameworks_connected");
  return c;
}

// Keeps `total` long tasks running, at most `per_agent` launched on an
// offer: a task that ends (lost or dropped while masters change hands during
// the setup) is launched again under a new id. With all running it declines
// offers for an hour; an ended task revives them. A launch the master took
// but lost with its leadership is heard of by nobody: as a Mesos framework
// does, it asks the master every few seconds about the tasks not yet seen
// running (explicit reconciliation), and the master answers TASK_LOST for
// those its agent does not have.
using reconcile_tick_atom = caf::atom_constant<caf::atom("rectick")>;
constexpr auto reconcile_interval = std::chrono::seconds(5);
constexpr size_t reconcile_batch = 1000;  // tasks in one call

struct launcher_state {
  static inline const char* name = "scale-framework";
  size_t total = 0;
  size_t per_agent = 0;
  size_t next = 0;  // ids given
  // Launched and not ended: task id -> (agent id, seen running).
  std::map<std::string, std::pair<std::string, bool>> active;
  std::string framework_id;
  caf::actor driver;
  resources task_res = parse_resources("cpus:0.1;mem:16").value();
};

void reconcile_pending(caf::stateful_actor<launcher_state>* self) {
  auto& st = self->state;
  self->delayed_send(self, reconcile_interval, reconcile_tick_atom::value);
  if (!st.driver || st.framework_id.empty())
    return;
  std::vector<std::pair<std::string, std::string>> pending;
  for (const auto& [id, task] : st.active) {
    if (task.second)
      continue;
    pending.emplace_back(id, task.first);
    if (pending.size() == reconcile_batch) {
      self->send(st.driver, calls::reconcile(st.framework_id, pending));
      pending.clear();
    }
  }
  if (!pending.empty())
    self->send(st.driver, calls::reconcile(st.framework_id, pending));
}

caf::behavior launcher(caf::stateful_actor<launcher_state>* self, size_t total, size_t per_agent) {
  self->state.total = total;
  self->state.per_agent = per_agent;
  self->delayed_send(self, reconcile_interval, reconcile_tick_atom::value);
  return {[=](const scheduler_event& event) {
            auto& st = self->state;
            st.driver = caf::actor_cast<caf::actor>(self->current_sender());
            auto driver = st.driver;
            scheduler_handlers h;
            h.subscribed = [&](const std::string& id) { st.framework_id = id; };
            h.offers = [&](auto offers) {
              for (auto offer : offers) {
                auto left = read_resources(offer.getResources()).value().unallocated();
                std::string agent_id = offer.getAgentId().getValue();
                std::vector<task_spec> tasks;
                while (st.active.size() < st.total && tasks.size() < st.per_agent
                       && left.contains(st.task_res)) {
                  task_spec t;
                  t.id = "t" + std::to_string(st.next++);
                  t.shell_command = "sleep 86400";
                  t.res = st.task_res;
                  left -= t.res;
                  st.active[t.id] = {agent_id, false};
                  tasks.push_back(std::move(t));
                }
                if (tasks.empty())
                  self->send(driver,
                             calls::decline(st.framework_id, {offer.getId().getValue()}, 3600));
                else
                  self->send(driver, calls::launch(st.framework_id, {offer.getId().getValue()},
                                                   tasks, 3600));
              }
            };
            h.update = [&](schema::TaskStatus::Reader s) {
              auto task = st.active.find(s.getTaskId().getValue());
              if (task == st.active.end())
                return;
              if (!is_terminal(s.getState())) {
                task->second.second = s.getState() == schema::TaskState::TASK_RUNNING;
                return;
              }
              st.active.erase(task);
              self->send(driver, calls::revive(st.framework_id));
            };
            dispatch(event, h);
          },
          [=](reconcile_tick_atom) { reconcile_pending(self); }};
}

void raise_descriptor_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

struct bench_flags {
  size_t agents = 10'000;
  size_t tasks = 100'000;
  size_t failovers = 1;
  size_t connectors = 16;
  std::string cairn;
  std::string master_logging_level = "WARNING";
  std::string logging_level = "ERROR";  // this process's: its agents, connectors, framework
  // Given to the masters when set; else they use their defaults.
  std::string election_timeout;
  std::string heartbeat_interval;
  bool keep_logs = false;
  std::string registration_backoff = "1secs";  // the agents' first wait to register again
};

// A process's peak resident memory in MiB (its VmHWM), or -1 when unknown.
double peak_rss_mib(pid_t pid) {
  FILE* f = std::fopen(fmt::format("/proc/{}/status", pid).c_str(), "r");
  if (f == nullptr)
    return -1;
  char line[256];
  double kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1)
      break;
  std::fclose(f);
  return kib < 0 ? -1 : kib / 1024;
}

void print_peak_rss(size_t index, pid_t pid) {
  fmt::print("master {} (pid {}): peak RSS {:.0f} MiB\n", index, pid, peak_rss_mib(pid));
}

// How often the masters are asked. A leader's /metrics/snapshot walks every
// agent and task (O(agents + tasks) on the master actor's one thread): asked
// every 20 ms at 10,000 agents and 100,000 tasks, it took a large share of
// the leader's time away from the registrations it was measured on. Only
// the wait for the new leader (asked of standbys, which answer at once) is
// fine-grained; the milestones after it are read within 100 ms.
constexpr auto setup_poll = std::chrono::milliseconds(500);
constexpr auto election_poll = std::chrono::milliseconds(20);
constexpr auto milestone_poll = std::chrono::milliseconds(100);

// Polls the masters but `dead` every `every` until `done` holds for one of
// them; its index.
template <class Done>
std::optional<size_t> wait_for(const std::vector<std::string>& addresses, std::optional<size_t> dead,
                               clock_type::time_point deadline, clock_type::duration every,
                               Done done) {
  while (clock_type::now() < deadline) {
    for (size_t i = 0; i < addresses.size(); ++i) {
      if (dead && *dead == i)
        continue;
      auto c = read_counters(addresses[i]);
      if (c && c->elected && done(*c))
        return i;
    }
    std::this_thread::sleep_for(every);
  }
  return std::nullopt;
}

int run(const bench_flags& f) {
  auto dir = fs::temp_directory_path() / fmt::format("cairn-scale-bench-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  uint16_t base = free_base_port();
  std::vector<std::string> addresses;
  for (int i = 0; i < 3; ++i)
    addresses.push_back(fmt::format("127.0.0.1:{}", base + i));
  std::string masters = fmt::format("{},{},{}", addresses[0], addresses[1], addresses[2]);
  std::vector<std::vector<std::string>> args(3);
  std::vector<pid_t> pids(3);
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(dir / fmt::format("master-{}", i));
    args[i] = {f.cairn, "master", "--ip", "127.0.0.1", "--http-port", std::to_string(base + i),
               "--masters", masters, "--quorum", "2",
               "--work-dir", (dir / fmt::format("master-{}", i)).string(),
               "--logging-level", f.master_logging_level};
    if (!f.election_timeout.empty())
      args[i].insert(args[i].end(), {"--election-timeout", f.election_timeout});
    if (!f.heartbeat_interval.empty())
      args[i].insert(args[i].end(), {"--heartbeat-interval", f.heartbeat_interval});
    pids[i] = spawn_process(args[i], dir / fmt::format("master-{}.log", i));
  }
  // A master that does not end on SIGTERM is killed after a while and
  // named: the figures are printed already, and waiting for it would hang.
  auto stop_masters = [&] {
    for (size_t i = 0; i < pids.size(); ++i)
      print_peak_rss(i, pids[i]);
    std::fflush(stdout);
    for (size_t i = 0; i < pids.size(); ++i)
      if (!stop_process(pids[i], std::chrono::seconds(30)))
        fmt::print("master {} (pid {}) did not stop within 30 s of SIGTERM: killed\n", i,
                   pids[i]);
  };

  system_config cfg;
  // The masters under test share the machine with this process: its idle
  // workers sleep instead of stealing work in a loop (a fifth of this
  // process's time went to that at 10,000 agents, taken from the masters).
  cfg.sleep_when_idle(2);
  caf::actor_system sys{cfg};
  auto total = parse_resources("cpus:4;mem:4096;disk:1000").value();
  std::vector<caf::actor> connectors;
  for (size_t i = 0; i < f.connectors; ++i) {
    connector_options c;
    c.addresses = addresses;
    c.connect = connect_as<agent_call_sink>();
    c.seed = 77 + i;
    connectors.push_back(spawn_connector(sys, std::move(c)));
  }
  auto started = clock_type::now();
  auto agents = testing::start_sim_agents(sys, f.agents, total, addresses, "cairn-scale-agents",
                                         connectors, *parse_duration(f.registration_backoff));
  if (agents.agents.empty()) {
    fmt::print("no HTTP server for the agents' addresses\n");
    stop_masters();
    return 1;
  }
  auto first = connect_within<master_actor>(sys, addresses, std::chrono::minutes(1));
  if (!first) {
    fmt::print("no master to subscribe the framework to: {}\n", error_message(first.error()));
    stop_masters();
    agents.stop();
    return 1;
  }
  size_t per_agent = (f.tasks + f.agents - 1) / f.agents;
  driver_options framework;
  framework.framework_info = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder i) {
    i.setName("failover-scale-bench");
    i.setUser("root");
    i.setFailoverTimeout(3600);
  });
  framework.master_addresses = addresses;
  spawn_driver(sys, std::move(framework), caf::actor_cast<scheduler_call_sink>(*first),
               caf::actor_cast<scheduler_sink>(sys.spawn(launcher, f.tasks, per_agent)));
  auto complete = [&](const counters& c) {
    return c.agents >= static_cast<double>(f.agents)
           && c.tasks_running >= static_cast<double>(f.tasks) && c.frameworks >= 1;
  };
  auto leader = wait_for(addresses, std::nullopt, clock_type::now() + std::chrono::minutes(20),
                         setup_poll,
                         complete);
  if (!leader) {
    fmt::print("the {} agents and {} tasks never all ran (logs in {})\n", f.agents, f.tasks,
               dir.string());
    stop_masters();
    agents.stop();
    return 1;
  }
  fmt::print("{} agents registered and {} tasks running after {:.1f} s\n", f.agents, f.tasks,
             ms_since(started) / 1000);
  std::fflush(stdout);
  std::vector<double> elected_ms, agents_ms, state_ms, framework_ms;
  for (size_t round = 0; round < f.failovers; ++round) {
    size_t dead = *leader;
    print_peak_rss(dead, pids[dead]);
    auto killed_at = clock_type::now();
    kill(pids[dead], SIGKILL);
    waitpid(pids[dead], nullptr, 0);
    auto deadline = killed_at + std::chrono::minutes(10);
    auto next = wait_for(addresses, dead, deadline, election_poll,
                         [](const counters&) { return true; });
    if (!next) {
      fmt::print("failover {}: no new leader within ten minutes\n", round + 1);
      break;
    }
    double elected = ms_since(killed_at);
    // Each milestone is read from the new leader, in the order they come.
    std::optional<double> agents_back, state_back, framework_back;
    while (clock_type::now() < deadline && !(agents_back && state_back && framework_back)) {
      auto c = read_counters(addresses[*next]);
      if (c && c->elected) {
        double now = ms_since(killed_at);
        if (!agents_back && c->agents >= static_cast<double>(f.agents))
          agents_back = now;
        if (!state_back && c->tasks_running >= static_cast<double>(f.tasks))
          state_back = now;
        if (!framework_back && c->frameworks >= 1)
          framework_back = now;
      }
      std::this_thread::sleep_for(milestone_poll);
    }
    auto shown = [](const std::optional<double>& ms) {
      return ms ? fmt::format("{:.0f} ms", *ms) : std::string("never");
    };
    fmt::print("failover {}: master {} killed; master {} leads after {:.0f} ms; every agent "
               "re-registered after {}; all {} tasks known after {}; the framework back after "
               "{}\n",
               round + 1, dead, *next, elected, shown(agents_back), f.tasks, shown(state_back),
               shown(framework_back));
    std::fflush(stdout);
    if (!(agents_back && state_back && framework_back))
      break;
    elected_ms.push_back(elected);
    agents_ms.push_back(*agents_back);
    state_ms.push_back(*state_back);
    framework_ms.push_back(*framework_back);
    pids[dead] = spawn_process(args[dead], dir / fmt::format("master-{}.log", dead));
    leader = next;
    if (round + 1 < f.failovers)
      std::this_thread::sleep_for(std::chrono::seconds(5));  // it catches up as a standby
  }
  if (!elected_ms.empty())
    fmt::print("failover with {} agents and {} tasks, median of {}: new leader after {:.0f} ms, "
               "every agent re-registered after {:.0f} ms, state complete after {:.0f} ms, "
               "framework back after {:.0f} ms\n",
               f.agents, f.tasks, elected_ms.size(), median(elected_ms), median(agents_ms),
               median(state_ms), median(framework_ms));
  agents.stop();
  stop_masters();
  fmt::print("this process: peak RSS {:.0f} MiB\n", peak_rss_mib(getpid()));
  if (f.keep_logs)
    fmt::print("masters' logs and work dirs kept in {}\n", dir.string());
  else
    fs::remove_all(dir);
  // The agents' connectors may sit in a blocking lookup; nothing is left to wait for.
  std::fflush(stdout);
  _exit(0);
}

} // namespace

int main(int argc, char** argv) {
  bench_flags f;
  f.cairn = default_cairn();
  CLI::App app{"Master failover with many agents and tasks, measured"};
  app.add_option("--agents", f.agents, "Agents (actors in this process)");
  app.add_option("--tasks", f.tasks, "Tasks launched across them");
  app.add_option("--failovers", f.failovers, "Leaders killed, one after another");
  app.add_option("--connectors", f.connectors, "Connectors (threads) the agents share");
  app.add_option("--cairn", f.cairn, "The cairn binary");
  app.add_option("--master-logging-level", f.master_logging_level, "The masters' --logging-level");
  app.add_option("--logging-level", f.logging_level,
                 "This process's logging level (its agents, connectors and framework)");
  app.add_option("--election-timeout", f.election_timeout,
                 "The masters' --election-timeout (their default when not given)");
  app.add_option("--heartbeat-interval", f.heartbeat_interval,
                 "The masters' --heartbeat-interval (their default when not given)");
  app.add_option("--registration-backoff", f.registration_backoff,
                 "The agents' first wait before they register again unanswered (doubling)");
  app.add_flag("--keep-logs", f.keep_logs, "Keep the masters' logs and work dirs");
  CLI11_PARSE(app, argc, argv);
  if (auto backoff = parse_duration(f.registration_backoff); !backoff || backoff->count() <= 0) {
    fmt::print(stderr, "--registration-backoff: not a positive duration: {}\n",
               f.registration_backoff);
    return 2;
  }
  if (f.agents == 0 || f.tasks == 0 || f.connectors == 0) {
    fmt::print(stderr, "--agents, --tasks and --connectors must be positive\n");
    return 2;
  }
  setup_logging(f.logging_level);
  raise_descriptor_limit();
  return run(f);
}
