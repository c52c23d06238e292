// cgroups v1: a hierarchy per subsystem, <mount>/<root>/<container> in each.
#include <unistd.h>

#include <fmt/format.h>

#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/cgroups_isolators.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

using stats_builder = schema::containerizer::ResourceStatistics::Builder;

class cpu_v1 : public cgroup_isolator {
public:
  cpu_v1(cgroup_tree tree, cgroups_options options, std::string cpu, std::string cpuacct)
    : cgroup_isolator("cgroups/cpu", std::move(tree), std::move(options)),
      cpu_(std::move(cpu)),
      cpuacct_(std::move(cpuacct)) {
  }

  void usage(const std::string& container, stats_builder stats) override {
    // cpuacct.stat counts in USER_HZ ticks.
    auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    auto acct = parse_keyed(text(dir(cpuacct_, container) + "/cpuacct.stat"));
    if (ticks > 0) {
      stats.setCpusUserTimeSecs(static_cast<double>(acct["user"]) / ticks);
      stats.setCpusSystemTimeSecs(static_cast<double>(acct["system"]) / ticks);
    }
    auto cpu = parse_keyed(text(dir(cpu_, container) + "/cpu.stat"));
    stats.setCpusNrPeriods(static_cast<uint32_t>(cpu["nr_periods"]));
    stats.setCpusNrThrottled(static_cast<uint32_t>(cpu["nr_throttled"]));
    stats.setCpusThrottledTimeSecs(static_cast<double>(cpu["throttled_time"]) / 1e9);
    if (auto* limits = known_limits(container); limits != nullptr && limits->cpus > 0)
      stats.setCpusLimit(limits->cpus);
  }

protected:
  caf::error apply(const std::string& container, const container_limits& limits,
                   bool) override {
    auto d = dir(cpu_, container);
    if (auto err = write(d + "/cpu.shares", std::to_string(cpu_shares(limits.cpus))))
      return err;
    if (!options_.enable_cfs)
      return caf::none;
    if (auto err = write(d + "/cpu.cfs_period_us", std::to_string(cfs_period_us)))
      return err;
    return write(d + "/cpu.cfs_quota_us", std::to_string(cfs_quota_us(limits.cpus)));
  }

private:
  std::string cpu_;
  std::string cpuacct_;
};

class mem_v1 : public cgroup_isolator {
public:
  mem_v1(cgroup_tree tree, cgroups_options options, std::string memory)
    : cgroup_isolator("cgroups/mem", std::move(tree), std::move(options)),
      memory_(std::move(memory)) {
  }

  // The kernel kills inside the cgroup and counts it in oom_kill (4.13 and
  // later; before, under_oom says it): reported once per container.
  std::optional<limitation> watch(const std::string& container) override {
    if (known_limits(container) == nullptr || reported_.count(container) != 0)
      return std::nullopt;
    auto d = dir(memory_, container);
    auto events = tree_.fs().read(d + "/memory.oom_control");
    if (!events || !oom_happened(*events))
      return std::nullopt;
    reported_.insert(container);
    limitation l;
    l.reason = schema::TaskStatus::Reason::CONTAINER_LIMITATION_MEMORY;
    l.message = memory_limit_message(parse_value(text(d + "/memory.limit_in_bytes")),
                                     parse_value(text(d + "/memory.max_usage_in_bytes")),
                                     text(d + "/memory.stat"));
    return l;
  }

  void usage(const std::string& container, stats_builder stats) override {
    auto d = dir(memory_, container);
    // memory.stat's rss leaves out nested cgroups and file pages: the total
    // is usage_in_bytes, as Mesos reports it.
    if (auto total = parse_value(text(d + "/memory.usage_in_bytes")))
      stats.setMemTotalBytes(*total);
    auto stat = parse_keyed(text(d + "/memory.stat"));
    stats.setMemRssBytes(stat["total_rss"]);
    stats.setMemCacheBytes(stat["total_cache"]);
    stats.setMemSwapBytes(stat["total_swap"]);
    if (auto limit = parse_value(text(d + "/memory.limit_in_bytes")))
      stats.setMemLimitBytes(*limit);
    if (auto soft = parse_value(text(d + "/memory.soft_limit_in_bytes")))
      stats.setMemSoftLimitBytes(*soft);
  }

