#include "actors/executor/health_checking.hpp"

#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>

#include "actors/command_line.hpp"

namespace cairn {

namespace {

spawn_options command_of(schema::CommandInfo::Reader command, const probe_context& context) {
  spawn_options options;
  options.argv = command_argv(command);
  options.env = context.env;
  for (auto& v : command_environment(command))
    options.env.push_back(std::move(v));
  options.cwd = context.sandbox;
  // A group of its own, so that a timeout kills all the command started.
  options.isolation = spawn_options::isolation::new_group;
  return options;
}

std::string url_of(const std::string& scheme, uint32_t port, const std::string& path) {
  // Mesos probes 127.0.0.1, never a name a container's hosts file may lack.
  return (scheme.empty() ? "http" : scheme) + "://127.0.0.1:" + std::to_string(port) + path;
}

void run_probe_actor(caf::blocking_actor*, probe_spec spec, bool for_health,
                     std::shared_ptr<const std::atomic<bool>> cancelled, executor_actor executor) {
  auto outcome = run_probe(spec, *cancelled);
  caf::anon_send(executor, probed_atom::value, for_health, static_cast<int>(outcome.what),
                 outcome.value, std::move(outcome.message));
}

} // namespace

probe_spec probe_of(schema::HealthCheck::Reader check, const probe_context& context) {
  using Type = schema::HealthCheck::Type;
  probe_spec spec;
  spec.timeout = from_seconds(check.getTimeoutSeconds());
  switch (check.getType()) {
    case Type::COMMAND:
      spec.what = probe_spec::kind::command;
      spec.command = command_of(check.getCommand(), context);
      break;
    case Type::HTTP:
      spec.what = probe_spec::kind::http;
      spec.url = url_of(check.getHttp().getScheme(), check.getHttp().getPort(),
                        check.getHttp().getPath());
      break;
    default:
      spec.what = probe_spec::kind::tcp;
      spec.port = static_cast<uint16_t>(check.getTcp().getPort());
      break;
  }
  return spec;
}

probe_spec probe_of(schema::CheckInfo::Reader check, const probe_context& context) {
  using Type = schema::CheckInfo::Type;
  probe_spec spec;
  spec.timeout = from_seconds(check.getTimeoutSeconds());
  switch (check.getType()) {
    case Type::COMMAND:
      spec.what = probe_spec::kind::command;
      spec.command = command_of(check.getCommand().getCommand(), context);
      break;
    case Type::HTTP:
      // CheckInfo has no scheme: Mesos checks over plain HTTP.
      spec.what = probe_spec::kind::http;
      spec.url = url_of("http", check.getHttp().getPort(), check.getHttp().getPath());
      break;
    default:
      spec.what = probe_spec::kind::tcp;
      spec.port = static_cast<uint16_t>(check.getTcp().getPort());
      break;
  }
  return spec;
}

void spawn_probe(caf::actor_system& sys, probe_spec spec, bool for_health,
                 std::shared_ptr<const std::atomic<bool>> cancelled, executor_actor executor) {
  sys.spawn(run_probe_actor, std::move(spec), for_health, std::move(cancelled),
            std::move(executor));
}

} // namespace cairn
