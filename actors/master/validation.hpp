// Checking what a framework says: its FrameworkInfo, and what it accepts
// against what it was offered. Pure functions of the call and the master's
// offers, so every rule is unit-tested without actors. Follows Mesos'
// validation of frameworks, offers and tasks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "actors/checks.hpp"
#include "actors/resources/resources.hpp"
#include <caf/expected.hpp>

#include "schema/mesos.capnp.h"
#include "schema/scheduler.capnp.h"

namespace cairn {

struct offer_record {
  std::string id;
  std::string framework_id;
  std::string agent_id;
  std::string role;
  resources res;  // allocated to `role`
};

struct accepted_task {
  size_t operation;  // index in accept.operations
  size_t index;      // index in that operation's task_infos
  std::string task_id;
  resources res;     // as launched: allocated to the offers' role
};

struct refused_task {
  std::string task_id;
  schema::TaskState state;
  schema::TaskStatus::Reason reason;
  std::string message;
};

// An offer operation that is not applied: the framework hears of it as an
// UPDATE_OPERATION_STATUS with OPERATION_ERROR.
struct refused_operation {
  size_t operation;          // index in accept.operations
  bool has_id = false;       // the framework asked for feedback with an id
  std::string operation_id;
  std::string message;
};

struct accept_plan {
  std::vector<std::string> offer_ids;  // the valid offers; all are used up by the call
  std::string agent_id;
  std::string role;
  std::vector<accepted_task> launches;
  std::vector<refused_task> refused;
  std::vector<refused_operation> refused_operations;
  resources unused;                    // offered but not launched: back to the allocator
};

using find_offer_fn = std::function<const offer_record*(const std::string& offer_id)>;
using task_in_use_fn = std::function<bool(const std::string& task_id)>;

accept_plan plan_accept(schema::Call::Accept::Reader accept, const std::string& framework_id,
                        bool partition_aware, const find_offer_fn& find_offer,
                        const task_in_use_fn& task_in_use);

// A kill policy's grace period is a duration from outside: see check_seconds.
std::string check_kill_policy(schema::KillPolicy::Reader policy);

bool has_capability(schema::FrameworkInfo::Reader info,
                    schema::FrameworkInfo::Capability::Type type);

// Checks FrameworkInfo as Mesos does (and its id, which becomes a path, and
// its failover_timeout, a duration); returns its roles, sorted, or why not.
// The HTTP edge and the master both ask it.
caf::expected<std::vector<std::string>> check_framework_info(schema::FrameworkInfo::Reader info);

} // namespace cairn
