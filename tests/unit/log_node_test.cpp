// The log node core's policy, one step at a time: a quiet follower asks for a
// pre-vote before it stands; a pre-vote and a promise are refused for a window
// after a start and to a node that learned less; a leader serves only with a
// lease and steps down before it ends.
#include <doctest/doctest.h>

#include "storage/paxos/node.hpp"

using namespace cairn::paxos;
using namespace std::chrono_literals;

namespace {

node_options three(node_id id) {
  node_options o;
  o.id = id;
  o.nodes = 3;
  o.quorum = 2;
  o.advertised = "node-" + std::to_string(id);
  return o;
}

template <class T>
std::vector<message> of(const node_ready& r) {
  std::vector<message> out;
  for (const auto& m : r.messages)
    if (std::holds_alternative<T>(m.body))
      out.push_back(m);
  return out;
}

// Ticks from `from` to `to` and gathers what the node said.
node_ready tick_until(node& n, node_time& now, node_time to) {
  node_ready all;
  while (now < to) {
    now += three(0).tick_interval;
    n.tick(now);
    auto r = n.take_ready();
    all.messages.insert(all.messages.end(), r.messages.begin(), r.messages.end());
    all.notices.insert(all.notices.end(), r.notices.begin(), r.notices.end());
  }
  return all;
}

// Node `n` (node 0 of three, just made) stays quiet long enough to ask for
// a pre-vote, node 1 grants it, and it stands: the number it asks promises for.
uint64_t stand(node& n, node_time& now) {
  n.take_ready();
  auto said = tick_until(n, now, now + three(0).election_timeout * 3 / 2 + 50ms);
  auto round = std::get<pre_vote_request>(of<pre_vote_request>(said).back().body).round;
  n.receive({1, 0, pre_vote_response{round, true}}, now);
  return std::get<promise_request>(of<promise_request>(n.take_ready()).front().body).number;
}

bool granted(const node_ready& r) {
  auto answers = of<pre_vote_response>(r);
  REQUIRE(answers.size() == 1);
  return std::get<pre_vote_response>(answers[0].body).granted;
}

} // namespace

TEST_CASE("a quiet follower asks for a pre-vote, and stands only once a quorum grants it") {
  node_time now = 1s;
  node n{three(0), {}, now, 1};
  n.take_ready();
  // No leader heard for the election timeout and up to half as much again.
  auto said = tick_until(n, now, now + three(0).election_timeout * 3 / 2 + 50ms);
  auto asks = of<pre_vote_request>(said);
  REQUIRE(asks.size() >= 2);
  CHECK(of<promise_request>(said).empty());  // nobody's promise is raised yet
  CHECK(n.elections_stood() == 0);
  auto round = std::get<pre_vote_request>(asks.back().body).round;
  n.receive({2, 0, pre_vote_response{round, false}}, now);
  CHECK(of<promise_request>(n.take_ready()).empty());
  n.receive({1, 0, pre_vote_response{round - 1, true}}, now);  // an earlier round's
  CHECK(of<promise_request>(n.take_ready()).empty());
  n.receive({1, 0, pre_vote_response{round, true}}, now);
  auto stood = n.take_ready();
  CHECK(n.elections_stood() == 1);
  CHECK(of<promise_request>(stood).size() == 2);  // to both peers; its own replica answered
}

TEST_CASE("a node just started promises nobody for a window: a restart forgets no leader") {
  node_time now = 5s;
  node n{three(1), {}, now, 2};
  n.take_ready();
  n.receive({0, 1, pre_vote_request{1, 0}}, now + 10ms);
  CHECK_FALSE(granted(n.take_ready()));
  n.receive({0, 1, promise_request{300, std::nullopt}}, now + 10ms);
  CHECK(of<promise_response>(n.take_ready()).empty());
  CHECK(n.rep().promised() == 0);
  // Once the window has passed, it would.
  node_time later = now + promise_window(three(1)) + 1ms;
  n.receive({0, 1, pre_vote_request{2, 0}}, later);
  CHECK(granted(n.take_ready()));
  n.receive({0, 1, promise_request{300, std::nullopt}}, later);
  auto r = n.take_ready();
  REQUIRE(of<promise_response>(r).size() == 1);
  CHECK(n.rep().promised() == 300);
  REQUIRE(r.writes.size() == 1);
  CHECK(r.writes[0].sync);  // the promise is flushed before the answer leaves
}

