// The cron framework's jobs: Chronos' JSON read and written back, refused
// when wrong or not implemented; the dependency graph's per-edge counts;
// retries and counters; concurrency policies; placement constraints.
#include <doctest/doctest.h>

#include "actors/cron/dependency_graph.hpp"
#include "actors/cron/job.hpp"
#include "actors/cron/job_container.hpp"
#include "actors/cron/tz_database.hpp"
#include "runtime/errors.hpp"
#include "runtime/json.hpp"

using namespace cairn;
using namespace cairn::cron;

namespace {

constexpr int64_t now_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

caf::expected<job> read(const std::string& json, job_kind kind = job_kind::any) {
  return read_job(json, kind, now_ms, find_time_zone);
}

std::string why(const std::string& json, job_kind kind = job_kind::any) {
  auto j = read(json, kind);
  REQUIRE_MESSAGE(!j, json);
  return error_message(j.error());
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a Chronos job is read with its defaults") {
  auto j = read(R"({"name":"SAMPLE_JOB1","command":"echo hi","schedule":"R10/2026-01-01T05:52:00Z/PT2S","epsilon":"PT15M","owner":"bob@example.com","async":false})");
  REQUIRE_MESSAGE(j, (j ? "" : error_message(j.error())));
  CHECK(j->name == "SAMPLE_JOB1");
  CHECK(!j->dependent());
  CHECK(j->epsilon_ms == 15 * 60'000);
  CHECK(j->cpus == default_cpus);
  CHECK(j->mem_mb == default_mem_mb);
  CHECK(j->disk_mb == default_disk_mb);
  CHECK(j->spec->getRetries() == 2);
  CHECK(j->spec->getShell());
  CHECK(j->policy == concurrency_policy::forbid);  // concurrent: false
  auto doc = to_json(job_document(*j).get());
  CHECK(has(doc, R"("schedule":"R10/2026-01-01T05:52:00.000Z/PT2S")"));
  CHECK(has(doc, R"("owner":"bob@example.com")"));
  CHECK(has(doc, R"("successCount":0)"));
  CHECK(has(doc, R"("retries":2)"));
  CHECK(has(doc, R"("nextRunAt":"2026-01-01T05:52:00.000Z")"));
  // What GET answers reads back as the same job.
  auto again = read(doc);
  REQUIRE(again);
  CHECK(to_json(job_document(*again).get()) == doc);
}

TEST_CASE("a job keeps its counters and its schedule as it moved on") {
  auto j = read(R"({"name":"a","command":"true","schedule":"R3/2026-01-01T00:00:00Z/PT1H"})");
  REQUIRE(j);
  j->schedule->consume();
  j->counters.success_count = 4;
  j->counters.last_success = "2026-01-01T00:00:05.000Z";
  j->skip_count = 2;
  auto doc = to_json(job_document(*j).get());
  CHECK(has(doc, R"("schedule":"R2/2026-01-01T01:00:00.000Z/PT1H")"));
  auto back = read(doc);
  REQUIRE(back);
  CHECK(back->counters.success_count == 4);
  CHECK(back->counters.last_success == "2026-01-01T00:00:05.000Z");
  CHECK(back->skip_count == 2);
  CHECK(back->schedule->remaining() == 2);
}

TEST_CASE("Metronome's cron form: timezone, concurrencyPolicy ALLOW by default") {
  auto j = read(R"({"name":"m","command":"true","cron":"*/5 * * * *","timezone":"Europe/Berlin"})");
  REQUIRE_MESSAGE(j, (j ? "" : error_message(j.error())));
  CHECK(j->schedule->is_cron());
  CHECK(j->policy == concurrency_policy::allow);
  auto doc = to_json(job_document(*j).get());
  CHECK(has(doc, R"("nextRunAt":"2026-01-01T01:05:00.000+01:00")"));
  // Reading it back resumes at the stored instant.
  auto back = read(doc);
  REQUIRE(back);
  CHECK(*back->schedule->next_ms() == *j->schedule->next_ms());
  auto forbid = read(R"({"name":"m","command":"true","cron":"* * * * *","concurrencyPolicy":"FORBID"})");
  REQUIRE(forbid);
  CHECK(forbid->policy == concurrency_policy::forbid);
  CHECK(has(why(R"({"name":"m","command":"true","cron":"* * * * *","concurrencyPolicy":"SOMETIMES"})"),
            "concurrencyPolicy"));
}

TEST_CASE("bad jobs are refused with a reason") {
  CHECK(has(why(R"({"name":"a b","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H"})"), "name"));
  CHECK(has(why(R"({"name":"","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H"})"), "name"));
  CHECK(has(why(R"({"name":"a","schedule":"R/2026-01-01T00:00:00Z/PT1H"})"), "command"));
  CHECK(has(why(R"({"name":"a","command":"x"})"), "schedule"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/x/PT1H","parents":["b"]})"), "not both"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","cron":"* * * * *"})"), "not both"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"every hour"})"), "invalid schedule"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","scheduleTimeZone":"Nowhere/City"})"), "scheduleTimeZone"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","epsilon":"P1M"})"), "epsilon"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","cpus":-1})"), "cpus"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","retries":-1})"), "retries"));
  CHECK(has(why(R"({"name":"a","command":"x","parents":["a"]})"), "own parent"));
  CHECK(has(why(R"({"name":"a","command":"x","parents":["b"]})", job_kind::scheduled), "/v1/scheduler/dependency"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H"})", job_kind::dependent), "/v1/scheduler/iso8601"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","constraints":[["rack","GROUP_BY","1"]]})"), "GROUP_BY"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","constraints":[["rack","LIKE","("]]})"), "pattern"));
  CHECK(has(why(R"({"name":"a","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","retries":"two"})"), ""));
  CHECK(has(why(R"([1,2])"), ""));
  CHECK(has(why(R"({"name":)"), "invalid JSON"));
}