  caf::error cleanup(const std::string& container) override {
    reported_.erase(container);
    return cgroup_isolator::cleanup(container);
  }

protected:
  // The hard limit is only ever raised: lowering it below what is in use
  // would OOM the container (as Mesos does, the soft limit follows always).
  // memory.limit_in_bytes may never exceed memory.memsw.limit_in_bytes, so
  // the order of the two writes depends on the direction.
  caf::error apply(const std::string& container, const container_limits& limits,
                   bool first) override {
    auto d = dir(memory_, container);
    auto bytes = std::to_string(memory_limit_bytes(limits.mem_mb));
    if (auto err = write(d + "/memory.soft_limit_in_bytes", bytes))
      return err;
    auto current = parse_value(text(d + "/memory.limit_in_bytes"));
    if (!first && current && *current >= memory_limit_bytes(limits.mem_mb))
      return caf::none;
    auto hard = [&] { return write(d + "/memory.limit_in_bytes", bytes); };
    auto swap = [&]() -> caf::error {
      if (!options_.limit_swap)
        return caf::none;
      return write(d + "/memory.memsw.limit_in_bytes", bytes);
    };
    if (first) {
      if (auto err = hard())
        return err;
      return swap();
    }
    if (auto err = swap())
      return err;
    return hard();
  }

private:
  std::string memory_;
  std::set<std::string> reported_;
};

class pids_v1 : public cgroup_isolator {
public:
  pids_v1(cgroup_tree tree, cgroups_options options, std::string pids)
    : cgroup_isolator("cgroups/pids", std::move(tree), std::move(options)),
      pids_(std::move(pids)) {
  }

  void usage(const std::string& container, stats_builder stats) override {
    auto d = dir(pids_, container);
    stats.setProcesses(count_lines(text(d + "/cgroup.procs")));
    stats.setThreads(count_lines(text(d + "/tasks")));
  }

protected:
  caf::error apply(const std::string& container, const container_limits&, bool first) override {
    if (!first || !options_.pids_max)
      return caf::none;
    return write(dir(pids_, container) + "/pids.max", std::to_string(*options_.pids_max));
  }

private:
  std::string pids_;
};

} // namespace

caf::expected<std::unique_ptr<isolator>>
make_cgroups_v1_isolator(const std::string& name, std::shared_ptr<cgroup_fs> fs,
                         const cgroup_layout& layout, const cgroups_options& options,
                         signal_fn send) {
  auto mount = [&](const char* subsystem) -> caf::expected<std::string> {
    auto m = layout.mount_of(subsystem);
    if (!m)
      return make_error(fmt::format("{}: {}", name, error_message(m.error())));
    return m;
  };
  if (name == "cgroups/cpu") {
    auto cpu = mount("cpu");
    auto cpuacct = mount("cpuacct");
    if (!cpu)
      return cpu.error();
    if (!cpuacct)
      return cpuacct.error();
    cgroup_tree tree(std::move(fs), std::move(send), {*cpu, *cpuacct}, options.root);
    return std::unique_ptr<isolator>(new cpu_v1(std::move(tree), options, *cpu, *cpuacct));
  }
  if (name == "cgroups/mem") {
    auto memory = mount("memory");
    if (!memory)
      return memory.error();
    // Mesos refuses to start when swap cannot be limited as asked.
    if (options.limit_swap && !fs->exists(*memory + "/memory.memsw.limit_in_bytes"))
      return make_error("cgroups/mem: --cgroups_limit_swap: 'memory.memsw.limit_in_bytes' "
                        "is not available (the kernel does not account swap)");
    cgroup_tree tree(std::move(fs), std::move(send), {*memory}, options.root);
    return std::unique_ptr<isolator>(new mem_v1(std::move(tree), options, *memory));
  }
  if (name == "cgroups/pids") {
    auto pids = mount("pids");
    if (!pids)
      return pids.error();
    cgroup_tree tree(std::move(fs), std::move(send), {*pids}, options.root);
    return std::unique_ptr<isolator>(new pids_v1(std::move(tree), options, *pids));
  }
  return make_error(fmt::format("unknown isolator '{}'", name));
}

} // namespace cairn
