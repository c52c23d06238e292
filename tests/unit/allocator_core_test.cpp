// The allocation core: DRF order, no double grants, filters, suppression, reservations, weights.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "actors/allocator/core.hpp"
#include "actors/resources/parse.hpp"

using namespace cairn;
using namespace cairn::alloc;
using std::chrono::duration;

namespace {

resources parse(const char* text) {
  auto r = parse_resources(text);
  REQUIRE_MESSAGE(r, "parse failed: ", text);
  return *r;
}

time_point at(double seconds) {
  return time_point{} + std::chrono::duration_cast<time_point::duration>(duration<double>(seconds));
}

std::optional<duration<double>> refuse(double seconds) {
  return duration<double>(seconds);
}

const auto no_filter = std::nullopt;

void check_ok(const core& c) {
  auto bad = c.check_invariants();
  CHECK_MESSAGE(!bad, *bad);
}

// The single grant of a pass that must make exactly one.
grant only(std::vector<grant> grants) {
  REQUIRE(grants.size() == 1);
  return grants.front();
}

} // namespace

TEST_CASE("DRF paper example: A ends with 3 tasks and B with 2") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:9;mem:18432"), {});
  c.add_framework("A", {"r"}, {}, true);
  c.add_framework("B", {"r"}, {}, true);
  const std::map<std::string, resources> task = {{"A", parse("cpus:1;mem:4096")},
                                                 {"B", parse("cpus:3;mem:1024")}};
  std::map<std::string, int> tasks;
  double now = 0;
  for (int pass = 0;; ++pass) {
    REQUIRE(pass < 50);
    int launched = 0;
    for (const grant& g : c.allocate(at(now), rng)) {
      const resources need = task.at(g.framework_id).allocated_to(g.role);
      resources rest = g.res;
      if (rest.contains(need)) {
        rest -= need;
        ++tasks[g.framework_id];
        ++launched;
      }
      c.recover(g.framework_id, g.agent_id, rest, no_filter, at(now));
    }
    check_ok(c);
    now += 1;
    if (launched == 0)
      break;
  }
  CHECK(tasks["A"] == 3);
  CHECK(tasks["B"] == 2);
  CHECK(c.framework_allocation("A").get_scalar("cpus") == 3);
  CHECK(c.framework_allocation("B").get_scalar("cpus") == 6);
  CHECK(c.framework_share("A", "r") == doctest::Approx(12288.0 / 18432));
  CHECK(c.framework_share("B", "r") == doctest::Approx(6.0 / 9));
}

TEST_CASE("two-level example: framework 1 first by id, the rest to framework 2") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("fw2", {"r"}, {}, true);
  c.add_framework("fw1", {"r"}, {}, true);
  const grant first = only(c.allocate(at(0), rng));
  CHECK(first.framework_id == "fw1");
  CHECK(first.agent_id == "s1");
  CHECK(first.role == "r");
  CHECK(first.res == parse("cpus:4;mem:4096").allocated_to("r"));
  const resources launched = parse("cpus:2;mem:1024") + parse("cpus:1;mem:2048");
  c.recover("fw1", "s1", first.res - launched.allocated_to("r"), no_filter, at(0));
  const grant second = only(c.allocate(at(1), rng));
  CHECK(second.framework_id == "fw2");
  CHECK(second.res == parse("cpus:1;mem:1024").allocated_to("r"));
  CHECK(c.agent_free("s1").empty());
  CHECK(c.agent_allocated("s1").unallocated() == c.agent_total("s1"));
  check_ok(c);
}

