// The agent's status update streams: in order, one at a time per task, resent
// with Mesos' backoff until acknowledged.
#include <doctest/doctest.h>

#include "actors/agent/status_updates.hpp"

using namespace cairn;
using namespace std::chrono_literals;

namespace {

agent_call message(int n) {
  return make_wire<schema::agent::Call>([&](schema::agent::Call::Builder c) {
    c.initAgentId().setValue(std::to_string(n));
  });
}

} // namespace

TEST_CASE("one update per task is in flight; the next goes when the first is acknowledged") {
  status_update_streams s;
  auto first = s.add("fw", "t", "u1", false, message(1));
  REQUIRE(first);
  CHECK(first->retry_after == 10s);
  CHECK(!s.add("fw", "t", "u2", true, message(2)));
  CHECK(s.add("fw", "other", "u3", false, message(3))); // another task's stream
  CHECK(s.pending() == 3);
  auto ack = s.acknowledge("fw", "t", "u1");
  CHECK(ack.matched);
  REQUIRE(ack.next);
  CHECK(ack.next->uuid == "u2");
  CHECK(!s.acknowledge("fw", "t", "u1").matched); // stale
  auto last = s.acknowledge("fw", "t", "u2");
  CHECK(last.terminal);
  CHECK(!last.next);
  CHECK(!s.has_stream("fw", "t"));
}

TEST_CASE("retries back off from 10 s, doubling, to at most 10 min") {
  status_update_streams s;
  s.add("fw", "t", "u1", false, message(1));
  std::chrono::nanoseconds expected = 10s;
  for (int i = 0; i < 10; ++i) {
    auto again = s.retry("fw", "t", "u1");
    REQUIRE(again);
    expected = std::min<std::chrono::nanoseconds>(expected * 2, 10min);
    CHECK(again->retry_after == expected);
  }
  CHECK(expected == 10min);
  s.acknowledge("fw", "t", "u1");
  CHECK(!s.retry("fw", "t", "u1")); // acknowledged: nothing to resend
}

TEST_CASE("a duplicate update is queued once; a removed framework's updates are dropped") {
  status_update_streams s;
  s.add("fw", "t", "u1", false, message(1));
  s.add("fw", "t", "u2", false, message(2));
  s.add("fw", "t", "u2", false, message(2));
  CHECK(s.pending() == 2);
  s.remove_framework("fw");
  CHECK(s.pending() == 0);
}

TEST_CASE("an acknowledgement names where its update came from; a framework's pending is known") {
  status_update_streams s;
  CHECK(!s.has_framework("fw"));
  s.add("fw", "t", "u1", true, message(1), {"ex", "c1"});
  s.add("fw2", "t", "u2", false, message(2));
  CHECK(s.has_framework("fw"));
  CHECK(!s.has_framework("f"));  // a prefix of another framework's id
  auto acked = s.acknowledge("fw", "t", "u1");
  REQUIRE(acked.matched);
  CHECK(acked.from.executor_id == "ex");
  CHECK(acked.from.container_id == "c1");
  CHECK(!s.has_framework("fw"));
  CHECK(s.has_framework("fw2"));
  CHECK(s.acknowledge("fw2", "t", "u2").from.container_id.empty());
}
