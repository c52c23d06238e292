// What cairn does not do yet is refused by name, never accepted and dropped:
// TaskInfo fields (TASK_ERROR), offer operations (OPERATION_ERROR), call
// types and subscribe fields; and every such field reads in Mesos' JSON.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <capnp/schema.h>
#include <fmt/format.h>

#include "actors/master/unsupported.hpp"
#include "actors/master/validation.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/json.hpp"

using namespace cairn;
using schema::TaskState;
using Reason = schema::TaskStatus::Reason;
using OpType = schema::Offer::Operation::Type;

namespace {

const char* cpus_1 = R"({"name": "cpus", "type": "SCALAR", "scalar": {"value": 1}})";

// A task that cairn runs, with `extra` members added to its TaskInfo (an
// extra `command` replaces its own).
std::string task_json(const std::string& id, const std::string& extra = "",
                      const std::string& resources = cpus_1) {
  bool own_command = extra.rfind("\"command\"", 0) != 0;
  return fmt::format(R"({{"name": "n", "task_id": {{"value": "{}"}},
    "agent_id": {{"value": "a1"}}, "resources": [{}]{}{}}})",
                     id, resources, own_command ? R"(, "command": {"value": "true"})" : "",
                     extra.empty() ? "" : ", " + extra);
}

std::string launch_json(const std::vector<std::string>& tasks) {
  std::string list;
  for (const auto& t : tasks)
    list += (list.empty() ? "" : ",") + t;
  return R"({"type": "LAUNCH", "launch": {"task_infos": [)" + list + "]}}";
}

wire<schema::Call> accept_call(const std::vector<std::string>& operations) {
  std::string list;
  for (const auto& op : operations)
    list += (list.empty() ? "" : ",") + op;
  auto call = from_json<schema::Call>(
    R"({"framework_id": {"value": "fw"}, "type": "ACCEPT", "accept": {
         "offer_ids": [{"value": "o1"}], "operations": [)" + list + "]}}");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  return std::move(*call);
}

struct fixture {
  std::map<std::string, offer_record> offers;

  fixture() {
    offers["o1"] = {"o1", "fw", "a1", "*",
                    parse_resources("cpus:4;mem:1024").value().allocated_to("*")};
  }

  accept_plan plan(const std::vector<std::string>& operations) {
    auto call = accept_call(operations);
    return plan_accept(
      call->getAccept(), "fw", false,
      [&](const std::string& id) -> const offer_record* {
        auto i = offers.find(id);
        return i == offers.end() ? nullptr : &i->second;
      },
      [](const std::string&) { return false; });
  }
};

// The one task of `extra` is refused with `message`, and nothing launches.
void check_task_refused(const std::string& extra, const std::string& message,
                        const std::string& resources = cpus_1) {
  fixture f;
  auto p = f.plan({launch_json({task_json("t", extra, resources)})});
  CAPTURE(extra);
  CHECK(p.launches.empty());
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].task_id == "t");
  CHECK(p.refused[0].state == TaskState::TASK_ERROR);
  CHECK(p.refused[0].reason == Reason::TASK_INVALID);
  CHECK(p.refused[0].message == message);
  CHECK(p.refused_operations.empty());
  // Its resources go back whole.
  CHECK(p.unused.unallocated() == parse_resources("cpus:4;mem:1024").value());
}

} // namespace

TEST_CASE("a plain task still launches") {
  fixture f;
  auto p = f.plan({launch_json({task_json("t")})});
  CHECK(p.refused.empty());
  CHECK(p.refused_operations.empty());
  CHECK(p.launches.size() == 1);
}