TEST_CASE("what cairn does not implement is refused by name") {
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"MESOS","image":"busybox","network":"BRIDGE"}})"),
            "host's network"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"MESOS","image":"busybox","volumes":[{"containerPath":"/a"}]}})"),
            "volumes are not supported yet with type MESOS"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"MESOS"}})"),
            "needs an image"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"DOCKER","image":"b","networkInfos":[{"name":"n"}]}})"),
            "container field 'networkInfos' is not supported yet"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"DOCKER","image":"b","volumes":[{"containerPath":"/a","external":{"name":"x"}}]}})"),
            "container volume field 'external' is not supported yet"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"DOCKER","image":"b","network":"USER"}})"),
            "network USER is not supported yet"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","executor":"/bin/my-executor"})"),
            "'executor' is not supported yet"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","async":true})"),
            "'async' is not supported yet"));
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","runAsUser":"nobody"})"),
            "'runAsUser'"));
  // Their empty values, as Chronos' UI sends them, are fine.
  CHECK(read(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","executor":"","async":false,"executorFlags":""})"));
}

TEST_CASE("a MESOS container with an image runs it on the agent, daemonless") {
  auto j = read(R"({"name":"m","command":"echo hi","schedule":"R/2026-01-01T00:00:00Z/PT1H",
    "container":{"type":"MESOS","image":"greet:1"}})");
  REQUIRE_MESSAGE(j, error_message(j.error()));
  auto info = make_wire<schema::ContainerInfo>([&](schema::ContainerInfo::Builder b) {
    fill_container_info(j->spec->getContainer(), b);
  });
  CHECK(info->getType() == schema::ContainerInfo::Type::MESOS);
  CHECK_FALSE(info->hasDocker());
  CHECK(info->getMesos().getImage().getType() == schema::Image::Type::DOCKER);
  CHECK(std::string(info->getMesos().getImage().getDocker().getName()) == "greet:1");
}

