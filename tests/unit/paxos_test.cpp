// The Paxos replica and proposer cores, one message at a time: promises,
// writes, learning, recovery and catch-up; elections, filling, batched appends,
// fencing and the lease; leader stickiness and messages bounded in bytes.
#include <doctest/doctest.h>

#include "storage/paxos/proposer.hpp"
#include "storage/paxos/replica.hpp"

using namespace cairn::paxos;

namespace {

message to(node_id from, node_id dest, payload body) {
  return {from, dest, std::move(body)};
}

action appended(position p, const char* data, proposal n = 0, bool learned = false) {
  action a;
  a.pos = p;
  a.type = action_type::append;
  a.data = data;
  a.accepted_in = n;
  a.learned = learned;
  return a;
}

template <class T>
const T& only(const std::vector<message>& out) {
  REQUIRE(out.size() == 1);
  REQUIRE(std::holds_alternative<T>(out[0].body));
  return std::get<T>(out[0].body);
}

template <class T>
std::vector<T> all_of(const std::vector<message>& out) {
  std::vector<T> xs;
  for (const auto& m : out)
    if (auto* x = std::get_if<T>(&m.body))
      xs.push_back(*x);
  return xs;
}

replica make_replica(durable_state s = {}, replica_options o = {}) {
  return replica{0, {1, 2}, 2, std::move(s), o};
}

using range = std::pair<position, position>;

} // namespace

TEST_CASE("a replica promises higher proposals durably and refuses lower ones") {
  auto r = make_replica();
  r.step(to(1, 0, promise_request{300, std::nullopt}));
  auto ready = r.take_ready();
  CHECK(ready.promised == 300u);
  CHECK(ready.sync); // durable before the answer leaves
  auto& yes = only<promise_response>(ready.messages);
  CHECK(yes.okay);
  CHECK(yes.end == 0);
  r.step(to(2, 0, promise_request{200, std::nullopt}));
  auto again = r.take_ready();
  auto& no = only<promise_response>(again.messages);
  CHECK(!no.okay);
  CHECK(no.number == 300);
}

TEST_CASE("a replica accepts writes at or above its promise and refuses older ones") {
  auto r = make_replica();
  r.step(to(1, 0, promise_request{300, std::nullopt}));
  r.take_ready();
  r.step(to(1, 0, write_request{300, {appended(0, "a"), appended(1, "b")}}));
  auto ready = r.take_ready();
  CHECK(ready.sync);
  CHECK(ready.actions.size() == 2);
  CHECK(only<write_response>(ready.messages).okay);
  CHECK(r.get(1)->data == "b");
  CHECK(r.end() == 2);
  CHECK(r.learned_end() == 0);
  r.step(to(2, 0, write_request{100, {appended(0, "stale")}}));
  auto stale = r.take_ready();
  auto& no = only<write_response>(stale.messages);
  CHECK(!no.okay);
  CHECK(r.get(0)->data == "a");
}

TEST_CASE("learned actions advance the learned prefix in order, whatever order they come in") {
  auto r = make_replica();
  r.step(to(1, 0, learned{{appended(2, "c", 5, true)}}));
  CHECK(r.take_ready().newly_learned.empty());
  r.step(to(1, 0, learned{{appended(0, "a", 5, true), appended(1, "b", 5, true)}}));
  auto ready = r.take_ready();
  REQUIRE(ready.newly_learned.size() == 3);
  CHECK(ready.newly_learned[0].data == "a");
  CHECK(ready.newly_learned[2].data == "c");
  CHECK(r.learned_end() == 3);
  // A learned value is final: a later write cannot change it.
  r.step(to(1, 0, write_request{900, {appended(1, "other")}}));
  r.take_ready();
  CHECK(r.get(1)->data == "b");
}

