// cgroups v2: one unified tree, <hierarchy>/<root>/<container> shared by
// every controller, each enabled in cgroup.subtree_control above it.
#include <fmt/format.h>

#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/cgroups_isolators.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

using stats_builder = schema::containerizer::ResourceStatistics::Builder;

class cpu_v2 : public cgroup_isolator {
public:
  cpu_v2(cgroup_tree tree, cgroups_options options, std::string unified)
    : cgroup_isolator("cgroups/cpu", std::move(tree), std::move(options)),
      unified_(std::move(unified)) {
  }

  void usage(const std::string& container, stats_builder stats) override {
    auto stat = parse_keyed(text(dir(unified_, container) + "/cpu.stat"));
    stats.setCpusUserTimeSecs(static_cast<double>(stat["user_usec"]) / 1e6);
    stats.setCpusSystemTimeSecs(static_cast<double>(stat["system_usec"]) / 1e6);
    stats.setCpusNrPeriods(static_cast<uint32_t>(stat["nr_periods"]));
    stats.setCpusNrThrottled(static_cast<uint32_t>(stat["nr_throttled"]));
    stats.setCpusThrottledTimeSecs(static_cast<double>(stat["throttled_usec"]) / 1e6);
    if (auto* limits = known_limits(container); limits != nullptr && limits->cpus > 0)
      stats.setCpusLimit(limits->cpus);
  }

protected:
  caf::error apply(const std::string& container, const container_limits& limits,
                   bool) override {
    auto d = dir(unified_, container);
    if (auto err = write(d + "/cpu.weight", std::to_string(cpu_weight(limits.cpus))))
      return err;
    return write(d + "/cpu.max", cpu_max(limits.cpus, options_.enable_cfs));
  }

private:
  std::string unified_;
};

class mem_v2 : public cgroup_isolator {
public:
  mem_v2(cgroup_tree tree, cgroups_options options, std::string unified)
    : cgroup_isolator("cgroups/mem", std::move(tree), std::move(options)),
      unified_(std::move(unified)) {
  }

  std::optional<limitation> watch(const std::string& container) override {
    if (known_limits(container) == nullptr || reported_.count(container) != 0)
      return std::nullopt;
    auto d = dir(unified_, container);
    auto events = tree_.fs().read(d + "/memory.events");
    if (!events || !oom_happened(*events))
      return std::nullopt;
    reported_.insert(container);
    // memory.peak is 5.19 and later; before it, what is in use now.
    auto peak = parse_value(text(d + "/memory.peak"));
    if (!peak)
      peak = parse_value(text(d + "/memory.current"));
    limitation l;
    l.reason = schema::TaskStatus::Reason::CONTAINER_LIMITATION_MEMORY;
    l.message = memory_limit_message(parse_value(text(d + "/memory.max")), peak,
                                     text(d + "/memory.stat"));
    return l;
  }

  void usage(const std::string& container, stats_builder stats) override {
    auto d = dir(unified_, container);
    if (auto total = parse_value(text(d + "/memory.current")))
      stats.setMemTotalBytes(*total);
    auto stat = parse_keyed(text(d + "/memory.stat"));
    stats.setMemRssBytes(stat["anon"]);
    stats.setMemCacheBytes(stat["file"]);
    if (auto swap = parse_value(text(d + "/memory.swap.current")))
      stats.setMemSwapBytes(*swap);
    if (auto limit = parse_value(text(d + "/memory.max")))
      stats.setMemLimitBytes(*limit);
    if (auto soft = parse_value(text(d + "/memory.low")))
      stats.setMemSoftLimitBytes(*soft);
  }

  caf::error cleanup(const std::string& container) override {
    reported_.erase(container);
    return cgroup_isolator::cleanup(container);
  }

protected:
  // As v1: memory.low follows always, memory.max is only raised.
  caf::error apply(const std::string& container, const container_limits& limits,
                   bool first) override {
    auto d = dir(unified_, container);
    auto limit = memory_limit_bytes(limits.mem_mb);
    if (auto err = write(d + "/memory.low", std::to_string(limit)))
      return err;
    auto current = parse_value(text(d + "/memory.max"));
    if (!first && current && *current >= limit)
      return caf::none;
    if (auto err = write(d + "/memory.max", std::to_string(limit)))
      return err;
    // v1's memsw limit equal to the memory limit leaves no swap: here, none.
    if (first && options_.limit_swap)
      return write(d + "/memory.swap.max", "0");
    return caf::none;
  }

private:
  std::string unified_;
  std::set<std::string> reported_;
};

class pids_v2 : public cgroup_isolator {
public:
  pids_v2(cgroup_tree tree, cgroups_options options, std::string unified)
    : cgroup_isolator("cgroups/pids", std::move(tree), std::move(options)),
      unified_(std::move(unified)) {
  }

  void usage(const std::string& container, stats_builder stats) override {
    auto d = dir(unified_, container);
    stats.setProcesses(count_lines(text(d + "/cgroup.procs")));
    if (auto tasks = parse_value(text(d + "/pids.current")))
      stats.setThreads(static_cast<uint32_t>(*tasks));
  }

protected:
  caf::error apply(const std::string& container, const container_limits&, bool first) override {
    if (!first || !options_.pids_max)
      return caf::none;
    return write(dir(unified_, container) + "/pids.max", std::to_string(*options_.pids_max));
  }

private:
  std::string unified_;
};

} // namespace

caf::expected<std::unique_ptr<isolator>>
make_cgroups_v2_isolator(const std::string& name, std::shared_ptr<cgroup_fs> fs,
                         const cgroup_layout& layout, const cgroups_options& options,
                         signal_fn send) {
  const char* controller = name == "cgroups/cpu"    ? "cpu"
                           : name == "cgroups/mem"  ? "memory"
                           : name == "cgroups/pids" ? "pids"
                                                    : nullptr;
  if (controller == nullptr)
    return make_error(fmt::format("unknown isolator '{}'", name));
  auto available = fs->read(layout.unified + "/cgroup.controllers");
  if (!available)
    return make_error(fmt::format("{}: {}", name, error_message(available.error())));
  auto listed = " " + *available + " ";
  for (auto& c : listed)
    if (c == '\n')
      c = ' ';
  if (listed.find(std::string(" ") + controller + " ") == std::string::npos)
    return make_error(fmt::format("{}: the cgroup controller '{}' is not available in {}",
                                  name, controller, layout.unified));
  cgroup_tree tree(std::move(fs), std::move(send), {layout.unified}, options.root,
                   {controller});
  std::unique_ptr<isolator> out;
  if (name == "cgroups/cpu")
    out.reset(new cpu_v2(std::move(tree), options, layout.unified));
  else if (name == "cgroups/mem")
    out.reset(new mem_v2(std::move(tree), options, layout.unified));
  else
    out.reset(new pids_v2(std::move(tree), options, layout.unified));
  return out;
}

} // namespace cairn
