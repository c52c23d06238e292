// The simulations' command line: how many nodes, which seeds, how long, and
// the replay of one seed that a failure prints. Unknown arguments are refused.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace cairn::sim {

struct sim_options {
  size_t nodes = 3;
  uint64_t seeds = 1000;
  uint64_t first_seed = 1;
  std::optional<uint64_t> only_seed;
  size_t steps = 0;  // 0: the simulation has no --steps
  bool verbose = false;
};

// `nodes_flag` names the node count ("--replicas", "--nodes"); `--steps` is
// offered when the defaults give steps. Exits on --help or a bad argument.
inline sim_options parse_sim_options(int argc, char** argv, const char* what,
                                     const std::string& nodes_flag, sim_options defaults) {
  sim_options o = defaults;
  CLI::App app{what};
  app.add_option(nodes_flag, o.nodes, "How many nodes");
  app.add_option("--seeds", o.seeds, "How many seeded schedules");
  app.add_option("--first-seed", o.first_seed, "The first seed");
  app.add_option("--seed", o.only_seed, "Replay this one seed");
  if (defaults.steps > 0)
    app.add_option("--steps", o.steps, "Steps per schedule");
  app.add_flag("-v", o.verbose, "A line per seed");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

} // namespace cairn::sim