TEST_CASE("an explicit promise reports what was accepted in its range, and echoes the range") {
  auto r = make_replica();
  r.step(to(1, 0, write_request{100, {appended(0, "a"), appended(5, "f")}}));
  r.take_ready();
  r.step(to(2, 0, promise_request{200, std::make_pair(position{3}, position{9})}));
  auto ready = r.take_ready();
  auto& answer = only<promise_response>(ready.messages);
  CHECK(answer.okay);
  CHECK(answer.range == std::make_pair(position{3}, position{9}));
  REQUIRE(answer.accepted.size() == 1);
  CHECK(answer.accepted[0].pos == 5);
  CHECK(answer.accepted[0].accepted_in == 100);
}

TEST_CASE("a learned truncation drops what is before it") {
  auto r = make_replica();
  action t;
  t.pos = 3;
  t.type = action_type::truncate;
  t.truncate_to = 2;
  t.learned = true;
  r.step(to(1, 0, learned{{appended(0, "a", 1, true), appended(1, "b", 1, true),
                           appended(2, "c", 1, true), t}}));
  auto ready = r.take_ready();
  CHECK(ready.begin == 2u);
  CHECK(r.begin() == 2);
  CHECK(r.get(0) == nullptr);
  CHECK(r.get(2)->data == "c");
  CHECK(r.learned_end() == 4);
}

TEST_CASE("catch-up answers carry learned actions only") {
  auto r = make_replica();
  r.step(to(1, 0, learned{{appended(0, "a", 1, true)}}));
  r.step(to(1, 0, write_request{1, {appended(1, "b")}}));
  r.take_ready();
  r.step(to(2, 0, catchup_request{0, 5}));
  auto ready = r.take_ready();
  auto& answer = only<catchup_response>(ready.messages);
  REQUIRE(answer.actions.size() == 1);
  CHECK(answer.actions[0].data == "a");
}

TEST_CASE("a replica that lost its disk stays silent, then catches up from a quorum") {
  auto r = make_replica();
  r.start_recovery();
  auto ready = r.take_ready();
  CHECK(ready.status == replica_status::recovering);
  CHECK(all_of<recover_request>(ready.messages).size() == 2);
  // It does not vote while recovering.
  r.step(to(1, 0, promise_request{50, std::nullopt}));
  r.step(to(1, 0, write_request{50, {appended(0, "x")}}));
  CHECK(r.take_ready().messages.empty());
  // A quorum of voting peers: the highest promise among them is taken, and
  // everything up to the furthest end must be learned.
  r.step(to(1, 0, recover_response{replica_status::voting, 700, 0, 2}));
  CHECK(r.take_ready().promised == std::nullopt); // one answer is not a quorum
  r.step(to(2, 0, recover_response{replica_status::voting, 900, 0, 1}));
  ready = r.take_ready();
  CHECK(ready.promised == 900u);
  CHECK(all_of<catchup_request>(ready.messages).size() == 2);
  r.step(to(1, 0, catchup_response{0, {appended(0, "a", 3, true)}}));
  r.take_ready();
  CHECK(r.status() == replica_status::recovering);
  // Position 1 nobody reported learned: once copying stalls, a proposer must
  // settle it first.
  for (int i = 0; i <= 20; ++i)
    r.tick();
  auto fill = r.recovery_fill();
  REQUIRE(fill);
  CHECK(fill->first == 1);
  CHECK(fill->last == 1);
  CHECK(fill->above == 900);
  r.step(to(1, 0, learned{{appended(1, "b", 901, true)}}));
  ready = r.take_ready();
  CHECK(ready.status == replica_status::voting);
  CHECK(r.status() == replica_status::voting);
}

TEST_CASE("heartbeats of the promised proposer are answered and name the leader") {
  auto r = make_replica();
  r.step(to(1, 0, promise_request{300, std::nullopt}));
  r.take_ready();
  r.step(to(1, 0, heartbeat{300, "10.0.0.1:5050"}));
  CHECK(only<heartbeat_response>(r.take_ready().messages).okay);
  CHECK(r.leader() == "10.0.0.1:5050");
  r.step(to(2, 0, heartbeat{200, "10.0.0.2:5050"}));
  CHECK(!only<heartbeat_response>(r.take_ready().messages).okay);
  CHECK(r.leader() == "10.0.0.1:5050");
}

