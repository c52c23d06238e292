// The Multi-Paxos proposer (Mesos' coordinator) as a pure state machine.
//
// elect(): phase 1 with an implicit promise for every later position from a
// quorum; then every position between what some of them learned and the end
// of the log is filled (explicit phase 1 for the range, phase 2 with the
// highest accepted value or a no-op). A replica may answer an explicit
// promise for a prefix of the range only (the rest would not fit in one
// message): a round settles what every answer covers, the next goes on from
// there. From then on each append costs one round trip: a write to the
// replicas, chosen once a quorum accepted it. Appends that arrive while a
// write is in flight travel together in the next one.
//
// A replica that promised a higher proposal answers "no": the proposer stops
// at once (it is fenced) and fails what was pending. No I/O, no clock: the
// caller sends what take_ready() returns, feeds answers to step(), and calls
// tick() on a timer to resend what was not answered.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/paxos/messages.hpp"

namespace cairn::paxos {

// Proposal numbers are round * max_nodes + node id: unique per proposer.
inline constexpr proposal max_nodes = 256;

enum class proposer_state : uint8_t {
  idle,      // not elected (or fenced)
  electing,  // phase 1, implicit
  filling,   // settling the positions the previous proposer may have left open
  leading,   // appends take one round trip
};

struct completion {
  uint64_t request = 0;
  bool ok = false;
  position pos = 0;  // where the entry landed, when ok
};

struct proposer_ready {
  std::vector<message> messages;
  std::vector<completion> completions;
  std::vector<action> chosen;  // newly chosen, for the replica beside this proposer
  bool elected = false;        // became leading
  bool fenced = false;         // stopped: someone proposed higher
  bool fill_done = false;      // a recovery fill finished
  // The latest heartbeat round a quorum has now answered: the lease counts
  // from when that round was sent (the caller knows when).
  std::optional<uint64_t> lease_round;
};

// Heartbeat rounds whose answers are still counted. Forgetting an older one
// only means a very late answer to it renews nothing.
inline constexpr size_t max_open_heartbeats = 64;

struct proposer_limits {
  size_t max_batch = 256;       // appends in one write
  size_t max_batch_bytes = max_message_data_bytes;  // data in one write (one entry at least)
  size_t max_fill_range = 1024; // positions settled per explicit promise
  size_t max_pending = 100'000; // queued appends before new ones fail
  // A write, or a promise request for a range (whose answers carry what
  // replicas accepted in it), is sent again to a replica that has not
  // answered after this many ticks (its answer may be lost). Sent again every
  // tick (a quarter heartbeat), a write of up to max_batch_bytes to a
  // follower slow to sync piled up in the leader's send buffers and in the
  // follower's mailbox, each copy accepted and synced again: gigabytes while
  // thousands of agents registered. Implicit promise requests, small both
  // ways, still go every tick.
  uint64_t resend_ticks = 8;
};

class proposer {
public:
  proposer(node_id id, std::vector<node_id> replicas, size_t quorum, proposer_limits limits = {});

  // Starts an election with a proposal above `at_least` and above anything seen.
  void elect(proposal at_least);
  // Settles [first, last] with a proposal above `above` and goes idle again
  // (how a recovering replica gets what nobody learned).
  void fill(position first, position last, proposal above);

  // Queues an entry; its completion comes in a later ready().
  uint64_t append(std::string data);
  // Queues a truncation: positions before `to` may be dropped everywhere.
  uint64_t truncate(position to);

  // The leader's lease: asks every replica whether it still follows. Each
  // heartbeat is a round of its own; a quorum's answers to a round renew the
  // lease from when that round was sent, however late they come (so a round
  // trip longer than the heartbeat interval still keeps it). It tells
  // followers where the log ends, so that one that missed writes catches up.
  void heartbeat(const std::string& leader);
  // The round of the latest heartbeat.
  uint64_t heartbeat_round() const {
    return heartbeat_round_;
  }

  void step(const message& in);
  void tick();

  bool has_ready() const;
  proposer_ready take_ready();

  proposer_state state() const {
    return state_;
  }
  proposal number() const {
    return number_;
  }
  proposal highest_seen() const {
    return highest_seen_;
  }
  // The next position an append will take (valid while leading).
  position next_position() const {
    return next_;
  }

private:
  struct pending_entry {
    uint64_t request;
    action value;
  };

  void broadcast(const payload& body);
  void on_promise(node_id from, const promise_response& r);
  void on_write(node_id from, const write_response& r);
  void on_heartbeat(node_id from, const heartbeat_response& r);
  bool answers_promise_out(const promise_response& r) const;
  void fence(proposal seen);
  void start_fill_round();
  void finish_fill_round();
  void send_batch();
  void chosen(std::vector<action> actions);
  void fail_all();
  proposal next_number(proposal at_least) const;

  node_id id_;
  std::vector<node_id> replicas_;  // all, this proposer's own replica included
  size_t quorum_;
  proposer_limits limits_;
  proposer_state state_ = proposer_state::idle;
  bool fill_only_ = false;         // a recovery fill, not an election
  proposal number_ = 0;
  proposal highest_seen_ = 0;
  position next_ = 0;
  uint64_t next_request_ = 1;

  // Phase 1 answers of the current round.
  std::map<node_id, promise_response> promises_;
  std::optional<promise_request> promise_out_;  // resent on tick
  // The range being filled, and the target end of the fill.
  position fill_from_ = 0;
  position fill_end_ = 0;

  // The write in flight: its actions, who accepted, whose entries they are.
  std::optional<write_request> write_out_;
  std::set<node_id> write_acks_;
  uint64_t write_ticks_ = 0;    // ticks since write_out_ was last sent
  uint64_t promise_ticks_ = 0;  // ticks since promise_out_ (a range) was last sent
  std::vector<pending_entry> write_entries_;
  std::vector<pending_entry> queue_;

  // Heartbeats: the latest round, and who answered each recent round not
  // yet answered by a quorum (at most max_open_heartbeats of them).
  uint64_t heartbeat_round_ = 0;
  std::map<uint64_t, std::set<node_id>> heartbeat_acks_;

  proposer_ready ready_;
};

} // namespace cairn::paxos