TEST_CASE("a MESOS task with a Docker image launches (the agent provisions it)") {
  fixture f;
  auto p = f.plan({launch_json({task_json("t", R"("container": {"type": "MESOS",
    "mesos": {"image": {"type": "DOCKER", "docker": {"name": "greet:1"}}}})")})});
  CHECK(p.refused.empty());
  CHECK(p.launches.size() == 1);
}

TEST_CASE("a DOCKER task launches; one without its docker field is refused") {
  fixture f;
  auto p = f.plan({launch_json({task_json("t", R"("container": {"type": "DOCKER",
    "docker": {"image": "busybox:local", "network": "BRIDGE"}})")})});
  CHECK(p.refused.empty());
  CHECK(p.launches.size() == 1);
  auto q = f.plan({launch_json({task_json("u", R"("container": {"type": "DOCKER"})")})});
  REQUIRE(q.refused.size() == 1);
  CHECK(q.refused[0].message ==
        "TaskInfo.container.docker is required for a container of type DOCKER");
}

TEST_CASE("each TaskInfo field cairn does not honour yet is refused by its name") {
  const std::vector<std::pair<std::string, std::string>> cases = {
    {R"("container": {"type": "MESOS"})", "TaskInfo.container"},
    {R"("container": {"type": "MESOS", "mesos": {"image": {"type": "APPC",
        "appc": {"name": "busybox"}}}})",
     "TaskInfo.container.mesos.image of type APPC"},
    {R"("container": {"type": "MESOS", "mesos": {"image": {"type": "DOCKER",
        "docker": {"name": "busybox"}}}, "volumes": [{"container_path": "/v",
        "mode": "RW", "host_path": "/tmp"}]})",
     "TaskInfo.container.volumes of a MESOS container"},
    {R"("container": {"type": "MESOS", "mesos": {"image": {"type": "DOCKER",
        "docker": {"name": "busybox"}}}, "network_infos": [{"name": "n"}]})",
     "TaskInfo.container.network_infos of a MESOS container"},
    {R"("container": {"type": "DOCKER", "docker": {"image": "busybox"},
        "tty_info": {}})", "TaskInfo.container.tty_info"},
    {R"("container": {"type": "DOCKER", "docker": {"image": "busybox"},
        "linux_info": {}})", "TaskInfo.container.linux_info"},
    {R"("health_check": {"type": "HTTP", "http": {"port": 80, "protocol": "IPv6"}})",
     "TaskInfo.health_check.http.protocol IPv6"},
    {R"("health_check": {"type": "TCP", "tcp": {"port": 80, "protocol": "IPv6"}})",
     "TaskInfo.health_check.tcp.protocol IPv6"},
    {R"("max_completion_time": {"nanoseconds": 1000000000})", "TaskInfo.max_completion_time"},
    {R"("limits": {"cpus": {"value": 2}})", "TaskInfo.limits"},
    {R"("command": {"value": "true", "environment": {"variables": [
        {"name": "P", "type": "SECRET", "secret": {"type": "REFERENCE",
         "reference": {"name": "s"}}}]}})",
     "TaskInfo.command.environment.variables.secret"},
  };
  for (const auto& [extra, field] : cases)
    check_task_refused(extra, field + " is not supported yet");
}

