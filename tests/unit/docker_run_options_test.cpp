// A DOCKER task maps to the Engine API's create body as Mesos maps it to
// `docker run`: name, sandbox, env, command, limits, network, ports,
// volumes and parameters; what cannot be mapped fails naming the reason.
#include <doctest/doctest.h>

#include "actors/docker/json_text.hpp"
#include "actors/docker/run_options.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/errors.hpp"
#include "runtime/json.hpp"

using namespace cairn;
using namespace cairn::docker;

namespace {

const char* const default_resources = R"([
  {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.5}},
  {"name": "mem", "type": "SCALAR", "scalar": {"value": 16}},
  {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31009}]}}])";

// The mapping of a task whose ContainerInfo is `container` and CommandInfo `command`.
caf::expected<run_options> map(const std::string& container,
                               const std::string& command = R"({"value": "echo hi"})",
                               mapping_flags flags = {},
                               const std::string& res = default_resources) {
  auto task = from_json<schema::TaskInfo>(R"({"name": "t", "task_id": {"value": "t"},
    "agent_id": {"value": "a"}, "resources": )" + res + R"(, "command": )" + command +
                                          R"(, "container": )" + container + "}");
  REQUIRE(task);
  auto parsed = read_resources((*task)->getResources());
  REQUIRE(parsed);
  return make_run_options("c1", "/var/sb", (*task)->getContainer(), (*task)->getCommand(),
                          *parsed, flags);
}

std::string docker_info(const std::string& extra = "") {
  return R"({"type": "DOCKER", "docker": {"image": "busybox:local")" +
         (extra.empty() ? "" : ", " + extra) + "}}";
}

std::string failure(const caf::expected<run_options>& o) {
  REQUIRE_FALSE(o);
  return error_message(o.error());
}

} // namespace

TEST_CASE("name, image, sandbox bind, working dir and the Mesos env") {
  auto o = map(docker_info(), R"({"value": "echo hi", "environment": {"variables": [
    {"name": "A", "value": "1"}]}})");
  REQUIRE(o);
  CHECK(o->name == "mesos-c1");
  CHECK(o->image == "busybox:local");
  CHECK_FALSE(o->force_pull);
  CHECK(o->binds == std::vector<std::string>{"/var/sb:/mnt/mesos/sandbox:rw"});
  CHECK(o->working_dir == "/mnt/mesos/sandbox");
  CHECK(o->env == std::vector<std::string>{"A=1", "MESOS_SANDBOX=/mnt/mesos/sandbox",
                                           "MESOS_CONTAINER_NAME=mesos-c1"});
  CHECK(o->network_mode == "host");
  CHECK_FALSE(o->privileged);
}

TEST_CASE("--sandbox_directory moves the sandbox inside the container") {
  mapping_flags flags;
  flags.sandbox_directory = "/sandbox";
  auto o = map(docker_info(), R"({"value": "true"})", flags);
  REQUIRE(o);
  CHECK(o->binds[0] == "/var/sb:/sandbox:rw");
  CHECK(o->env[0] == "MESOS_SANDBOX=/sandbox");
  flags.sandbox_directory = "relative";
  CHECK(failure(map(docker_info(), R"({"value": "true"})", flags)).find("--sandbox_directory") !=
        std::string::npos);
}

TEST_CASE("a shell command replaces the entrypoint with /bin/sh -c") {
  auto o = map(docker_info(), R"({"value": "echo $HOME && exit 3"})");
  REQUIRE(o);
  CHECK(o->has_entrypoint);
  CHECK(o->entrypoint == std::vector<std::string>{"/bin/sh"});
  CHECK(o->cmd == std::vector<std::string>{"-c", "echo $HOME && exit 3"});
}

TEST_CASE("shell false keeps the image's entrypoint and passes value and arguments") {
  auto o = map(docker_info(), R"({"shell": false, "value": "hello", "arguments": ["a", "b"]})");
  REQUIRE(o);
  CHECK_FALSE(o->has_entrypoint);
  CHECK(o->cmd == std::vector<std::string>{"hello", "a", "b"});
  auto bare = map(docker_info(), R"({"shell": false})");
  REQUIRE(bare);
  CHECK_FALSE(bare->has_entrypoint);
  CHECK_FALSE(bare->has_cmd);  // the image's Cmd too
  auto args = map(docker_info(), R"({"shell": false, "arguments": ["x"]})");
  REQUIRE(args);
  CHECK(args->cmd == std::vector<std::string>{"x"});
}

TEST_CASE("cpus and mem become CpuShares and Memory with Mesos' floors") {
  auto o = map(docker_info());
  REQUIRE(o);
  CHECK(o->cpu_shares == 512);
  CHECK(o->memory_bytes == 32ll << 20);  // 16 MB asked, 32 MB the floor
  CHECK(o->cpu_quota_us == 0);
  auto tiny = map(docker_info(), R"({"value": "true"})", {}, R"([
    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.001}},
    {"name": "mem", "type": "SCALAR", "scalar": {"value": 64}}])");
  REQUIRE(tiny);
  CHECK(tiny->cpu_shares == 2);
  CHECK(tiny->memory_bytes == 64ll << 20);
  auto none = map(docker_info(), R"({"value": "true"})", {}, "[]");
  REQUIRE(none);
  CHECK(none->cpu_shares == 0);
  CHECK(none->memory_bytes == 0);
  CHECK(create_body(*none).find("CpuShares") == std::string::npos);
}

