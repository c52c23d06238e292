// Apps as Marathon reads them: defaults, path ids, the deprecated networking
// rewritten into the current shape, 400 for what is not JSON, 422 with a
// path for each violation, Marathon fields not implemented refused by name,
// unknown fields dropped.
#include <doctest/doctest.h>

#include "actors/services/app_definition.hpp"

using namespace cairn;
using namespace cairn::services;
using schema::services::NetworkMode;

namespace {

// The app read (its wire holds the message the readers point into).
wire<App> ok(const app_result& r) {
  INFO(error_body(r));
  REQUIRE(r.ok());
  return *r.app;
}

bool has_violation(const app_result& r, const std::string& path, const std::string& part = "") {
  for (const auto& v : r.details)
    if (v.path == path && v.error.find(part) != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("path ids: relative, absolute, doubled slashes, dots; bad segments named") {
  CHECK(parse_path_id("cent").id->str() == "/cent");
  CHECK(parse_path_id("/team/web").id->str() == "/team/web");
  CHECK(parse_path_id("//team//web/").id->str() == "/team/web");
  path_id team = *parse_path_id("/team").id;
  CHECK(parse_path_id("web", team).id->str() == "/team/web");
  CHECK(parse_path_id("../db", team).id->str() == "/db");
  CHECK(parse_path_id("./a.b-c", team).id->str() == "/team/a.b-c");
  CHECK(parse_path_id("/").id->root());
  CHECK_FALSE(parse_path_id("/Web").id);
  CHECK_FALSE(parse_path_id("/-web").id);
  CHECK_FALSE(parse_path_id("/web-").id);
  CHECK_FALSE(parse_path_id("/a..b").id);
  CHECK_FALSE(parse_path_id("/a_b").id);
  CHECK(parse_path_id("/x y").error.find("regular expression") != std::string::npos);
  CHECK_FALSE(parse_path_id("..").id);
  CHECK(parse_path_id("/team/web").id->parent().str() == "/team");
}

TEST_CASE("an app without them gets Marathon's defaults") {
  auto r = read_app(R"({"id": "cent", "cmd": "sleep 100"})");
  auto app_held = ok(r);
  auto app = app_held.get();
  CHECK(std::string(app.getId()) == "/cent");
  CHECK(app.getInstances() == 1);
  CHECK(app.getCpus() == 1.0);
  CHECK(app.getMem() == 128.0);
  CHECK(app.getDisk() == 0.0);
  CHECK(app.getBackoffSeconds() == 1.0);
  CHECK(app.getBackoffFactor() == doctest::Approx(1.15));
  CHECK(app.getMaxLaunchDelaySeconds() == 300.0);
  CHECK(app.getUpgradeStrategy().getMinimumHealthCapacity() == 1.0);
  CHECK(app.getUpgradeStrategy().getMaximumOverCapacity() == 1.0);
  CHECK(app.getKillSelection() == schema::services::KillSelection::YOUNGEST_FIRST);
  REQUIRE(app.getNetworks().size() == 1);
  CHECK(app.getNetworks()[0].getMode() == NetworkMode::HOST);
  REQUIRE(app.getPortDefinitions().size() == 1);
  CHECK(app.getPortDefinitions()[0].getPort() == 0);
  CHECK(std::string(app.getPortDefinitions()[0].getProtocol()) == "tcp");
  auto json = app_json(app);
  CHECK(json.find(R"("upgradeStrategy":{"minimumHealthCapacity":1,"maximumOverCapacity":1})") !=
        std::string::npos);
  CHECK(json.find(R"("killSelection":"YOUNGEST_FIRST")") != std::string::npos);
  CHECK(json.find(R"("networks":[{"mode":"host"}])") != std::string::npos);
  CHECK(json.find(R"("instances":1)") != std::string::npos);
  CHECK(json.find(R"("portDefinitions":[{"port":0,"protocol":"tcp","name":"default"}])") !=
        std::string::npos);
  for (auto empty : {R"("env":{})", R"("labels":{})", R"("constraints":[])", R"("fetch":[])",
                     R"("healthChecks":[])", R"("dependencies":[])"})
    CHECK(json.find(empty) != std::string::npos);
}

TEST_CASE("deprecated uris become fetch entries") {
  auto app_held = ok(read_app(R"({"id":"f","cmd":"x","uris":["http://a/b.tgz"],
    "fetch":[{"uri":"http://c/d","executable":true}]})"));
  auto app = app_held.get();
  REQUIRE(app.getFetch().size() == 2);
  CHECK(std::string(app.getFetch()[0].getUri()) == "http://c/d");
  CHECK(app.getFetch()[0].getExecutable());
  CHECK(std::string(app.getFetch()[1].getUri()) == "http://a/b.tgz");
  CHECK(app.getFetch()[1].getExtract());
  CHECK_FALSE(app.hasUris());
}

TEST_CASE("the Marathon-with-Docker tutorial's first app reads as written") {
  auto r = read_app(R"({"container":{"type":"DOCKER","docker":{"image":"busybox"}},"id":"cent",
    "instances":1,"cpus":0.5,"mem":512,"uris":[],"cmd":"while sleep 10; do date -u +%T; done"})");
  auto app_held = ok(r);
  auto app = app_held.get();
  CHECK(std::string(app.getId()) == "/cent");
  CHECK(app.getCpus() == 0.5);
  CHECK(app.getMem() == 512);
  CHECK(std::string(app.getContainer().getDocker().getImage()) == "busybox");
  CHECK(app.getPortDefinitions().size() == 1);
}

TEST_CASE("docker.network and docker.portMappings are rewritten into networks and container.portMappings") {
  auto r = read_app(R"({"id":"webserver","cmd":"httpd -f -p 8080","cpus":0.5,"mem":64.0,
    "instances":1,"container":{"type":"DOCKER","docker":{"image":"busybox","network":"BRIDGE",
    "portMappings":[{"containerPort":8080,"hostPort":0,"servicePort":9000,"protocol":"tcp"}]}}})");
  auto app_held = ok(r);
  auto app = app_held.get();
  REQUIRE(app.getNetworks().size() == 1);
  CHECK(app.getNetworks()[0].getMode() == NetworkMode::CONTAINER_BRIDGE);
  auto mappings = app.getContainer().getPortMappings();
  REQUIRE(mappings.size() == 1);
  CHECK(mappings[0].getContainerPort() == 8080);
  CHECK(mappings[0].getServicePort() == 9000);
  CHECK_FALSE(app.getContainer().getDocker().hasNetwork());
  CHECK_FALSE(app.getContainer().getDocker().hasPortMappings());
  CHECK_FALSE(app.hasPortDefinitions());
  auto json = app_json(app, {{"tasksRunning", "0"}, {"version", R"("2026-12-05T00:00:00.000Z")"}});
  CHECK(json.find(R"("networks":[{"mode":"container/bridge"}])") != std::string::npos);
  CHECK(json.find(R"("portMappings":[{"containerPort":8080,"hostPort":0,"servicePort":9000)") !=
        std::string::npos);
  CHECK(json.find(R"("network":)") == std::string::npos);
  CHECK(json.find(R"("portDefinitions")") == std::string::npos);
  CHECK(json.find(R"(,"tasksRunning":0,"version":"2026-12-05T00:00:00.000Z"})") !=
        std::string::npos);
}

TEST_CASE("bridge networking without mappings gets Marathon's default mapping") {
  auto app_held = ok(read_app(R"({"id":"b","cmd":"x","networks":[{"mode":"container/bridge"}],
    "container":{"type":"DOCKER","docker":{"image":"busybox"}}})"));
  auto app = app_held.get();
  REQUIRE(app.getContainer().getPortMappings().size() == 1);
  CHECK(std::string(app.getContainer().getPortMappings()[0].getName()) == "default");
}

TEST_CASE("deprecated ports become port definitions; an explicit empty list means no ports") {
  auto app_held = ok(read_app(R"({"id":"p","cmd":"x","ports":[0, 8080]})"));
  auto app = app_held.get();
  REQUIRE(app.getPortDefinitions().size() == 2);
  CHECK(app.getPortDefinitions()[1].getPort() == 8080);
  CHECK_FALSE(app.hasPorts());
  auto none_held = ok(read_app(R"({"id":"p","cmd":"x","portDefinitions":[]})"));
  auto none = none_held.get();
  CHECK(none.getPortDefinitions().size() == 0);
}

TEST_CASE("HTTP health checks get Marathon's defaults") {
  auto app_held = ok(read_app(R"({"id":"h","cmd":"x","healthChecks":[{}, {"protocol":"TCP"}]})"));
  auto app = app_held.get();
  auto c = app.getHealthChecks()[0];
  CHECK(c.getProtocol() == schema::services::HealthProtocol::HTTP);
  CHECK(std::string(c.getPath()) == "/");
  CHECK(c.getGracePeriodSeconds() == 300);
  CHECK(c.getIntervalSeconds() == 60);
  CHECK(c.getTimeoutSeconds() == 20);
  CHECK(c.getMaxConsecutiveFailures() == 3);
  CHECK(c.getPortIndex() == 0);
  CHECK_FALSE(app.getHealthChecks()[1].hasPath());
}

TEST_CASE("unknown fields are dropped; null members are absent") {
  auto app_held = ok(read_app(R"({"id":"u","cmd":"x","noSuchField":{"a":1},"user":null,
    "labels":{"team":"web"}})"));
  auto app = app_held.get();
  CHECK_FALSE(app.hasUser());
  CHECK(app_json(app).find("noSuchField") == std::string::npos);
  CHECK(app_json(app).find(R"("labels":{"team":"web"})") != std::string::npos);
}

TEST_CASE("what is not JSON is 400; a body that is not an object is 400") {
  auto r = read_app(R"({"id": "x", )");
  CHECK(r.status == 400);
  CHECK_FALSE(r.ok());
  CHECK(r.message.find("invalid JSON") != std::string::npos);
  CHECK(read_app("[1]").status == 400);
}

TEST_CASE("violations are 422 with Marathon's paths, all of them at once") {
  auto r = read_app(R"({"id":"Bad_Id","cpus":-1,"mem":-2,"instances":-1,"backoffFactor":0.5,
    "upgradeStrategy":{"minimumHealthCapacity":2},"constraints":[["hostname","NEAR"]],
    "healthChecks":[{"portIndex":3}, {"protocol":"COMMAND"}]})");
  CHECK(r.status == 422);
  CHECK(r.message == "Object is not valid");
  CHECK(has_violation(r, "/id", "regular expression"));
  CHECK(has_violation(r, "/cpus", "got -1"));
  CHECK(has_violation(r, "/mem"));
  CHECK(has_violation(r, "/instances"));
  CHECK(has_violation(r, "/backoffFactor"));
  CHECK(has_violation(r, "/upgradeStrategy/minimumHealthCapacity"));
  CHECK(has_violation(r, "/constraints(0)", "NEAR"));
  CHECK(has_violation(r, "/healthChecks(0)/portIndex"));
  CHECK(has_violation(r, "/healthChecks(1)/command"));
  CHECK(has_violation(r, "/", "'cmd' or 'args'"));
  auto body = error_body(r);
  CHECK(body.find(R"({"message":"Object is not valid","details":[{"path":)") == 0);
}

