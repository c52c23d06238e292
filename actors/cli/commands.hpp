// The subcommands of the one `cairn` binary. Each adds itself to the CLI and
// returns what to run when chosen; no behaviour lives in main.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace cairn {

struct command {
  CLI::App* app;
  std::function<int()> run;
};

command add_local_command(CLI::App& parent);
command add_master_command(CLI::App& parent);
command add_agent_command(CLI::App& parent);
command add_execute_command(CLI::App& parent);
command add_executor_command(CLI::App& parent);

} // namespace cairn
