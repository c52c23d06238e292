// An app's instance becomes the TaskInfo Marathon would launch: its command
// or argv, Marathon's environment with the instance's host ports, a Docker
// ContainerInfo with bridge port mappings, and its health check for the
// executor on the right host port; an offer is read per role.
#include <doctest/doctest.h>

#include <map>

#include "actors/resources/convert.hpp"
#include "actors/services/task_info.hpp"

using namespace cairn;
using namespace cairn::services;

namespace {

wire<App> app_of(const std::string& json) {
  auto r = read_app(json);
  INFO(error_body(r));
  REQUIRE(r.ok());
  return *r.app;
}

std::map<std::string, std::string> env_map(schema::TaskInfo::Reader t) {
  std::map<std::string, std::string> out;
  for (auto v : t.getCommand().getEnvironment().getVariables())
    out[v.getName()] = v.getValue();
  return out;
}

wire<schema::TaskInfo> launch(App::Reader app, std::vector<int64_t> ports) {
  fit f;
  f.fits = true;
  f.role = "*";
  for (auto p : ports)
    f.host_ports.push_back(static_cast<uint64_t>(p));
  return task_info_of(app, {"web.1", "node-1", ports}, needs_of(app, f));
}

} // namespace

TEST_CASE("a command app runs under the shell with Marathon's environment") {
  auto app = app_of(R"({"id": "/team/web", "cmd": "serve", "version": "v1",
    "portDefinitions": [{"port": 0, "name": "http"}, {"port": 0}],
    "env": {"PORT": "override"}, "labels": {"tier": "front"},
    "fetch": [{"uri": "http://example/a.tgz"}]})");
  auto t = launch(*app, {31001, 31002});
  CHECK(std::string(t->getName()) == "web.team");
  CHECK(t->getCommand().getShell());
  CHECK(std::string(t->getCommand().getValue()) == "serve");
  auto env = env_map(*t);
  CHECK(env["MARATHON_APP_ID"] == "/team/web");
  CHECK(env["MARATHON_APP_VERSION"] == "v1");
  CHECK(env["HOST"] == "node-1");
  CHECK(env["PORT0"] == "31001");
  CHECK(env["PORT1"] == "31002");
  CHECK(env["PORT_HTTP"] == "31001");
  CHECK(env["PORTS"] == "31001,31002");
  CHECK(env["MARATHON_APP_LABEL_TIER"] == "front");
  CHECK(env["PORT"] == "override");  // the app's env is last and wins
  CHECK(t->getCommand().getUris().size() == 1);
  CHECK(!t->hasContainer());
  CHECK(!t->hasHealthCheck());
  auto rs = read_resources(t->getResources());
  REQUIRE(rs);
  CHECK(rs->get_scalar("cpus") == doctest::Approx(1.0));
  CHECK(rs->get_scalar("mem") == doctest::Approx(128.0));
  CHECK(ranges_count(rs->get_ranges("ports")) == 2);
}

TEST_CASE("args are argv without a shell") {
  auto app = app_of(R"({"id": "a", "args": ["/bin/echo", "hi"]})");
  auto t = launch(*app, {31000});
  CHECK(!t->getCommand().getShell());
  CHECK(std::string(t->getCommand().getValue()) == "/bin/echo");
  REQUIRE(t->getCommand().getArguments().size() == 2);
  CHECK(std::string(t->getCommand().getArguments()[1]) == "hi");
}

TEST_CASE("a Docker app in bridge mode maps each container port to its host port") {
  auto app = app_of(R"({"id": "webserver", "cmd": "httpd -f -p 8080",
    "container": {"type": "DOCKER", "docker": {"image": "busybox", "network": "BRIDGE",
      "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 9000}]}}})");
  auto t = launch(*app, {31555});
  REQUIRE(t->hasContainer());
  auto c = t->getContainer();
  CHECK(c.getType() == schema::ContainerInfo::Type::DOCKER);
  CHECK(std::string(c.getDocker().getImage()) == "busybox");
  CHECK(c.getDocker().getNetwork() == schema::ContainerInfo::DockerInfo::Network::BRIDGE);
  REQUIRE(c.getDocker().getPortMappings().size() == 1);
  CHECK(c.getDocker().getPortMappings()[0].getHostPort() == 31555);
  CHECK(c.getDocker().getPortMappings()[0].getContainerPort() == 8080);
  CHECK(env_map(*t)["MARATHON_APP_DOCKER_IMAGE"] == "busybox");
}

TEST_CASE("health checks go to the executor on the instance's host port") {
  auto http = app_of(R"({"id": "h", "cmd": "x", "portDefinitions": [{"port": 0}, {"port": 0}],
    "healthChecks": [{"protocol": "HTTP", "portIndex": 1, "path": "/ok",
                      "intervalSeconds": 5, "timeoutSeconds": 2}]})");
  auto t = launch(*http, {31000, 31001});
  REQUIRE(t->hasHealthCheck());
  auto h = t->getHealthCheck();
  CHECK(h.getType() == schema::HealthCheck::Type::HTTP);
  CHECK(h.getHttp().getPort() == 31001);
  CHECK(std::string(h.getHttp().getPath()) == "/ok");
  CHECK(h.getIntervalSeconds() == doctest::Approx(5));
  CHECK(h.getConsecutiveFailures() == 3);
  CHECK(h.getGracePeriodSeconds() == doctest::Approx(300));

  auto https = app_of(R"({"id": "s", "cmd": "x",
    "healthChecks": [{"protocol": "MESOS_HTTPS"}]})");
  auto ts = launch(*https, {31000});
  CHECK(std::string(ts->getHealthCheck().getHttp().getScheme()) == "https");

  auto tcp = app_of(R"({"id": "t", "cmd": "x", "healthChecks": [{"protocol": "TCP"}]})");
  auto tt = launch(*tcp, {31007});
  auto th = tt->getHealthCheck();
  CHECK(th.getType() == schema::HealthCheck::Type::TCP);
  CHECK(th.getTcp().getPort() == 31007);

  auto command = app_of(R"({"id": "c", "cmd": "x",
    "healthChecks": [{"protocol": "COMMAND", "command": {"value": "test -f ok"}}]})");
  auto tc = launch(*command, {31000});
  auto ch = tc->getHealthCheck();
  CHECK(ch.getType() == schema::HealthCheck::Type::COMMAND);
  CHECK(std::string(ch.getCommand().getValue()) == "test -f ok");
}

TEST_CASE("an offer is read per role, ports as ranges") {
  resources rs = resources::scalar("cpus", 2) + resources::scalar("mem", 512) +
                 resources::scalar("cpus", 1, "web") + resources::port_range(31000, 31009);
  placement::agent_traits traits;
  traits.hostname = "node-1";
  auto o = offered_of(rs, traits);
  REQUIRE(o.pools.size() == 2);
  double star = 0, web = 0;
  for (auto& p : o.pools)
    (p.role == "*" ? star : web) += p.cpus;
  CHECK(star == doctest::Approx(2));
  CHECK(web == doctest::Approx(1));
  CHECK(o.agent.hostname == "node-1");
}
