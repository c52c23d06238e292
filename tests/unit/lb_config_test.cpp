// `cairn lb`'s pure core: which service ports and instances it reads from
// /v2/apps?embed=apps.tasks (host and bridge networking, health, states),
// what it refuses and why, and the HAProxy configuration it renders from
// them, equal for equal inputs; HAProxy's reload counts read from show proc;
// the event types read from /v2/events.
#include <doctest/doctest.h>

#include "actors/lb/haproxy_config.hpp"
#include "actors/lb/lb_services.hpp"
#include "actors/lb/show_proc.hpp"
#include "actors/lb/sse_events.hpp"

using namespace cairn::lb;

namespace {

apps_reading ok(const std::string& json) {
  auto r = read_apps(json);
  INFO(json);
  REQUIRE(r);
  return *r;
}

std::string task(const std::string& id, const std::string& app, int port,
                 const std::string& state = "TASK_RUNNING", const std::string& health = "") {
  return R"({"id":")" + id + R"(","appId":")" + app + R"(","host":"10.0.0.1","ports":[)" +
         std::to_string(port) + R"(],"state":")" + state + R"(")" +
         (health.empty() ? "" : R"(,"healthCheckResults":)" + health) + "}";
}

const std::string webserver =
  R"({"id":"/webserver","container":{"type":"DOCKER","docker":{"image":"busybox"},)"
  R"("portMappings":[{"containerPort":8080,"hostPort":0,"servicePort":9000,)"
  R"("protocol":"tcp"}]},"networks":[{"mode":"container/bridge"}],"tasks":[)";

} // namespace

TEST_CASE("bridge networking balances container.portMappings' servicePort over host ports") {
  auto r = ok(R"({"apps":[)" + webserver + task("webserver.a", "/webserver", 31001) + "," +
              task("webserver.b", "/webserver", 31002) + "]}]}");
  REQUIRE(r.services.size() == 1);
  CHECK(r.refused.empty());
  auto& s = r.services[0];
  CHECK(s.app_id == "/webserver");
  CHECK(s.service_port == 9000);
  REQUIRE(s.backends.size() == 2);
  CHECK(s.backends[0].host == "10.0.0.1");
  CHECK(s.backends[0].port == 31001);
  CHECK(s.backends[1].port == 31002);
}

TEST_CASE("host networking balances portDefinitions' port; a missing networks is host") {
  auto r = ok(R"({"apps":[{"id":"/cent","portDefinitions":[{"port":10000,"protocol":"tcp"},)"
              R"({"port":10001}],"tasks":[{"id":"cent.a","appId":"/cent","host":"h",)"
              R"("ports":[31000,31005],"state":"TASK_RUNNING"}]}]})");
  REQUIRE(r.services.size() == 2);
  CHECK(r.services[0].service_port == 10000);
  CHECK(r.services[0].backends.at(0).port == 31000);
  CHECK(r.services[1].service_port == 10001);
  CHECK(r.services[1].backends.at(0).port == 31005);
}

TEST_CASE("only running instances take traffic, and with health checks only healthy ones") {
  auto plain = ok(R"({"apps":[)" + webserver + task("w.a", "/webserver", 1, "TASK_STAGING") +
                  "," + task("w.b", "/webserver", 2, "TASK_KILLING") + "," +
                  task("w.c", "/webserver", 3) + "]}]}");
  REQUIRE(plain.services.size() == 1);
  REQUIRE(plain.services[0].backends.size() == 1);
  CHECK(plain.services[0].backends[0].port == 3);

  auto checked = webserver;
  checked.insert(checked.find(R"("tasks")"), R"("healthChecks":[{"protocol":"HTTP"}],)");
  auto r = ok(R"({"apps":[)" + checked + task("w.none", "/webserver", 1) + "," +
              task("w.sick", "/webserver", 2, "TASK_RUNNING",
                   R"([{"alive":true},{"alive":false}])") + "," +
              task("w.well", "/webserver", 3, "TASK_RUNNING", R"([{"alive":true}])") +
              "]}]}");
  REQUIRE(r.services.size() == 1);
  REQUIRE(r.services[0].backends.size() == 1);
  CHECK(r.services[0].backends[0].task_id == "w.well");
}

