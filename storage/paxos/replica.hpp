// A Paxos replica as a pure state machine (after etcd's raft package): it is
// fed messages with step() and hands back, as one value, what must be made
// durable and what must then be sent. The caller persists first, then sends,
// then calls advance(). No I/O, no clock, no threads.
//
// A replica promises (implicitly for every later position, or explicitly for
// a range), accepts writes, and keeps learned actions. One that lost its disk
// starts `recovering`: it asks a quorum of voting peers how far the log goes,
// takes the highest promise among them, copies what they learned and, when
// copying stalls, lets a proposer fill what nobody learned; only then does it
// vote again. A voting replica that is behind the leader (its heartbeats say
// where the log ends) copies what it missed from peers.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/paxos/messages.hpp"

namespace cairn::paxos {

struct durable_state {
  proposal promised = 0;
  replica_status status = replica_status::voting;
  position begin = 0;
  std::map<position, action> actions;
};

struct replica_options {
  // For this many ticks after it accepted a heartbeat, the replica leaves
  // implicit promise requests from other nodes unanswered (0: it never does).
  // A node cut off from the leader alone then cannot depose it: nobody else
  // promises it. Below the election timeout, so that when the leader is gone
  // the followers answer before candidates give up.
  uint64_t leader_sticky_ticks = 0;
  // A recovering replica asks for a fill (which raises promises above the
  // live leader's and so deposes it) only once copying from peers has not
  // advanced for this many ticks: with a live leader it just catches up.
  uint64_t fill_after_stalled_ticks = 20;
  // Catch-up and explicit promise answers stop adding actions at this many
  // bytes of data (always taking one).
  size_t max_answer_bytes = max_message_data_bytes;
  // A replica behind asks for catch-up again only once the last request was
  // answered, or after this many ticks without an answer (it may be lost).
  // Asked every tick (a quarter heartbeat), a replica slower than its peers
  // had answers of up to max_answer_bytes each queue up in its mailbox
  // faster than it took them in: gigabytes, with 5,000 agents' snapshots.
  // Below fill_after_stalled_ticks, so that one lost answer does not stall
  // a recovering replica into a fill.
  uint64_t catchup_retry_ticks = 8;
};

// What the caller must do, in order: persist, then send.
struct replica_ready {
  std::optional<proposal> promised;
  std::optional<replica_status> status;
  std::optional<position> begin;  // actions before it are erased
  std::vector<action> actions;    // written (accepted or learned)
  bool sync = false;              // promises and accepts are fsync'ed before they are sent
  std::vector<message> messages;
  std::vector<action> newly_learned;  // for readers of the log, in position order

  bool empty() const {
    return !promised && !status && !begin && actions.empty() && messages.empty()
           && newly_learned.empty();
  }
};

class replica {
public:
  replica(node_id id, std::vector<node_id> peers, size_t quorum, durable_state recovered,
          replica_options options = {});

  void step(const message& in);

  // Called on a timer: asks peers for what is missing (holes, positions
  // before the catch-up target, recovery).
  void tick();

  // Everything before `end` is chosen (the proposer beside this replica was
  // elected and filled up to it): learn it from peers.
  void catch_up_to(position end);

  // A replica that lost its disk (or a new one) starts recovering.
  void start_recovery();

  bool has_ready() const {
    return !ready_.empty();
  }
  replica_ready take_ready();

  // -- views
  node_id id() const {
    return id_;
  }
  replica_status status() const {
    return status_;
  }
  proposal promised() const {
    return promised_;
  }
  position begin() const {
    return begin_;
  }
  // One past the last position this replica knows anything about.
  position end() const;
  // One past the end of the contiguous learned prefix from begin().
  position learned_end() const {
    return learned_end_;
  }
  const action* get(position p) const;
  // What this replica means to learn from peers: everything before it.
  position catchup_target() const {
    return std::max(end(), catchup_target_);
  }
  // What the latest heartbeat said (not durable).
  const std::string& leader() const {
    return leader_;
  }
  proposal leader_proposal() const {
    return leader_proposal_;
  }
  // Recovery: the range [first, last] nobody reported learned, which a
  // proposer must fill (with a proposal above `fill_above`) before this
  // replica votes again; nullopt when there is nothing to fill, or while
  // copying from peers still advances.
  struct fill_needed {
    position first;
    position last;
    proposal above;
  };
  std::optional<fill_needed> recovery_fill() const;

private:
  void on_promise(node_id from, const promise_request& r);
  void on_write(node_id from, const write_request& r);
  void on_learned(const learned& l);
  void on_recover_response(node_id from, const recover_response& r);
  void on_catchup_request(node_id from, const catchup_request& r);
  void on_catchup_response(const catchup_response& r);
  void on_heartbeat(node_id from, const heartbeat& h);
  void learn(const action& a);
  void truncate(position to);
  void advance_learned_end();
  void promise(proposal p);
  void send(node_id to, payload body);
  void check_recovered();
  bool initialize_if_all_new();
  bool follows_other_leader(node_id candidate) const;
  void count_recovery_stall();
  // Counts down a tick of waiting for a catch-up answer: true while it is
  // still awaited (ask nothing now).
  bool catchup_answer_awaited();

  node_id id_;
  std::vector<node_id> peers_;  // everyone but this replica
  size_t quorum_;
  proposal promised_ = 0;
  replica_status status_ = replica_status::voting;
  position begin_ = 0;
  position learned_end_ = 0;
  std::map<position, action> actions_;
  std::string leader_;
  proposal leader_proposal_ = 0;
  replica_options options_;
  replica_ready ready_;
  size_t next_catchup_peer_ = 0;
  position catchup_target_ = 0;  // learn everything before it (not durable)
  uint64_t catchup_wait_ticks_ = 0;  // > 0: a catch-up request is out, asked again at 0

  // The node whose heartbeat this replica last accepted, and when.
  std::optional<node_id> heartbeat_from_;
  uint64_t ticks_since_heartbeat_ = 0;

  // Recovery bookkeeping (not durable: a restart recovers afresh).
  std::map<node_id, recover_response> recover_answers_;
  std::optional<position> recover_target_;  // learn everything before this
  proposal recover_promised_ = 0;
  position stall_mark_ = 0;     // learned_end when copying last advanced
  uint64_t stalled_ticks_ = 0;  // ticks since then
};

} // namespace cairn::paxos