TEST_CASE("health checks and checks launch; invalid ones are refused as Mesos refuses them") {
  fixture f;
  auto p = f.plan({launch_json({task_json("t", R"("health_check": {"type": "HTTP",
    "http": {"port": 8080, "path": "/health"}}, "check": {"type": "TCP", "tcp": {"port": 1}})")})});
  CHECK(p.refused.empty());
  CHECK(p.launches.size() == 1);
  check_task_refused(R"("health_check": {"type": "COMMAND"})",
                     "Task uses invalid health check: "
                     "Expecting 'command' to be set for COMMAND health check");
  check_task_refused(R"("health_check": {"type": "TCP", "tcp": {"port": 1},
                        "interval_seconds": -1})",
                     "Task uses invalid health check: "
                     "Expecting 'interval_seconds' to be non-negative");
  check_task_refused(R"("check": {"type": "HTTP", "http": {"port": 80, "path": "x"}})",
                     "Task uses invalid check: The path 'x' of HTTP check must start with '/'");
  check_task_refused(R"("check": {"tcp": {"port": 80}})",
                     "Task uses invalid check: CheckInfo must specify 'type'");
}

TEST_CASE("an executor's fields cairn does not honour yet are refused by name") {
  auto executor = [](const std::string& extra) {
    return R"("executor": {"executor_id": {"value": "e"}, "command": {"value": "x"})" + extra
           + "}";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
    {R"(, "container": {"type": "MESOS"})", "TaskInfo.executor.container"},
    {R"(, "shutdown_grace_period": {"nanoseconds": 5})", "TaskInfo.executor.shutdown_grace_period"},
  };
  for (const auto& [extra, field] : cases) {
    fixture f;
    // A task with an executor has no command of its own.
    auto task = R"({"name": "n", "task_id": {"value": "t"}, "resources": [)"
                + std::string(cpus_1) + "], " + executor(extra) + "}";
    auto p = f.plan({launch_json({task})});
    CAPTURE(extra);
    REQUIRE(p.refused.size() == 1);
    CHECK(p.refused[0].message == field + " is not supported yet");
    CHECK(p.launches.empty());
  }
  // URIs are fetched and a command's user is honoured: both pass.
  fixture f;
  auto task = R"({"name": "n", "task_id": {"value": "t"}, "resources": [)" + std::string(cpus_1)
              + R"(], "executor": {"executor_id": {"value": "e"}, "command": {"value": "x",
                  "user": "nobody", "uris": [{"value": "/tmp/x"}]}}})";
  auto p = f.plan({launch_json({task})});
  CHECK(p.refused.empty());
  CHECK(p.launches.size() == 1);
}

TEST_CASE("resource fields cairn does not honour yet are refused by name") {
  const std::vector<std::pair<std::string, std::string>> cases = {
    {R"("disk": {"persistence": {"id": "v"}, "volume": {"mode": "RW", "container_path": "d"}})",
     "disk"},
    {R"("revocable": {})", "revocable"},
    {R"("shared": {})", "shared"},
    {R"("provider_id": {"value": "p"})", "provider_id"},
    {R"("reservation": {"principal": "me"})", "reservation"},
  };
  for (const auto& [member, field] : cases) {
    std::string res = R"({"name": "cpus", "type": "SCALAR", "scalar": {"value": 1}, )" + member
                      + "}";
    check_task_refused("", "Resource." + field + " (in TaskInfo.resources) is not supported yet",
                       res);
  }
}

TEST_CASE("offer operations cairn does not apply yet are refused, each on its own") {
  const std::vector<std::pair<std::string, std::string>> ops = {
    {"RESERVE", R"("reserve": {"resources": [)" + std::string(cpus_1) + "]}"},
    {"UNRESERVE", R"("unreserve": {"resources": [)" + std::string(cpus_1) + "]}"},
    {"CREATE", R"("create": {"volumes": []})"},
    {"DESTROY", R"("destroy": {"volumes": []})"},
    {"GROW_VOLUME", R"("grow_volume": {"volume": )" + std::string(cpus_1) + "}"},
    {"SHRINK_VOLUME", R"("shrink_volume": {"subtract": {"value": 1}})"},
    {"CREATE_DISK", R"("create_disk": {"target_type": "MOUNT"})"},
    {"DESTROY_DISK", R"("destroy_disk": {"source": )" + std::string(cpus_1) + "}"},
  };
  for (const auto& [type, body] : ops) {
    CAPTURE(type);
    fixture f;
    auto with_id = R"({"type": ")" + type + R"(", "id": {"value": "op-1"}, )" + body + "}";
    auto without_id = R"({"type": ")" + type + R"(", )" + body + "}";
    // A LAUNCH between them is applied all the same.
    auto p = f.plan({with_id, launch_json({task_json("t")}), without_id});
    REQUIRE(p.refused_operations.size() == 2);
    CHECK(p.refused_operations[0].operation == 0);
    CHECK(p.refused_operations[0].has_id);
    CHECK(p.refused_operations[0].operation_id == "op-1");
    CHECK(p.refused_operations[0].message == "Offer operation " + type + " is not supported yet");
    CHECK(p.refused_operations[1].operation == 2);
    CHECK_FALSE(p.refused_operations[1].has_id);
    CHECK(p.refused.empty());
    REQUIRE(p.launches.size() == 1);
    CHECK(p.launches[0].operation == 1);
    CHECK(p.unused.unallocated() == parse_resources("cpus:3;mem:1024").value());
  }
}

