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
command add_cron_command(CLI::App& parent);
command add_services_command(CLI::App& parent);
// HAProxy over the services framework's apps, like marathon-lb (lb.cpp).
command add_lb_command(CLI::App& parent);

// Looking at a cluster over its HTTP API (cluster_views.cpp, task_log.cpp).
command add_agents_command(CLI::App& parent);
command add_frameworks_command(CLI::App& parent);
command add_tasks_command(CLI::App& parent);
command add_state_command(CLI::App& parent);
command add_task_command(CLI::App& parent);
// The cron framework's jobs over its REST API (jobs.cpp).
command add_job_command(CLI::App& parent);

} // namespace cairn