TEST_CASE("a child runs once every parent has succeeded since it last ran") {
  dependency_graph g;
  g.set_parents("child", {"p1", "p2"});
  CHECK(g.parent_succeeded("p1").empty());
  CHECK(g.parent_succeeded("p1").empty());  // one parent twice is not both
  CHECK(g.edge_count("p1", "child") == 2);
  auto ready = g.parent_succeeded("p2");
  REQUIRE(ready.size() == 1);
  CHECK(ready[0] == "child");
  g.child_ran("child");
  CHECK(g.edge_count("p1", "child") == 0);
  CHECK(g.parent_succeeded("p2").empty());  // only one succeeded again
  CHECK(g.parent_succeeded("p1") == std::vector<std::string>{"child"});
  CHECK(g.children_of("p1") == std::vector<std::string>{"child"});
  CHECK(g.edges().size() == 2);
}

TEST_CASE("the graph refuses cycles and forgets removed jobs") {
  dependency_graph g;
  g.set_parents("b", {"a"});
  g.set_parents("c", {"b"});
  CHECK(g.would_cycle("a", {"c"}));
  CHECK(g.would_cycle("a", {"a"}));
  CHECK(!g.would_cycle("d", {"c"}));
  g.set_parents("d", {"a", "c"});
  g.remove("c");
  CHECK(g.parents_of("d") == std::vector<std::string>{"a"});
  CHECK(!g.has_children("b"));
  // Replacing parents keeps the counts of the edges that stay.
  g.parent_succeeded("a");
  g.set_parents("d", {"a", "b"});
  CHECK(g.edge_count("a", "d") == 1);
  CHECK(g.edge_count("b", "d") == 0);
  g.remove("a");
  CHECK(g.parents_of("d") == std::vector<std::string>{"b"});
  CHECK(g.parents_of("b").empty());
  g.check_invariants();
}

TEST_CASE("a failed run is retried, and counted once when the retries are used up") {
  run_counters c;
  auto first = on_attempt_end(false, 0, 2, false, "t0", c);
  CHECK(first.retry);
  CHECK(!first.final);
  CHECK(c.error_count == 0);
  CHECK(on_attempt_end(false, 1, 2, false, "t1", c).retry);
  auto last = on_attempt_end(false, 2, 2, false, "t2", c);
  CHECK(last.final);
  CHECK(!last.retry);
  CHECK(!last.children_may_run);
  CHECK(c.error_count == 1);
  CHECK(c.errors_since_last_success == 1);
  CHECK(c.last_error == "t2");
  // softError: the failure lets the children run.
  CHECK(on_attempt_end(false, 0, 0, true, "t3", c).children_may_run);
  CHECK(c.errors_since_last_success == 2);
  auto ok = on_attempt_end(true, 1, 2, false, "t4", c);
  CHECK(ok.final);
  CHECK(ok.children_may_run);
  CHECK(c.success_count == 1);
  CHECK(c.errors_since_last_success == 0);
  CHECK(c.error_count == 2);
  CHECK(c.last_success == "t4");
}

TEST_CASE("a run due while one runs: ALLOW launches, FORBID drops, REPLACE replaces") {
  CHECK(on_due_while_running(concurrency_policy::forbid, 0) == overlap_action::launch);
  CHECK(on_due_while_running(concurrency_policy::allow, 1) == overlap_action::launch);
  CHECK(on_due_while_running(concurrency_policy::forbid, 1) == overlap_action::drop);
  CHECK(on_due_while_running(concurrency_policy::replace, 2) == overlap_action::replace);
  CHECK(*read_concurrency_policy("", true) == concurrency_policy::allow);
  CHECK(*read_concurrency_policy("", false) == concurrency_policy::forbid);
}