TEST_CASE("LAUNCH_GROUP is refused, and every task of its group hears TASK_ERROR") {
  fixture f;
  auto group = R"({"type": "LAUNCH_GROUP", "id": {"value": "g"}, "launch_group": {
      "executor": {"type": "DEFAULT", "executor_id": {"value": "e"},
                   "resources": [)" + std::string(cpus_1) + R"(]},
      "task_group": {"tasks": [)" + task_json("g1") + "," + task_json("g2") + "]}}}";
  auto p = f.plan({group});
  CHECK(p.launches.empty());
  REQUIRE(p.refused_operations.size() == 1);
  CHECK(p.refused_operations[0].operation_id == "g");
  CHECK(p.refused_operations[0].message == "Offer operation LAUNCH_GROUP is not supported yet");
  REQUIRE(p.refused.size() == 2);
  for (const auto& r : p.refused) {
    CHECK(r.state == TaskState::TASK_ERROR);
    CHECK(r.reason == Reason::TASK_GROUP_INVALID);
    CHECK(r.message == "Offer operation LAUNCH_GROUP is not supported yet");
  }
  CHECK(p.refused[0].task_id == "g1");
  CHECK(p.unused.unallocated() == parse_resources("cpus:4;mem:1024").value());
}

TEST_CASE("a LAUNCH that asks for operation feedback is refused with its tasks") {
  fixture f;
  auto op = R"({"type": "LAUNCH", "id": {"value": "l"}, "launch": {"task_infos": [)"
            + task_json("t") + "]}}";
  auto p = f.plan({op});
  CHECK(p.launches.empty());
  REQUIRE(p.refused_operations.size() == 1);
  CHECK(p.refused_operations[0].operation_id == "l");
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].state == TaskState::TASK_ERROR);
  CHECK(p.refused[0].message.find("operation feedback") != std::string::npos);
}

TEST_CASE("an operation with no type is refused, not skipped") {
  fixture f;
  auto p = f.plan({R"({"id": {"value": "x"}})"});
  REQUIRE(p.refused_operations.size() == 1);
  CHECK(p.refused_operations[0].operation_id == "x");
}

TEST_CASE("operations sent with invalid offers are refused as well as their tasks") {
  fixture f;
  f.offers.clear();
  auto p = f.plan({R"({"type": "RESERVE", "id": {"value": "r"}, "reserve": {}})",
                   launch_json({task_json("t")})});
  REQUIRE(p.refused_operations.size() == 1);
  CHECK(p.refused_operations[0].message.find("invalid offers") != std::string::npos);
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].reason == Reason::INVALID_OFFERS);
}

TEST_CASE("call types the master does not serve yet are named; served ones are not") {
  using T = schema::Call::Type;
  const std::vector<std::pair<T, std::string>> refused = {
    {T::ACCEPT_INVERSE_OFFERS, "ACCEPT_INVERSE_OFFERS"},
    {T::DECLINE_INVERSE_OFFERS, "DECLINE_INVERSE_OFFERS"},
    {T::ACKNOWLEDGE_OPERATION_STATUS, "ACKNOWLEDGE_OPERATION_STATUS"},
    {T::RECONCILE_OPERATIONS, "RECONCILE_OPERATIONS"},
  };
  for (const auto& [type, name] : refused)
    CHECK(unsupported_call(type) == "Call type " + name + " is not supported yet");
  for (auto type : {T::SUBSCRIBE, T::TEARDOWN, T::ACCEPT, T::DECLINE, T::REVIVE, T::KILL,
                    T::ACKNOWLEDGE, T::RECONCILE, T::MESSAGE, T::SUPPRESS, T::SHUTDOWN,
                    T::REQUEST, T::UPDATE_FRAMEWORK})
    CHECK(unsupported_call(type).empty());
}