TEST_CASE("a decline filter keeps the agent from the framework until it expires") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  c.add_framework("f2", {"r"}, {}, true);
  const grant g1 = only(c.allocate(at(0), rng));
  REQUIRE(g1.framework_id == "f1");
  c.recover("f1", "s1", g1.res, refuse(5), at(0));
  CHECK(c.filtered("f1", "r", "s1"));
  // Another framework gets it meanwhile.
  const grant g2 = only(c.allocate(at(0), rng));
  CHECK(g2.framework_id == "f2");
  c.recover("f2", "s1", g2.res, refuse(1000), at(0));
  CHECK(c.allocate(at(4.999), rng).empty());
  CHECK(c.filtered("f1", "r", "s1"));
  const grant g3 = only(c.allocate(at(5), rng));
  CHECK(g3.framework_id == "f1");
  CHECK(!c.filtered("f1", "r", "s1"));
  CHECK(c.filter_count() == 1);
  check_ok(c);
}

TEST_CASE("a decline filter holds while the free resources fit inside what was declined") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  c.add_framework("f2", {"r"}, {}, true);
  c.recover("f1", "s1", only(c.allocate(at(0), rng)).res, refuse(1000), at(0));
  const grant g = only(c.allocate(at(1), rng));
  REQUIRE(g.framework_id == "f2");
  const resources task = parse("cpus:1;mem:1024").allocated_to("r");
  c.recover("f2", "s1", g.res - task, no_filter, at(1));
  CHECK(c.filtered("f1", "r", "s1"));
  c.recover("f2", "s1", task, no_filter, at(2)); // its task ends: all free, as declined
  CHECK(c.filtered("f1", "r", "s1"));
  CHECK(only(c.allocate(at(3), rng)).framework_id == "f2");
  check_ok(c);
}

TEST_CASE("a decline filter stops holding when more is freed on the agent") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  const grant g = only(c.allocate(at(0), rng));
  const resources task = parse("cpus:1;mem:1024").allocated_to("r");
  c.recover("f1", "s1", g.res - task, refuse(1000), at(0)); // keeps the task
  CHECK(c.filtered("f1", "r", "s1"));
  CHECK(c.allocate(at(1), rng).empty());
  c.recover("f1", "s1", task, no_filter, at(2)); // the task ends: more is free than declined
  CHECK(!c.filtered("f1", "r", "s1"));
  CHECK(c.filter_count() == 0);
  CHECK(only(c.allocate(at(3), rng)).res == parse("cpus:4;mem:4096").allocated_to("r"));
  check_ok(c);
}

TEST_CASE("a filter that does not cover what is free is moot") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  const grant g = only(c.allocate(at(0), rng));
  const resources part = parse("cpus:1;mem:1024").allocated_to("r");
  c.recover("f1", "s1", g.res - part, no_filter, at(0));
  c.recover("f1", "s1", part, refuse(1000), at(0)); // declines 1 cpu while 4 are free
  CHECK(!c.filtered("f1", "r", "s1"));
  CHECK(only(c.allocate(at(1), rng)).framework_id == "f1");
  check_ok(c);
}

TEST_CASE("revive clears filters; deactivation clears them too") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  c.recover("f1", "s1", only(c.allocate(at(0), rng)).res, refuse(1000), at(0));
  CHECK(c.allocate(at(1), rng).empty());
  c.revive("f1", {});
  CHECK(!c.filtered("f1", "r", "s1"));
  const grant g = only(c.allocate(at(2), rng));
  c.recover("f1", "s1", g.res, refuse(1000), at(2));
  c.deactivate_framework("f1");
  CHECK(c.filter_count() == 0);
  CHECK(c.allocate(at(3), rng).empty()); // inactive: no offers
  c.activate_framework("f1");
  CHECK(only(c.allocate(at(4), rng)).framework_id == "f1");
  check_ok(c);
}

TEST_CASE("suppress stops offers and revive resumes them, per role") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"x", "y"}, {"x"}, true);
  CHECK(c.suppressed("f1", "x"));
  const grant g = only(c.allocate(at(0), rng)); // only its role y may be offered
  CHECK(g.role == "y");
  c.recover("f1", "s1", g.res, no_filter, at(0));
  c.suppress("f1", {});
  CHECK(c.allocate(at(1), rng).empty());
  c.revive("f1", {"x"});
  CHECK(only(c.allocate(at(2), rng)).role == "x");
  CHECK(!c.suppressed("f1", "x"));
  CHECK(c.suppressed("f1", "y"));
  check_ok(c);
}