TEST_CASE("cmd and args together are refused; constraints need their values") {
  auto r = read_app(R"({"id":"a","cmd":"x","args":["y"],"constraints":[["rack","LIKE"],
    ["hostname","MAX_PER","zero"],["rack","LIKE","[a-"],["hostname","UNIQUE"],
    ["rack","GROUP_BY","3"],["gpu","IS","yes"]]})");
  CHECK(r.status == 422);
  CHECK(has_violation(r, "/", "both"));
  CHECK(has_violation(r, "/constraints(0)", "needs a value"));
  CHECK(has_violation(r, "/constraints(1)", "whole number"));
  CHECK(has_violation(r, "/constraints(2)", "regular expression"));
  CHECK_FALSE(has_violation(r, "/constraints(3)"));
  CHECK_FALSE(has_violation(r, "/constraints(4)"));
  CHECK_FALSE(has_violation(r, "/constraints(5)"));
}

TEST_CASE("Marathon fields cairn does not implement are refused by name, not ignored") {
  auto r = read_app(R"({"id":"r","cmd":"x","readinessChecks":[{}],"secrets":{"s":{"source":"a"}},
    "env":{"PW":{"secret":"s"}, "A":"b"},"gpus":1,"executor":"/custom",
    "container":{"type":"DOCKER","docker":{"image":"i","pullConfig":{}},
    "volumes":[{"containerPath":"data","persistent":{"size":10},"mode":"RW"}]}})");
  CHECK(r.status == 422);
  CHECK(has_violation(r, "/readinessChecks", "not implemented"));
  CHECK(has_violation(r, "/secrets", "not implemented"));
  CHECK(has_violation(r, "/env/PW", "secret"));
  CHECK(has_violation(r, "/container/docker/pullConfig"));
  CHECK(has_violation(r, "/container/volumes(0)/persistent"));
  auto http1xx = read_app(R"({"id":"r","cmd":"x","healthChecks":[{"ignoreHttp1xx":true}]})");
  CHECK(has_violation(http1xx, "/healthChecks(0)/ignoreHttp1xx", "not implemented"));
  auto later = read_app(R"({"id":"r","cmd":"x","gpus":1,"executor":"/custom"})");
  CHECK(has_violation(later, "/gpus", "not implemented"));
  CHECK(has_violation(later, "/executor", "not implemented"));
  auto cni = read_app(R"({"id":"r","cmd":"x","networks":[{"mode":"container","name":"dcos"}]})");
  CHECK(has_violation(cni, "/networks(0)/mode", "not implemented"));
  auto unified = read_app(R"({"id":"r","cmd":"x","container":{"type":"MESOS",
    "docker":{"image":"busybox"}}})");
  CHECK(has_violation(unified, "/container/docker/image", "not implemented"));
}

