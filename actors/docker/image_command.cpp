#include "actors/docker/image_command.hpp"

#include <cassert>

#include "actors/command_line.hpp"
#include "actors/docker/json_text.hpp"
#include "runtime/errors.hpp"

namespace cairn::docker {

namespace {

caf::expected<std::vector<std::string>> argv_of(schema::CommandInfo::Reader command,
                                                const image_config& image) {
  if (command.getShell()) {
    if (!command.hasValue())
      return make_error("Failed to determine the launch command: Shell specified but no "
                        "command value provided");
    return command_argv(command);
  }
  if (command.hasValue())
    return command_argv(command);
  std::vector<std::string> arguments;
  for (auto a : command.getArguments())
    arguments.emplace_back(a.cStr());
  std::vector<std::string> argv;
  if (!image.entrypoint.empty()) {
    argv = image.entrypoint;
    const auto& rest = arguments.empty() ? image.cmd : arguments;
    argv.insert(argv.end(), rest.begin(), rest.end());
  } else if (!image.cmd.empty()) {
    // The task's arguments follow Cmd[0] (their first is taken as argv[1]
    // and on, as Mesos appends them); without any, the whole Cmd.
    argv.push_back(image.cmd.front());
    if (arguments.empty())
      argv.insert(argv.end(), image.cmd.begin() + 1, image.cmd.end());
    else
      argv.insert(argv.end(), arguments.begin(), arguments.end());
  } else {
    return make_error("Failed to determine the launch command: No executable is found "
                      "(the command has no value and the image neither Entrypoint nor Cmd)");
  }
  assert(!argv.empty());
  return argv;
}

// Sets NAME=value in `env`, replacing an earlier value of NAME in place.
void set_var(std::vector<std::string>& env, const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos || eq == 0)
    return;  // as Mesos, an image entry without a name is skipped
  auto prefix = entry.substr(0, eq + 1);
  for (auto& e : env)
    if (e.compare(0, prefix.size(), prefix) == 0) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

} // namespace

caf::expected<image_launch> merge_image_command(schema::CommandInfo::Reader command,
                                                const image_config& image,
                                                const std::string& sandbox) {
  assert(!sandbox.empty() && sandbox[0] == '/');
  auto argv = argv_of(command, image);
  if (!argv)
    return argv.error();
  image_launch launch;
  launch.argv = std::move(*argv);
  for (const auto& e : image.env)
    set_var(launch.env, e);
  for (const auto& e : command_environment(command))
    set_var(launch.env, e);
  bool has_path = false;
  for (const auto& e : launch.env)
    has_path = has_path || e.rfind("PATH=", 0) == 0;
  if (!has_path)
    launch.env.push_back(std::string("PATH=") + default_container_path);
  set_var(launch.env, "MESOS_SANDBOX=" + sandbox);
  launch.working_dir = image.working_dir.empty() ? sandbox : image.working_dir;
  assert(!launch.argv.empty() && !launch.working_dir.empty());
  return launch;
}

std::string encode_image_launch(const image_launch& launch) {
  json_writer w;
  w.begin_object();
  w.key("argv").strings(launch.argv);
  w.key("env").strings(launch.env);
  w.key("working_dir").value(launch.working_dir);
  w.end_object();
  return w.text();
}

caf::expected<image_launch> decode_image_launch(const std::string& text) {
  auto tree = json_tree::parse(text);
  if (!tree || !tree->root().isObject())
    return make_error("the image launch handed to the executor is not a JSON object");
  image_launch launch;
  auto root = tree->root();
  for (auto [name, out] : {std::pair{"argv", &launch.argv}, std::pair{"env", &launch.env}}) {
    capnp::JsonValue::Reader storage;
    auto m = member(root, name, storage);
    if (m == nullptr || !m->isArray())
      return make_error(std::string("the image launch has no list '") + name + "'");
    for (auto item : m->getArray())
      if (item.isString())
        out->emplace_back(item.getString().cStr());
  }
  launch.working_dir = text_member(root, "working_dir");
  if (launch.argv.empty() || launch.working_dir.empty())
    return make_error("the image launch has no program or no working directory");
  return launch;
}

} // namespace cairn::docker