TEST_CASE("a replica told where the log ends asks one peer at a time for what it has not learned") {
  auto r = make_replica();
  // The proposer beside it was elected by peers that learned up to 3; this
  // replica holds nothing there, so it has no hole of its own to notice.
  r.catch_up_to(3);
  r.tick();
  auto ready = r.take_ready();
  auto& ask = only<catchup_request>(ready.messages);
  CHECK(ask.first == 0);
  CHECK(ask.last == 2);
  node_id asked = ready.messages[0].to;
  // While the answer is awaited nothing more is asked (answers asked for
  // every tick queued up faster than a slow replica took them in) ...
  replica_options defaults;
  for (uint64_t i = 1; i < defaults.catchup_retry_ticks; ++i) {
    r.tick();
    CHECK(r.take_ready().messages.empty());
  }
  // ... until it seems lost: then the next peer is asked.
  r.tick();
  ready = r.take_ready();
  only<catchup_request>(ready.messages);
  CHECK(ready.messages[0].to != asked); // peers in turn
  // An answer that leaves it behind lets the next tick ask at once.
  r.step(to(1, 0, catchup_response{0, {appended(0, "a", 5, true)}}));
  CHECK(r.take_ready().newly_learned.size() == 1);
  r.tick();
  CHECK(only<catchup_request>(r.take_ready().messages).first == 1);
  r.step(to(1, 0, catchup_response{0, {appended(1, "b", 5, true),
                                       appended(2, "c", 5, true)}}));
  CHECK(r.take_ready().newly_learned.size() == 2);
  r.tick();
  CHECK(r.take_ready().messages.empty());
}

TEST_CASE("a follower that missed writes on an idle log learns from a heartbeat it is behind") {
  auto r = make_replica();
  r.step(to(1, 0, heartbeat{300, "10.0.0.1:5050", 7, 4}));
  auto ready = r.take_ready();
  auto& answer = only<heartbeat_response>(ready.messages);
  CHECK(answer.okay);
  CHECK(answer.round == 7); // echoed: the leader counts only its latest round
  r.tick();
  ready = r.take_ready();
  auto& ask = only<catchup_request>(ready.messages);
  CHECK(ask.first == 0);
  CHECK(ask.last == 3);
}

TEST_CASE("a replica that hears a live leader leaves other nodes' elections unanswered") {
  replica_options sticky;
  sticky.leader_sticky_ticks = 3;
  auto r = make_replica({}, sticky);
  r.step(to(1, 0, promise_request{257, std::nullopt}));
  r.step(to(1, 0, heartbeat{257, "10.0.0.1:5050", 1, 0}));
  r.take_ready();
  // Node 2, cut off from the leader alone, stands: no answer, no promise.
  r.step(to(2, 0, promise_request{514, std::nullopt}));
  auto ready = r.take_ready();
  CHECK(ready.messages.empty());
  CHECK(!ready.promised);
  r.tick();
  r.tick();
  r.step(to(2, 0, promise_request{514, std::nullopt})); // its retry
  CHECK(r.take_ready().messages.empty());
  // Lower proposals are still refused, so that their proposers stop.
  r.step(to(2, 0, promise_request{2, std::nullopt}));
  CHECK(!only<promise_response>(r.take_ready().messages).okay);
  // The leader's own node may stand again.
  r.step(to(1, 0, promise_request{769, std::nullopt}));
  CHECK(only<promise_response>(r.take_ready().messages).okay);
  // Once the leader (and the candidate it last promised) has been silent
  // long enough, anyone may.
  for (int i = 0; i < 3; ++i)
    r.tick();
  r.step(to(2, 0, promise_request{1026, std::nullopt}));
  CHECK(only<promise_response>(r.take_ready().messages).okay);
  CHECK(r.promised() == 1026);

  // Explicit promises (a fill) are answered all the same.
  auto other = make_replica({}, sticky);
  other.step(to(1, 0, heartbeat{257, "10.0.0.1:5050", 1, 0}));
  other.take_ready();
  other.step(to(2, 0, promise_request{514, range{0, 3}}));
  CHECK(only<promise_response>(other.take_ready().messages).okay);
}

