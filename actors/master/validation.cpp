#include "actors/master/validation.hpp"

#include <algorithm>
#include <cassert>
#include <unordered_set>

#include <fmt/format.h>

#include "actors/executor/check_rules.hpp"
#include "actors/master/unsupported.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using schema::TaskState;
using Reason = schema::TaskStatus::Reason;
using Capability = schema::FrameworkInfo::Capability::Type;
using Operation = schema::Offer::Operation;

// Validates the offers named by the call. Returns "" when every offer is
// usable, else why not; valid ones are collected either way so they can be
// returned to the allocator.
std::string check_offers(capnp::List<schema::OfferID>::Reader ids,
                         const std::string& framework_id, const find_offer_fn& find_offer,
                         accept_plan& plan, resources& offered) {
  if (ids.size() == 0)
    return "No offers specified";
  if (ids.size() > limits::max_offers_per_accept)
    return fmt::format("Too many offers in one call ({} > {})", ids.size(),
                       limits::max_offers_per_accept);
  std::string problem;
  std::unordered_set<std::string> seen;
  for (auto id_reader : ids) {
    std::string id = id_reader.getValue();
    if (!seen.insert(id).second) {
      problem = fmt::format("Duplicate offer {} in the call", id);
      continue;
    }
    const offer_record* offer = find_offer(id);
    if (offer == nullptr || offer->framework_id != framework_id) {
      problem = fmt::format("Offer {} is no longer valid", id);
      continue;
    }
    if (!plan.agent_id.empty() && offer->agent_id != plan.agent_id) {
      problem = "Aggregated offers must belong to one agent";
    } else if (!plan.role.empty() && offer->role != plan.role) {
      problem = "Aggregated offers must be allocated to one role";
    }
    plan.offer_ids.push_back(id);
    if (plan.agent_id.empty()) {
      plan.agent_id = offer->agent_id;
      plan.role = offer->role;
    }
    offered += offer->res;
  }
  return problem;
}

std::string check_command(schema::CommandInfo::Reader command) {
  if (command.getValue().size() == 0)
    return command.getShell() ? "Shell command has no value" : "Command has no program (value)";
  return {};
}

} // namespace

std::string check_kill_policy(schema::KillPolicy::Reader policy) {
  if (!policy.hasGracePeriod())
    return {};
  double ns = static_cast<double>(policy.getGracePeriod().getNanoseconds());
  return check_seconds("kill_policy.grace_period", ns / 1e9);
}

namespace {

// One task against what is left of the offers. Returns "" and fills `res`
// when the task can launch.
std::string check_task(schema::TaskInfo::Reader task, const accept_plan& plan,
                       const resources& remaining, resources& res) {
  // First: what cairn cannot do yet is named, whatever else is wrong.
  if (auto why = unsupported_in_task(task); !why.empty())
    return why;
  if (task.getName().size() == 0)
    return "Task has no name";
  if (task.hasAgentId() && task.getAgentId().getValue() != plan.agent_id)
    return fmt::format("Task uses agent {} but the offers are for agent {}",
                       task.getAgentId().getValue().cStr(), plan.agent_id);
  if (task.hasExecutor() == task.hasCommand())
    return "Task must have exactly one of a command and an executor";
  if (task.hasExecutor()) {
    auto ex = task.getExecutor();
    if (auto problem = check_id(whole(ex.getExecutorId().getValue())); !problem.empty())
      return "Executor ID is invalid: " + problem;
    if (!ex.hasCommand())
      return "Executor has no command";
    if (auto problem = check_command(ex.getCommand()); !problem.empty())
      return "Executor " + problem;
  } else if (auto problem = check_command(task.getCommand()); !problem.empty()) {
    // As in Mesos, a command without a value runs the entrypoint of its
    // image (the agent says so if the image has none).
    bool image = task.hasContainer() && task.getContainer().hasMesos() &&
                 task.getContainer().getMesos().hasImage();
    if (!image || task.getCommand().getShell())
      return problem;
  }
  if (task.hasKillPolicy())
    if (auto problem = check_kill_policy(task.getKillPolicy()); !problem.empty())
      return "Task's " + problem;
  if (task.hasHealthCheck())
    if (auto problem = invalid_health_check(task.getHealthCheck()); !problem.empty())
      return "Task uses invalid health check: " + problem;
  if (task.hasCheck())
    if (auto problem = invalid_check(task.getCheck()); !problem.empty())
      return "Task uses invalid check: " + problem;
  auto parsed = read_resources(task.getResources());
  if (!parsed)
    return "Task has invalid resources: " + error_message(parsed.error());
  if (parsed->empty())
    return "Task uses no resources";
  for (const auto& r : parsed->items())
    if (!r.allocation_role.empty() && r.allocation_role != plan.role)
      return fmt::format("Task resources are allocated to role '{}' but the offers are for '{}'",
                         r.allocation_role, plan.role);
  res = parsed->unallocated().allocated_to(plan.role);
  if (!remaining.contains(res))
    return fmt::format("Task uses more resources {} than available {}",
                       res.unallocated().to_string(), remaining.unallocated().to_string());
  return {};
}

void refuse_operation(accept_plan& plan, Operation::Reader op, size_t index,
                      const std::string& message) {
  refused_operation refused;
  refused.operation = index;
  refused.has_id = op.hasId();
  refused.operation_id = op.getId().getValue();
  refused.message = message;
  plan.refused_operations.push_back(std::move(refused));
}

// The tasks an operation carries, for their TASK_* answers when it is refused.
capnp::List<schema::TaskInfo>::Reader tasks_of(Operation::Reader op) {
  if (op.getType() == Operation::Type::LAUNCH_GROUP)
    return op.getLaunchGroup().getTaskGroup().getTasks();
  return op.getLaunch().getTaskInfos();
}

bool launches(Operation::Reader op) {
  return op.getType() == Operation::Type::LAUNCH || op.getType() == Operation::Type::LAUNCH_GROUP;
}

} // namespace

