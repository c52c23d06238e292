// Containers with cgroups, measured: the mesos containerizer actor (as an
// agent runs it, through its verbs) launches N `sleep 1000` containers with
// cgroups/cpu,cgroups/mem and the linux launcher, then destroys them all.
// Printed are the time until every launch has answered and the time from the
// first destroy until every container's waiter has heard it is gone
// (processes killed, cgroups removed). Asserts nothing. Needs root and
// cgroups; the containers' cgroups go under a root of this run alone.
//
//   container_bench [--containers 1000]
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/agent/mesos_containerizer.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"

using namespace cairn;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

using Config = schema::containerizer::ContainerConfig;

struct figures {
  double launch_s = 0;
  double destroy_s = 0;
  int failed = 0;
};

container_config sleep_container(const std::string& id, const std::string& sandbox,
                                 const resources& res) {
  return make_wire<Config>([&](Config::Builder c) {
    c.setContainerId(id);
    c.setFrameworkId("bench");
    c.setExecutorId(id);
    c.setDirectory(sandbox);
    auto command = c.initCommand();
    command.setShell(false);
    command.setValue("/bin/sleep");
    auto args = command.initArguments(2);
    args.set(0, "sleep");
    args.set(1, "1000");
    set_resources(c, res);
  });
}

struct bench_state {
  int launched = 0;
  int ended = 0;
  clock_type::time_point start;
  figures result;
};

// Launches every container at once, then destroys every one once all have
// answered, timing both phases.
caf::behavior driver(caf::stateful_actor<bench_state>* self, containerizer_actor containers,
                     std::vector<container_config> configs, std::promise<figures>* done) {
  auto ids = std::make_shared<std::vector<std::string>>();
  for (auto& c : configs)
    ids->push_back((*c).getContainerId());
  auto total = static_cast<int>(configs.size());
  auto destroy_all = [=] {
    auto& st = self->state;
    st.result.launch_s = std::chrono::duration<double>(clock_type::now() - st.start).count();
    st.start = clock_type::now();
    auto ended = [=] {
      if (++self->state.ended < total)
        return;
      self->state.result.destroy_s =
        std::chrono::duration<double>(clock_type::now() - self->state.start).count();
      done->set_value(self->state.result);
      self->quit();
    };
    for (auto& id : *ids) {
      self->request(containers, caf::infinite, container_wait_atom::value, id)
        .then([=](const container_termination&) { ended(); },
              [=](const caf::error& err) {
                fmt::print(stderr, "wait {}: {}\n", id, error_message(err));
                ended();
              });
      self->send(containers, container_destroy_atom::value, id);
    }
  };
  self->state.start = clock_type::now();
  for (auto& c : configs) {
    self->request(containers, caf::infinite, container_launch_atom::value, c)
      .then(
        [=](int64_t) {
          if (++self->state.launched == total)
            destroy_all();
        },
        [=](const caf::error& err) {
          fmt::print(stderr, "launch: {}\n", error_message(err));
          ++self->state.result.failed;
          if (++self->state.launched == total)
            destroy_all();
        });
  }
  return {[](bool) {}};
}

} // namespace

int main(int argc, char** argv) {
  int containers = 1000;
  CLI::App app{"Launches and destroys containers with cgroups through the mesos containerizer"};
  app.add_option("--containers", containers, "How many `sleep 1000` containers");
  CLI11_PARSE(app, argc, argv);
  if (containers < 1)
    return fmt::print(stderr, "--containers must be at least 1\n"), 2;
  setup_logging("WARNING");
  isolation_flags flags;
  flags.isolation = "cgroups/cpu,cgroups/mem";
  flags.launcher = "linux";
  flags.cgroups.root = fmt::format("cairn-bench-{}", getpid());
  auto plugins = make_plugins(flags);
  if (!plugins)
    return fmt::print(stderr, "container_bench: {}\n", error_message(plugins.error())), 1;
  char tmpl[] = "/tmp/cairn-container-bench-XXXXXX";
  std::string work_dir = mkdtemp(tmpl);
  auto res = parse_resources("cpus:0.1;mem:32").value();
  std::vector<container_config> configs;
  for (int i = 0; i < containers; ++i) {
    auto id = fmt::format("bench-{}", i);
    auto sandbox = work_dir + "/" + id;
    mkdir(sandbox.c_str(), 0755);
    configs.push_back(sleep_container(id, sandbox, res));
  }
  figures result;
  {
    system_config cfg{false};
    caf::actor_system sys{cfg};
    auto containerizer = spawn_mesos_containerizer(sys, {}, *plugins);
    std::promise<figures> done;
    auto future = done.get_future();
    sys.spawn(driver, containerizer, std::move(configs), &done);
    result = future.get();
    caf::anon_send_exit(containerizer, caf::exit_reason::user_shutdown);
  }
  // The containers' cgroups are gone; the root made for them goes too.
  for (const char* subsystem : {"cpu", "cpuacct", "memory", "freezer"})
    rmdir(fmt::format("/sys/fs/cgroup/{}/{}", subsystem, flags.cgroups.root).c_str());
  fs::remove_all(work_dir);
  fmt::print("{} containers (sleep 1000; cgroups/cpu,cgroups/mem, linux launcher)\n",
             containers);
  fmt::print("launch:  {:.2f} s ({:.2f} ms each){}\n", result.launch_s,
             1000 * result.launch_s / containers,
             result.failed ? fmt::format(", {} failed", result.failed) : std::string());
  fmt::print("destroy: {:.2f} s ({:.2f} ms each)\n", result.destroy_s,
             1000 * result.destroy_s / containers);
  return 0;
}