TEST_CASE("a pre-vote is refused to a node that learned less, and under a live leader") {
  durable_state learned_two;
  for (position p = 0; p < 2; ++p) {
    action a;
    a.pos = p;
    a.learned = true;
    learned_two.actions[p] = a;
  }
  node_time now = 1s;
  node n{three(1), learned_two, now, 3};
  n.take_ready();
  now += promise_window(three(1)) + 1ms;
  n.receive({2, 1, pre_vote_request{1, 1}}, now);
  CHECK_FALSE(granted(n.take_ready()));
  n.receive({2, 1, pre_vote_request{2, 2}}, now);
  CHECK(granted(n.take_ready()));
  // Node 0 leads: its heartbeat is accepted, and node 2 is refused for a window.
  n.receive({0, 1, heartbeat{5, "node-0", 1, 2}}, now);
  n.take_ready();
  n.receive({2, 1, pre_vote_request{3, 5}}, now + promise_window(three(1)) - 1ms);
  CHECK_FALSE(granted(n.take_ready()));
  n.receive({2, 1, pre_vote_request{4, 5}}, now + promise_window(three(1)) + 1ms);
  CHECK(granted(n.take_ready()));
}

TEST_CASE("a leader serves with a lease and steps down a tick before it ends") {
  node_time now = 1s;
  node n{three(0), {}, now, 4};
  auto number = stand(n, now);
  node_time stood_at = now;
  n.receive({1, 0, promise_response{true, number, 0, 0, 0, std::nullopt, {}}}, now);
  auto elected = n.take_ready();
  REQUIRE(n.serving());
  REQUIRE(elected.notices.size() == 1);
  CHECK(elected.notices[0].what == node_event::elected);
  CHECK(n.holds_lease(now));
  CHECK(n.append("x", now).has_value());
  // Nobody answers its heartbeats from now on.
  auto lease_end = stood_at + lease_duration(three(0));
  CHECK_FALSE(n.holds_lease(lease_end));
  auto later = tick_until(n, now, lease_end);
  REQUIRE(later.notices.size() == 1);
  CHECK(later.notices[0].what == node_event::demoted);
  CHECK_FALSE(n.serving());
  CHECK_FALSE(n.append("y", now).has_value());
  CHECK(lease_duration(three(0)) < promise_window(three(0)));
  // The margin covers one clock slow and another fast by max_clock_drift.
  CHECK(static_cast<double>(lease_duration(three(0)).count()) / (1 - max_clock_drift)
        <= static_cast<double>(promise_window(three(0)).count()) / (1 + max_clock_drift));
}

TEST_CASE("answers that come after the next heartbeat keep the lease, counted from their round") {
  node_time now = 1s;
  node n{three(0), {}, now, 5};
  auto number = stand(n, now);
  n.receive({1, 0, promise_response{true, number, 0, 0, 0, std::nullopt, {}}}, now);
  n.take_ready();
  REQUIRE(n.serving());
  // Node 1 answers every heartbeat one and a half heartbeat intervals after
  // it was sent: always after the next one left. Five leases long, the
  // leader keeps serving.
  auto delay = three(0).heartbeat_interval * 3 / 2;
  std::vector<std::pair<node_time, uint64_t>> sent;  // (when, round)
  node_time last_answered_sent{};
  node_time until = now + lease_duration(three(0)) * 5;
  while (now < until) {
    now += three(0).tick_interval;
    for (auto i = sent.begin(); i != sent.end();)
      if (i->first + delay <= now) {
        n.receive({1, 0, heartbeat_response{true, number, i->second}}, now);
        last_answered_sent = i->first;
        i = sent.erase(i);
      } else {
        ++i;
      }
    n.tick(now);
    auto r = n.take_ready();
    CHECK(r.notices.empty());
    for (const auto& m : of<heartbeat>(r))
      if (m.to == 1)
        sent.emplace_back(now, std::get<heartbeat>(m.body).round);
  }
  CHECK(n.serving());
  REQUIRE(last_answered_sent > node_time{});
  // The lease runs from when the answered round was sent, not from its answer.
  CHECK(n.holds_lease(last_answered_sent + lease_duration(three(0)) - 1ns));
  CHECK_FALSE(n.holds_lease(last_answered_sent + lease_duration(three(0))));
}

TEST_CASE("a node alone leads on however late its ticks come") {
  node_options alone;
  alone.id = 0;
  alone.nodes = 1;
  alone.quorum = 1;
  alone.advertised = "node-0";
  node_time now = 1s;
  node n{alone, {}, now, 4};
  n.take_ready();
  tick_until(n, now, now + alone.election_timeout * 3);
  REQUIRE(n.serving());
  // The process starved for ten leases: the next tick finds it still leading.
  now += lease_duration(alone) * 10;
  n.tick(now);
  auto r = n.take_ready();
  for (const auto& notice : r.notices)
    CHECK(notice.what != node_event::demoted);
  CHECK(n.serving());
  CHECK(n.holds_lease(now));
  CHECK(n.append("x", now).has_value());
}
