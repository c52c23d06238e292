// Proves the connection table keeps both bounds, displaces only the oldest idle or receiving
// connection when full, and refuses when every connection is busy or streaming.
#include "runtime/http_connections.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace cairn;
using verdict = connection_table::verdict;

TEST_CASE("connections: one address is refused past its bound while others are admitted") {
  connection_table t(100, 2);
  CHECK(t.admit("10.0.0.1").what == verdict::admitted);
  CHECK(t.admit("10.0.0.1").what == verdict::admitted);
  auto third = t.admit("10.0.0.1");
  CHECK(third.what == verdict::address_full);
  CHECK_FALSE(third.displaced);
  CHECK(t.admit("10.0.0.2").what == verdict::admitted);
  CHECK(t.from("10.0.0.1") == 2);
  CHECK(t.from("10.0.0.2") == 1);
  CHECK(t.size() == 3);
  t.check_invariants();
}

TEST_CASE("connections: a connection that ends makes room for its address again") {
  connection_table t(100, 1);
  auto first = t.admit("10.0.0.1");
  REQUIRE(first.what == verdict::admitted);
  CHECK(t.admit("10.0.0.1").what == verdict::address_full);
  t.remove(first.id);
  t.remove(first.id); // a second report of the same end changes nothing
  CHECK(t.from("10.0.0.1") == 0);
  CHECK(t.admit("10.0.0.1").what == verdict::admitted);
  t.check_invariants();
}

TEST_CASE("connections: when full, the oldest idle or receiving connection is displaced") {
  connection_table t(3, 10);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(t.admit("10.0.0." + std::to_string(i)).id);
  t.set_phase(ids[0], connection_phase::streaming); // oldest, but a live stream
  t.set_phase(ids[1], connection_phase::receiving); // a slow upload
  auto next = t.admit("10.0.0.9");
  REQUIRE(next.what == verdict::admitted);
  REQUIRE(next.displaced);
  CHECK(*next.displaced == ids[1]);
  CHECK(t.size() == 3);
  CHECK(t.from("10.0.0.1") == 0);
  // A displaced connection reporting on its way out is ignored.
  t.set_phase(ids[1], connection_phase::idle);
  t.remove(ids[1]);
  CHECK(t.size() == 3);
  t.check_invariants();
}

TEST_CASE("connections: when every connection is busy or streaming, a newcomer is refused") {
  connection_table t(2, 10);
  auto a = t.admit("10.0.0.1");
  auto b = t.admit("10.0.0.2");
  t.set_phase(a.id, connection_phase::busy);
  t.set_phase(b.id, connection_phase::streaming);
  auto c = t.admit("10.0.0.3");
  CHECK(c.what == verdict::server_full);
  CHECK_FALSE(c.displaced);
  CHECK(t.size() == 2);
  // Once a handler has answered, its connection waits idle and may go.
  t.set_phase(a.id, connection_phase::idle);
  auto d = t.admit("10.0.0.3");
  CHECK(d.what == verdict::admitted);
  REQUIRE(d.displaced);
  CHECK(*d.displaced == a.id);
  t.check_invariants();
}

TEST_CASE("connections: the per-address bound applies before any displacement") {
  connection_table t(2, 1);
  auto a = t.admit("10.0.0.1");
  t.admit("10.0.0.2");
  auto again = t.admit("10.0.0.1");
  CHECK(again.what == verdict::address_full);
  CHECK(t.from("10.0.0.1") == 1);
  CHECK(t.size() == 2);
  (void)a;
  t.check_invariants();
}

TEST_CASE("connections: a flood of 10,000 keeps both bounds at every step") {
  connection_table t(64, 8);
  size_t refused = 0;
  size_t displaced = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto a = t.admit("10.0." + std::to_string(i % 40) + ".1");
    if (a.what != verdict::admitted)
      ++refused;
    else if (a.displaced)
      ++displaced;
    if (a.what == verdict::admitted && i % 3 == 0)
      t.set_phase(a.id, connection_phase::busy);
    CHECK(t.size() <= 64);
    t.check_invariants();
  }
  CHECK(refused > 0);
  CHECK(displaced > 0);
}