TEST_CASE("a replica that just promised one candidate leaves a second one unanswered") {
  replica_options sticky;
  sticky.leader_sticky_ticks = 3;
  auto r = make_replica({}, sticky);
  // No leader yet: node 1 stands and gets the promise ...
  r.step(to(1, 0, promise_request{257, std::nullopt}));
  CHECK(only<promise_response>(r.take_ready().messages).okay);
  // ... and node 2, standing a moment later, does not unseat it.
  r.step(to(2, 0, promise_request{514, std::nullopt}));
  auto ready = r.take_ready();
  CHECK(ready.messages.empty());
  CHECK(r.promised() == 257);
  // Node 1 never follows up: after the window node 2 gets its answer.
  for (int i = 0; i < 3; ++i)
    r.tick();
  r.step(to(2, 0, promise_request{514, std::nullopt}));
  CHECK(only<promise_response>(r.take_ready().messages).okay);
}

TEST_CASE("a recovering replica asks for a fill only once copying from peers stalls") {
  const uint64_t stall_ticks = replica_options{}.fill_after_stalled_ticks;
  auto r = make_replica();
  r.start_recovery();
  r.take_ready();
  r.step(to(1, 0, recover_response{replica_status::voting, 700, 0, 3}));
  r.step(to(2, 0, recover_response{replica_status::voting, 900, 0, 3}));
  r.take_ready();
  // A live leader's peers hold what it chose: filling now would depose it.
  CHECK(!r.recovery_fill());
  for (uint64_t i = 0; i + 1 < stall_ticks; ++i)
    r.tick();
  CHECK(!r.recovery_fill());
  // Progress starts the count afresh.
  r.step(to(1, 0, catchup_response{0, {appended(0, "a", 3, true)}}));
  r.take_ready();
  r.tick();
  CHECK(!r.recovery_fill());
  for (uint64_t i = 0; i + 1 < stall_ticks; ++i)
    r.tick();
  CHECK(!r.recovery_fill());
  r.tick();
  auto fill = r.recovery_fill();
  REQUIRE(fill);
  CHECK(fill->first == 1);
  CHECK(fill->last == 2);
  CHECK(fill->above == 900);
}

TEST_CASE("catch-up answers stop at the byte limit, always carrying one action") {
  replica_options small;
  small.max_answer_bytes = 10;
  auto r = make_replica({}, small);
  r.step(to(1, 0, learned{{appended(0, "0123456789abcdef", 1, true), appended(1, "aaaa", 1, true),
                           appended(2, "bbbb", 1, true), appended(3, "cccc", 1, true)}}));
  r.take_ready();
  r.step(to(2, 0, catchup_request{0, 9}));
  auto ready = r.take_ready();
  auto& big = only<catchup_response>(ready.messages);
  REQUIRE(big.actions.size() == 1); // larger than the limit alone
  CHECK(big.actions[0].pos == 0);
  r.step(to(2, 0, catchup_request{1, 9}));
  ready = r.take_ready();
  auto& rest = only<catchup_response>(ready.messages);
  REQUIRE(rest.actions.size() == 2);
  CHECK(rest.actions[1].pos == 2);
}

