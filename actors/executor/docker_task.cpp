#include "actors/executor/docker_task.hpp"

#include <atomic>

#include <caf/blocking_actor.hpp>
#include <caf/send.hpp>

#include "actors/docker/engine.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

void run(caf::blocking_actor*, docker_task_options options, std::string sandbox,
         std::string task_id, caf::actor executor) {
  docker::engine engine(options.socket);
  // The containerizer created and started it before this executor was
  // launched. It is never started here: a start of a container that has
  // already exited would run it a second time.
  caf::anon_send(executor, docker_started_atom::value, task_id, std::string());
  // The log stream ends when the container stops: its output is all in the
  // sandbox before the end is reported.
  std::atomic<bool> never{false};
  if (auto logs = engine.follow_logs(options.container, sandbox + "/stdout",
                                     sandbox + "/stderr", never))
    logger("executor")->warn("cannot follow the output of {}: {}", options.container,
                             error_message(logs));
  auto code = engine.wait(options.container);
  if (!code) {
    caf::anon_send(executor, docker_exited_atom::value, task_id, -1, false,
                   error_message(code.error()));
    return;
  }
  bool oom = false;
  if (*code != 0 && !options.signalled->load()) {
    auto state = engine.inspect(options.container);
    oom = state && state->oom_killed;
  }
  caf::anon_send(executor, docker_exited_atom::value, task_id, *code, oom, std::string());
}

void send_signal(caf::blocking_actor*, docker_task_options options, std::string signal,
                 std::string task_id, caf::actor executor) {
  options.signalled->store(true);
  docker::engine engine(options.socket);
  if (auto err = engine.kill(options.container, signal)) {
    logger("executor")->warn("cannot send {} to {}: {}", signal, options.container,
                             error_message(err));
    caf::anon_send(executor, docker_unsignalled_atom::value, task_id, signal);
  }
}

} // namespace

void run_docker_task(caf::actor_system& sys, const docker_task_options& options,
                     const std::string& sandbox, const std::string& task_id,
                     caf::actor executor) {
  sys.spawn<caf::detached>(run, options, sandbox, task_id, std::move(executor));
}

void signal_docker_task(caf::actor_system& sys, const docker_task_options& options,
                        const std::string& signal, const std::string& task_id,
                        caf::actor executor) {
  sys.spawn<caf::detached>(send_signal, options, signal, task_id, std::move(executor));
}

} // namespace cairn
