// Deployments as Marathon orders them, and rolling replacement within an
// upgrade strategy: never fewer healthy than the minimum, never more
// running than the maximum, ending with every instance new; launch backoff.
#include <doctest/doctest.h>

#include <algorithm>

#include "actors/services/app_definition.hpp"
#include "actors/services/deployment_plan.hpp"
#include "actors/services/rolling.hpp"
#include "runtime/errors.hpp"

using namespace cairn;
using namespace cairn::services;
using kind = deployment_action::kind;

namespace {

struct apps {
  std::vector<wire<App>> held;
  app_set set;

  apps& add(const std::string& json) {
    auto r = read_app(json);
    INFO(error_body(r));
    REQUIRE(r.ok());
    held.push_back(*r.app);
    set[*parse_path_id(held.back()->getId().cStr()).id] = held.back().get();
    return *this;
  }
};

path_id id(const char* text) {
  return *parse_path_id(text).id;
}

} // namespace

TEST_CASE("new apps start by dependency level: what is depended on first") {
  apps none, target;
  target.add(R"({"id":"/shop/app","cmd":"x","instances":2,"dependencies":["db"]})")
    .add(R"({"id":"/shop/db","cmd":"x"})")
    .add(R"({"id":"/shop/web","cmd":"x","dependencies":["/shop/app"]})");
  auto plan = plan_deployment(none.set, target.set);
  REQUIRE(plan);
  REQUIRE(plan->size() == 3);
  CHECK((*plan)[0] == deployment_step{{kind::start, id("/shop/db"), 1}});
  CHECK((*plan)[1] == deployment_step{{kind::start, id("/shop/app"), 2}});
  CHECK((*plan)[2] == deployment_step{{kind::start, id("/shop/web"), 1}});
}

TEST_CASE("removed apps stop first, dependents before what they depend on") {
  apps current, target;
  current.add(R"({"id":"/a","cmd":"x","dependencies":["/b"]})").add(R"({"id":"/b","cmd":"x"})")
    .add(R"({"id":"/keep","cmd":"x"})");
  target.add(R"({"id":"/keep","cmd":"x"})").add(R"({"id":"/new","cmd":"x"})");
  auto plan = plan_deployment(current.set, target.set);
  REQUIRE(plan);
  REQUIRE(plan->size() == 3);
  CHECK((*plan)[0] == deployment_step{{kind::stop, id("/a"), 0}});
  CHECK((*plan)[1] == deployment_step{{kind::stop, id("/b"), 0}});
  CHECK((*plan)[2] == deployment_step{{kind::start, id("/new"), 1}});
}

TEST_CASE("a changed count scales; a changed definition restarts; nothing changed, nothing to do") {
  apps current, target;
  current.add(R"({"id":"/s","cmd":"x","instances":1})").add(R"({"id":"/r","cmd":"x"})")
    .add(R"({"id":"/same","cmd":"x"})");
  target.add(R"({"id":"/s","cmd":"x","instances":50})").add(R"({"id":"/r","cmd":"y"})")
    .add(R"({"id":"/same","cmd":"x"})");
  auto plan = plan_deployment(current.set, target.set);
  REQUIRE(plan);
  REQUIRE(plan->size() == 1);
  auto step = (*plan)[0];
  CHECK(step.size() == 2);
  CHECK(std::count(step.begin(), step.end(), deployment_action{kind::scale, id("/s"), 50}) == 1);
  CHECK(std::count(step.begin(), step.end(), deployment_action{kind::restart, id("/r"), 1}) == 1);
  CHECK(plan_deployment(current.set, current.set)->empty());
}

TEST_CASE("a missing dependency or a cycle is refused, naming it") {
  apps none, missing, cycle;
  missing.add(R"({"id":"/a","cmd":"x","dependencies":["/nope"]})");
  auto m = plan_deployment(none.set, missing.set);
  REQUIRE_FALSE(m);
  CHECK(error_message(m.error()).find("/nope") != std::string::npos);
  cycle.add(R"({"id":"/a","cmd":"x","dependencies":["/b"]})")
    .add(R"({"id":"/b","cmd":"x","dependencies":["/a"]})");
  auto c = plan_deployment(none.set, cycle.set);
  REQUIRE_FALSE(c);
  CHECK(error_message(c.error()).find("cycle") != std::string::npos);
}

// Plays a rolling replacement out, new instances turning healthy one at a
// time, checking the bounds after every decision.
void roll(int32_t target, double min_health, double max_over) {
  CAPTURE(target);
  CAPTURE(min_health);
  CAPTURE(max_over);
  replace_counts c{target, target, 0, 0};
  int32_t least = minimum_healthy(target, min_health);
  int32_t most = std::max(maximum_running(target, max_over), target);
  bool no_room = least == target && most == target;
  for (int round = 0; round < 10 * target + 10 && !replacement_done(c); ++round) {
    auto d = next_replacement(c, min_health, max_over);
    c.old_running -= d.kill_old;
    c.new_launched += d.launch_new;
    CHECK(c.old_running >= 0);
    CHECK(c.old_running + c.new_launched + c.new_healthy <= most);
    if (!no_room)
      CHECK(c.old_running + c.new_healthy >= std::min(least, target));
    else
      CHECK(c.old_running + c.new_healthy >= target - 1);
    if (c.new_launched > 0) {
      --c.new_launched;
      ++c.new_healthy;
    }
  }
  CHECK(replacement_done(c));
  CHECK(c.new_healthy == target);
  CHECK(c.new_launched == 0);
}

TEST_CASE("rolling replacement keeps within the upgrade strategy and ends all new") {
  roll(4, 0.5, 1.0);  // the issue's case: never fewer than 2 healthy
  roll(4, 1.0, 1.0);  // Marathon's defaults
  roll(4, 1.0, 0.0);  // no room: one at a time
  roll(5, 0.0, 0.0);
  roll(10, 0.7, 0.2);
  roll(1, 1.0, 0.0);
  roll(1000, 0.9, 0.1);
  CHECK(minimum_healthy(4, 0.7) == 3);
  CHECK(maximum_running(10, 0.2) == 12);
  CHECK(minimum_healthy(10, 0.7) == 7);
}

TEST_CASE("the first decision of the issue's rollout: kill 2 old, launch 4 new") {
  auto d = next_replacement({4, 4, 0, 0}, 0.5, 1.0);
  CHECK(d.kill_old == 2);
  CHECK(d.launch_new == 4);
}

TEST_CASE("launch backoff grows by the factor to its cap, and starts over on reset") {
  launch_backoff b;
  CHECK(b.overdue(0));
  b.failed(100, 1, 2, 5);
  CHECK(b.delay() == 1);
  CHECK(b.time_left(100.25) == doctest::Approx(0.75));
  CHECK_FALSE(b.overdue(100.5));
  b.failed(101, 1, 2, 5);
  CHECK(b.delay() == 2);
  b.failed(103, 1, 2, 5);
  b.failed(107, 1, 2, 5);
  CHECK(b.delay() == 5);
  CHECK(b.overdue(112));
  b.reset();
  CHECK(b.delay() == 0);
  CHECK(b.overdue(0));
}