TEST_CASE("an explicit promise too large for one message answers for a prefix of its range") {
  replica_options small;
  small.max_answer_bytes = 10;
  auto r = make_replica({}, small);
  r.step(to(1, 0, write_request{100, {appended(3, "aaaaaa"), appended(4, "bbbbbb"),
                                      appended(6, "cccccc")}}));
  r.take_ready();
  r.step(to(2, 0, promise_request{200, range{3, 9}}));
  auto ready = r.take_ready();
  auto& answer = only<promise_response>(ready.messages);
  CHECK(answer.okay);
  CHECK(answer.range == range{3, 3});
  REQUIRE(answer.accepted.size() == 1);
  CHECK(answer.accepted[0].data == "aaaaaa");
  r.step(to(2, 0, promise_request{200, range{4, 9}}));
  ready = r.take_ready();
  auto& next = only<promise_response>(ready.messages);
  CHECK(next.range == range{4, 5}); // 6 would pass the limit
  REQUIRE(next.accepted.size() == 1);
  CHECK(next.accepted[0].pos == 4);
}

namespace {

proposer make_proposer(proposer_limits limits = {}) {
  return proposer{0, {0, 1, 2}, 2, limits};
}

promise_response yes(proposal n, position end, position learned_end,
                     std::optional<std::pair<position, position>> range = std::nullopt,
                     std::vector<action> accepted = {}) {
  promise_response r;
  r.okay = true;
  r.number = n;
  r.end = end;
  r.learned_end = learned_end;
  r.range = range;
  r.accepted = std::move(accepted);
  return r;
}

// Elects `p` over an empty log; its proposal number.
proposal elect_on_empty_log(proposer& p) {
  p.elect(0);
  proposal n = all_of<promise_request>(p.take_ready().messages)[0].number;
  p.step(to(1, 0, yes(n, 0, 0)));
  p.step(to(2, 0, yes(n, 0, 0)));
  REQUIRE(p.take_ready().elected);
  return n;
}

} // namespace

TEST_CASE("an election settles what the previous proposer left open, then leads") {
  auto p = make_proposer();
  p.elect(1000);
  auto out = p.take_ready().messages;
  CHECK(all_of<promise_request>(out).size() == 3);
  proposal n = all_of<promise_request>(out)[0].number;
  CHECK(n > 1000);
  CHECK(n % max_nodes == 0); // this proposer's id
  // Replicas learned up to 1; the log reaches 3 on one of them.
  p.step(to(1, 0, yes(n, 3, 1)));
  CHECK(p.take_ready().messages.empty()); // no quorum yet
  p.step(to(2, 0, yes(n, 2, 1)));
  out = p.take_ready().messages;
  auto explicit_promises = all_of<promise_request>(out);
  REQUIRE(explicit_promises.size() == 3);
  CHECK(explicit_promises[0].range == std::make_pair(position{1}, position{2}));
  // Position 1 was accepted in two proposals: the higher one wins; 2 is empty.
  auto range = std::make_pair(position{1}, position{2});
  p.step(to(1, 0, yes(n, 3, 1, range, {appended(1, "old", 10)})));
  p.step(to(2, 0, yes(n, 2, 1, range, {appended(1, "newer", 20)})));
  out = p.take_ready().messages;
  auto writes = all_of<write_request>(out);
  REQUIRE(writes.size() == 3);
  REQUIRE(writes[0].actions.size() == 2);
  CHECK(writes[0].actions[0].data == "newer");
  CHECK(writes[0].actions[1].type == action_type::nop);
  CHECK(p.state() == proposer_state::filling);
  p.step(to(1, 0, write_response{true, n, {1, 2}}));
  p.step(to(2, 0, write_response{true, n, {1, 2}}));
  auto ready = p.take_ready();
  CHECK(ready.elected);
  CHECK(ready.chosen.size() == 2);
  CHECK(all_of<learned>(ready.messages).size() == 3);
  CHECK(p.state() == proposer_state::leading);
  CHECK(p.next_position() == 3);
}

