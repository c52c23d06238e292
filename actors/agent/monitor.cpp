// GET_CONTAINERS (and through it /monitor/statistics and /containers): what
// every running executor's container uses, asked of the containerizer for
// all of them at once; the answer goes when the last has replied.
#include "actors/agent/state.hpp"

#include <memory>
#include <optional>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "schema/operator.capnp.h"

namespace cairn {

namespace {

namespace op = schema::operator_api;
using AR = op::AgentResponse;

// A containerizer that does not answer in time is left out of the figures,
// well before the HTTP gateway gives up on the agent.
constexpr auto usage_timeout = std::chrono::seconds(5);

struct listed_container {
  std::string framework_id;
  std::string executor_id;
  std::string executor_name;
  std::string container_id;
  std::optional<container_statistics> statistics;
};

struct collecting {
  caf::typed_response_promise<agent_operator_response> promise;
  std::vector<listed_container> containers;
  size_t waiting = 0;
};

// The executor's name as its ExecutorInfo gives it; the command executor's
// as Mesos names it.
std::string executor_name(const executor_entry& ex) {
  for (const auto& [id, task] : ex.tasks)
    if (task.info->hasExecutor())
      return task.info->getExecutor().getName();
  return "Command Executor (Task: " + ex.id + ")";
}

agent_operator_response answer(const std::vector<listed_container>& containers) {
  wire_builder<AR> w{1024};
  auto r = w.root();
  r.setType(op::Call::Type::GET_CONTAINERS);
  auto list = r.initGetContainers().initContainers(static_cast<unsigned>(containers.size()));
  for (unsigned i = 0; i < containers.size(); ++i) {
    const auto& c = containers[i];
    auto out = list[i];
    out.initFrameworkId().setValue(c.framework_id);
    out.initExecutorId().setValue(c.executor_id);
    out.setExecutorName(c.executor_name);
    out.initContainerId().setValue(c.container_id);
    out.initContainerStatus().initContainerId().setValue(c.container_id);
    if (c.statistics)
      out.setResourceStatistics(**c.statistics);
  }
  return std::move(w).finish();
}

void one_replied(const std::shared_ptr<collecting>& c) {
  if (--c->waiting == 0)
    c->promise.deliver(answer(c->containers));
}

} // namespace

caf::result<agent_operator_response> get_containers(agent_ptr self) {
  auto& st = self->state;
  auto c = std::make_shared<collecting>();
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors)
      c->containers.push_back({fid, eid, executor_name(ex), ex.container_id, std::nullopt});
  if (c->containers.empty())
    return answer(c->containers);
  c->promise = self->make_response_promise<agent_operator_response>();
  c->waiting = c->containers.size();
  for (size_t i = 0; i < c->containers.size(); ++i)
    self->request(st.containers, usage_timeout, container_usage_atom::value,
                  c->containers[i].container_id)
      .then(
        [c, i](const container_statistics& stats) {
          c->containers[i].statistics = stats;
          one_replied(c);
        },
        [c, i](caf::error& err) {
          logger("agent")->debug("no usage of container {}: {}", c->containers[i].container_id,
                                 error_message(err));
          one_replied(c);
        });
  return c->promise;
}

} // namespace cairn
