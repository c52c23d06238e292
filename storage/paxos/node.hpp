// One node of the replicated log as a pure state machine: the replica and the
// proposer beside it, and the policy that joins them — when to stand for
// election (after a randomized wait, and only once a pre-vote says it could
// win), the leader's lease and heartbeats, keeping to a live leader
// (stickiness), catching up before serving, and stepping down.
//
// No I/O, no clock, no threads: time comes in as an argument (the node's own
// clock, which may run a little fast or slow), randomness from a seed. The
// caller feeds peers' messages to receive() and calls tick() on a timer; then
// take_ready() says, in order, what to persist, what to send once persisted,
// which appends completed and whether this node was elected or demoted.
//
// The lease and clock drift. A follower that accepted a leader's heartbeat
// (or promised a candidate) promises nobody else for `promise_window` on its
// own clock, counted from when it accepted. The leader counts its lease from
// when it *sent* the heartbeat a quorum accepted, for `lease`, on its own
// clock. Any later leader needs a promise from one of that quorum, given only
// after that follower's window ended; so the old lease has ended first as
// long as lease / (1 - r) <= promise_window / (1 + r) for clocks whose rates
// are within r of true time. lease = promise_window * 4/5 holds for r up to
// 1/9: `max_clock_drift` (10%) is the bound we state and the simulation
// drives drifting clocks against. A leader also steps down one tick before
// its lease ends, so that the caller, which learns of it on a tick, never
// serves past it. A node that (re)starts promises nobody for a window first:
// what it accepted before it crashed is not remembered.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/log_store.hpp"
#include "storage/paxos/proposer.hpp"
#include "storage/paxos/replica.hpp"

namespace cairn::paxos {

// A node's own clock: any epoch, its own rate.
using node_time = std::chrono::nanoseconds;

// How far a node's clock rate may stray from true time (either way) with
// the lease still safe: see the comment at the top.
inline constexpr double max_clock_drift = 0.1;

struct node_options {
  node_id id = 0;
  size_t nodes = 1;   // node ids are 0 .. nodes - 1
  size_t quorum = 1;
  std::string advertised;  // this master's address, sent in heartbeats
  // How often the caller calls tick().
  node_time tick_interval = std::chrono::milliseconds(25);
  node_time heartbeat_interval = std::chrono::milliseconds(100);
  // A follower that hears no leader this long (plus up to half as much again,
  // at random) asks for a pre-vote, then stands.
  node_time election_timeout = std::chrono::milliseconds(500);
  bool pre_vote = true;
  // leader_sticky_ticks must stay 0: the node keeps its promise window by time.
  replica_options replica;
  proposer_limits limits;
};

// A follower keeps to the leader it heard for 4/5 of the election timeout:
// when the leader is gone, followers answer before candidates give up.
inline node_time promise_window(const node_options& o) {
  return o.election_timeout * 4 / 5;
}
// The leader's lease: shorter than the followers' promise by the drift margin.
inline node_time lease_duration(const node_options& o) {
  return promise_window(o) * 4 / 5;
}

struct node_write {
  store_batch batch;
  bool sync = false;  // promises and accepts are flushed before they are sent
};

enum class node_event : uint8_t { elected, demoted };

struct node_notice {
  node_event what;
  std::string why;  // for demoted
};

struct node_ready {
  std::vector<node_write> writes;        // first persist all of these, in order,
  std::vector<message> messages;         // then send these (needs_no_persist ones may go first),
  std::vector<completion> completions;   // then answer appends and truncations,
  std::vector<node_notice> notices;      // and tell the owner.

  bool empty() const {
    return writes.empty() && messages.empty() && completions.empty() && notices.empty();
  }
};

class node {
public:
  node(node_options options, durable_state recovered, node_time now, uint64_t seed);

  // A peer's message (the caller checked it is for this node, from a peer).
  void receive(const message& in, node_time now);
  void tick(node_time now);
  // The request id of the entry (its completion comes in a later ready), or
  // nullopt when this node does not serve.
  std::optional<uint64_t> append(std::string data, node_time now);
  std::optional<uint64_t> truncate(position to, node_time now);
  // The caller could not persist a write: this node stops for good (what it
  // promised or accepted may not leave it unwritten). Fails what is pending.
  void store_failed(const std::string& why);

  bool has_ready() const {
    return !ready_.empty();
  }
  node_ready take_ready();

  // -- views
  bool serving() const {
    return serving_;
  }
  bool broken() const {
    return broken_;
  }
  // Serving with a lease that runs at `now` (on this node's clock).
  bool holds_lease(node_time now) const {
    return serving_ && now < last_lease_ + lease_duration(options_);
  }
  // Who leads, as far as this node knows ("" when unknown).
  std::string leader() const {
    return serving_ ? options_.advertised : rep_->leader();
  }
  const replica& rep() const {
    return *rep_;
  }
  const proposer& prop() const {
    return *prop_;
  }
  uint64_t elections_stood() const {
    return elections_stood_;
  }
  void check_invariants() const;

private:
  void deliver(const message& m, node_time now);
  void observe(const message& out, node_time now);
  void route(message m, std::vector<message>& local);
  void settle(node_time now);
  void take_proposer_ready(node_time now, std::vector<message>& local);
  void check_catchup(node_time now);
  void demote(const char* why);
  void heartbeat(node_time now);
  void start_pre_vote(node_time now);
  void on_pre_vote(node_id from, const pre_vote_request& r, node_time now);
  void on_pre_vote_answer(node_id from, const pre_vote_response& r, node_time now);
  void stand(node_time now);
  bool follows_other(node_id candidate, node_time now) const;
  node_time random_wait();

  node_options options_;
  std::unique_ptr<replica> rep_;
  std::unique_ptr<proposer> prop_;
  std::mt19937_64 rng_;
  node_ready ready_;
  std::set<uint64_t> pending_;     // appends and truncations not yet answered
  bool broken_ = false;
  bool serving_ = false;           // leading, with every chosen entry here
  bool awaiting_catchup_ = false;  // elected; the local replica catches up
  node_time last_lease_{};         // sent a heartbeat (or stood) a quorum accepted
  node_time last_heartbeat_sent_{};
  // When each recent heartbeat round was sent: a quorum's answers to one,
  // however late, renew the lease from then.
  std::map<uint64_t, node_time> heartbeats_sent_;
  node_time stood_at_{};
  node_time last_heard_{};         // the election timer: a leader or candidate heard
  node_time election_started_{};
  node_time jitter_{};
  // Whom the local replica last accepted a heartbeat from or promised, and
  // when: it promises nobody else for a window after. Unknown at start: the
  // window then holds against everyone.
  std::optional<node_id> heard_from_;
  std::optional<node_time> heard_at_;
  // The pre-vote this node asked for, if one is open.
  bool pre_vote_open_ = false;
  uint64_t pre_vote_round_ = 0;
  node_time pre_vote_started_{};
  std::set<node_id> pre_vote_grants_;
  uint64_t elections_stood_ = 0;
};

} // namespace cairn::paxos
