#include "actors/master/unsupported.hpp"

#include <capnp/schema.h>

#include "actors/executor/check_rules.hpp"
#include "runtime/json.hpp"

namespace cairn {

namespace {

using Operation = schema::Offer::Operation;
using Call = schema::Call;

std::string not_yet(const std::string& what) {
  return what + " is not supported yet";
}

bool has_secret(schema::Environment::Reader env) {
  for (auto v : env.getVariables())
    if (v.hasSecret() || v.getType() == schema::Environment::Variable::Type::SECRET)
      return true;
  return false;
}

// A CommandInfo's fields cairn does not honour; `where` is its path.
std::string unsupported_in_command(schema::CommandInfo::Reader command, const std::string& where) {
  if (command.hasEnvironment() && has_secret(command.getEnvironment()))
    return not_yet(where + ".environment.variables.secret");
  return {};
}

std::string unsupported_in_resources(capnp::List<schema::Resource>::Reader resources,
                                     const std::string& where) {
  struct field {
    const char* name;
    bool (*present)(schema::Resource::Reader);
  };
  static const field fields[] = {
    {"disk", [](schema::Resource::Reader r) { return r.hasDisk(); }},
    {"reservation", [](schema::Resource::Reader r) { return r.hasReservation(); }},
    {"revocable", [](schema::Resource::Reader r) { return r.hasRevocable(); }},
    {"shared", [](schema::Resource::Reader r) { return r.hasShared(); }},
    {"provider_id", [](schema::Resource::Reader r) { return r.hasProviderId(); }},
  };
  for (auto r : resources)
    for (const auto& f : fields)
      if (f.present(r))
        return not_yet(std::string("Resource.") + f.name + " (in " + where + ")");
  for (auto r : resources)
    for (auto reservation : r.getReservations())
      if (reservation.hasLabels())
        return not_yet("Resource.reservations.labels (in " + where + ")");
  return {};
}

// A MESOS container runs a Docker image (on agents with
// --image_providers=docker), with host networking and the sandbox only.
std::string unsupported_in_mesos_container(schema::ContainerInfo::Reader c) {
  if (!c.hasMesos() || !c.getMesos().hasImage())
    return not_yet("TaskInfo.container");
  auto image = c.getMesos().getImage();
  if (image.getType() != schema::Image::Type::DOCKER)
    return not_yet("TaskInfo.container.mesos.image of type APPC");
  if (!image.hasDocker() || !image.getDocker().hasName() ||
      image.getDocker().getName().size() == 0)
    return "TaskInfo.container.mesos.image.docker.name is required for a Docker image";
  if (image.getDocker().hasCredential())
    return not_yet("TaskInfo.container.mesos.image.docker.credential");
  if (image.getDocker().hasConfig())
    return not_yet("TaskInfo.container.mesos.image.docker.config");
  struct field {
    const char* name;
    bool (*present)(schema::ContainerInfo::Reader);
  };
  static const field fields[] = {
    {"volumes", [](schema::ContainerInfo::Reader c) { return c.getVolumes().size() > 0; }},
    {"hostname", [](schema::ContainerInfo::Reader c) { return c.hasHostname(); }},
    {"network_infos",
     [](schema::ContainerInfo::Reader c) { return c.getNetworkInfos().size() > 0; }},
    {"linux_info", [](schema::ContainerInfo::Reader c) { return c.hasLinuxInfo(); }},
    {"rlimit_info", [](schema::ContainerInfo::Reader c) { return c.hasRlimitInfo(); }},
    {"tty_info", [](schema::ContainerInfo::Reader c) { return c.hasTtyInfo(); }},
    {"docker", [](schema::ContainerInfo::Reader c) { return c.hasDocker(); }},
  };
  for (const auto& f : fields)
    if (f.present(c))
      return not_yet(std::string("TaskInfo.container.") + f.name + " of a MESOS container");
  return {};
}

// A task's ContainerInfo: DOCKER runs on agents with the docker
// containerizer, MESOS with a Docker image on agents that provision images.
std::string unsupported_in_container(schema::ContainerInfo::Reader c) {
  if (c.getType() != schema::ContainerInfo::Type::DOCKER)
    return unsupported_in_mesos_container(c);
  if (!c.hasDocker())
    return "TaskInfo.container.docker is required for a container of type DOCKER";
  struct field {
    const char* name;
    bool (*present)(schema::ContainerInfo::Reader);
  };
  static const field fields[] = {
    {"linux_info", [](schema::ContainerInfo::Reader c) { return c.hasLinuxInfo(); }},
    {"rlimit_info", [](schema::ContainerInfo::Reader c) { return c.hasRlimitInfo(); }},
    {"tty_info", [](schema::ContainerInfo::Reader c) { return c.hasTtyInfo(); }},
    {"mesos", [](schema::ContainerInfo::Reader c) { return c.hasMesos(); }},
  };
  for (const auto& f : fields)
    if (f.present(c))
      return not_yet(std::string("TaskInfo.container.") + f.name);
  return {};
}

std::string unsupported_in_executor(schema::ExecutorInfo::Reader ex) {
  struct field {
    const char* name;
    bool (*present)(schema::ExecutorInfo::Reader);
  };
  static const field fields[] = {
    {"container", [](schema::ExecutorInfo::Reader e) { return e.hasContainer(); }},
    {"shutdown_grace_period",
     [](schema::ExecutorInfo::Reader e) { return e.hasShutdownGracePeriod(); }},
  };
  for (const auto& f : fields)
    if (f.present(ex))
      return not_yet(std::string("TaskInfo.executor.") + f.name);
  if (ex.hasCommand())
    if (auto why = unsupported_in_command(ex.getCommand(), "TaskInfo.executor.command");
        !why.empty())
      return why;
  return unsupported_in_resources(ex.getResources(), "TaskInfo.executor.resources");
}

} // namespace

std::string operation_type_name(Operation::Type type) {
  return json_name(type);
}

std::string call_type_name(Call::Type type) {
  return json_name(type);
}

std::string unsupported_in_task(schema::TaskInfo::Reader task) {
  // The table: each row a TaskInfo field that a feature still has to honour.
  struct field {
    const char* name;
    bool (*present)(schema::TaskInfo::Reader);
  };
  static const field fields[] = {
    {"max_completion_time", [](schema::TaskInfo::Reader t) { return t.hasMaxCompletionTime(); }},
    // An empty map sets no limit, in Mesos too.
    {"limits", [](schema::TaskInfo::Reader t) { return t.getLimits().getEntries().size() > 0; }},
  };
  for (const auto& f : fields)
    if (f.present(task))
      return not_yet(std::string("TaskInfo.") + f.name);
  if (task.hasContainer())
    if (auto why = unsupported_in_container(task.getContainer()); !why.empty())
      return why;
  if (task.hasHealthCheck())
    if (auto why = unsupported_in_health_check(task.getHealthCheck()); !why.empty())
      return why;
  if (task.hasCommand())
    if (auto why = unsupported_in_command(task.getCommand(), "TaskInfo.command"); !why.empty())
      return why;
  if (task.hasExecutor())
    if (auto why = unsupported_in_executor(task.getExecutor()); !why.empty())
      return why;
  return unsupported_in_resources(task.getResources(), "TaskInfo.resources");
}

std::string unsupported_operation(Operation::Type type) {
  switch (type) {
    case Operation::Type::LAUNCH:
      return {};
    case Operation::Type::UNKNOWN:
      return "Offer operation has no type, or one cairn does not know";
    default:
      return not_yet("Offer operation " + operation_type_name(type));
  }
}

std::string unsupported_call(Call::Type type) {
  switch (type) {
    case Call::Type::ACCEPT_INVERSE_OFFERS:
    case Call::Type::DECLINE_INVERSE_OFFERS:
    case Call::Type::ACKNOWLEDGE_OPERATION_STATUS:
    case Call::Type::RECONCILE_OPERATIONS:
      return not_yet("Call type " + call_type_name(type));
    default:
      return {};
  }
}

std::string unsupported_operator_call(schema::operator_api::Call::Type type) {
  using T = schema::operator_api::Call::Type;
  switch (type) {
    // Offer operations by operators, maintenance, draining, quota. (Logging
    // and the files API are the HTTP server's: actors/http/node_calls.)
    case T::GET_OPERATIONS:
    case T::RESERVE_RESOURCES:
    case T::UNRESERVE_RESOURCES:
    case T::CREATE_VOLUMES:
    case T::DESTROY_VOLUMES:
    case T::GROW_VOLUME:
    case T::SHRINK_VOLUME:
    case T::GET_MAINTENANCE_STATUS:
    case T::GET_MAINTENANCE_SCHEDULE:
    case T::UPDATE_MAINTENANCE_SCHEDULE:
    case T::START_MAINTENANCE:
    case T::STOP_MAINTENANCE:
    case T::DRAIN_AGENT:
    case T::DEACTIVATE_AGENT:
    case T::REACTIVATE_AGENT:
    case T::GET_QUOTA:
    case T::UPDATE_QUOTA:
    case T::SET_QUOTA:
    case T::REMOVE_QUOTA:
    // Containers, resource providers, images.
    case T::GET_CONTAINERS:
    case T::GET_RESOURCE_PROVIDERS:
    case T::LAUNCH_NESTED_CONTAINER:
    case T::WAIT_NESTED_CONTAINER:
    case T::KILL_NESTED_CONTAINER:
    case T::LAUNCH_NESTED_CONTAINER_SESSION:
    case T::ATTACH_CONTAINER_INPUT:
    case T::ATTACH_CONTAINER_OUTPUT:
    case T::LAUNCH_CONTAINER:
    case T::WAIT_CONTAINER:
    case T::KILL_CONTAINER:
    case T::REMOVE_NESTED_CONTAINER:
    case T::REMOVE_CONTAINER:
    case T::ADD_RESOURCE_PROVIDER_CONFIG:
    case T::UPDATE_RESOURCE_PROVIDER_CONFIG:
    case T::REMOVE_RESOURCE_PROVIDER_CONFIG:
    case T::MARK_RESOURCE_PROVIDER_GONE:
    case T::PRUNE_IMAGES:
      return not_yet("Call type " + json_name(type));
    default:
      return {};
  }
}

std::string unsupported_in_framework_info(schema::FrameworkInfo::Reader info) {
  if (info.getOfferFilters().getEntries().size() > 0)
    return not_yet("FrameworkInfo.offer_filters");
  return {};
}

std::string unsupported_in_subscribe(Call::Subscribe::Reader subscribe) {
  if (subscribe.hasOfferConstraints())
    return not_yet("Call.subscribe.offer_constraints");
  return unsupported_in_framework_info(subscribe.getFrameworkInfo());
}

std::string unsupported_in_update_framework(Call::UpdateFramework::Reader update) {
  // The allocator does not filter agents by attributes yet.
  if (update.hasOfferConstraints())
    return not_yet("Call.update_framework.offer_constraints");
  return unsupported_in_framework_info(update.getFrameworkInfo());
}

} // namespace cairn
