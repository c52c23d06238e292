// Groups as Marathon reads them: ids read against the group, violations
// named by path, what is not implemented refused by name; a group applied
// to the apps there are replaces its own apps and subgroups, keeps what it
// leaves out, and keeps the versions of apps it does not change; the plan
// of a new group with dependencies starts what is depended on first.
#include <doctest/doctest.h>

#include <algorithm>

#include "actors/services/deployment_plan.hpp"
#include "actors/services/group_definition.hpp"
#include "runtime/errors.hpp"

using namespace cairn;
using namespace cairn::services;
using kind = deployment_action::kind;

namespace {

path_id id(const char* text) {
  return *parse_path_id(text).id;
}

group_update read_ok(const std::string& body, const std::optional<path_id>& url = {}) {
  auto r = read_group(body, {}, url);
  INFO(error_body(r.error));
  REQUIRE(r.ok());
  return *r.group;
}

std::vector<std::string> paths_of(const std::string& body) {
  auto r = read_group(body);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.status == 422);
  std::vector<std::string> out;
  for (auto& d : r.error.details)
    out.push_back(d.path);
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

app_map apps_of(const group_update& g) {
  return apply_group({}, g, "2020-01-01T00:00:00.000Z");
}

} // namespace

TEST_CASE("a group's apps and subgroups are read against it") {
  auto g = read_ok(R"({"id":"shop","apps":[{"id":"db","cmd":"x"},
                       {"id":"/shop/app","cmd":"x","dependencies":["db"]}],
                       "groups":[{"id":"web","apps":[{"id":"front","cmd":"x"}]}]})");
  CHECK(g.id == id("/shop"));
  REQUIRE(g.apps);
  REQUIRE(g.apps->size() == 2);
  CHECK(std::string((*g.apps)[0]->getId()) == "/shop/db");
  CHECK((*g.apps)[0]->getInstances() == 1);  // Marathon's defaults
  REQUIRE(g.groups);
  REQUIRE(g.groups->size() == 1);
  CHECK((*g.groups)[0].id == id("/shop/web"));
  CHECK(std::string((*(*g.groups)[0].apps)[0]->getId()) == "/shop/web/front");
  auto apps = apps_of(g);
  CHECK(apps.size() == 3);
  CHECK(apps.count("/shop/web/front") == 1);
  CHECK(std::string(apps.at("/shop/db")->getVersion()) == "2020-01-01T00:00:00.000Z");
}

TEST_CASE("the URL names the group; a body naming another is refused") {
  auto g = read_ok(R"({"apps":[{"id":"db","cmd":"x"}]})", id("/shop"));
  CHECK(g.id == id("/shop"));
  CHECK(std::string((*g.apps)[0]->getId()) == "/shop/db");
  auto r = read_group(R"({"id":"/other"})", {}, id("/shop"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.details[0].path == "/id");
  CHECK(paths_of(R"({"apps":[]})") == std::vector<std::string>{"/id"});
}

TEST_CASE("what is not implemented is refused by name; invalid apps by their path") {
  auto p = paths_of(R"({"id":"/g","pods":[{"id":"p"}],"scaleBy":2,"version":"v",
                        "dependencies":["/e"],"enforceRole":true,
                        "apps":[{"id":"ok","cmd":"x"},{"id":"bad","cmd":"x","cpus":-1},
                                {"id":"/elsewhere/x","cmd":"x"},{"id":"ok","cmd":"y"}],
                        "groups":[{"id":"/notmine"},{"apps":[]}]})");
  for (auto path : {"/pods", "/scaleBy", "/version", "/dependencies", "/enforceRole",
                    "/apps(1)/cpus", "/apps(2)/id", "/apps(3)/id", "/groups(0)/id",
                    "/groups(1)/id"})
    CHECK_MESSAGE(has(p, path), path);
  CHECK_FALSE(has(p, "/apps(0)/id"));
  // Empty lists of pods and dependencies, and enforceRole false, are Marathon's defaults.
  read_ok(R"({"id":"/g","pods":[],"dependencies":[],"enforceRole":false})");
  auto bad = read_group("{nope");
  CHECK(bad.error.status == 400);
  CHECK(paths_of(R"({"id":"/g","apps":{"id":"x"}})") == std::vector<std::string>{"/apps"});
  CHECK(paths_of(R"([1])") == std::vector<std::string>{"/"});
}

