// One scheduling cron per key prefix: the owner record is claimed when
// absent, renewed while owned, watched while it moves and taken over once it
// stands still past the timeout; an owner whose record was taken, or whose
// renewals went unconfirmed for half the timeout, no longer acts.
#include <doctest/doctest.h>

#include "actors/cron/ownership.hpp"

using namespace cairn::cron;

namespace {
constexpr int64_t timeout_ms = 10'000;
}

TEST_CASE("nothing is claimed before the record was read") {
  ownership o("a:1", timeout_ms);
  CHECK_FALSE(o.next(0).write);
  CHECK_FALSE(o.owns(0));
}

TEST_CASE("an absent record is claimed, then renewed at its version") {
  ownership o("a:1", timeout_ms);
  o.observed(0, "", 0);
  auto s = o.next(0);
  CHECK(s.write);
  CHECK(s.expected_version == 0);
  o.wrote(true, 7, 0);
  CHECK(o.owns(100));
  CHECK(o.owner() == "a:1");
  s = o.next(2000);
  CHECK(s.write);
  CHECK(s.expected_version == 7);
}

TEST_CASE("a live owner keeps a standby watching; a still one is taken over") {
  ownership b("b:2", timeout_ms);
  b.observed(3, "a:1", 0);
  CHECK_FALSE(b.next(0).write);
  CHECK(b.owner() == "a:1");
  // The version moves: the timeout counts from the last move.
  b.observed(4, "a:1", 8000);
  CHECK_FALSE(b.next(17'000).write);
  b.observed(4, "a:1", 17'000);
  CHECK_FALSE(b.next(18'000).write);
  CHECK_FALSE(b.owns(18'000));
  auto s = b.next(18'001);
  CHECK(s.write);
  CHECK(s.expected_version == 4);
  b.wrote(true, 5, 18'001);
  CHECK(b.owns(18'002));
  CHECK(b.owner() == "b:2");
}

TEST_CASE("a claim that loses the race reads again and stays standby") {
  ownership b("b:2", timeout_ms);
  b.observed(0, "", 0);
  b.wrote(false, 0, 0);
  CHECK_FALSE(b.claimed());
  CHECK_FALSE(b.next(1).write);  // read first
  b.observed(1, "a:1", 1);
  CHECK_FALSE(b.next(2).write);
  CHECK_FALSE(b.owns(2));
}

TEST_CASE("an owner whose record was taken steps down") {
  ownership a("a:1", timeout_ms);
  a.observed(0, "", 0);
  a.wrote(true, 1, 0);
  a.wrote(false, 0, 2000);  // someone else's version is there
  CHECK_FALSE(a.claimed());
  CHECK_FALSE(a.owns(2001));
  ownership c("a:1", timeout_ms);
  c.observed(0, "", 0);
  c.wrote(true, 1, 0);
  c.observed(2, "b:2", 3000);
  CHECK_FALSE(c.claimed());
  CHECK_FALSE(c.next(3001).write);
}

TEST_CASE("an owner's lease lapses at half the timeout without a confirmed renewal") {
  ownership a("a:1", timeout_ms);
  a.observed(0, "", 0);
  a.wrote(true, 1, 1000);
  CHECK(a.owns(5999));
  CHECK_FALSE(a.owns(6000));  // the store did not answer since
  CHECK(a.claimed());
  CHECK(a.next(6000).write);  // it keeps trying to renew
  a.wrote(true, 2, 6500);
  CHECK(a.owns(7000));
  // A standby that saw version 1 move at 1000 (no earlier than it was sent)
  // and nothing since takes over after 11000, when the lease lapsed long ago.
  ownership b("b:2", timeout_ms);
  b.observed(1, "a:1", 1000);
  CHECK_FALSE(b.next(11'000).write);
  CHECK(b.next(11'001).write);
}

TEST_CASE("a record naming this address (an earlier life) is claimed at once") {
  ownership a("a:1", timeout_ms);
  a.observed(9, "a:1", 0);
  auto s = a.next(0);
  CHECK(s.write);
  CHECK(s.expected_version == 9);
}