TEST_CASE("constraints over an agent's attributes and host name") {
  auto c = [](std::vector<std::string> f) {
    auto r = read_constraint(f);
    REQUIRE(r);
    return *r;
  };
  agent_traits a{"node-7.example.com", {{"rack", "r1"}, {"zone", "eu-west"}}};
  CHECK(satisfies({c({"rack", "EQUALS", "r1"})}, a));
  CHECK(!satisfies({c({"rack", "EQUALS", "r2"})}, a));
  CHECK(satisfies({c({"hostname", "LIKE", "node-[0-9]+\\..*"})}, a));
  CHECK(!satisfies({c({"hostname", "LIKE", "node"})}, a));  // the whole value
  CHECK(satisfies({c({"zone", "UNLIKE", "us-.*"})}, a));
  CHECK(!satisfies({c({"zone", "UNLIKE", "eu-.*"})}, a));
  CHECK(!satisfies({c({"gpu", "EQUALS", "yes"})}, a));
  CHECK(satisfies({c({"gpu", "UNLIKE", "yes"})}, a));
  CHECK(!satisfies({c({"rack", "EQUALS", "r1"}), c({"zone", "EQUALS", "x"})}, a));
  CHECK(!read_constraint({"rack", "EQUALS"}));
}

TEST_CASE("a DOCKER container becomes the task's ContainerInfo") {
  auto j = read(R"({"name":"d","command":"echo hi","schedule":"R/2026-01-01T00:00:00Z/PT1H",
    "container":{"type":"DOCKER","image":"busybox:local","network":"BRIDGE",
      "forcePullImage":true,"volumes":[{"containerPath":"/data","hostPath":"/srv/d","mode":"RO"},
      {"containerPath":"/scratch"}],"parameters":[{"key":"label","value":"a=b"}]}})");
  REQUIRE_MESSAGE(j, error_message(j.error()));
  auto info = make_wire<schema::ContainerInfo>([&](schema::ContainerInfo::Builder b) {
    fill_container_info(j->spec->getContainer(), b);
  });
  auto c = info.get();
  CHECK(c.getType() == schema::ContainerInfo::Type::DOCKER);
  CHECK(std::string(c.getDocker().getImage()) == "busybox:local");
  CHECK(c.getDocker().getNetwork() == schema::ContainerInfo::DockerInfo::Network::BRIDGE);
  CHECK(c.getDocker().getForcePullImage());
  REQUIRE(c.getDocker().getParameters().size() == 1);
  CHECK(std::string(c.getDocker().getParameters()[0].getKey()) == "label");
  CHECK(std::string(c.getDocker().getParameters()[0].getValue()) == "a=b");
  REQUIRE(c.getVolumes().size() == 2);
  CHECK(std::string(c.getVolumes()[0].getContainerPath()) == "/data");
  CHECK(std::string(c.getVolumes()[0].getHostPath()) == "/srv/d");
  CHECK(c.getVolumes()[0].getMode() == schema::Volume::Mode::RO);
  CHECK_FALSE(c.getVolumes()[1].hasHostPath());
  CHECK(c.getVolumes()[1].getMode() == schema::Volume::Mode::RW);
  // Chronos' defaults: type DOCKER, network HOST; the job reads back from GET.
  auto k = read(R"({"name":"e","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H",
    "container":{"image":"busybox"}})");
  REQUIRE(k);
  auto info2 = make_wire<schema::ContainerInfo>([&](schema::ContainerInfo::Builder b) {
    fill_container_info(k->spec->getContainer(), b);
  });
  CHECK(info2.get().getType() == schema::ContainerInfo::Type::DOCKER);
  CHECK(info2.get().getDocker().getNetwork() == schema::ContainerInfo::DockerInfo::Network::HOST);
  auto again = read(to_json(job_document(*j).get()));
  REQUIRE(again);
  CHECK(again->spec->getContainer().getVolumes().size() == 2);
  CHECK(has(why(R"({"name":"d","command":"x","schedule":"R/2026-01-01T00:00:00Z/PT1H","container":{"type":"DOCKER"}})"),
            "needs an image"));
}
