// The cgroups isolators and the linux launcher on this machine's real cgroups
// (root, v1): a container's process is in its cgroups, a `setsid` double
// fork dies with it and its cgroups go, memory past the limit is OOM-killed
// and reported, pids.max holds. Each run uses a --cgroups_root of its own.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/agent/isolators/cgroup_mounts.hpp"
#include "actors/agent/isolators/cgroup_tree.hpp"
#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/isolator_factory.hpp"
#include "runtime/errors.hpp"
#include "runtime/process.hpp"

using namespace cairn;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void pause_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// A process that is gone or a zombie no longer runs.
bool running(pid_t pid) {
  auto stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

struct real_cgroups {
  cgroups_options options;
  cgroups_host host;
  cgroup_layout layout;
  std::vector<std::unique_ptr<isolator>> isolators;
  std::unique_ptr<launcher> launch;

  explicit real_cgroups(std::optional<uint64_t> pids_max = std::nullopt) {
    options.root = "cairn-test-" + std::to_string(getpid());
    options.pids_max = pids_max;
    auto h = real_cgroups_host();
    REQUIRE(h);
    host = std::move(*h);
    auto l = detect_cgroups(host.mountinfo, options.hierarchy);
    REQUIRE(l);
    layout = *l;
    auto made = make_isolators("cgroups/cpu,cgroups/mem,cgroups/pids", options, host);
    REQUIRE_MESSAGE(made, (made ? "" : error_message(made.error())));
    isolators = std::move(*made);
    auto ln = make_launcher("linux", options, host);
    REQUIRE_MESSAGE(ln, (ln ? "" : error_message(ln.error())));
    launch = std::move(*ln);
  }

  // Whatever a failed test left: killed and removed, so no run leaks cgroups.
  ~real_cgroups() {
    for (const auto& [subsystem, mount] : layout.mounts) {
      auto top = mount + "/" + options.root;
      if (!host.fs->exists(top))
        continue;
      for (int i = 0; i < 100 && host.fs->exists(top); ++i) {
        kill_cgroup_tree(*host.fs, host.send, top);
        if (!remove_cgroup_tree(*host.fs, top))
          break;
        pause_ms(10);
      }
    }
  }

  pid_t start(const std::string& container, const container_limits& limits,
              const std::string& shell) {
    launch_plan plan;
    plan.argv = {"/bin/sh", "-c", shell};
    plan.env = {"PATH=/usr/bin:/bin"};
    for (auto& i : isolators)
      REQUIRE_FALSE(i->prepare(container, limits, plan));
    REQUIRE_FALSE(launch->prepare(container, plan));
    auto pid = spawn_contained(plan);
    REQUIRE_MESSAGE(pid, (pid ? "" : error_message(pid.error())));
    for (auto& i : isolators)
      REQUIRE_FALSE(i->isolate(container, *pid));
    return *pid;
  }

  std::string cgroup(const std::string& subsystem, const std::string& container) const {
    return layout.mounts.at(subsystem) + "/" + options.root + "/" + container;
  }

  // Polls destroy as the containerizer would, reaping the first process.
  void destroy(const std::string& container, pid_t pid) {
    bool done = false;
    for (int i = 0; i < 500 && !done; ++i) {
      try_reap(pid);
      auto d = launch->destroy(container, pid);
      REQUIRE(d);
      done = *d;
      if (!done)
        pause_ms(10);
    }
    REQUIRE(done);
    try_reap(pid);
    for (auto& i : isolators)
      REQUIRE_FALSE(i->cleanup(container));
  }
};

container_limits limits(double cpus, double mem_mb) {
  container_limits l;
  l.cpus = cpus;
  l.mem_mb = mem_mb;
  return l;
}

bool real_v1_root() {
  if (geteuid() != 0)
    return false;
  auto mountinfo = read_mountinfo();
  auto layout = mountinfo ? detect_cgroups(*mountinfo, "/sys/fs/cgroup") : cgroup_layout{};
  return layout && layout->version == 1;
}

} // namespace

TEST_CASE("a container's process is in its cpu, memory and freezer cgroups with its limits") {
  REQUIRE_MESSAGE(real_v1_root(), "needs root and cgroups v1, as this machine has");
  real_cgroups c;
  auto pid = c.start("c1", limits(0.5, 16), "sleep 1000");
  auto membership = slurp("/proc/" + std::to_string(pid) + "/cgroup");
  auto where = ":/" + c.options.root + "/c1\n";
  CHECK(membership.find(":memory" + where) != std::string::npos);
  CHECK(membership.find(":cpu" + where) != std::string::npos);
  CHECK(membership.find(":freezer" + where) != std::string::npos);
  CHECK(membership.find(":pids" + where) != std::string::npos);
  CHECK(slurp(c.cgroup("cpu", "c1") + "/cpu.shares") == "512\n");
  CHECK(slurp(c.cgroup("cpu", "c1") + "/cpu.cfs_quota_us") == "-1\n");
  CHECK(slurp(c.cgroup("memory", "c1") + "/memory.limit_in_bytes") == "33554432\n");
  c.destroy("c1", pid);
  for (auto s : {"cpu", "cpuacct", "memory", "pids", "freezer"})
    CHECK_FALSE(c.host.fs->exists(c.cgroup(s, "c1")));
}

