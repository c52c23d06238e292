// Proves that health checks and checks decide as Mesos' built-in executors do:
// grace, consecutive failures, which results become updates, and which
// HealthCheck and CheckInfo messages a launch may carry.
#include <doctest/doctest.h>

#include <limits>

#include <capnp/message.h>

#include "actors/executor/check_rules.hpp"
#include "actors/executor/health_policy.hpp"

using namespace cairn;
using namespace std::chrono_literals;

namespace {

health_params params(duration grace, uint32_t failures) {
  health_params p;
  p.delay = 0s;
  p.interval = 1s;
  p.timeout = 1s;
  p.grace = grace;
  p.consecutive_failures = failures;
  return p;
}

// Runs results (true: success) at one-second steps from the launch (t=0)
// and writes each verdict as "H" (healthy sent), "U" (unhealthy sent), "K"
// (unhealthy sent, kill), "." (nothing sent).
std::string run(health_policy& policy, const std::string& results, duration start = 1s) {
  std::string out;
  duration now = start;
  for (char r : results) {
    auto v = policy.on_result(r == '+', now);
    out += !v.report ? '.' : v.kill ? 'K' : v.healthy ? 'H' : 'U';
    now += 1s;
  }
  return out;
}

} // namespace

TEST_CASE("the first success and the first success after failures are reported healthy") {
  health_policy policy(params(0s, 3), 0s);
  CHECK(run(policy, "+++-+++--+") == "H..UH..UUH");
  CHECK(policy.consecutive_failures() == 0);
  CHECK(policy.ever_healthy());
}

TEST_CASE("every failure past the grace period is reported, the Nth in a row kills") {
  health_policy policy(params(0s, 3), 0s);
  CHECK(run(policy, "---") == "UUK");
  CHECK(policy.consecutive_failures() == 3);
  health_policy again(params(0s, 3), 0s);
  CHECK(run(again, "+--+---") == "HUUHUUK");
}

TEST_CASE("one allowed failure kills at the first; zero kills at the first as well") {
  health_policy one(params(0s, 1), 0s);
  CHECK(run(one, "-") == "K");
  health_policy zero(params(0s, 0), 0s);
  CHECK(run(zero, "-") == "K");
}

TEST_CASE("failures within the grace period are ignored until the first success") {
  // Grace 3 s from the launch: results at 1, 2 and 3 s are inside it.
  health_policy policy(params(3s, 2), 0s);
  CHECK(run(policy, "----") == "...U");
  CHECK(policy.consecutive_failures() == 1);
  CHECK(!policy.ever_healthy());

  // A success ends the grace period for good: the next failure counts.
  health_policy healthy(params(10s, 2), 0s);
  CHECK(run(healthy, "-+--") == ".HUK");
}

TEST_CASE("the grace period counts from the launch, not from the first probe") {
  health_policy policy(params(5s, 1), 100s);
  CHECK(policy.on_result(false, 105s).report == false);  // the edge is inside
  auto v = policy.on_result(false, 106s);
  CHECK(v.report);
  CHECK(v.kill);
}

TEST_CASE("a health check's parameters default to Mesos' when the message sets none") {
  capnp::MallocMessageBuilder m;
  auto check = m.initRoot<schema::HealthCheck>();
  check.setType(schema::HealthCheck::Type::COMMAND);
  auto p = health_params_of(check);
  CHECK(p.delay == 15s);
  CHECK(p.interval == 10s);
  CHECK(p.timeout == 20s);
  CHECK(p.grace == 10s);
  CHECK(p.consecutive_failures == 3);
  check.setIntervalSeconds(0.5);
  CHECK(health_params_of(check).interval == 500ms);

  auto info = m.initRoot<schema::CheckInfo>();
  info.setType(schema::CheckInfo::Type::TCP);
  auto c = check_params_of(info);
  CHECK(c.delay == 15s);
  CHECK(c.interval == 10s);
  CHECK(c.timeout == 20s);
}

