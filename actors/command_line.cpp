#include "actors/command_line.hpp"

namespace cairn {

std::vector<std::string> command_argv(schema::CommandInfo::Reader command) {
  if (command.getShell())
    return {"/bin/sh", "-c", command.getValue()};
  std::vector<std::string> argv;
  for (auto a : command.getArguments())
    argv.emplace_back(a.cStr());
  if (argv.empty())
    argv.emplace_back(command.getValue().cStr());
  argv.front() = command.getValue();
  return argv;
}

std::vector<std::string> command_environment(schema::CommandInfo::Reader command) {
  std::vector<std::string> env;
  for (auto v : command.getEnvironment().getVariables())
    env.push_back(std::string(v.getName().cStr()) + "=" + v.getValue().cStr());
  return env;
}

} // namespace cairn
