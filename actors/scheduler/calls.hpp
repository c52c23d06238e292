// Building scheduler calls in C++ without touching Cap'n Proto builders, and
// reading events by type: the API a framework written as an actor uses.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "actors/resources/resources.hpp"
#include "runtime/type_ids.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

// A task as a framework describes it; becomes a TaskInfo in a LAUNCH.
struct task_spec {
  std::string id;
  std::string name;
  std::string shell_command;                // run under /bin/sh -c
  std::vector<std::string> argv;            // or this, when shell_command is empty
  std::vector<std::pair<std::string, std::string>> env;
  resources res;
  double grace_period_seconds = 0;          // 0: the executor's default
  // A whole TaskInfo (as `mesos-execute --task` takes one): launched as it
  // is, without its agent_id (the offer's agent is used); the fields above
  // are then ignored but for `id` and `res`.
  wire<schema::TaskInfo> info;
  // A health check for the task made from the fields above.
  wire<schema::HealthCheck> health_check;
  // The task's container (a Docker image, its network and port mappings).
  wire<schema::ContainerInfo> container;
};

namespace calls {

scheduler_call subscribe(schema::FrameworkInfo::Reader info);
scheduler_call launch(const std::string& framework_id, const std::vector<std::string>& offer_ids,
                      const std::vector<task_spec>& tasks, double refuse_seconds = 5.0);
scheduler_call decline(const std::string& framework_id, const std::vector<std::string>& offer_ids,
                       double refuse_seconds = 5.0);
scheduler_call kill(const std::string& framework_id, const std::string& task_id,
                    const std::string& agent_id);
scheduler_call acknowledge(const std::string& framework_id, schema::TaskStatus::Reader status);
// Empty `tasks`: implicit reconciliation (every task the master knows).
scheduler_call reconcile(const std::string& framework_id,
                         const std::vector<std::pair<std::string, std::string>>& tasks);
scheduler_call revive(const std::string& framework_id);
scheduler_call suppress(const std::string& framework_id);
scheduler_call teardown(const std::string& framework_id);

} // namespace calls

// Handlers for the events a framework cares about; unset ones are ignored.
struct scheduler_handlers {
  std::function<void(const std::string& framework_id)> subscribed;
  std::function<void(capnp::List<schema::Offer>::Reader offers)> offers;
  std::function<void(const std::string& offer_id)> rescind;
  std::function<void(schema::TaskStatus::Reader status)> update;
  std::function<void(const std::string& message)> error;
};

void dispatch(const scheduler_event& event, const scheduler_handlers& handlers);

} // namespace cairn