TEST_CASE("appends take one round trip and travel together while a write is out") {
  auto p = make_proposer();
  proposal n = elect_on_empty_log(p);
  auto first = p.append("a");
  auto out = p.take_ready().messages;
  REQUIRE(all_of<write_request>(out).size() == 3);
  auto second = p.append("b");
  auto third = p.append("c");
  CHECK(p.take_ready().messages.empty()); // waiting for the first write
  p.step(to(0, 0, write_response{true, n, {0}}));
  p.step(to(1, 0, write_response{true, n, {0}}));
  auto ready = p.take_ready();
  REQUIRE(ready.completions.size() == 1);
  CHECK(ready.completions[0].request == first);
  CHECK(ready.completions[0].ok);
  CHECK(ready.completions[0].pos == 0);
  auto batch = all_of<write_request>(ready.messages);
  REQUIRE(batch.size() == 3);
  REQUIRE(batch[0].actions.size() == 2); // b and c in one write
  CHECK(batch[0].actions[1].pos == 2);
  p.step(to(1, 0, write_response{true, n, {1, 2}}));
  p.step(to(2, 0, write_response{true, n, {1, 2}}));
  ready = p.take_ready();
  REQUIRE(ready.completions.size() == 2);
  CHECK(ready.completions[0].request == second);
  CHECK(ready.completions[1].request == third);
  CHECK(ready.completions[1].pos == 2);
}

TEST_CASE("a proposer that meets a higher proposal stops and fails what was pending") {
  auto p = make_proposer();
  proposal n = elect_on_empty_log(p);
  auto pending = p.append("x");
  p.take_ready();
  p.step(to(1, 0, write_response{false, n + max_nodes, {}}));
  auto ready = p.take_ready();
  CHECK(ready.fenced);
  REQUIRE(ready.completions.size() == 1);
  CHECK(ready.completions[0].request == pending);
  CHECK(!ready.completions[0].ok);
  CHECK(p.state() == proposer_state::idle);
  CHECK(p.highest_seen() == n + max_nodes);
  // Not leading: appends fail at once.
  auto late = p.append("y");
  auto failed = p.take_ready().completions;
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].request == late);
  CHECK(!failed[0].ok);
  // The next election goes above what it saw.
  p.elect(0);
  CHECK(all_of<promise_request>(p.take_ready().messages)[0].number > n + max_nodes);
}

TEST_CASE("an answer about another range is not taken for this one; unanswered requests are resent") {
  auto p = make_proposer();
  p.elect(0);
  proposal n = all_of<promise_request>(p.take_ready().messages)[0].number;
  p.step(to(1, 0, yes(n, 2, 0)));
  p.step(to(2, 0, yes(n, 2, 0)));
  p.take_ready(); // explicit promises for [0, 1] are out
  // Late duplicates of the implicit answers must not count for the range.
  p.step(to(1, 0, yes(n, 2, 0)));
  p.step(to(2, 0, yes(n, 2, 0)));
  CHECK(all_of<write_request>(p.take_ready().messages).empty());
  // A range's answers carry what was accepted in it: asked again only after
  // resend_ticks.
  for (uint64_t i = 1; i < proposer_limits{}.resend_ticks; ++i) {
    p.tick();
    CHECK(all_of<promise_request>(p.take_ready().messages).empty());
  }
  p.tick();
  CHECK(all_of<promise_request>(p.take_ready().messages).size() == 3);
}

TEST_CASE("an unanswered implicit promise request is sent again every tick") {
  auto p = make_proposer();
  p.elect(0);
  p.take_ready();
  p.tick();
  CHECK(all_of<promise_request>(p.take_ready().messages).size() == 3);
}

TEST_CASE("the lease is renewed when a quorum answers a heartbeat") {
  auto p = make_proposer();
  proposal n = elect_on_empty_log(p);
  p.heartbeat("10.0.0.1:5050");
  auto beats = all_of<heartbeat>(p.take_ready().messages);
  REQUIRE(beats.size() == 3);
  uint64_t round = beats[0].round;
  p.step(to(1, 0, heartbeat_response{true, n, round}));
  CHECK(!p.take_ready().lease_round);
  p.step(to(2, 0, heartbeat_response{true, n, round}));
  CHECK(p.take_ready().lease_round == round);
  p.step(to(0, 0, heartbeat_response{false, n + 1}));
  CHECK(p.take_ready().fenced);
}