TEST_CASE("refuse 0, negative or NaN means offered again at the next pass; huge is capped") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  double now = 0;
  for (double seconds : {0.0, -3.0, std::nan("")}) {
    const grant g = only(c.allocate(at(now), rng));
    c.recover("f1", "s1", g.res, refuse(seconds), at(now));
    CHECK(c.filter_count() == 0);
    now += 1;
  }
  const grant g = only(c.allocate(at(now), rng));
  c.recover("f1", "s1", g.res, refuse(std::numeric_limits<double>::infinity()), at(now));
  const double year = 365.0 * 24 * 3600;
  CHECK(c.allocate(at(now + year - 1), rng).empty());
  CHECK(only(c.allocate(at(now + year), rng)).framework_id == "f1");
  check_ok(c);
}

TEST_CASE("reserved resources go only to their role; unreserved to either") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus(web):2;mem(web):2048;cpus:2;mem:2048"), {});
  c.add_framework("o", {"other"}, {}, true);
  c.add_framework("w", {"web"}, {}, true);
  // Roles tie at share 0: "other" first by name takes the unreserved part; "web"
  // still takes what is reserved to it in the same pass.
  auto grants = c.allocate(at(0), rng);
  REQUIRE(grants.size() == 2);
  CHECK(grants[0].framework_id == "o");
  CHECK(grants[0].res == parse("cpus:2;mem:2048").allocated_to("other"));
  CHECK(grants[1].framework_id == "w");
  CHECK(grants[1].res == parse("cpus(web):2;mem(web):2048").allocated_to("web"));
  check_ok(c);

  c.add_agent("s2", parse("cpus(web):2;mem(web):2048"), {});
  c.deactivate_framework("w");
  CHECK(c.allocate(at(1), rng).empty()); // nothing on s2 is usable by "other"
  c.activate_framework("w");
  const grant g = only(c.allocate(at(2), rng));
  CHECK(g.framework_id == "w");
  CHECK(g.agent_id == "s2");

  c.add_agent("s3", parse("cpus(web):1;mem(web):512;cpus:1;mem:512"), {});
  c.deactivate_framework("o");
  // A framework of "web" alone gets both its reservation and the unreserved part.
  CHECK(only(c.allocate(at(3), rng)).res
        == parse("cpus(web):1;mem(web):512;cpus:1;mem:512").allocated_to("web"));
  check_ok(c);
}

TEST_CASE("weights: role a with weight 2 ends with exactly twice role b's agents") {
  core c;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 30; ++i)
    c.add_agent("s" + std::to_string(i), parse("cpus:1;mem:1024"), {});
  c.set_weight("a", 2);
  c.add_framework("fa", {"a"}, {}, true);
  c.add_framework("fb", {"b"}, {}, true);
  CHECK(c.allocate(at(0), rng).size() == 30);
  CHECK(c.framework_allocation("fa").get_scalar("cpus") == 20);
  CHECK(c.framework_allocation("fb").get_scalar("cpus") == 10);
  CHECK(c.role_share("a") == doctest::Approx(c.role_share("b")));
  CHECK(c.weight("a") == 2);
  CHECK(c.weight("b") == 1);
  check_ok(c);
}

TEST_CASE("removing a framework frees its allocation for others") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, true);
  c.add_framework("f2", {"r"}, {}, true);
  REQUIRE(only(c.allocate(at(0), rng)).framework_id == "f1");
  CHECK(c.allocate(at(1), rng).empty());
  c.remove_framework("f1");
  CHECK(!c.has_framework("f1"));
  CHECK(c.agent_free("s1") == c.agent_total("s1"));
  CHECK(only(c.allocate(at(2), rng)).framework_id == "f2");
  check_ok(c);
}