TEST_CASE("both the deprecated and the current shape at once are refused") {
  auto r = read_app(R"({"id":"d","cmd":"x","ports":[1],"portDefinitions":[{"port":2}],
    "networks":[{"mode":"container/bridge"}],"container":{"type":"DOCKER","docker":{
    "image":"i","network":"BRIDGE"}}})");
  CHECK(r.status == 422);
  CHECK(has_violation(r, "/ports"));
  CHECK(has_violation(r, "/container/docker/network"));
  auto host_mappings = read_app(R"({"id":"d","cmd":"x","container":{"type":"DOCKER",
    "docker":{"image":"i"},"portMappings":[{"containerPort":80}]}})");
  CHECK(has_violation(host_mappings, "/container/portMappings"));
}

TEST_CASE("the id of the URL names the app, and a body naming another is refused") {
  auto team = *parse_path_id("/team/web").id;
  auto app_held = ok(read_app(R"({"cmd":"x"})", {}, team));
  auto app = app_held.get();
  CHECK(std::string(app.getId()) == "/team/web");
  auto same = read_app(R"({"id":"/team/web","cmd":"x"})", {}, team);
  CHECK(same.ok());
  auto other = read_app(R"({"id":"/team/db","cmd":"x"})", {}, team);
  CHECK(has_violation(other, "/id", "/team/db"));
}

TEST_CASE("a value of the wrong type is refused, naming the problem, not a crash") {
  auto r = read_app(R"({"id":"t","cmd":"x","instances":"two"})");
  CHECK_FALSE(r.ok());
  CHECK((r.status == 400 || r.status == 422));
  auto huge = read_app(R"({"id":"t","cmd":"x","cpus":1e400})");
  CHECK_FALSE(huge.ok());
}
