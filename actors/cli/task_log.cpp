// Placeholder: `cairn task log TASK`.
#include "actors/cli/commands.hpp"

namespace cairn {

command add_task_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("task", "(not yet)");
  return {app, [] { return 1; }};
}

} // namespace cairn