TEST_CASE("subscribe fields not honoured yet are refused by name") {
  auto call = from_json<schema::Call>(R"({"type": "SUBSCRIBE", "subscribe": {
    "framework_info": {"user": "u", "name": "n"},
    "offer_constraints": {"role_constraints": {"*": {"groups": [{"attribute_constraints": [
      {"selector": {"attribute_name": "rack"}, "predicate": {"exists": {}}}]}]}}}}})");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  auto sub = (*call)->getSubscribe();
  CHECK(unsupported_in_subscribe(sub) == "Call.subscribe.offer_constraints is not supported yet");
  auto roles = sub.getOfferConstraints().getRoleConstraints().getEntries();
  REQUIRE(roles.size() == 1);
  CHECK(roles[0].getKey() == "*");
  REQUIRE(roles[0].getValue().getGroups().size() == 1);
  REQUIRE(roles[0].getValue().getGroups()[0].getAttributeConstraints().size() == 1);
  auto constraint = roles[0].getValue().getGroups()[0].getAttributeConstraints()[0];
  CHECK(constraint.getSelector().getAttributeName() == "rack");
  CHECK(constraint.getPredicate().hasExists());

  auto filtered = from_json<schema::Call>(R"({"type": "SUBSCRIBE", "subscribe": {
    "framework_info": {"user": "u", "name": "n", "offer_filters": {"*": {
      "min_allocatable_resources": {"quantities": [{"quantities": {"cpus": {"value": 1}}}]}}}}}})");
  REQUIRE(filtered);
  auto info = (*filtered)->getSubscribe().getFrameworkInfo();
  REQUIRE(info.getOfferFilters().getEntries().size() == 1);
  auto minimum = info.getOfferFilters().getEntries()[0].getValue().getMinAllocatableResources();
  REQUIRE(minimum.getQuantities().size() == 1);
  CHECK(minimum.getQuantities()[0].getQuantities().getEntries()[0].getKey() == "cpus");
  CHECK(unsupported_in_framework_info(info) == "FrameworkInfo.offer_filters is not supported yet");
  auto checked = check_framework_info(info);
  REQUIRE_FALSE(checked);
  CHECK(error_message(checked.error()) == "FrameworkInfo.offer_filters is not supported yet");
}

TEST_CASE("UPDATE_FRAMEWORK with offer constraints is refused by name; without, it is not") {
  auto call = from_json<schema::Call>(R"({"type": "UPDATE_FRAMEWORK", "update_framework": {
    "framework_info": {"user": "u", "name": "n"},
    "offer_constraints": {"role_constraints": {"*": {"groups": [{"attribute_constraints": [
      {"selector": {"attribute_name": "rack"}, "predicate": {"exists": {}}}]}]}}}}})");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  CHECK(unsupported_in_update_framework((*call)->getUpdateFramework())
        == "Call.update_framework.offer_constraints is not supported yet");
  auto plain = from_json<schema::Call>(R"({"type": "UPDATE_FRAMEWORK", "update_framework": {
    "framework_info": {"user": "u", "name": "n"}, "suppressed_roles": []}})");
  REQUIRE(plain);
  CHECK(unsupported_in_update_framework((*plain)->getUpdateFramework()).empty());
}

TEST_CASE("the OPERATION_FEEDBACK capability is read and accepted at SUBSCRIBE") {
  auto call = from_json<schema::Call>(R"({"type": "SUBSCRIBE", "subscribe": {
    "framework_info": {"user": "u", "name": "n",
      "capabilities": [{"type": "OPERATION_FEEDBACK"}, {"type": "MULTI_ROLE"}]}}})");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  auto info = (*call)->getSubscribe().getFrameworkInfo();
  REQUIRE(info.getCapabilities().size() == 2);
  CHECK(info.getCapabilities()[0].getType()
        == schema::FrameworkInfo::Capability::Type::OPERATION_FEEDBACK);
  CHECK(unsupported_in_subscribe((*call)->getSubscribe()).empty());
  CHECK(check_framework_info(info));
}

