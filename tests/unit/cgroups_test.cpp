// The cgroups isolators and the linux launcher over a fake cgroup tree and
// mount table: the values Mesos writes (v1 and v2), OOM reported once,
// orphans removed, destroy killing every process, unknown names refused.
#include <doctest/doctest.h>

#include <signal.h>

#include <capnp/message.h>

#include "actors/agent/isolators/cgroup_mounts.hpp"
#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/isolator_factory.hpp"
#include "runtime/errors.hpp"
#include "tests/support/fake_cgroup_fs.hpp"

using namespace cairn;
using cairn::test::fake_cgroup_fs;

namespace {

// This machine's: v1 per subsystem, cgroup2 only at .../unified.
const char* const hybrid_mountinfo =
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
  "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
  "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
  "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
  "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
  "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
  "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

const char* const v2_mountinfo =
  "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
  "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
  "rw,nsdelegate,memory_recursiveprot\n";

const char* const comounted_mountinfo =
  "25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:7 - cgroup cgroup rw,cpu,cpuacct\n"
  "26 24 0:23 / /sys/fs/cgroup/memory rw,nosuid shared:8 - cgroup cgroup rw,memory\n"
  "27 24 0:24 / /sys/fs/cgroup/freezer rw,nosuid shared:9 - cgroup cgroup rw,freezer\n";

const std::string v1_root = "/sys/fs/cgroup";

struct v1_host {
  std::shared_ptr<fake_cgroup_fs> fs = std::make_shared<fake_cgroup_fs>();
  cgroups_options options;
  v1_host() {
    fs->defaults = {{"cgroup.procs", ""},
                    {"tasks", ""},
                    {"memory.limit_in_bytes", "9223372036854771712\n"},
                    {"memory.max_usage_in_bytes", "0\n"},
                    {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
                    {"memory.stat", "total_cache 0\ntotal_rss 0\n"},
                    {"pids.max", "max\n"},
                    {"freezer.state", "THAWED\n"}};
    for (auto s : {"cpu", "cpuacct", "memory", "pids", "freezer"})
      fs->mount(v1_root + "/" + s);
  }
  cgroups_host host() {
    return {fs, hybrid_mountinfo, fs->signaller()};
  }
  std::unique_ptr<isolator> make(const std::string& name) {
    auto made = make_isolators(name, options, host());
    REQUIRE_MESSAGE(made, (made ? "" : error_message(made.error())));
    REQUIRE(made->size() == 1);
    return std::move(made->front());
  }
  std::string at(const std::string& subsystem, const std::string& container,
                 const std::string& file) const {
    return v1_root + "/" + subsystem + "/mesos/" + container + "/" + file;
  }
};

struct v2_host {
  std::shared_ptr<fake_cgroup_fs> fs = std::make_shared<fake_cgroup_fs>();
  cgroups_options options;
  v2_host() {
    fs->defaults = {{"cgroup.procs", ""},
                    {"cgroup.events", "populated 0\nfrozen 0\n"},
                    {"cgroup.kill", ""},
                    {"cgroup.subtree_control", ""},
                    {"memory.max", "max\n"},
                    {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"},
                    {"memory.stat", "anon 0\nfile 0\n"},
                    {"pids.max", "max\n"}};
    fs->mount(v1_root);
    fs->set(v1_root + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  }
  cgroups_host host() {
    return {fs, v2_mountinfo, fs->signaller()};
  }
  std::unique_ptr<isolator> make(const std::string& name) {
    auto made = make_isolators(name, options, host());
    REQUIRE_MESSAGE(made, (made ? "" : error_message(made.error())));
    REQUIRE(made->size() == 1);
    return std::move(made->front());
  }
  std::string at(const std::string& container, const std::string& file) const {
    return v1_root + "/mesos/" + container + "/" + file;
  }
};

container_limits limits(double cpus, double mem_mb) {
  container_limits l;
  l.cpus = cpus;
  l.mem_mb = mem_mb;
  return l;
}

bool plan_has(const launch_plan& plan, const std::string& procs) {
  return std::find(plan.cgroups.begin(), plan.cgroups.end(), procs) != plan.cgroups.end();
}

} // namespace

TEST_CASE("the mount table says v1 on a hybrid host and v2 where cgroup2 is the hierarchy") {
  auto hybrid = detect_cgroups(hybrid_mountinfo, "/sys/fs/cgroup");
  REQUIRE(hybrid);
  CHECK(hybrid->version == 1);
  CHECK(*hybrid->mount_of("memory") == "/sys/fs/cgroup/memory");
  CHECK(*hybrid->mount_of("freezer") == "/sys/fs/cgroup/freezer");
  CHECK(hybrid->mounts.count("name=systemd") == 0);
  CHECK_FALSE(hybrid->mount_of("blkio"));

  auto v2 = detect_cgroups(v2_mountinfo, "/sys/fs/cgroup/");
  REQUIRE(v2);
  CHECK(v2->version == 2);
  CHECK(v2->unified == "/sys/fs/cgroup");

  auto co = detect_cgroups(comounted_mountinfo, "/sys/fs/cgroup");
  REQUIRE(co);
  CHECK(*co->mount_of("cpu") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(*co->mount_of("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");

  auto none = detect_cgroups(hybrid_mountinfo, "/elsewhere");
  REQUIRE_FALSE(none);
  CHECK(error_message(none.error()).find("/elsewhere") != std::string::npos);
}

TEST_CASE("values: Mesos' shares, quota, weight and memory floor") {
  CHECK(cpu_shares(0.5) == 512);
  CHECK(cpu_shares(0.001) == 2);
  CHECK(cpu_weight(0.5) == 50);
  CHECK(cpu_weight(0.29) == 29);
  CHECK(cpu_weight(0) == 1);
  CHECK(cpu_weight(1000) == 10000);
  CHECK(cfs_quota_us(0.5) == 50000);
  CHECK(cfs_quota_us(0.001) == 1000);
  CHECK(cpu_max(0.5, false) == "max 100000");
  CHECK(cpu_max(0.5, true) == "50000 100000");
  CHECK(memory_limit_bytes(16) == 33554432);
  CHECK(memory_limit_bytes(64) == 67108864);
  CHECK(format_bytes(64u << 20) == "64MB");
  CHECK(format_bytes(1536u << 10) == "1536KB");
  CHECK(format_bytes(100) == "100B");
  CHECK_FALSE(parse_value("max\n"));
  CHECK(*parse_value("123\n") == 123);
}

TEST_CASE("v1: cpus 0.5 and mem 16 give 512 shares, 32 MB and no quota") {
  v1_host h;
  auto cpu = h.make("cgroups/cpu");
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(cpu->prepare("c1", limits(0.5, 16), plan));
  REQUIRE_FALSE(mem->prepare("c1", limits(0.5, 16), plan));
  CHECK(h.fs->get(h.at("cpu", "c1", "cpu.shares")) == "512");
  CHECK_FALSE(h.fs->has_file(h.at("cpu", "c1", "cpu.cfs_quota_us")));
  CHECK(h.fs->get(h.at("memory", "c1", "memory.limit_in_bytes")) == "33554432");
  CHECK(h.fs->get(h.at("memory", "c1", "memory.soft_limit_in_bytes")) == "33554432");
  CHECK_FALSE(h.fs->has_file(h.at("memory", "c1", "memory.memsw.limit_in_bytes")));
  CHECK(plan.cgroups.size() == 3);
  CHECK(plan_has(plan, h.at("cpu", "c1", "cgroup.procs")));
  CHECK(plan_has(plan, h.at("cpuacct", "c1", "cgroup.procs")));
  CHECK(plan_has(plan, h.at("memory", "c1", "cgroup.procs")));
}

TEST_CASE("v1: --cgroups_enable_cfs writes a 50 ms quota per 100 ms for 0.5 cpus") {
  v1_host h;
  h.options.enable_cfs = true;
  auto cpu = h.make("cgroups/cpu");
  launch_plan plan;
  REQUIRE_FALSE(cpu->prepare("c1", limits(0.5, 16), plan));
  CHECK(h.fs->get(h.at("cpu", "c1", "cpu.cfs_period_us")) == "100000");
  CHECK(h.fs->get(h.at("cpu", "c1", "cpu.cfs_quota_us")) == "50000");
  REQUIRE_FALSE(cpu->update("c1", limits(2, 16)));
  CHECK(h.fs->get(h.at("cpu", "c1", "cpu.shares")) == "2048");
  CHECK(h.fs->get(h.at("cpu", "c1", "cpu.cfs_quota_us")) == "200000");
}

TEST_CASE("v1: co-mounted cpu and cpuacct share one cgroup") {
  auto fs = std::make_shared<fake_cgroup_fs>();
  fs->mount("/sys/fs/cgroup/cpu,cpuacct");
  auto made = make_isolators("cgroups/cpu", {}, {fs, comounted_mountinfo, fs->signaller()});
  REQUIRE(made);
  launch_plan plan;
  REQUIRE_FALSE(made->front()->prepare("c1", limits(1, 64), plan));
  CHECK(plan.cgroups ==
        std::vector<std::string>{"/sys/fs/cgroup/cpu,cpuacct/mesos/c1/cgroup.procs"});
  CHECK(fs->get("/sys/fs/cgroup/cpu,cpuacct/mesos/c1/cpu.shares") == "1024");
}

TEST_CASE("v1: memory only ever rises; --cgroups_limit_swap limits memory+swap alike") {
  v1_host h;
  h.options.limit_swap = true;
  h.fs->set(v1_root + "/memory/memory.memsw.limit_in_bytes", "9223372036854771712\n");
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(1, 128), plan));
  CHECK(h.fs->get(h.at("memory", "c1", "memory.memsw.limit_in_bytes")) == "134217728");
  REQUIRE_FALSE(mem->update("c1", limits(1, 64)));
  CHECK(h.fs->get(h.at("memory", "c1", "memory.limit_in_bytes")) == "134217728");
  CHECK(h.fs->get(h.at("memory", "c1", "memory.soft_limit_in_bytes")) == "67108864");
  REQUIRE_FALSE(mem->update("c1", limits(1, 256)));
  CHECK(h.fs->get(h.at("memory", "c1", "memory.limit_in_bytes")) == "268435456");
  CHECK(h.fs->get(h.at("memory", "c1", "memory.memsw.limit_in_bytes")) == "268435456");
  CHECK(mem->update("unknown", limits(1, 64)));
}

TEST_CASE("v1: --cgroups_limit_swap without swap accounting is refused") {
  v1_host h;
  h.options.limit_swap = true;
  auto made = make_isolators("cgroups/mem", h.options, h.host());
  REQUIRE_FALSE(made);
  CHECK(error_message(made.error()).find("memory.memsw.limit_in_bytes") != std::string::npos);
}

TEST_CASE("v1: an OOM kill in memory.oom_control is reported once, in Mesos' words") {
  v1_host h;
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(1, 64), plan));
  CHECK_FALSE(mem->watch("c1"));
  h.fs->set(h.at("memory", "c1", "memory.max_usage_in_bytes"), "67108864\n");
  h.fs->set(h.at("memory", "c1", "memory.stat"), "total_rss 67000000\n");
  h.fs->set(h.at("memory", "c1", "memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  auto hit = mem->watch("c1");
  REQUIRE(hit);
  CHECK(hit->reason == schema::TaskStatus::Reason::CONTAINER_LIMITATION_MEMORY);
  CHECK(hit->message.rfind("Memory limit exceeded: Requested: 64MB Maximum Used: 64MB", 0) == 0);
  CHECK(hit->message.find("MEMORY STATISTICS") != std::string::npos);
  CHECK(hit->message.find("total_rss 67000000") != std::string::npos);
  CHECK_FALSE(mem->watch("c1"));
}

TEST_CASE("v1: an old kernel without the oom_kill counter reports under_oom") {
  v1_host h;
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(1, 64), plan));
  h.fs->set(h.at("memory", "c1", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
  CHECK_FALSE(mem->watch("c1"));
  h.fs->set(h.at("memory", "c1", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 1\n");
  CHECK(mem->watch("c1"));
}

TEST_CASE("pids: --cgroups_pids_max=50 writes pids.max; unset, nothing is written") {
  v1_host h;
  auto unlimited = h.make("cgroups/pids");
  launch_plan plan;
  REQUIRE_FALSE(unlimited->prepare("c0", limits(1, 64), plan));
  CHECK(h.fs->get(h.at("pids", "c0", "pids.max")) == "max\n");
  h.options.pids_max = 50;
  auto pids = h.make("cgroups/pids");
  REQUIRE_FALSE(pids->prepare("c1", limits(1, 64), plan));
  CHECK(h.fs->get(h.at("pids", "c1", "pids.max")) == "50");

  v2_host v2;
  v2.options.pids_max = 50;
  auto p2 = v2.make("cgroups/pids");
  launch_plan plan2;
  REQUIRE_FALSE(p2->prepare("c1", limits(1, 64), plan2));
  CHECK(v2.fs->get(v2.at("c1", "pids.max")) == "50");
}

TEST_CASE("v1: usage reads cpuacct, cpu.stat, memory and the process count") {
  v1_host h;
  auto cpu = h.make("cgroups/cpu");
  auto mem = h.make("cgroups/mem");
  auto pids = h.make("cgroups/pids");
  launch_plan plan;
  REQUIRE_FALSE(cpu->prepare("c1", limits(0.5, 64), plan));
  REQUIRE_FALSE(mem->prepare("c1", limits(0.5, 64), plan));
  REQUIRE_FALSE(pids->prepare("c1", limits(0.5, 64), plan));
  auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  h.fs->set(h.at("cpuacct", "c1", "cpuacct.stat"), "user 250\nsystem 100\n");
  h.fs->set(h.at("cpu", "c1", "cpu.stat"),
            "nr_periods 7\nnr_throttled 3\nthrottled_time 2000000000\n");
  h.fs->set(h.at("memory", "c1", "memory.usage_in_bytes"), "5000\n");
  h.fs->set(h.at("memory", "c1", "memory.stat"), "total_rss 3000\ntotal_cache 1000\n");
  h.fs->add_process(v1_root + "/pids/mesos/c1", 11);
  h.fs->add_process(v1_root + "/pids/mesos/c1", 12);
  h.fs->set(h.at("pids", "c1", "tasks"), "11\n12\n13\n");
  capnp::MallocMessageBuilder msg;
  auto stats = msg.initRoot<schema::containerizer::ResourceStatistics>();
  cpu->usage("c1", stats);
  mem->usage("c1", stats);
  pids->usage("c1", stats);
  CHECK(stats.getCpusUserTimeSecs() == doctest::Approx(250 / ticks));
  CHECK(stats.getCpusSystemTimeSecs() == doctest::Approx(100 / ticks));
  CHECK(stats.getCpusLimit() == doctest::Approx(0.5));
  CHECK(stats.getCpusNrPeriods() == 7);
  CHECK(stats.getCpusNrThrottled() == 3);
  CHECK(stats.getCpusThrottledTimeSecs() == doctest::Approx(2.0));
  CHECK(stats.getMemTotalBytes() == 5000);
  CHECK(stats.getMemRssBytes() == 3000);
  CHECK(stats.getMemCacheBytes() == 1000);
  CHECK(stats.getMemLimitBytes() == 67108864);
  CHECK(stats.getProcesses() == 2);
  CHECK(stats.getThreads() == 3);
}

TEST_CASE("v2: cpus 0.5 and mem 64 give weight 50, cpu.max max, memory.max 64 MB") {
  v2_host h;
  auto cpu = h.make("cgroups/cpu");
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(cpu->prepare("c1", limits(0.5, 64), plan));
  REQUIRE_FALSE(mem->prepare("c1", limits(0.5, 64), plan));
  CHECK(h.fs->get(h.at("c1", "cpu.weight")) == "50");
  CHECK(h.fs->get(h.at("c1", "cpu.max")) == "max 100000");
  CHECK(h.fs->get(h.at("c1", "memory.max")) == "67108864");
  CHECK(h.fs->get(h.at("c1", "memory.low")) == "67108864");
  CHECK(plan.cgroups == std::vector<std::string>{h.at("c1", "cgroup.procs")});
  // Controllers are handed down from the top to the container's parent.
  CHECK(h.fs->get(v1_root + "/cgroup.subtree_control") == "cpu memory\n");
  CHECK(h.fs->get(v1_root + "/mesos/cgroup.subtree_control") == "cpu memory\n");
}

TEST_CASE("v2: --cgroups_enable_cfs gives cpu.max 50000 100000") {
  v2_host h;
  h.options.enable_cfs = true;
  auto cpu = h.make("cgroups/cpu");
  launch_plan plan;
  REQUIRE_FALSE(cpu->prepare("c1", limits(0.5, 64), plan));
  CHECK(h.fs->get(h.at("c1", "cpu.max")) == "50000 100000");
}

TEST_CASE("v2: oom_kill in memory.events gives the memory reason once") {
  v2_host h;
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(0.5, 64), plan));
  CHECK_FALSE(mem->watch("c1"));
  h.fs->set(h.at("c1", "memory.current"), "67100000\n");
  h.fs->set(h.at("c1", "memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
  auto hit = mem->watch("c1");
  REQUIRE(hit);
  CHECK(hit->reason == schema::TaskStatus::Reason::CONTAINER_LIMITATION_MEMORY);
  CHECK(hit->message.rfind("Memory limit exceeded: Requested: 64MB Maximum Used: ", 0) == 0);
  CHECK_FALSE(mem->watch("c1"));
}

TEST_CASE("v2: a controller the hierarchy does not offer is refused by name") {
  v2_host h;
  h.fs->set(v1_root + "/cgroup.controllers", "cpu memory\n");
  auto made = make_isolators("cgroups/pids", h.options, h.host());
  REQUIRE_FALSE(made);
  CHECK(error_message(made.error()).find("'pids'") != std::string::npos);
}

TEST_CASE("recover keeps the claimed containers' cgroups and removes an orphan") {
  v1_host h;
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("kept", limits(1, 64), plan));
  REQUIRE_FALSE(mem->prepare("orphan", limits(1, 64), plan));
  h.fs->add_process(v1_root + "/memory/mesos/orphan", 4242);
  auto after_restart = h.make("cgroups/mem");
  REQUIRE_FALSE(after_restart->recover({"kept"}));
  CHECK(h.fs->exists(v1_root + "/memory/mesos/kept"));
  CHECK_FALSE(h.fs->exists(v1_root + "/memory/mesos/orphan"));
  REQUIRE(h.fs->signals.size() == 1);
  CHECK(h.fs->signals[0] == std::make_pair(pid_t{4242}, SIGKILL));
  // The recovered container is watched as before.
  h.fs->set(h.at("memory", "kept", "memory.oom_control"), "under_oom 0\noom_kill 2\n");
  CHECK(after_restart->watch("kept"));
}

TEST_CASE("cleanup removes nested cgroups first and is refused while a process remains") {
  v1_host h;
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(1, 64), plan));
  REQUIRE_FALSE(h.fs->make_dir(v1_root + "/memory/mesos/c1/nested"));
  h.fs->add_process(v1_root + "/memory/mesos/c1", 77);
  auto busy = mem->cleanup("c1");
  REQUIRE(busy);
  CHECK(error_message(busy).find("Device or resource busy") != std::string::npos);
  h.fs->signaller()(77, SIGKILL);
  REQUIRE_FALSE(mem->cleanup("c1"));
  CHECK_FALSE(h.fs->exists(v1_root + "/memory/mesos/c1"));
}

TEST_CASE("linux launcher v1: the freezer cgroup is joined, then frozen, killed and removed") {
  v1_host h;
  auto made = make_launcher("linux", h.options, h.host());
  REQUIRE(made);
  auto& launcher = **made;
  CHECK(launcher.name() == "linux");
  launch_plan plan;
  REQUIRE_FALSE(launcher.prepare("c1", plan));
  CHECK(plan.cgroups == std::vector<std::string>{h.at("freezer", "c1", "cgroup.procs")});
  auto cg = v1_root + "/freezer/mesos/c1";
  h.fs->add_process(cg, 100);  // the first process
  h.fs->add_process(cg, 101);  // one that left the session
  auto first = launcher.destroy("c1", 0);
  REQUIRE(first);
  CHECK_FALSE(*first);
  CHECK(h.fs->signals.size() == 2);
  CHECK(h.fs->get(cg + "/freezer.state") == "THAWED");
  auto second = launcher.destroy("c1", 0);
  REQUIRE(second);
  CHECK(*second);
  CHECK_FALSE(h.fs->exists(cg));
}

TEST_CASE("linux launcher v2: cgroup.kill empties the container's cgroup") {
  v2_host h;
  auto made = make_launcher("linux", h.options, h.host());
  REQUIRE(made);
  launch_plan plan;
  REQUIRE_FALSE((*made)->prepare("c1", plan));
  h.fs->add_process(v1_root + "/mesos/c1", 200);
  REQUIRE_FALSE(h.fs->make_dir(v1_root + "/mesos/c1/nested"));
  h.fs->add_process(v1_root + "/mesos/c1/nested", 201);
  CHECK_FALSE(*(*made)->destroy("c1", 0));
  CHECK(h.fs->signals.size() == 2);
  CHECK(*(*made)->destroy("c1", 0));
  CHECK_FALSE(h.fs->exists(v1_root + "/mesos/c1"));
}

TEST_CASE("unknown isolators and launchers are refused by name") {
  v1_host h;
  auto unknown = make_isolators("cgroups/cpu,cgroups/net_cls", h.options, h.host());
  REQUIRE_FALSE(unknown);
  CHECK(error_message(unknown.error()).find("'cgroups/net_cls'") != std::string::npos);
  CHECK_FALSE(make_isolators("cgroups/cpu,,cgroups/mem", h.options, h.host()));
  // The containerizer's own isolators are skipped, cgroups or not.
  auto theirs = make_isolators("posix/cpu,posix/mem", h.options, {h.fs, "", h.fs->signaller()});
  REQUIRE(theirs);
  CHECK(theirs->empty());
  auto both = make_isolators("cgroups/mem,posix/cpu,cgroups/mem", h.options, h.host());
  REQUIRE(both);
  CHECK(both->size() == 1);
  auto launcher = make_launcher("systemd", h.options, h.host());
  REQUIRE_FALSE(launcher);
  CHECK(error_message(launcher.error()).find("'systemd'") != std::string::npos);
  auto posix = make_launcher("posix", h.options, h.host());
  REQUIRE(posix);
  CHECK((*posix)->name() == "posix");
  h.options.root = "../escape";
  CHECK_FALSE(make_isolators("cgroups/mem", h.options, h.host()));
}

TEST_CASE("a nested --cgroups_root keeps agents sharing a machine apart") {
  v2_host h;
  h.options.root = "mesos/agent-1";
  auto mem = h.make("cgroups/mem");
  launch_plan plan;
  REQUIRE_FALSE(mem->prepare("c1", limits(1, 64), plan));
  CHECK(h.fs->get(v1_root + "/mesos/agent-1/c1/memory.max") == "67108864");
  CHECK(h.fs->get(v1_root + "/mesos/cgroup.subtree_control") == "memory\n");
  CHECK(h.fs->get(v1_root + "/mesos/agent-1/cgroup.subtree_control") == "memory\n");
  // Another agent's recovery sees only its own root's cgroups.
  h.options.root = "mesos/agent-2";
  REQUIRE_FALSE(h.make("cgroups/mem")->recover({}));
  CHECK(h.fs->exists(v1_root + "/mesos/agent-1/c1"));
}