TEST_CASE("CpuQuota only with --cgroups_enable_cfs: cpus x 100ms per 100ms") {
  mapping_flags flags;
  flags.cgroups_enable_cfs = true;
  auto o = map(docker_info(), R"({"value": "true"})", flags);
  REQUIRE(o);
  CHECK(o->cpu_quota_us == 50000);
  CHECK(o->cpu_period_us == 100000);
  auto tiny = map(docker_info(), R"({"value": "true"})", flags, R"([
    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.001}}])");
  REQUIRE(tiny);
  CHECK(tiny->cpu_quota_us == 1000);
}

TEST_CASE("networks: HOST by default, BRIDGE, NONE, USER by its one named network") {
  CHECK(map(docker_info(R"("network": "BRIDGE")"))->network_mode == "bridge");
  CHECK(map(docker_info(R"("network": "NONE")"))->network_mode == "none");
  CHECK(map(docker_info(R"("network": "HOST")"))->network_mode == "host");
  auto user = map(R"({"type": "DOCKER", "docker": {"image": "i", "network": "USER"},
                      "network_infos": [{"name": "mynet"}]})");
  REQUIRE(user);
  CHECK(user->network_mode == "mynet");
  CHECK(failure(map(docker_info(R"("network": "USER")"))).find("network_infos") !=
        std::string::npos);
  CHECK(failure(map(R"({"type": "DOCKER", "docker": {"image": "i"},
                        "network_infos": [{"name": "n"}]})"))
          .find("only supported with a USER network") != std::string::npos);
}

TEST_CASE("port mappings: BRIDGE or USER only, each host port within the task's ports") {
  auto o = map(docker_info(R"("network": "BRIDGE", "port_mappings": [
    {"host_port": 31000, "container_port": 80},
    {"host_port": 31009, "container_port": 53, "protocol": "UDP"}])"));
  REQUIRE(o);
  REQUIRE(o->ports.size() == 2);
  CHECK(o->ports[0].host_port == 31000);
  CHECK(o->ports[0].container_port == 80);
  CHECK(o->ports[0].protocol == "tcp");
  CHECK(o->ports[1].protocol == "udp");
  auto body = create_body(*o);
  CHECK(body.find(R"("ExposedPorts":{"80/tcp":{},"53/udp":{}})") != std::string::npos);
  CHECK(body.find(R"("PortBindings":{"80/tcp":[{"HostPort":"31000"}],)"
                  R"("53/udp":[{"HostPort":"31009"}]})") != std::string::npos);
  CHECK(failure(map(docker_info(R"("network": "BRIDGE", "port_mappings": [
    {"host_port": 31010, "container_port": 80}])"))) ==
        "Failed to create docker run options: Port [31010] not included in resources");
  CHECK(failure(map(docker_info(R"("port_mappings": [{"host_port": 31000, "container_port": 80}])")))
          .find("only supported for bridge and user-defined networks") != std::string::npos);
  CHECK(failure(map(docker_info(R"("network": "BRIDGE", "port_mappings": [
    {"host_port": 31000, "container_port": 80, "protocol": "icmp"}])")))
          .find("'icmp'") != std::string::npos);
  CHECK(failure(map(docker_info(R"("network": "BRIDGE", "port_mappings": [
    {"host_port": 31000, "container_port": 0}])")))
          .find("container port 0") != std::string::npos);
}

TEST_CASE("volumes: relative host paths in the sandbox, relative container paths under it") {
  auto o = map(R"({"type": "DOCKER", "docker": {"image": "i"}, "volumes": [
    {"host_path": "/etc/hosts", "container_path": "/h", "mode": "RO"},
    {"host_path": "data", "container_path": "in", "mode": "RW"}]})");
  REQUIRE(o);
  CHECK(o->binds == std::vector<std::string>{"/var/sb:/mnt/mesos/sandbox:rw", "/etc/hosts:/h:ro",
                                             "/var/sb/data:/mnt/mesos/sandbox/in:rw"});
  CHECK(failure(map(R"({"type": "DOCKER", "docker": {"image": "i"}, "volumes": [
    {"container_path": "/c", "mode": "RW"}]})")).find("no host_path") != std::string::npos);
  CHECK(failure(map(R"({"type": "DOCKER", "docker": {"image": "i"}, "volumes": [
    {"container_path": "/c", "mode": "RW", "source": {"type": "SANDBOX_PATH",
     "sandbox_path": {"type": "SELF", "path": "p"}}}]})")).find("source") != std::string::npos);
}

TEST_CASE("privileged, force_pull_image and the container's hostname") {
  auto o = map(R"({"type": "DOCKER", "hostname": "box", "docker": {"image": "i",
    "privileged": true, "force_pull_image": true, "network": "BRIDGE"}})");
  REQUIRE(o);
  CHECK(o->privileged);
  CHECK(o->force_pull);
  CHECK(o->hostname == "box");
  CHECK(failure(map(R"({"type": "DOCKER", "hostname": "box", "docker": {"image": "i"}})"))
          .find("HOST network") != std::string::npos);
}