TEST_CASE("updating a framework's roles: a new role is offered, a left one gives back") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"x"}, {}, true);
  const grant held = only(c.allocate(at(0), rng));
  CHECK(held.role == "x");
  // It leaves x for y while holding the grant: the grant goes back, y is offered.
  c.update_framework("f1", {"y"}, {});
  check_ok(c);
  CHECK(c.agent_free("s1") == c.agent_total("s1"));
  const grant next = only(c.allocate(at(1), rng));
  CHECK(next.role == "y");
  c.recover("f1", "s1", next.res, no_filter, at(1));
  // Two roles, one suppressed: only the other is offered; then neither suppressed.
  c.update_framework("f1", {"y", "z"}, {"y"});
  CHECK(c.suppressed("f1", "y"));
  CHECK(!c.suppressed("f1", "z"));
  CHECK(only(c.allocate(at(2), rng)).role == "z");
  check_ok(c);
  CHECK(c.check_update_framework("f1", {}, {}) == "framework f1 has no role");
  CHECK(c.check_update_framework("f1", {"y"}, {"q"})
        == "suppressed role 'q' is not a role of the framework");
  CHECK(c.check_update_framework("nope", {"y"}, {}) == "framework nope is not known");
  CHECK(c.check_update_framework("f1", {"y", "z"}, {"z"}).empty());
}

TEST_CASE("removing an agent drops its resources from the totals and the shares") {
  core c;
  std::mt19937_64 rng(1);
  c.add_framework("f1", {"r"}, {}, true);
  c.add_agent("s1", parse("cpus:10;mem:1000"), {{"f1", parse("cpus:5;mem:100").allocated_to("r")}});
  c.add_agent("s2", parse("cpus:10;mem:1000"), {});
  CHECK(c.cluster_total("cpus") == 20);
  CHECK(c.framework_share("f1", "r") == doctest::Approx(0.25));
  c.remove_agent("s2");
  CHECK(c.cluster_total("cpus") == 10);
  CHECK(c.framework_share("f1", "r") == doctest::Approx(0.5));
  c.remove_agent("s1");
  CHECK(c.agent_count() == 0);
  CHECK(c.framework_allocation("f1").empty());
  CHECK(c.framework_share("f1", "r") == 0);
  CHECK(c.allocate(at(0), rng).empty());
  check_ok(c);
}

TEST_CASE("deactivated agents and inactive frameworks are not offered") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:4;mem:4096"), {});
  c.add_framework("f1", {"r"}, {}, false);
  CHECK(c.allocate(at(0), rng).empty());
  c.activate_framework("f1");
  c.deactivate_agent("s1");
  CHECK(c.allocate(at(1), rng).empty());
  c.activate_agent("s1");
  CHECK(only(c.allocate(at(2), rng)).agent_id == "s1");
  check_ok(c);
}

TEST_CASE("too little free is not offered: below both min cpus and min mem") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus:0.005;mem:16;disk:1000"), {});
  c.add_agent("s2", parse("cpus:0.005;mem:32"), {});
  c.add_framework("f1", {"r"}, {}, true);
  CHECK(only(c.allocate(at(0), rng)).agent_id == "s2");
}

TEST_CASE("a framework in two roles: one recover returns both grants, filters per role") {
  core c;
  std::mt19937_64 rng(1);
  c.add_agent("s1", parse("cpus(y):1;mem(y):512;cpus:1;mem:512"), {});
  c.add_framework("m", {"x", "y"}, {}, true);
  auto grants = c.allocate(at(0), rng);
  REQUIRE(grants.size() == 2);
  CHECK(grants[0].role == "x");
  CHECK(grants[1].role == "y");
  c.recover("m", "s1", grants[0].res + grants[1].res, refuse(10), at(0));
  // x declined all it can use there; y declined only its reservation, and could now
  // be offered the unreserved part as well, so its filter is moot (as in Mesos).
  CHECK(c.filtered("m", "x", "s1"));
  CHECK(!c.filtered("m", "y", "s1"));
  const grant g = only(c.allocate(at(1), rng));
  CHECK(g.role == "y");
  CHECK(g.res == parse("cpus(y):1;mem(y):512;cpus:1;mem:512").allocated_to("y"));
  check_ok(c);
}