TEST_CASE("nesting is bounded") {
  std::string body = R"({"id":"/a","apps":[{"id":"x","cmd":"x"}])";
  std::string close;
  for (size_t k = 0; k <= max_group_depth; ++k) {
    body += R"(,"groups":[{"id":"g)" + std::to_string(k) + "\"";
    close += "}]";
  }
  auto r = read_group(body + close + "}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.details.back().error.find("deep") != std::string::npos);
}

TEST_CASE("a group that would hold no app is found, where it is") {
  CHECK(empty_groups(read_ok(R"({"id":"/e"})")) == std::vector<std::string>{"/apps"});
  CHECK(empty_groups(read_ok(R"({"id":"/e","groups":[{"id":"f","apps":[]}]})")) ==
        std::vector<std::string>{"/apps"});
  CHECK(empty_groups(read_ok(R"({"id":"/e","apps":[{"id":"x","cmd":"x"}],
                                 "groups":[{"id":"f"},{"id":"g","apps":[{"id":"y","cmd":"x"}]}]})"))
        == std::vector<std::string>{"/groups(0)/apps"});
  CHECK(empty_groups(read_ok(R"({"id":"/e","groups":[{"id":"f","apps":[{"id":"y","cmd":"x"}]}]})"))
          .empty());
}

TEST_CASE("applied to the apps there are: listed replaces, left out keeps, others untouched") {
  auto before = apps_of(read_ok(R"({"id":"/s","apps":[{"id":"a","cmd":"x"},{"id":"b","cmd":"x"}],
      "groups":[{"id":"g","apps":[{"id":"c","cmd":"x"}]},
                {"id":"h","apps":[{"id":"d","cmd":"x"}]}]})"));
  auto outside = apps_of(read_ok(R"({"id":"/t","apps":[{"id":"z","cmd":"x"}]})"));
  before.insert(outside.begin(), outside.end());
  REQUIRE(before.size() == 5);
  const char* later = "2021-01-01T00:00:00.000Z";

  // Apps listed: /s/b goes, /s/a changes, subgroups stay (groups left out).
  auto one = apply_group(before, read_ok(R"({"id":"/s","apps":[{"id":"a","cmd":"y"}]})"), later);
  CHECK(one.count("/s/b") == 0);
  CHECK(std::string(one.at("/s/a")->getCmd()) == "y");
  CHECK(std::string(one.at("/s/a")->getVersion()) == later);
  CHECK(one.count("/s/g/c") == 1);
  CHECK(one.count("/s/h/d") == 1);
  CHECK(one.count("/t/z") == 1);

  // Groups listed: /s/h goes with its app, /s/g is applied (apps left out:
  // kept), own apps stay; an app that comes out the same keeps its version.
  auto two = apply_group(before, read_ok(R"({"id":"/s","groups":[{"id":"g"}]})"), later);
  CHECK(two.count("/s/h/d") == 0);
  CHECK(two.count("/s/g/c") == 1);
  CHECK(two.count("/s/a") == 1);
  auto same = apply_group(before, read_ok(R"({"id":"/s","apps":[{"id":"a","cmd":"x"},
                                              {"id":"b","cmd":"x","instances":3}]})"), later);
  CHECK(std::string(same.at("/s/a")->getVersion()) ==
        std::string(before.at("/s/a")->getVersion()));
  CHECK(std::string(same.at("/s/b")->getVersion()) == later);  // scaled: a new version

  CHECK(apps_in(before, id("/s")).size() == 4);
  CHECK(apps_in(before, id("/s/g")) == std::vector<std::string>{"/s/g/c"});
  CHECK(apps_in(before, id("/")).size() == 5);
  CHECK(apps_in(before, id("/s/a")).empty());  // an app is not a group
}

TEST_CASE("a new group's plan starts what is depended on first") {
  auto target = apps_of(read_ok(R"({"id":"/shop","apps":[
      {"id":"app","cmd":"x","dependencies":["db"]},{"id":"db","cmd":"x"}]})"));
  app_set none, after;
  for (auto& [key, app] : target)
    after.emplace(id(key.c_str()), *app);
  auto plan = plan_deployment(none, after);
  REQUIRE(plan);
  REQUIRE(plan->size() == 2);
  CHECK((*plan)[0] == deployment_step{{kind::start, id("/shop/db"), 1}});
  CHECK((*plan)[1] == deployment_step{{kind::start, id("/shop/app"), 1}});
}
