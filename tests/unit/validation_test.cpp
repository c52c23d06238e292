// What an ACCEPT may launch: offers must be live, the framework's own and on one
// agent; tasks must be well formed and fit what is left of the offers.
#include <doctest/doctest.h>

#include <map>

#include "actors/master/validation.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"

using namespace cairn;
using schema::TaskState;
using Reason = schema::TaskStatus::Reason;

namespace {

struct fixture {
  std::map<std::string, offer_record> offers;
  std::set<std::string> running_tasks;

  fixture() {
    add_offer("o1", "fw", "a1", "cpus:2;mem:1024;ports:[31000-31010]");
    add_offer("o2", "fw", "a1", "cpus:1;mem:512");
    add_offer("o3", "fw", "a2", "cpus:1;mem:512");
    add_offer("other", "fw2", "a1", "cpus:1;mem:512");
  }

  void add_offer(const char* id, const char* fw, const char* agent, const char* res) {
    offers[id] = {id, fw, agent, "*", parse_resources(res).value().allocated_to("*")};
  }

  accept_plan plan(const std::vector<std::string>& offer_ids, std::vector<task_spec> tasks,
                   bool partition_aware = false) {
    auto call = calls::launch("fw", offer_ids, tasks);
    return plan_accept(
      call->getAccept(), "fw", partition_aware,
      [&](const std::string& id) -> const offer_record* {
        auto i = offers.find(id);
        return i == offers.end() ? nullptr : &i->second;
      },
      [&](const std::string& id) { return running_tasks.count(id) > 0; });
  }
};

task_spec task(const char* id, const char* res, const char* command = "true") {
  task_spec t;
  t.id = id;
  t.shell_command = command;
  t.res = parse_resources(res).value();
  return t;
}

} // namespace

TEST_CASE("tasks that fit launch; the rest of the offers goes back") {
  fixture f;
  auto p = f.plan({"o1", "o2"}, {task("t1", "cpus:1;mem:512"), task("t2", "cpus:2;mem:512")});
  CHECK(p.refused.empty());
  REQUIRE(p.launches.size() == 2);
  CHECK(p.agent_id == "a1");
  CHECK(p.unused.unallocated() == parse_resources("mem:512;ports:[31000-31010]").value());
}

TEST_CASE("a task asking for more than the offers hold is refused with TASK_ERROR") {
  fixture f;
  auto p = f.plan({"o2"}, {task("big", "cpus:1;mem:99999")});
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].state == TaskState::TASK_ERROR);
  CHECK(p.refused[0].reason == Reason::TASK_INVALID);
  CHECK(p.refused[0].message.find("more resources") != std::string::npos);
  CHECK(p.launches.empty());
  CHECK(p.unused.unallocated() == parse_resources("cpus:1;mem:512").value());
}

TEST_CASE("ports must be among the offered ranges") {
  fixture f;
  CHECK(f.plan({"o1"}, {task("p", "cpus:1;ports:[31005-31006]")}).launches.size() == 1);
  auto p = f.plan({"o1"}, {task("p", "cpus:1;ports:[32000-32000]")});
  CHECK(p.launches.empty());
  CHECK(p.refused.size() == 1);
}

TEST_CASE("unknown, foreign and duplicate offers drop every task, with the reason") {
  fixture f;
  for (auto ids : std::vector<std::vector<std::string>>{{"gone"}, {"other"}, {"o1", "o1"}}) {
    auto p = f.plan(ids, {task("t", "cpus:1")});
    REQUIRE(p.refused.size() == 1);
    CHECK(p.refused[0].state == TaskState::TASK_LOST);
    CHECK(p.refused[0].reason == Reason::INVALID_OFFERS);
    CHECK(p.launches.empty());
  }
  auto aware = f.plan({"gone"}, {task("t", "cpus:1")}, true);
  CHECK(aware.refused[0].state == TaskState::TASK_DROPPED);
}

TEST_CASE("offers on two agents cannot be combined") {
  fixture f;
  auto p = f.plan({"o1", "o3"}, {task("t", "cpus:1")});
  REQUIRE(p.refused.size() == 1);
  CHECK(p.refused[0].message.find("one agent") != std::string::npos);
  // Both offers are used up and their resources go back.
  CHECK(p.offer_ids.size() == 2);
}

TEST_CASE("task ids must be valid and unused") {
  fixture f;
  f.running_tasks.insert("busy");
  auto p = f.plan({"o1"}, {task("busy", "cpus:0.1"), task("a/b", "cpus:0.1"),
                           task("dup", "cpus:0.1"), task("dup", "cpus:0.1")});
  CHECK(p.launches.size() == 1);
  CHECK(p.refused.size() == 3);
}

TEST_CASE("a task needs a command and some resources") {
  fixture f;
  auto p = f.plan({"o1"}, {task("empty", "cpus:0"), task("nocmd", "cpus:1", "")});
  CHECK(p.launches.empty());
  CHECK(p.refused.size() == 2);
}

TEST_CASE("ids follow Mesos' rules") {
  CHECK(check_id("task-1").empty());
  CHECK(!check_id("").empty());
  CHECK(!check_id("..").empty());
  CHECK(!check_id("a\\b").empty());
  CHECK(!check_id(std::string(256, 'x')).empty());
  CHECK(!check_id("tab\there").empty());
}
