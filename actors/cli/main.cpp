// cairn: one binary, a role per subcommand.
#include <vector>

#include "actors/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"cairn: a datacenter kernel after Apache Mesos"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CAIRN_VERSION);
  std::vector<cairn::command> commands = {
    cairn::add_local_command(app),
    cairn::add_master_command(app),
    cairn::add_agent_command(app),
    cairn::add_execute_command(app),
    cairn::add_cron_command(app),
    cairn::add_services_command(app),
    cairn::add_lb_command(app),
    cairn::add_agents_command(app),
    cairn::add_frameworks_command(app),
    cairn::add_tasks_command(app),
    cairn::add_state_command(app),
    cairn::add_task_command(app),
    cairn::add_job_command(app),
  };
  CLI11_PARSE(app, argc, argv);
  for (auto& c : commands)
    if (c.app->parsed())
      return c.run();
  return 1;
}