TEST_CASE("a check reports a result only when it differs from the one before") {
  using Type = schema::CheckInfo::Type;
  check_policy policy(Type::COMMAND);
  check_result empty{Type::COMMAND, {}, {}, {}};
  check_result zero{Type::COMMAND, 0, {}, {}};
  check_result one{Type::COMMAND, 1, {}, {}};
  // Before any result the check counts as empty: an empty one is no news.
  CHECK(!policy.on_result(empty));
  CHECK(policy.on_result(one) == one);
  CHECK(!policy.on_result(one));
  CHECK(policy.on_result(zero) == zero);
  CHECK(policy.on_result(empty) == empty);  // a timeout after a result is news
  CHECK(policy.last() == empty);

  check_policy tcp(Type::TCP);
  check_result refused{Type::TCP, {}, {}, false};
  CHECK(tcp.on_result(refused) == refused);
  CHECK(!tcp.on_result(refused));
}

TEST_CASE("a check result is written as CheckStatusInfo with only its type's value") {
  using Type = schema::CheckInfo::Type;
  capnp::MallocMessageBuilder m;
  auto out = m.initRoot<schema::CheckStatusInfo>();
  check_result{Type::HTTP, {}, 503u, {}}.write(out);
  CHECK(out.getType() == Type::HTTP);
  CHECK(out.getHttp().getHasStatusCode());
  CHECK(out.getHttp().getStatusCode() == 503);
  CHECK(!out.hasCommand());
  CHECK(!out.hasTcp());
  auto empty = m.initRoot<schema::CheckStatusInfo>();
  check_result{Type::COMMAND, {}, {}, {}}.write(empty);
  CHECK(empty.hasCommand());
  CHECK(!empty.getCommand().getHasExitCode());
}

TEST_CASE("health checks are validated as Mesos validates them") {
  using Type = schema::HealthCheck::Type;
  capnp::MallocMessageBuilder m;
  auto check = m.initRoot<schema::HealthCheck>();
  CHECK(invalid_health_check(check) == "'UNKNOWN' is not a valid health check type");

  check.setType(Type::COMMAND);
  CHECK(invalid_health_check(check) == "Expecting 'command' to be set for COMMAND health check");
  check.initCommand().setShell(true);
  CHECK(invalid_health_check(check) == "Command health check must contain 'shell command'");
  check.getCommand().setValue("exit 0");
  CHECK(invalid_health_check(check) == "");
  check.setDelaySeconds(-1);
  CHECK(invalid_health_check(check) == "Expecting 'delay_seconds' to be non-negative");
  check.setDelaySeconds(0);
  check.setGracePeriodSeconds(-0.5);
  CHECK(invalid_health_check(check) == "Expecting 'grace_period_seconds' to be non-negative");
  check.setGracePeriodSeconds(std::numeric_limits<double>::quiet_NaN());
  CHECK(invalid_health_check(check) != "");
  check.setGracePeriodSeconds(0);
  check.setTimeoutSeconds(std::numeric_limits<double>::infinity());
  CHECK(invalid_health_check(check) != "");
  check.setTimeoutSeconds(0);  // no timeout, as in Mesos
  CHECK(invalid_health_check(check) == "");

  check.setType(Type::HTTP);
  CHECK(invalid_health_check(check) == "Expecting 'http' to be set for HTTP health check");
  auto http = check.initHttp();
  http.setPort(8080);
  CHECK(invalid_health_check(check) == "");
  http.setScheme("ftp");
  CHECK(invalid_health_check(check) == "Unsupported HTTP health check scheme: 'ftp'");
  http.setScheme("https");
  http.setPath("health");
  CHECK(invalid_health_check(check) == "The path 'health' of HTTP health check must start with '/'");
  http.setPath("/health");
  http.setPort(70000);
  CHECK(invalid_health_check(check).find("70000") != std::string::npos);
  http.setPort(8080);
  http.setProtocol(schema::NetworkInfo::Protocol::I_PV6);
  CHECK(unsupported_in_health_check(check).find("IPv6 is not supported yet") != std::string::npos);

  check.setType(Type::TCP);
  CHECK(invalid_health_check(check) == "Expecting 'tcp' to be set for TCP health check");
  check.initTcp().setPort(0);
  CHECK(invalid_health_check(check) != "");
  check.getTcp().setPort(1);
  CHECK(invalid_health_check(check) == "");
  CHECK(unsupported_in_health_check(check) == "");
}