TEST_CASE("a new log starts voting once every replica is new; a new replica among old ones recovers") {
  durable_state fresh;
  fresh.status = replica_status::empty;
  auto r = make_replica(fresh);
  r.start_recovery();
  r.take_ready();
  r.step(to(1, 0, recover_response{replica_status::empty, 0, 0, 0}));
  CHECK(r.status() == replica_status::empty); // not everyone answered yet
  // A peer already voting (it promised an election) but holding nothing.
  r.step(to(2, 0, recover_response{replica_status::voting, 300, 0, 0}));
  CHECK(r.status() == replica_status::voting);
  auto started = r.take_ready();
  CHECK(started.status == replica_status::voting);
  CHECK(started.promised == 300u);

  auto late = make_replica(fresh);
  late.start_recovery();
  late.take_ready();
  late.step(to(1, 0, recover_response{replica_status::voting, 512, 0, 4}));
  late.step(to(2, 0, recover_response{replica_status::voting, 512, 0, 4}));
  CHECK(late.status() == replica_status::empty); // it must learn 0..3 first
  auto ready = late.take_ready();
  CHECK(ready.promised == 512u);
  CHECK(all_of<catchup_request>(ready.messages).size() == 2);
}

TEST_CASE("a late answer to an earlier heartbeat renews the lease from that round, never later") {
  auto p = make_proposer();
  proposal n = elect_on_empty_log(p);
  p.heartbeat("10.0.0.1:5050");
  uint64_t earlier = all_of<heartbeat>(p.take_ready().messages)[0].round;
  CHECK(p.heartbeat_round() == earlier);
  p.heartbeat("10.0.0.1:5050");
  auto beats = all_of<heartbeat>(p.take_ready().messages);
  REQUIRE(beats.size() == 3);
  uint64_t latest = beats[0].round;
  CHECK(latest != earlier);
  CHECK(beats[0].end == p.next_position()); // followers learn where the log ends
  // Answers to the earlier round come after the latest was sent: they name
  // the earlier round, whose sending the lease counts from.
  p.step(to(1, 0, heartbeat_response{true, n, earlier}));
  p.step(to(2, 0, heartbeat_response{true, n, earlier}));
  CHECK(p.take_ready().lease_round == earlier);
  p.step(to(1, 0, heartbeat_response{true, n, latest}));
  p.step(to(2, 0, heartbeat_response{true, n, latest}));
  CHECK(p.take_ready().lease_round == latest);
  // Once a later round renewed it, answers to an earlier one say nothing.
  p.heartbeat("10.0.0.1:5050");
  uint64_t third = all_of<heartbeat>(p.take_ready().messages)[0].round;
  p.heartbeat("10.0.0.1:5050");
  uint64_t fourth = all_of<heartbeat>(p.take_ready().messages)[0].round;
  p.step(to(1, 0, heartbeat_response{true, n, fourth}));
  p.step(to(2, 0, heartbeat_response{true, n, fourth}));
  CHECK(p.take_ready().lease_round == fourth);
  p.step(to(1, 0, heartbeat_response{true, n, third}));
  p.step(to(2, 0, heartbeat_response{true, n, third}));
  CHECK_FALSE(p.has_ready());
  // Answers under an earlier proposal number renew nothing.
  p.heartbeat("10.0.0.1:5050");
  uint64_t fifth = all_of<heartbeat>(p.take_ready().messages)[0].round;
  p.step(to(1, 0, heartbeat_response{true, n - 1, fifth}));
  p.step(to(2, 0, heartbeat_response{true, n - 1, fifth}));
  CHECK_FALSE(p.has_ready());
}