TEST_CASE("each supported parameter maps to its Engine API field") {
  auto o = map(docker_info(R"("network": "BRIDGE", "parameters": [
    {"key": "label", "value": "team=a"}, {"key": "label", "value": "bare"},
    {"key": "env", "value": "X=1"}, {"key": "user", "value": "nobody"},
    {"key": "workdir", "value": "/w"}, {"key": "hostname", "value": "hh"},
    {"key": "add-host", "value": "db:10.0.0.1"}, {"key": "cap-add", "value": "NET_ADMIN"},
    {"key": "cap-drop", "value": "MKNOD"}, {"key": "ulimit", "value": "nofile=1024:2048"},
    {"key": "ulimit", "value": "core=0"}, {"key": "log-driver", "value": "journald"}])"));
  REQUIRE(o);
  CHECK(o->labels == std::map<std::string, std::string>{{"bare", ""}, {"team", "a"}});
  CHECK(o->env.back() == "X=1");
  CHECK(o->user == "nobody");
  CHECK(o->working_dir == "/w");
  CHECK(o->hostname == "hh");
  CHECK(o->extra_hosts == std::vector<std::string>{"db:10.0.0.1"});
  CHECK(o->cap_add == std::vector<std::string>{"NET_ADMIN"});
  CHECK(o->cap_drop == std::vector<std::string>{"MKNOD"});
  REQUIRE(o->ulimits.size() == 2);
  CHECK(o->ulimits[0].name == "nofile");
  CHECK(o->ulimits[0].soft == 1024);
  CHECK(o->ulimits[0].hard == 2048);
  CHECK(o->ulimits[1].soft == 0);
  CHECK(o->ulimits[1].hard == 0);
  CHECK(o->log_driver == "journald");
}

TEST_CASE("a parameter cairn does not map fails the task, naming it") {
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "volumes-from", "value": "x"}])")))
          .find("docker parameter 'volumes-from' is not supported") != std::string::npos);
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "ulimit", "value": "nofile"}])")))
          .find("ulimit 'nofile'") != std::string::npos);
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "ulimit", "value": "n=5:2"}])")))
          .find("soft limit") != std::string::npos);
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "workdir", "value": "rel"}])")))
          .find("workdir 'rel'") != std::string::npos);
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "add-host", "value": "nocolon"}])")))
          .find("add-host") != std::string::npos);
  CHECK(failure(map(docker_info(R"("parameters": [{"key": "env", "value": "=x"}])")))
          .find("env parameter") != std::string::npos);
}

TEST_CASE("a container without an image or of another type is refused") {
  CHECK(failure(map(R"({"type": "DOCKER", "docker": {"image": ""}})")).find("image is empty") !=
        std::string::npos);
  CHECK(failure(map(R"({"type": "MESOS"})")).find("not of type DOCKER") != std::string::npos);
  CHECK(failure(map(docker_info(R"("volume_driver": "flocker")"))).find("volume_driver") !=
        std::string::npos);
}

TEST_CASE("the create body is JSON the engine reads, with every mapped field") {
  mapping_flags flags;
  flags.cgroups_enable_cfs = true;
  auto o = map(docker_info(R"("privileged": true, "parameters": [
    {"key": "ulimit", "value": "nofile=1:2"}, {"key": "log-driver", "value": "none"},
    {"key": "label", "value": "k=v\"q"}])"), R"({"value": "echo \"hi\""})", flags);
  REQUIRE(o);
  auto body = create_body(*o);
  auto tree = json_tree::parse(body);
  REQUIRE(tree);
  auto root = tree->root();
  CHECK(text_member(root, "Image") == "busybox:local");
  CHECK(text_member(root, "WorkingDir") == "/mnt/mesos/sandbox");
  capnp::JsonValue::Reader storage, host_storage;
  auto cmd = member(root, "Cmd", storage);
  REQUIRE(cmd);
  REQUIRE(cmd->getArray().size() == 2);
  CHECK(std::string(cmd->getArray()[1].getString().cStr()) == "echo \"hi\"");
  auto host = member(root, "HostConfig", host_storage);
  REQUIRE(host);
  CHECK(number_member(*host, "CpuShares") == 512);
  CHECK(number_member(*host, "CpuQuota") == 50000);
  CHECK(number_member(*host, "CpuPeriod") == 100000);
  CHECK(number_member(*host, "Memory") == 33554432);
  CHECK(text_member(*host, "NetworkMode") == "host");
  CHECK(bool_member(*host, "Privileged"));
  CHECK(body.find(R"("Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}])") != std::string::npos);
  CHECK(body.find(R"("LogConfig":{"Type":"none"})") != std::string::npos);
  CHECK(body.find(R"("Labels":{"k":"v\"q"})") != std::string::npos);
}
