#include "actors/http/monitor_documents.hpp"

#include <capnp/message.h>

#include "runtime/json.hpp"

namespace cairn {

namespace {

using Containers = schema::operator_api::AgentResponse::GetContainers;

// Mesos takes `source` from the ExecutorInfo; the command executor's is its
// task's id, which is also its executor id. Other executors' sources are not
// kept by the agent: empty, as Mesos writes an unset one.
std::string source_of(Containers::Container::Reader c) {
  std::string name = c.getExecutorName();
  return name.rfind("Command Executor (Task: ", 0) == 0 ? std::string(c.getExecutorId().getValue())
                                                        : std::string();
}

std::string document(Containers::Reader containers, bool with_container) {
  capnp::MallocMessageBuilder tree;
  auto root = tree.initRoot<capnp::JsonValue>();
  auto list = containers.getContainers();
  // /monitor/statistics lists only containers whose usage is known, as
  // Mesos' does; /containers lists them all, with statistics where known.
  unsigned n = 0;
  for (auto c : list)
    n += with_container || c.hasResourceStatistics() ? 1 : 0;
  auto out = root.initArray(n);
  unsigned i = 0;
  for (auto c : list) {
    bool stats = c.hasResourceStatistics();
    if (!with_container && !stats)
      continue;
    auto fields = out[i++].initObject((with_container ? 6 : 4) + (stats ? 1 : 0));
    unsigned f = 0;
    auto text = [&](const char* name, const std::string& value) {
      fields[f].setName(name);
      fields[f++].initValue().setString(value);
    };
    text("framework_id", c.getFrameworkId().getValue());
    text("executor_id", c.getExecutorId().getValue());
    text("executor_name", c.getExecutorName());
    text("source", source_of(c));
    if (with_container)
      text("container_id", c.getContainerId().getValue());
    if (stats) {
      fields[f].setName("statistics");
      json_codec().encode(c.getResourceStatistics(), fields[f++].initValue());
    }
    if (with_container) {
      fields[f].setName("status");
      json_codec().encode(c.getContainerStatus(), fields[f++].initValue());
    }
  }
  return detail::write_json(root.asReader());
}

} // namespace

std::string monitor_statistics_json(Containers::Reader containers) {
  return document(containers, false);
}

std::string containers_json(Containers::Reader containers) {
  return document(containers, true);
}

} // namespace cairn
