// The scheduling loop at scale: a master in this process; 100 agents with
// simulated executors and one framework in a child process, connected over
// loopback as separate nodes would be. Prints how fast tasks launch and how
// much memory the master holds per running task. Asserts nothing.
//
//   cluster_bench [--tasks N] [--agents N] [--allocation-interval 1secs]
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/agent/agent.hpp"
#include "actors/master/master.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "runtime/flags.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "tests/support/sim_containerizer.hpp"

using namespace cairn;
using clock_type = std::chrono::steady_clock;

namespace {

struct bench_flags {
  size_t tasks = 10000;
  size_t agents = 100;
  duration allocation_interval = std::chrono::seconds(1);
};

size_t heap_in_use() {
  return mallinfo2().uordblks;
}

long rss_kb() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return r.ru_maxrss;
}

// Launches `total` long tasks as offers allow; tells `report` how long it took
// until the last one was running.
struct launcher_state {
  static inline const char* name = "bench-framework";
  size_t total = 0;
  size_t next = 0;
  size_t running = 0;
  std::string framework_id;
  resources task_res = parse_resources("cpus:0.1;mem:16").value();
  clock_type::time_point subscribed_at;
  int report_fd = -1;
};

caf::behavior launcher(caf::stateful_actor<launcher_state>* self, size_t total, int report_fd) {
  self->state.total = total;
  self->state.report_fd = report_fd;
  return {[=](const scheduler_event& event) {
    auto& st = self->state;
    auto driver = caf::actor_cast<caf::actor>(self->current_sender());
    scheduler_handlers h;
    h.subscribed = [&](const std::string& id) {
      st.framework_id = id;
      st.subscribed_at = clock_type::now();
    };
    h.offers = [&](auto offers) {
      for (auto offer : offers) {
        auto left = read_resources(offer.getResources()).value().unallocated();
        std::vector<task_spec> tasks;
        while (st.next < st.total && left.contains(st.task_res)) {
          task_spec t;
          t.id = "t" + std::to_string(st.next++);
          t.shell_command = "sleep 3600";
          t.res = st.task_res;
          left -= t.res;
          tasks.push_back(std::move(t));
        }
        if (tasks.empty())
          self->send(driver, calls::decline(st.framework_id, {offer.getId().getValue()}, 0));
        else
          self->send(driver, calls::launch(st.framework_id, {offer.getId().getValue()}, tasks, 0));
      }
    };
    h.update = [&](schema::TaskStatus::Reader s) {
      if (s.getState() != schema::TaskState::TASK_RUNNING || ++st.running != st.total)
        return;
      double seconds = std::chrono::duration<double>(clock_type::now() - st.subscribed_at).count();
      dprintf(st.report_fd, "%f\n", seconds);
    };
    dispatch(event, h);
  }};
}

// The child: agents and the framework, against the parent's master.
int run_agents(const bench_flags& f, int port_fd, int report_fd) {
  uint16_t port = 0;
  if (read(port_fd, &port, sizeof(port)) != sizeof(port))
    return 1;
  system_config cfg;
  caf::actor_system sys{cfg};
  auto master = sys.middleman().remote_actor<master_actor>("127.0.0.1", port);
  if (!master)
    return 1;
  auto probe = std::make_shared<testing::usage_probe>();
  auto total = parse_resources("cpus:64;mem:65536;disk:100000").value();
  std::vector<agent_actor> agents;
  for (size_t i = 0; i < f.agents; ++i) {
    agent_options a;
    a.hostname = "agent-" + std::to_string(i);
    a.total = total;
    a.actor_endpoint = "in-process";
    a.seed = i + 1;
    testing::sim_options sim;
    sim.min_task_time = sim.max_task_time = std::chrono::hours(1);
    auto name = a.hostname;
    probe->set_total(name, total);
    a.make_containerizer = testing::make_sim_containerizer(name, sim, probe);
    agents.push_back(spawn_agent(sys, std::move(a), caf::actor_cast<agent_call_sink>(*master)));
  }
  auto framework = sys.spawn(launcher, f.tasks, report_fd);
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder i) {
    i.setName("bench");
    i.setUser("root");
  });
  spawn_driver(sys, std::move(options), caf::actor_cast<scheduler_call_sink>(*master),
               caf::actor_cast<scheduler_sink>(framework));
  char stop = 0;
  (void) !read(port_fd, &stop, 1); // the parent closes the pipe when it is done
  for (auto& a : agents)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(framework, caf::exit_reason::user_shutdown);
  _exit(0); // do not wait for a hundred sim executors to wind down
}

} // namespace

int main(int argc, char** argv) {
  bench_flags f;
  CLI::App app{"cluster benchmark"};
  app.add_option("--tasks", f.tasks, "Tasks to launch");
  app.add_option("--agents", f.agents, "Agents");
  add_duration_flag(app, "allocation-interval", f.allocation_interval, "Batch allocation interval");
  CLI11_PARSE(app, argc, argv);
  setup_logging("ERROR");
  int port_pipe[2];
  int report_pipe[2];
  if (pipe(port_pipe) != 0 || pipe(report_pipe) != 0)
    return 1;
  pid_t child = fork(); // before any thread exists
  if (child == 0) {
    close(port_pipe[1]);
    close(report_pipe[0]);
    return run_agents(f, port_pipe[0], report_pipe[1]);
  }
  close(port_pipe[0]);
  close(report_pipe[1]);
  size_t heap_before = heap_in_use();
  long rss_before = rss_kb();
  {
    system_config cfg;
    caf::actor_system sys{cfg};
    master_options m;
    m.allocation_interval = f.allocation_interval;
    auto master = spawn_master(sys, m);
    auto port = sys.middleman().publish(master, 0, "127.0.0.1");
    if (!port)
      return 1;
    uint16_t p = *port;
    (void) !write(port_pipe[1], &p, sizeof(p));
    size_t heap_idle = heap_in_use();
    FILE* report = fdopen(report_pipe[0], "r");
    double seconds = 0;
    if (fscanf(report, "%lf", &seconds) != 1)
      return 1;
    // The master has every task running now; ask for its state once so that
    // its books are settled, then measure.
    caf::scoped_actor self{sys};
    size_t state_bytes = 0;
    self->request(master, std::chrono::minutes(1), state_atom::value)
      .receive([&](const master_snapshot& s) { state_bytes = s.storage()->size_in_words() * 8; },
               [](caf::error&) {});
    size_t heap_loaded = heap_in_use();
    std::printf("cluster_bench: %zu tasks on %zu agents, allocation interval %s\n", f.tasks,
                f.agents, format_duration(f.allocation_interval).c_str());
    std::printf("  launched and running in %.2f s: %.0f tasks/s\n", seconds,
                static_cast<double>(f.tasks) / seconds);
    std::printf("  master heap: %zu KiB idle, %zu KiB with the tasks: %.0f bytes per task\n",
                (heap_idle - heap_before) / 1024, (heap_loaded - heap_before) / 1024,
                static_cast<double>(heap_loaded - heap_idle) / static_cast<double>(f.tasks));
    std::printf("  master process peak RSS: %ld MiB (%ld MiB at start)\n", rss_kb() / 1024,
                rss_before / 1024);
    std::printf("  /master/state document: %zu KiB\n", state_bytes / 1024);
    close(port_pipe[1]);
    caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
  }
  waitpid(child, nullptr, 0);
  return 0;
}