TEST_CASE("destroy kills a setsid double fork that left the session, and the cgroups go") {
  REQUIRE_MESSAGE(real_v1_root(), "needs root and cgroups v1, as this machine has");
  real_cgroups c;
  auto pid = c.start("c2", limits(0.1, 32), "setsid sh -c 'sleep 1000 &' ; sleep 1000");
  auto freezer = c.cgroup("freezer", "c2");
  std::vector<pid_t> seen;
  for (int i = 0; i < 300 && seen.size() < 3; ++i) {
    pause_ms(10);
    seen = cgroup_pids(*c.host.fs, freezer);
  }
  REQUIRE(seen.size() >= 3);  // sh, its sleep, and the escaped sleep
  bool escaped = false;
  for (auto p : seen)
    escaped = escaped || getsid(p) != pid;
  CHECK(escaped);
  c.destroy("c2", pid);
  for (auto p : seen)
    CHECK_FALSE(running(p));
  CHECK_FALSE(c.host.fs->exists(freezer));
  CHECK_FALSE(c.host.fs->exists(c.cgroup("memory", "c2")));
}

TEST_CASE("a container with mem 32 allocating 100 MB is OOM-killed and watch reports it") {
  REQUIRE_MESSAGE(real_v1_root(), "needs root and cgroups v1, as this machine has");
  real_cgroups c;
  auto pid = c.start("c3", limits(0.1, 32), "exec /usr/bin/python3 -c 'x = bytearray(100 << 20)'");
  auto status = wait_for_exit(pid);
  CHECK(WIFSIGNALED(status));
  std::optional<limitation> hit;
  for (auto& i : c.isolators)
    if (!hit)
      hit = i->watch("c3");
  REQUIRE(hit);
  CHECK(hit->reason == schema::TaskStatus::Reason::CONTAINER_LIMITATION_MEMORY);
  CHECK(hit->message.rfind("Memory limit exceeded: Requested: 32MB Maximum Used: ", 0) == 0);
  for (auto& i : c.isolators)
    CHECK_FALSE(i->watch("c3"));
  c.destroy("c3", pid);
}

TEST_CASE("with --cgroups_pids_max=20 a loop of forks never has more than 20 processes") {
  REQUIRE_MESSAGE(real_v1_root(), "needs root and cgroups v1, as this machine has");
  real_cgroups c(20);
  auto pid = c.start("c4", limits(0.1, 64),
                     "i=0; while [ $i -lt 100 ]; do sleep 1000 & i=$((i+1)); done; sleep 1000");
  auto pids = c.cgroup("pids", "c4");
  CHECK(slurp(pids + "/pids.max") == "20\n");
  uint64_t refused = 0;
  for (int i = 0; i < 500 && refused == 0; ++i) {
    pause_ms(10);
    CHECK(*parse_value(slurp(pids + "/pids.current")) <= 20);
    refused = parse_keyed(slurp(pids + "/pids.events"))["max"];
  }
  CHECK(refused > 0);
  CHECK(count_lines(slurp(pids + "/cgroup.procs")) <= 20);
  CHECK(*parse_value(slurp(pids + "/pids.current")) <= 20);
  c.destroy("c4", pid);
  CHECK_FALSE(c.host.fs->exists(pids));
}

TEST_CASE("the posix launcher kills the container's session, and only it") {
  auto launcher = make_launcher("posix", {}, {});
  REQUIRE(launcher);
  launch_plan plan;
  plan.argv = {"/bin/sh", "-c", "sleep 1000 & sleep 1000"};
  plan.env = {"PATH=/usr/bin:/bin"};
  REQUIRE_FALSE((*launcher)->prepare("p1", plan));
  CHECK(plan.cgroups.empty());
  auto pid = spawn_contained(plan);
  REQUIRE(pid);
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    try_reap(*pid);
    auto d = (*launcher)->destroy("p1", *pid);
    REQUIRE(d);
    done = *d;
    if (!done)
      pause_ms(10);
  }
  CHECK(done);
  try_reap(*pid);
  CHECK_FALSE(running(*pid));
}
