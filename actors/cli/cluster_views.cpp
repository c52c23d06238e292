// Placeholder: `cairn agents | frameworks | tasks | state`.
#include "actors/cli/commands.hpp"

namespace cairn {

static command placeholder(CLI::App& parent, const char* name) {
  auto* app = parent.add_subcommand(name, "(not yet)");
  return {app, [] { return 1; }};
}

command add_agents_command(CLI::App& parent) { return placeholder(parent, "agents"); }
command add_frameworks_command(CLI::App& parent) { return placeholder(parent, "frameworks"); }
command add_tasks_command(CLI::App& parent) { return placeholder(parent, "tasks"); }
command add_state_command(CLI::App& parent) { return placeholder(parent, "state"); }

} // namespace cairn