accept_plan plan_accept(schema::Call::Accept::Reader accept, const std::string& framework_id,
                        bool partition_aware, const find_offer_fn& find_offer,
                        const task_in_use_fn& task_in_use) {
  accept_plan plan;
  resources offered;
  auto offers_problem = check_offers(accept.getOfferIds(), framework_id, find_offer, plan,
                                     offered);
  auto operations = accept.getOperations();
  if (!offers_problem.empty()) {
    // Mesos drops every task of a call with invalid offers.
    auto state = partition_aware ? TaskState::TASK_DROPPED : TaskState::TASK_LOST;
    for (size_t i = 0; i < operations.size(); ++i) {
      auto op = operations[static_cast<unsigned>(i)];
      if (launches(op))
        for (auto t : tasks_of(op))
          plan.refused.push_back({t.getTaskId().getValue(), state, Reason::INVALID_OFFERS,
                                  "Task launched with invalid offers: " + offers_problem});
      if (op.getType() != Operation::Type::LAUNCH)
        refuse_operation(plan, op, i,
                         fmt::format("Offer operation {} was sent with invalid offers: {}",
                                     operation_type_name(op.getType()), offers_problem));
    }
    plan.unused = offered;
    return plan;
  }
  resources remaining = offered;
  std::unordered_set<std::string> ids_in_call;
  size_t tasks_seen = 0;
  for (size_t i = 0; i < operations.size(); ++i) {
    auto op = operations[static_cast<unsigned>(i)];
    // Each operation on its own, as in Mesos: one refused leaves the others be.
    std::string op_problem = unsupported_operation(op.getType());
    if (op_problem.empty() && op.hasId())
      op_problem = "Offer operation LAUNCH cannot have an id: operation feedback is not "
                   "supported for LAUNCH";
    if (!op_problem.empty()) {
      refuse_operation(plan, op, i, op_problem);
      auto reason = op.getType() == Operation::Type::LAUNCH_GROUP ? Reason::TASK_GROUP_INVALID
                                                                   : Reason::TASK_INVALID;
      if (launches(op))
        for (auto t : tasks_of(op))
          plan.refused.push_back({t.getTaskId().getValue(), TaskState::TASK_ERROR, reason,
                                  op_problem});
      continue;
    }
    auto tasks = op.getLaunch().getTaskInfos();
    for (size_t k = 0; k < tasks.size(); ++k) {
      auto t = tasks[static_cast<unsigned>(k)];
      std::string id = t.getTaskId().getValue();
      std::string problem = check_id(whole(t.getTaskId().getValue()));
      if (!problem.empty())
        problem = "Task ID is invalid: " + problem;
      if (problem.empty() && ++tasks_seen > limits::max_operations_per_accept)
        problem = "Too many tasks in one call";
      if (problem.empty() && (task_in_use(id) || !ids_in_call.insert(id).second))
        problem = fmt::format("Task ID '{}' is already in use", id);
      resources res;
      if (problem.empty())
        problem = check_task(t, plan, remaining, res);
      if (!problem.empty()) {
        plan.refused.push_back({id, TaskState::TASK_ERROR, Reason::TASK_INVALID, problem});
        continue;
      }
      remaining -= res;
      plan.launches.push_back({i, k, id, std::move(res)});
    }
  }
  plan.unused = remaining;
  assert(plan.unused + [&] {
    resources launched;
    for (const auto& l : plan.launches)
      launched += l.res;
    return launched;
  }() == offered);
  return plan;
}

bool has_capability(schema::FrameworkInfo::Reader info, Capability type) {
  for (auto c : info.getCapabilities())
    if (c.getType() == type)
      return true;
  return false;
}

caf::expected<std::vector<std::string>> check_framework_info(schema::FrameworkInfo::Reader info) {
  // First: the registry would refuse it, and nothing more need be read of it.
  if (auto why = framework_info_problem(info); !why.empty())
    return make_error(why);
  if (auto why = unsupported_in_framework_info(info); !why.empty())
    return make_error(why);
  if (info.getName().size() == 0)
    return make_error("FrameworkInfo.name must be set");
  // The id names the framework's sandboxes on every agent: a path.
  if (info.hasId())
    if (auto problem = check_id(whole(info.getId().getValue())); !problem.empty())
      return make_error("Invalid FrameworkInfo.id: " + problem);
  if (auto problem = check_seconds("FrameworkInfo.failover_timeout", info.getFailoverTimeout());
      !problem.empty())
    return make_error(problem);
  std::vector<std::string> roles;
  // Whole texts: a NUL inside is refused below, not cut off here.
  for (auto r : info.getRoles())
    roles.emplace_back(r.begin(), r.size());
  if (!roles.empty() && info.getRole().size() > 0)
    return make_error("FrameworkInfo.role and FrameworkInfo.roles cannot both be set");
  if (roles.empty())
    roles.emplace_back(info.getRole().size() > 0
                         ? std::string(info.getRole().begin(), info.getRole().size())
                         : "*");
  if (roles.size() > 1 && !has_capability(info, Capability::MULTI_ROLE))
    return make_error("Several roles need the MULTI_ROLE capability");
  for (const auto& r : roles)
    if (auto problem = check_role(r); !problem.empty())
      return make_error(problem);
  std::sort(roles.begin(), roles.end());
  if (std::adjacent_find(roles.begin(), roles.end()) != roles.end())
    return make_error("FrameworkInfo.roles contains duplicates");
  return roles;
}

} // namespace cairn
