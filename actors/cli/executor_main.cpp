// `cairn-executor`: started by an agent, never by hand. Connects back to the
// agent named in its environment and runs the command executor. A program
// of its own, linked with only what an executor needs: a machine starts one
// per task, and each pays for loading every library it is linked with.
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>

#include "actors/agent/agent.hpp"
#include "actors/executor/executor.hpp"
#include "runtime/connect.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/random.hpp"
#include "runtime/system.hpp"

namespace cairn {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A duration from the environment in Mesos' syntax, or `fallback` when unset.
caf::expected<duration> env_duration(const char* name, duration fallback) {
  auto text = env_or_empty(name);
  if (text.empty())
    return fallback;
  auto d = parse_duration(text);
  if (!d)
    return make_error(std::string(name) + "='" + text + "': " + error_message(d.error()));
  return d;
}

// What the agent tells executors of checkpointing frameworks, as Mesos'
// agent does: MESOS_CHECKPOINT=1, MESOS_RECOVERY_TIMEOUT (its
// --recovery_timeout) and MESOS_SUBSCRIPTION_BACKOFF_MAX (the longest wait
// between two attempts to reach it again).
caf::error read_recovery(executor_options& options, const endpoint& where) {
  options.checkpoint = env_or_empty("MESOS_CHECKPOINT") == "1";
  if (!options.checkpoint)
    return caf::none;
  auto timeout = env_duration("MESOS_RECOVERY_TIMEOUT", std::chrono::minutes(15));
  if (!timeout)
    return timeout.error();
  auto backoff = env_duration("MESOS_SUBSCRIPTION_BACKOFF_MAX", std::chrono::seconds(2));
  if (!backoff)
    return backoff.error();
  options.recovery_timeout = *timeout;
  options.reconnect.backoff_max = *backoff;
  options.reconnect.host = where.host;
  options.reconnect.port = where.port;
  options.reconnect.seed = options.seed + 1;
  return caf::none;
}

// The docker containerizer hands a DOCKER task over in the environment; its
// kill grace period defaults to the agent's --executor_shutdown_grace_period.
caf::error read_docker(executor_options& options) {
  auto container = env_or_empty(docker_container_env);
  if (container.empty())
    return caf::none;
  docker_task_options docker;
  docker.container = container;
  docker.socket = env_or_empty(docker_socket_env);
  if (docker.socket.empty())
    return make_error(std::string(docker_container_env) + " is set without " +
                      docker_socket_env);
  auto grace = env_duration("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", std::chrono::seconds(5));
  if (!grace)
    return grace.error();
  options.default_grace_period = *grace;
  options.docker = std::move(docker);
  return caf::none;
}

// The mesos containerizer hands a task in a Docker image over in the
// environment: its root file system and the launch merged for it.
caf::error read_image(executor_options& options) {
  auto rootfs = env_or_empty(image_rootfs_env);
  if (rootfs.empty())
    return caf::none;
  image_task_options image;
  image.rootfs = rootfs;
  image.sandbox_mount = env_or_empty(image_sandbox_env);
  auto launch = docker::decode_image_launch(env_or_empty(image_launch_env));
  if (!launch)
    return launch.error();
  if (image.sandbox_mount.empty() || image.sandbox_mount[0] != '/')
    return make_error(std::string(image_rootfs_env) + " is set without an absolute " +
                      image_sandbox_env);
  image.launch = std::move(*launch);
  options.image = std::move(image);
  return caf::none;
}

// Scheduler threads of one executor process: its actors never block (the
// task, its probes and Engine API calls have threads of their own), and a
// machine's hundreds of executors should not each wake once per core.
constexpr size_t executor_scheduler_threads = 2;

int run_executor() {
  setup_logging(env_or_empty("CAIRN_LOGGING_LEVEL").empty() ? "INFO"
                                                             : env_or_empty("CAIRN_LOGGING_LEVEL"));
  executor_options options;
  options.framework_id = env_or_empty("CAIRN_FRAMEWORK_ID");
  options.executor_id = env_or_empty("CAIRN_EXECUTOR_ID");
  options.sandbox = env_or_empty("CAIRN_SANDBOX");
  options.seed = entropy_seed();
  auto where = parse_endpoint(env_or_empty("CAIRN_AGENT_ENDPOINT"), 0);
  if (!where || options.framework_id.empty() || options.executor_id.empty()) {
    std::cerr << "cairn-executor: started without an agent to report to "
                 "(CAIRN_AGENT_ENDPOINT, CAIRN_FRAMEWORK_ID, CAIRN_EXECUTOR_ID); "
                 "agents start executors, people do not"
              << std::endl;
    return 2;
  }
  if (auto err = read_image(options)) {
    std::cerr << "cairn-executor: " << error_message(err) << std::endl;
    return 2;
  }
  if (auto err = read_docker(options)) {
    std::cerr << "cairn-executor: " << error_message(err) << std::endl;
    return 2;
  }
  if (auto err = read_recovery(options, *where)) {
    std::cerr << "cairn-executor: " << error_message(err) << std::endl;
    return 2;
  }
  system_config cfg;
  cfg.sleep_when_idle(executor_scheduler_threads);
  caf::actor_system sys{cfg};
  auto agent = sys.middleman().remote_actor<agent_actor>(where->host, where->port);
  if (!agent) {
    std::cerr << "cairn-executor: cannot reach the agent at " << where->host << ":"
              << where->port << ": " << sys.render(agent.error()) << std::endl;
    return 1;
  }
  spawn_command_executor(sys, options, caf::actor_cast<executor_call_sink>(*agent));
  sys.await_all_actors_done();
  return 0;
}

} // namespace

} // namespace cairn

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "cairn-executor " << CAIRN_VERSION << std::endl;
    return 0;
  }
  if (argc > 1) {
    std::cerr << "cairn-executor: takes no arguments (its agent tells it everything in its "
                 "environment), not '"
              << argv[1] << "'" << std::endl;
    return 2;
  }
  return cairn::run_executor();
}