TEST_CASE("a write carries no more than the byte limit of data, and always one entry") {
  proposer_limits small;
  small.max_batch_bytes = 10;
  auto p = make_proposer(small);
  proposal n = elect_on_empty_log(p);
  p.append("0123456789abcdef");
  auto first = all_of<write_request>(p.take_ready().messages);
  REQUIRE(first.size() == 3);
  CHECK(first[0].actions.size() == 1); // larger than the limit alone
  p.append("aaaa");
  p.append("bbbb");
  p.append("cccc");
  p.step(to(1, 0, write_response{true, n, {0}}));
  p.step(to(2, 0, write_response{true, n, {0}}));
  auto second = all_of<write_request>(p.take_ready().messages);
  REQUIRE(second.size() == 3);
  REQUIRE(second[0].actions.size() == 2); // cccc would pass the limit
  CHECK(second[0].actions[1].data == "bbbb");
  p.step(to(1, 0, write_response{true, n, {1, 2}}));
  p.step(to(2, 0, write_response{true, n, {1, 2}}));
  auto third = all_of<write_request>(p.take_ready().messages);
  REQUIRE(third.size() == 3);
  REQUIRE(third[0].actions.size() == 1);
  CHECK(third[0].actions[0].pos == 3);
}

TEST_CASE("a fill settles what every answer's prefix of the range covers, then goes on") {
  auto p = make_proposer();
  p.elect(0);
  proposal n = all_of<promise_request>(p.take_ready().messages)[0].number;
  p.step(to(1, 0, yes(n, 5, 1)));
  p.step(to(2, 0, yes(n, 5, 1)));
  auto asked = all_of<promise_request>(p.take_ready().messages);
  REQUIRE(asked.size() == 3);
  CHECK(asked[0].range == range{1, 4});
  // An answer that does not start where the request does is not one to it.
  p.step(to(1, 0, yes(n, 5, 1, range{2, 4})));
  // Node 1 answers for [1, 2], node 2 for [1, 3]: [1, 2] is known from both.
  p.step(to(1, 0, yes(n, 5, 1, range{1, 2}, {appended(1, "x", 10), appended(2, "y", 10)})));
  CHECK(all_of<write_request>(p.take_ready().messages).empty());
  p.step(to(2, 0, yes(n, 5, 1, range{1, 3}, {appended(3, "z", 10)})));
  auto writes = all_of<write_request>(p.take_ready().messages);
  REQUIRE(writes.size() == 3);
  REQUIRE(writes[0].actions.size() == 2);
  CHECK(writes[0].actions[0].data == "x");
  CHECK(writes[0].actions[1].data == "y");
  p.step(to(1, 0, write_response{true, n, {1, 2}}));
  p.step(to(2, 0, write_response{true, n, {1, 2}}));
  auto rest = all_of<promise_request>(p.take_ready().messages);
  REQUIRE(rest.size() == 3);
  CHECK(rest[0].range == range{3, 4});
  CHECK(p.state() == proposer_state::filling);
}

TEST_CASE("an unanswered write is sent again only after resend_ticks, and written once") {
  proposer_limits limits;
  limits.resend_ticks = 4;
  auto p = make_proposer(limits);
  elect_on_empty_log(p);
  p.append("big");
  auto first = all_of<write_request>(p.take_ready().messages);
  REQUIRE(first.size() == 3);
  for (int i = 0; i < 3; ++i) {
    p.tick();
    CHECK(all_of<write_request>(p.take_ready().messages).empty());
  }
  p.tick();
  auto again = all_of<write_request>(p.take_ready().messages);
  CHECK(again.size() == 3);  // nobody answered, its own replica included
  // A replica given the same write twice writes it once and answers twice.
  auto r = make_replica();
  r.step(to(1, 0, first[1]));
  auto once = r.take_ready();
  CHECK(once.actions.size() == 1);
  CHECK(all_of<write_response>(once.messages).size() == 1);
  r.step(to(1, 0, again[1]));
  auto twice = r.take_ready();
  CHECK(twice.actions.empty());
  CHECK_FALSE(twice.sync);
  CHECK(all_of<write_response>(twice.messages).size() == 1);
}