TEST_CASE("what is not balanced is refused with a reason, and the rest is still served") {
  auto r = ok(R"({"apps":[)"
              R"({"id":"/a","portDefinitions":[{"port":10000}],"tasks":[]},)"
              R"({"id":"/b","portDefinitions":[{"port":10000},{"port":10002,"protocol":"udp"}]},)"
              R"({"id":"/c","labels":{"HAPROXY_0_VHOST":"x.example"},)"
              R"("portDefinitions":[{"port":10003}]},)"
              R"({"id":"/d","networks":[{"mode":"container","name":"overlay"}],)"
              R"("container":{"portMappings":[{"containerPort":80,"servicePort":10004}]}},)"
              R"({"id":"/e","portDefinitions":[{"port":0}]},)"
              R"({"id":"/f","cpus":"many"})"
              "]}");
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].app_id == "/a");
  REQUIRE(r.refused.size() == 6);
  CHECK(r.refused[0] == "app /b: service port 10000 is /a's already");
  CHECK(r.refused[1] == "app /b: service port 10002 is udp; only tcp is balanced");
  CHECK(r.refused[2].find("label HAPROXY_0_VHOST is not implemented") != std::string::npos);
  CHECK(r.refused[3].find("app /d: container networking") == 0);
  CHECK(r.refused[4] == "app /e: service port 0 is not a port");
  CHECK(r.refused[5].find("cannot be read") != std::string::npos);
}

TEST_CASE("an answer without an apps array is an error, not an empty balancer") {
  CHECK_FALSE(read_apps("not json"));
  CHECK_FALSE(read_apps(R"({"app":{}})"));
  CHECK_FALSE(read_apps(R"({"apps":{}})"));
  auto empty = read_apps(R"({"apps":[]})");
  REQUIRE(empty);
  CHECK(empty->services.empty());
}

TEST_CASE("the configuration: stats listener, one TCP listener per service port, servers") {
  auto r = ok(R"({"apps":[)" + webserver + task("webserver.b", "/webserver", 31002) + "," +
              task("webserver.a", "/webserver", 31001) + "]}]}");
  config_options o{"127.0.0.1", 9090, "127.0.0.1:8080"};
  auto text = haproxy_config(r, o);
  CHECK(text.find("listen stats\n  bind 127.0.0.1:9090\n") != std::string::npos);
  CHECK(text.find("  mode tcp\n") != std::string::npos);
  CHECK(text.find("  default-server init-addr libc,none\n") != std::string::npos);
  auto listener = text.find("listen webserver_9000\n  bind 127.0.0.1:9000\n"
                            "  balance roundrobin\n"
                            "  server webserver.a 10.0.0.1:31001\n"
                            "  server webserver.b 10.0.0.1:31002\n");
  CHECK(listener != std::string::npos);
  // The same apps in another order render the same text: no needless reload.
  auto again = ok(R"({"apps":[)" + webserver + task("webserver.a", "/webserver", 31001) + "," +
                  task("webserver.b", "/webserver", 31002) + "]}]}");
  CHECK(haproxy_config(again, o) == text);
}

TEST_CASE("an app without instances keeps its listener; names are HAProxy's characters") {
  auto r = ok(R"({"apps":[{"id":"/team/web app","portDefinitions":[{"port":10000}]}]})");
  auto text = haproxy_config(r, config_options{"0.0.0.0", 9090, "s"});
  CHECK(text.find("listen team_web_app_10000\n  bind 0.0.0.0:10000\n") != std::string::npos);
  CHECK(text.find("  server ") == std::string::npos);
  CHECK(haproxy_name("/a b/c") == "a_b_c");
}

TEST_CASE("haproxy's show proc: the master's reloads and failed reloads") {
  auto r = parse_show_proc(
    "#<PID>          <type>          <reloads>       <uptime>        <version>\n"
    "11049           master          2 [failed: 1]   0d00h00m15s     2.6.12-1+deb12u4\n"
    "# workers\n"
    "11100           worker          0               0d00h00m07s     2.6.12-1+deb12u4\n");
  REQUIRE(r);
  CHECK(r->reloads == 2);
  CHECK(r->failed == 1);
  auto old = parse_show_proc("1 master 7 0d00h00m15s 2.4.0\n");
  REQUIRE(old);
  CHECK(old->reloads == 7);
  CHECK(old->failed == 0);
  CHECK_FALSE(parse_show_proc("# workers\n12 worker 0 0d 2.6\n"));
  CHECK_FALSE(parse_show_proc("12 master many\n"));
}

TEST_CASE("server-sent events: types read across chunk boundaries, data lines skipped") {
  sse_events events;
  auto first = events.feed("event: status_update_event\ndata: {\"a\":1}\n\nevent: deploy");
  CHECK(first == std::vector<std::string>{"status_update_event"});
  CHECK(events.feed("ment_info\r\ndata: ").empty());
  auto rest = events.feed(std::string(10'000, 'x') + "\n\ndata: y\n\n");
  CHECK(rest == std::vector<std::string>{"deployment_info", "message"});
  CHECK(changes_backends("status_update_event"));
  CHECK(changes_backends("health_status_changed_event"));
  CHECK_FALSE(changes_backends("deployment_info"));
  CHECK_FALSE(changes_backends("event_stream_attached"));
}