TEST_CASE("agent order: the same seed gives the same order, another seed another") {
  const auto order_for = [](uint64_t seed) {
    core c;
    for (int i = 0; i < 20; ++i)
      c.add_agent("s" + std::to_string(i), parse("cpus:1;mem:1024"), {});
    c.add_framework("f1", {"r"}, {}, true);
    std::mt19937_64 rng(seed);
    std::vector<std::string> order;
    for (const grant& g : c.allocate(at(0), rng))
      order.push_back(g.agent_id);
    return order;
  };
  const auto a = order_for(1);
  CHECK(a.size() == 20);
  CHECK(a == order_for(1));
  CHECK(a != order_for(2));
  CHECK(std::set<std::string>(a.begin(), a.end()).size() == 20);
}

namespace {

// Drives a core with seeded random operations and keeps its own ledger of what every
// framework holds on every agent (grants minus recoveries), to compare with the core.
struct random_driver {
  core c;
  std::mt19937_64 rng;
  double now = 0;
  std::map<std::pair<std::string, std::string>, resources> ledger; // (fw, agent) -> held
  std::map<std::string, std::vector<std::string>> framework_roles;
  std::set<std::string> agents;

  explicit random_driver(uint64_t seed) : rng(seed) {}

  size_t pick(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  }
  template <class C>
  auto pick_from(const C& items) {
    auto it = items.begin();
    std::advance(it, static_cast<long>(pick(items.size())));
    return *it;
  }

  void add_agent() {
    static const char* shapes[] = {
      "cpus:4;mem:4096;ports:[31000-31009]", "cpus:1;mem:256",
      "cpus(r1):2;mem(r1):1024;cpus:2;mem:1024;disk:100", "cpus(r2):1;mem(r2):64",
      "cpus:0.5;mem:64;gpus:1"};
    const std::string id = "a" + std::to_string(pick(12));
    if (agents.count(id))
      return;
    const resources total = parse(shapes[pick(5)]);
    std::vector<std::pair<std::string, resources>> used;
    if (!framework_roles.empty() && pick(2) == 0 && total.contains(parse("cpus:0.5;mem:32"))) {
      const auto& [fw, roles] = pick_from(framework_roles);
      used.emplace_back(fw, parse("cpus:0.5;mem:32").allocated_to(roles.front()));
      ledger[{fw, id}] += used.back().second;
    }
    c.add_agent(id, total, used);
    agents.insert(id);
  }

  void add_framework() {
    const std::string id = "f" + std::to_string(pick(6));
    if (framework_roles.count(id))
      return;
    std::vector<std::string> roles, suppressed;
    for (const char* role : {"r1", "r2", "r3"})
      if (pick(2) == 0)
        roles.push_back(role);
    if (roles.empty())
      roles.push_back("r3");
    if (pick(4) == 0)
      suppressed.push_back(roles.back());
    c.add_framework(id, roles, suppressed, pick(5) != 0);
    framework_roles[id] = roles;
  }

  void forget(const std::string& fw, const std::string& agent) {
    for (auto it = ledger.begin(); it != ledger.end();)
      it = (it->first.first == fw || it->first.second == agent) ? ledger.erase(it) : std::next(it);
  }

  // Returns a random part of a random holding, with a random filter.
  void recover() {
    if (ledger.empty())
      return;
    const auto key = pick_from(ledger).first;
    resources back;
    for (resource r : ledger[key].items()) {
      const size_t choice = pick(3);
      if (choice == 0)
        back += r;
      else if (choice == 1 && r.kind == value_kind::scalar && r.scalar / 2 > 0) {
        r.scalar /= 2;
        back += r;
      }
    }
    static const double refusals[] = {0, 1, 5, 1000, -1, 1e12};
    std::optional<duration<double>> filter;
    if (pick(4) != 0)
      filter = refuse(refusals[pick(6)]);
    c.recover(key.first, key.second, back, filter, at(now));
    ledger[key] -= back;
    if (ledger[key].empty())
      ledger.erase(key);
  }

