// The allocation pass at scale, after Mesos' HierarchicalAllocator_BENCHMARK_Test.
// DeclineOffers: every agent has part of its resources used by one framework (round
// robin), every offer is declined with a long filter, and one pass is timed after each
// round of declines. Prints figures; asserts nothing about time.
//
//   allocator_bench [--passes N] [--every] [--shape AGENTSxFRAMEWORKS]...
//
// Default shapes: 1000x100, 5000x500, 10000x1000; default passes: 2 x frameworks.
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "actors/allocator/core.hpp"
#include "actors/resources/parse.hpp"

namespace {

using namespace cairn;
using clock_type = std::chrono::steady_clock;

struct shape {
  size_t agents;
  size_t frameworks;
};

struct settings {
  std::optional<size_t> passes;
  bool every = false;
  std::vector<shape> shapes;
};

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Nearest-rank percentile; 0 for no samples.
double percentile(std::vector<double> samples, size_t pct) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  const size_t rank = (samples.size() * pct + 99) / 100; // ceil, 1-based
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

resources parse_or_die(const char* text) {
  auto r = parse_resources(text);
  if (!r) {
    std::fprintf(stderr, "bad resources: %s\n", text);
    std::exit(2);
  }
  return *r;
}

// What each agent already runs for one framework: part of its scalars and 16 single
// ports spread over its range (Mesos fragments the range into 16 pieces).
resources used_per_agent() {
  resources used = parse_or_die("cpus:16;mem:2014;disk:1024");
  for (uint64_t k = 0; k < 16; ++k)
    used += resources::port_range(31000 + 64 * k, 31000 + 64 * k);
  return used.allocated_to("*");
}

void run(const shape& s, const settings& opts) {
  const std::string role = "*";
  alloc::core core;
  std::mt19937_64 rng(42);
  const auto setup_start = clock_type::now();
  std::vector<std::string> frameworks;
  for (size_t i = 0; i < s.frameworks; ++i) {
    frameworks.push_back("framework-" + std::to_string(100000 + i));
    core.add_framework(frameworks.back(), {role}, {}, true);
  }
  const resources total = parse_or_die("cpus:24;mem:4096;disk:4096;ports:[31000-32000]");
  const resources used = used_per_agent();
  for (size_t i = 0; i < s.agents; ++i)
    core.add_agent("agent-" + std::to_string(1000000 + i), total,
                   {{frameworks[i % s.frameworks], used}});
  const double setup_ms = ms_since(setup_start);

  const size_t passes = opts.passes.value_or(2 * s.frameworks);
  const auto refuse = std::chrono::duration<double>(INT_MAX); // capped at a year
  alloc::time_point now{};
  std::vector<alloc::grant> offers;
  std::vector<double> pass_ms;
  std::vector<double> busy_ms; // passes that made offers
  std::vector<double> idle_ms; // passes where everything was filtered
  size_t declined = 0;
  size_t first_offers = 0;
  const auto wall_start = clock_type::now();
  for (size_t pass = 0; pass < passes; ++pass) {
    for (const auto& g : offers)
      core.recover(g.framework_id, g.agent_id, g.res, refuse, now);
    declined += offers.size();
    now += std::chrono::seconds(1); // Mesos advances one allocation interval
    const auto start = clock_type::now();
    offers = core.allocate(now, rng);
    pass_ms.push_back(ms_since(start));
    (offers.empty() ? idle_ms : busy_ms).push_back(pass_ms.back());
    if (pass == 0)
      first_offers = offers.size();
    if (opts.every)
      std::printf("  pass %zu: allocate() took %.3f ms to make %zu offers after filtering "
                  "%zu offers\n",
                  pass, pass_ms.back(), offers.size(), declined);
  }
  const double wall_ms = ms_since(wall_start);
  if (pass_ms.empty()) {
    std::printf("%zu agents x %zu frameworks: no passes\n", s.agents, s.frameworks);
    return;
  }
  const double first_ms = pass_ms.front();
  double total_ms = 0;
  for (double ms : pass_ms)
    total_ms += ms;
  const size_t n = pass_ms.size();
  std::printf("%zu agents x %zu frameworks: %zu passes; first pass %zu offers in %.1f ms; "
              "median %.2f ms, p99 %.2f ms, max %.1f ms; allocate total %.2f s "
              "(with recovers %.1f s; setup %.2f s; %zu filters; peak rss %ld MB); "
              "%zu passes with offers: median %.2f ms; %zu without: median %.3f ms\n",
              s.agents, s.frameworks, n, first_offers, first_ms, percentile(pass_ms, 50),
              percentile(pass_ms, 99), percentile(pass_ms, 100), total_ms / 1000,
              wall_ms / 1000, setup_ms / 1000, core.filter_count(), peak_rss_mb(),
              busy_ms.size(), percentile(busy_ms, 50), idle_ms.size(),
              percentile(idle_ms, 50));
  std::fflush(stdout);
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: allocator_bench [--passes N] [--every] [--shape AGENTSxFRAMEWORKS]...\n");
  std::exit(2);
}

settings parse_args(int argc, char** argv) {
  settings out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--every") {
      out.every = true;
    } else if (arg == "--passes" && i + 1 < argc) {
      out.passes = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--shape" && i + 1 < argc) {
      shape s{};
      if (std::sscanf(argv[++i], "%zux%zu", &s.agents, &s.frameworks) != 2 || s.agents == 0
          || s.frameworks == 0)
        usage();
      out.shapes.push_back(s);
    } else {
      usage();
    }
  }
  if (out.shapes.empty())
    out.shapes = {{1000, 100}, {5000, 500}, {10000, 1000}};
  return out;
}

} // namespace

int main(int argc, char** argv) {
  const settings opts = parse_args(argc, argv);
  for (const shape& s : opts.shapes)
    run(s, opts);
  return 0;
}