TEST_CASE("protobuf maps read and write as JSON objects keyed by name") {
  auto call = from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"type": "LAUNCH", "launch": {"task_infos": [{"name": "n", "task_id": {"value": "t"},
      "limits": {"cpus": {"value": 2.5}, "mem": {"value": 64}}}]}}]}})");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  auto limits = (*call)->getAccept().getOperations()[0].getLaunch().getTaskInfos()[0].getLimits();
  REQUIRE(limits.getEntries().size() == 2);
  CHECK(limits.getEntries()[0].getKey() == "cpus");
  CHECK(limits.getEntries()[0].getValue().getValue() == 2.5);
  auto text = to_json(limits);
  CHECK(text.find(R"("cpus":{"value":2.5})") != std::string::npos);
  CHECK(text.find("entries") == std::string::npos);

  CHECK_FALSE(from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"launch": {"task_infos": [{"limits": [1, 2]}]}}]}})"));
  CHECK_FALSE(from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"launch": {"task_infos": [{"limits": {"cpus": {"value": 1}, "cpus": {"value": 2}}}]}}]}})"));
}

TEST_CASE("Mesos' fields and enum names read into the schema") {
  auto call = from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"type": "LAUNCH", "launch": {"task_infos": [{"name": "n", "task_id": {"value": "t"},
      "container": {"type": "DOCKER", "hostname": "h",
        "docker": {"image": "i", "network": "BRIDGE", "force_pull_image": true,
                   "port_mappings": [{"host_port": 1, "container_port": 2}]},
        "volumes": [{"mode": "RO", "container_path": "/c", "source": {"type": "SANDBOX_PATH",
                     "sandbox_path": {"type": "PARENT", "path": "p"}}}],
        "network_infos": [{"name": "net", "ip_addresses": [{"protocol": "IPv6"}]}],
        "linux_info": {"effective_capabilities": {"capabilities": ["NET_ADMIN"]},
                       "ipc_mode": "SHARE_PARENT", "share_cgroups": false},
        "rlimit_info": {"rlimits": [{"type": "RLMT_NOFILE", "hard": 10, "soft": 5}]},
        "tty_info": {"window_size": {"rows": 24, "columns": 80}}},
      "health_check": {"type": "TCP", "tcp": {"port": 8}, "consecutive_failures": 7},
      "discovery": {"visibility": "EXTERNAL", "ports": {"ports": [{"number": 80,
                    "visibility": "CLUSTER"}]}},
      "executor": {"executor_id": {"value": "e"}, "shutdown_grace_period": {"nanoseconds": 3},
                   "labels": {"labels": [{"key": "k"}]}}}]}}]}})");
  REQUIRE_MESSAGE(call, error_message(call.error()));
  auto t = (*call)->getAccept().getOperations()[0].getLaunch().getTaskInfos()[0];
  auto c = t.getContainer();
  CHECK(c.getType() == schema::ContainerInfo::Type::DOCKER);
  CHECK(c.getDocker().getNetwork() == schema::ContainerInfo::DockerInfo::Network::BRIDGE);
  CHECK(c.getDocker().getForcePullImage());
  CHECK(c.getVolumes()[0].getMode() == schema::Volume::Mode::RO);
  CHECK(c.getVolumes()[0].getSource().getSandboxPath().getPath() == "p");
  CHECK(c.getNetworkInfos()[0].getIpAddresses()[0].getProtocol()
        == schema::NetworkInfo::Protocol::I_PV6);
  CHECK(c.getLinuxInfo().getEffectiveCapabilities().getCapabilities()[0]
        == schema::CapabilityInfo::Capability::NET_ADMIN);
  CHECK_FALSE(c.getLinuxInfo().getShareCgroups());
  CHECK(c.getRlimitInfo().getRlimits()[0].getSoft() == 5);
  CHECK(c.getTtyInfo().getWindowSize().getColumns() == 80);
  CHECK(t.getHealthCheck().getConsecutiveFailures() == 7);
  CHECK(t.getHealthCheck().getDelaySeconds() == 15.0);  // Mesos' default
  CHECK(t.getDiscovery().getPorts().getPorts()[0].getVisibility()
        == schema::DiscoveryInfo::Visibility::CLUSTER);
  CHECK(t.getExecutor().getShutdownGracePeriod().getNanoseconds() == 3);
  CHECK(t.getExecutor().getLabels().getLabels()[0].getKey() == "k");
}

