// Placement constraints judged against where other instances run, and an
// offer fitted to an app with the reasons Marathon's queue gives.
#include <doctest/doctest.h>

#include "actors/placement/constraints.hpp"
#include "actors/services/app_definition.hpp"
#include "actors/services/offer_fit.hpp"

using namespace cairn;
using namespace cairn::placement;

namespace {

agent_traits agent(const std::string& host, std::map<std::string, std::string> attrs = {}) {
  return agent_traits{host, std::move(attrs)};
}

constraint read(std::vector<std::string> fields) {
  auto c = read_constraint(fields);
  REQUIRE(c);
  return *c;
}

} // namespace

TEST_CASE("constraints are read with their values; bad ones say why") {
  CHECK(read({"hostname", "UNIQUE"}).what == constraint::op::unique);
  CHECK(read({"rack", "EQUALS", "a"}).what == constraint::op::is);
  CHECK(read({"rack", "MAX_PER", "2"}).count == 2);
  CHECK_FALSE(read_constraint({"hostname", "NEAR"}));
  CHECK_FALSE(read_constraint({"hostname", "UNIQUE", "x"}));
  CHECK_FALSE(read_constraint({"rack", "MAX_PER", "0"}));
  CHECK_FALSE(read_constraint({"rack", "LIKE", "[a-"}));
  CHECK_FALSE(read_constraint({"rack"}));
  // A pattern long enough to exhaust the stack of a recursive regex compiler
  // is refused before it is compiled.
  CHECK_FALSE(read_constraint({"rack", "LIKE", std::string(100'000, '(')}));
  CHECK(read({"rack", "LIKE", "r\\d+"}).what == constraint::op::like);  // Java's \d
}

TEST_CASE("UNIQUE hostname: one instance per host") {
  auto a = agent("a"), b = agent("b"), c = agent("c");
  auto unique = read({"hostname", "UNIQUE"});
  CHECK_FALSE(refusal(unique, a, {}));
  CHECK(refusal(unique, a, {&a}));
  CHECK_FALSE(refusal(unique, b, {&a}));
  CHECK(refusal(unique, c, {&a, &b, &c}));
}

TEST_CASE("CLUSTER, IS, LIKE, UNLIKE over attributes; a missing attribute fails all but UNLIKE") {
  auto r1 = agent("a", {{"rack", "r1"}}), r2 = agent("b", {{"rack", "r2"}}), bare = agent("c");
  CHECK_FALSE(refusal(read({"rack", "CLUSTER", "r1"}), r1, {}));
  CHECK(refusal(read({"rack", "CLUSTER", "r1"}), r2, {}));
  CHECK_FALSE(refusal(read({"rack", "CLUSTER"}), r2, {}));
  CHECK(refusal(read({"rack", "CLUSTER"}), r2, {&r1}));
  CHECK_FALSE(refusal(read({"rack", "IS", "r2"}), r2, {}));
  CHECK(refusal(read({"rack", "IS", "r2"}), r1, {}));
  CHECK_FALSE(refusal(read({"rack", "LIKE", "r[0-9]"}), r1, {}));
  CHECK(refusal(read({"rack", "LIKE", "r"}), r1, {}));  // the whole value must match
  CHECK(refusal(read({"rack", "UNLIKE", "r1"}), r1, {}));
  CHECK_FALSE(refusal(read({"rack", "UNLIKE", "r1"}), r2, {}));
  CHECK_FALSE(refusal(read({"rack", "UNLIKE", "r1"}), bare, {}));
  CHECK(refusal(read({"rack", "IS", "r1"}), bare, {}));
  CHECK(refusal(read({"rack", "LIKE", ".*"}), bare, {}));
  CHECK(refusal(read({"rack", "UNIQUE"}), bare, {}));
}

TEST_CASE("MAX_PER and GROUP_BY spread instances over values") {
  auto r1 = agent("a", {{"rack", "r1"}}), r1b = agent("b", {{"rack", "r1"}}),
       r2 = agent("c", {{"rack", "r2"}});
  auto max2 = read({"rack", "MAX_PER", "2"});
  CHECK_FALSE(refusal(max2, r1, {&r1}));
  CHECK(refusal(max2, r1b, {&r1, &r1}));
  CHECK_FALSE(refusal(max2, r2, {&r1, &r1}));
  auto group = read({"rack", "GROUP_BY"});
  CHECK_FALSE(refusal(group, r1, {}));
  CHECK(refusal(group, r1b, {&r1, &r1, &r2}));
  CHECK_FALSE(refusal(group, r2, {&r1, &r1, &r2}));
  // Two groups named and one seen: the unseen one counts as empty.
  auto group2 = read({"rack", "GROUP_BY", "2"});
  CHECK(refusal(group2, r1b, {&r1}));
  CHECK_FALSE(refusal(group2, r2, {&r1}));
}

TEST_CASE("an offer fits an app: resources, ports, roles; the reasons when it does not") {
  auto held = services::read_app(R"({"id":"w","cmd":"x","cpus":1,"mem":256,
    "portDefinitions":[{"port":0},{"port":0}],"acceptedResourceRoles":["*","web"]})");
  REQUIRE(held.ok());
  auto app = held.app->get();
  services::offered big;
  big.pools.push_back({"*", 4, 1024, 1000, {{31000, 31000}, {31005, 31010}}});
  big.agent = agent("a");
  auto f = services::fit_offer(app, big, {}, {});
  CHECK(f.fits);
  CHECK(f.role == "*");
  CHECK(f.host_ports == std::vector<uint64_t>{31000, 31005});

  services::offered small;
  small.pools.push_back({"*", 0.5, 128, 0, {{31000, 31000}}});
  small.agent = agent("a");
  f = services::fit_offer(app, small, {}, {});
  CHECK_FALSE(f.fits);
  CHECK(f.reasons == std::vector<std::string>{"InsufficientCpus", "InsufficientMemory",
                                              "InsufficientPorts"});

  services::offered other_role;
  other_role.pools.push_back({"batch", 4, 1024, 0, {{1, 100}}});
  f = services::fit_offer(app, other_role, {}, {});
  CHECK(f.reasons == std::vector<std::string>{"UnfulfilledRole"});

  auto unique = read({"hostname", "UNIQUE"});
  auto a = agent("a");
  f = services::fit_offer(app, big, {unique}, {&a});
  CHECK_FALSE(f.fits);
  CHECK(f.reasons == std::vector<std::string>{"UnfulfilledConstraint"});
}

TEST_CASE("requirePorts and bridge mappings ask for fixed host ports") {
  auto fixed = services::read_app(R"({"id":"f","cmd":"x","requirePorts":true,
    "portDefinitions":[{"port":8080}]})");
  REQUIRE(fixed.ok());
  services::offered o;
  o.pools.push_back({"*", 4, 1024, 0, {{8000, 8100}}});
  CHECK(services::fit_offer(fixed.app->get(), o, {}, {}).host_ports ==
        std::vector<uint64_t>{8080});
  auto bridge = services::read_app(R"({"id":"b","cmd":"x","networks":[{"mode":
    "container/bridge"}],"container":{"type":"DOCKER","docker":{"image":"i"},
    "portMappings":[{"containerPort":80,"hostPort":8090},{"containerPort":81}]}})");
  REQUIRE(bridge.ok());
  CHECK(services::fit_offer(bridge.app->get(), o, {}, {}).host_ports ==
        std::vector<uint64_t>{8090, 8000});
  o.pools[0].ports = {{9000, 9100}};
  CHECK(services::fit_offer(bridge.app->get(), o, {}, {}).reasons ==
        std::vector<std::string>{"InsufficientPorts"});
}