  std::vector<std::string> some_roles(const std::string& fw) {
    std::vector<std::string> out;
    for (const auto& role : framework_roles[fw])
      if (pick(2) == 0)
        out.push_back(role);
    return out; // empty means all
  }

  // Operation kinds, weighted so that the cluster grows to a dozen agents and half a
  // dozen frameworks, with many grants, recoveries and filters in between.
  enum op { add_agent_op, add_framework_op, remove_agent_op, remove_framework_op,
            agent_activity_op, framework_activity_op, suppression_op, weight_op,
            allocate_op, recover_op };
  op pick_op() {
    static const std::pair<op, int> weights[] = {
      {add_agent_op, 6}, {add_framework_op, 4}, {remove_agent_op, 1}, {remove_framework_op, 1},
      {agent_activity_op, 2}, {framework_activity_op, 2}, {suppression_op, 2}, {weight_op, 1},
      {allocate_op, 8}, {recover_op, 14}};
    int total = 0;
    for (const auto& w : weights)
      total += w.second;
    int x = static_cast<int>(pick(static_cast<size_t>(total)));
    for (const auto& w : weights) {
      if (x < w.second)
        return w.first;
      x -= w.second;
    }
    return recover_op;
  }

  void step() {
    switch (pick_op()) {
      case add_agent_op: add_agent(); break;
      case add_framework_op: add_framework(); break;
      case remove_agent_op:
        if (!agents.empty()) {
          const auto id = pick_from(agents);
          c.remove_agent(id);
          agents.erase(id);
          forget("", id);
        }
        break;
      case remove_framework_op:
        if (!framework_roles.empty()) {
          const auto id = pick_from(framework_roles).first;
          c.remove_framework(id);
          framework_roles.erase(id);
          forget(id, "");
        }
        break;
      case agent_activity_op:
        if (!agents.empty())
          pick(4) ? c.activate_agent(pick_from(agents)) : c.deactivate_agent(pick_from(agents));
        break;
      case framework_activity_op:
        if (!framework_roles.empty()) {
          const auto id = pick_from(framework_roles).first;
          pick(4) ? c.activate_framework(id) : c.deactivate_framework(id);
        }
        break;
      case suppression_op:
        if (!framework_roles.empty()) {
          const auto id = pick_from(framework_roles).first;
          pick(3) ? c.revive(id, some_roles(id)) : c.suppress(id, some_roles(id));
        }
        break;
      case weight_op:
        c.set_weight(pick(2) ? "r1" : "r2", 0.5 + static_cast<double>(pick(4)));
        break;
      case allocate_op: {
        now += static_cast<double>(pick(4));
        for (const grant& g : c.allocate(at(now), rng)) {
          REQUIRE(c.framework_active(g.framework_id));
          REQUIRE(c.agent_active(g.agent_id));
          REQUIRE(!c.suppressed(g.framework_id, g.role));
          ledger[{g.framework_id, g.agent_id}] += g.res;
        }
        break;
      }
      case recover_op: recover(); break;
    }
  }

  void check() {
    auto bad = c.check_invariants();
    REQUIRE_MESSAGE(!bad, *bad);
    for (const auto& agent : agents) {
      resources held;
      for (const auto& [key, res] : ledger)
        if (key.second == agent)
          held += res;
      REQUIRE(held == c.agent_allocated(agent));
      REQUIRE(c.agent_total(agent).contains(held.unallocated()));
      REQUIRE(c.agent_free(agent) + held.unallocated() == c.agent_total(agent));
    }
    for (const auto& [fw, roles] : framework_roles) {
      resources held;
      for (const auto& [key, res] : ledger)
        if (key.first == fw)
          held += res;
      REQUIRE(held == c.framework_allocation(fw));
    }
  }
};

} // namespace

TEST_CASE("random operation sequences keep every invariant and match a grant ledger") {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    CAPTURE(seed);
    random_driver d(seed);
    for (int i = 0; i < 3000; ++i) {
      CAPTURE(i);
      d.step();
      d.check();
    }
  }
}