TEST_CASE("checks are validated as Mesos validates them") {
  using Type = schema::CheckInfo::Type;
  capnp::MallocMessageBuilder m;
  auto check = m.initRoot<schema::CheckInfo>();
  CHECK(invalid_check(check) == "CheckInfo must specify 'type'");
  check.setType(Type::COMMAND);
  CHECK(invalid_check(check) == "Expecting 'command' to be set for COMMAND check");
  auto command = check.initCommand().initCommand();
  command.setShell(false);
  CHECK(invalid_check(check) == "Command check must contain 'executable path'");
  command.setValue("/bin/true");
  CHECK(invalid_check(check) == "");
  check.setIntervalSeconds(-2);
  CHECK(invalid_check(check) == "Expecting 'interval_seconds' to be non-negative");
  check.setIntervalSeconds(2);
  check.setType(Type::HTTP);
  CHECK(invalid_check(check) == "Expecting 'http' to be set for HTTP check");
  check.initHttp().setPort(80);
  check.getHttp().setPath("x");
  CHECK(invalid_check(check) == "The path 'x' of HTTP check must start with '/'");
  check.setType(Type::TCP);
  check.initTcp().setPort(22);
  CHECK(invalid_check(check) == "");
}

TEST_CASE("probe outcomes: Mesos' health success, and the check value of each") {
  using kind = probe_outcome::kind;
  using Type = schema::CheckInfo::Type;
  CHECK(healthy_outcome({kind::exited, 0, ""}));
  CHECK(!healthy_outcome({kind::exited, 1, ""}));
  CHECK(!healthy_outcome({kind::signaled, 9, ""}));
  CHECK(healthy_outcome({kind::http_status, 200, ""}));
  CHECK(healthy_outcome({kind::http_status, 399, ""}));
  CHECK(!healthy_outcome({kind::http_status, 199, ""}));
  CHECK(!healthy_outcome({kind::http_status, 400, ""}));
  CHECK(!healthy_outcome({kind::http_status, 503, ""}));
  CHECK(healthy_outcome({kind::connected, 0, ""}));
  CHECK(!healthy_outcome({kind::refused, 0, ""}));
  CHECK(!healthy_outcome({kind::timed_out, 0, ""}));
  CHECK(!healthy_outcome({kind::failed, 0, ""}));

  CHECK(check_result_of(Type::COMMAND, {kind::exited, 3, ""}).exit_code == 3);
  CHECK(check_result_of(Type::COMMAND, {kind::signaled, 9, ""}) ==
        check_result{Type::COMMAND, {}, {}, {}});
  CHECK(check_result_of(Type::COMMAND, {kind::timed_out, 0, ""}) ==
        check_result{Type::COMMAND, {}, {}, {}});
  CHECK(check_result_of(Type::HTTP, {kind::http_status, 503, ""}).status_code == 503u);
  CHECK(!check_result_of(Type::HTTP, {kind::failed, 0, ""}).status_code);
  CHECK(check_result_of(Type::TCP, {kind::connected, 0, ""}).succeeded == true);
  CHECK(check_result_of(Type::TCP, {kind::refused, 0, ""}).succeeded == false);
  CHECK(!check_result_of(Type::TCP, {kind::timed_out, 0, ""}).succeeded);
}