TEST_CASE("the operation error event is written as Mesos writes it") {
  wire_builder<schema::Event> b;
  b->setType(schema::Event::Type::UPDATE_OPERATION_STATUS);
  auto status = b->initUpdateOperationStatus().initStatus();
  status.initOperationId().setValue("op-1");
  status.setState(schema::OperationState::OPERATION_ERROR);
  status.setMessage("Offer operation RESERVE is not supported yet");
  auto event = std::move(b).finish();
  auto text = to_json(*event);
  CHECK(text == R"({"type":"UPDATE_OPERATION_STATUS","update_operation_status":{"status":)"
                R"({"operation_id":{"value":"op-1"},"state":"OPERATION_ERROR",)"
                R"("message":"Offer operation RESERVE is not supported yet"}}})");
}

TEST_CASE("operator calls the master does not serve yet are named; served ones are not") {
  using T = schema::operator_api::Call::Type;
  const std::vector<std::pair<T, std::string>> refused = {
    {T::RESERVE_RESOURCES, "RESERVE_RESOURCES"},
    {T::GET_QUOTA, "GET_QUOTA"},
    {T::DRAIN_AGENT, "DRAIN_AGENT"},
    {T::START_MAINTENANCE, "START_MAINTENANCE"},
    {T::LAUNCH_NESTED_CONTAINER, "LAUNCH_NESTED_CONTAINER"},
    {T::PRUNE_IMAGES, "PRUNE_IMAGES"},
  };
  for (const auto& [type, name] : refused)
    CHECK(unsupported_operator_call(type) == "Call type " + name + " is not supported yet");
  for (auto type : {T::GET_STATE, T::GET_ROLES, T::TEARDOWN, T::MARK_AGENT_GONE, T::SUBSCRIBE,
                    T::UPDATE_WEIGHTS, T::GET_AGENT, T::UNKNOWN})
    CHECK(unsupported_operator_call(type).empty());
  // Every type Mesos has is either served or named: none falls through to a
  // generic answer.
  auto enumerants = capnp::Schema::from<T>().getEnumerants();
  std::vector<T> served = {T::UNKNOWN, T::GET_HEALTH, T::GET_VERSION, T::GET_AGENTS,
                           T::GET_FLAGS, T::GET_METRICS, T::GET_STATE, T::GET_FRAMEWORKS,
                           T::GET_EXECUTORS, T::GET_TASKS, T::GET_ROLES, T::GET_MASTER,
                           T::SUBSCRIBE, T::GET_LEADING_MASTER, T::GET_AGENT, T::GET_WEIGHTS,
                           T::UPDATE_WEIGHTS, T::TEARDOWN, T::MARK_AGENT_GONE,
                           // Served by the HTTP server for the node it runs in.
                           T::GET_LOGGING_LEVEL, T::SET_LOGGING_LEVEL, T::LIST_FILES,
                           T::READ_FILE};
  for (unsigned i = 0; i < enumerants.size(); ++i) {
    auto type = static_cast<T>(i);
    bool is_served = std::find(served.begin(), served.end(), type) != served.end();
    CHECK_MESSAGE(unsupported_operator_call(type).empty() == is_served,
                  enumerants[i].getProto().getName().cStr());
  }
}
