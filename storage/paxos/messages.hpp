// The Multi-Paxos log's vocabulary, as plain values for the pure cores:
// actions at positions, and the messages replicas and proposers exchange
// (after Mesos' replicated log: implicit and explicit promises, writes,
// learned actions, recovery and catch-up), plus the leader's heartbeats.
// schema/log.capnp carries the same over the wire and onto disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/limits.hpp"

namespace cairn::paxos {

using position = uint64_t;
using proposal = uint64_t;
using node_id = uint32_t;

// Peers drop a message over the wire limit (runtime/limits.hpp), and a log
// whose next write, catch-up or promise answer cannot travel is frozen. So a
// write batch, a catch-up answer and an explicit promise answer stop adding
// actions at this many bytes of data (always taking one, whatever its size);
// the rest goes in the next. A quarter of the limit leaves ample room for
// the framing of many small actions.
inline constexpr size_t max_message_data_bytes = 16 * 1024 * 1024;
// Largest entry: one must travel alone, with room left for its framing.
inline constexpr size_t max_entry_bytes = limits::wire_max_words * 8 - 1024 * 1024;

enum class action_type : uint8_t { nop, append, truncate };

struct action {
  position pos = 0;
  proposal accepted_in = 0;   // the proposal it was accepted under
  bool learned = false;       // known chosen
  action_type type = action_type::nop;
  std::string data;           // append: the entry
  position truncate_to = 0;   // truncate: positions before it may be dropped

  bool same_value(const action& other) const {
    return type == other.type && data == other.data && truncate_to == other.truncate_to;
  }
};

enum class replica_status : uint8_t {
  voting,      // takes part in Paxos
  recovering,  // lost its disk: catches up before it votes
  empty,       // a new replica: starts voting at once if every replica is new
};

// Phase 1. Implicit (no range): a promise for every position from now on,
// answered with how far the replica's log goes. Explicit (a range): also
// answered with what the replica accepted in that range, or in a prefix of it
// when all of it would not fit in one message.
struct promise_request {
  proposal number = 0;
  std::optional<std::pair<position, position>> range;  // [first, last]
};

struct promise_response {
  bool okay = false;
  proposal number = 0;        // okay: the request's; else the higher one promised
  position end = 0;           // one past the last position the replica knows of
  position learned_end = 0;   // one past the end of its contiguous learned prefix
  position begin = 0;         // first position it still keeps
  // Explicit: the range answered for, [first, last'] with the request's first
  // and last' at most its last (echoed, so that a late duplicate of an answer
  // about another range is never taken for this one), and what the replica
  // has in it.
  std::optional<std::pair<position, position>> range;
  std::vector<action> accepted;
};

// Phase 2, for several consecutive positions at once (batched appends).
struct write_request {
  proposal number = 0;
  std::vector<action> actions;
};

struct write_response {
  bool okay = false;
  proposal number = 0;
  std::vector<position> positions;
};

struct learned {
  std::vector<action> actions;
};

// Recovery: what a replica says about itself to one that lost its disk.
struct recover_request {};

struct recover_response {
  replica_status status = replica_status::voting;
  proposal promised = 0;
  position begin = 0;
  position end = 0;
};

// Catch-up: learned actions in [first, last] from a peer.
struct catchup_request {
  position first = 0;
  position last = 0;
};

struct catchup_response {
  position begin = 0;  // positions before it were truncated away
  std::vector<action> actions;
};

// The leader's lease: replicas answer whether they still follow `number`.
struct heartbeat {
  proposal number = 0;
  std::string leader;  // the leading master's address, for redirects
  uint64_t round = 0;  // echoed: only answers to the latest round renew the lease
  position end = 0;    // the leader's next position: a follower behind it catches up
};

struct heartbeat_response {
  bool okay = false;
  proposal number = 0;
  uint64_t round = 0;
};

// Pre-vote (Raft's thesis, 9.6): before it stands, a node that heard no
// leader asks whether peers would promise it. They say yes only when they
// heard no live leader within their promise window and the asker learned at
// least as much as they did; a node cut off (or just restarted) so finds out
// it cannot win without raising anyone's promise and deposing a live leader.
struct pre_vote_request {
  uint64_t round = 0;         // echoed: only answers to the latest round count
  position learned_end = 0;   // the asker's contiguous learned prefix
};

struct pre_vote_response {
  uint64_t round = 0;
  bool granted = false;
};

using payload = std::variant<promise_request, promise_response, write_request, write_response,
                             learned, recover_request, recover_response, catchup_request,
                             catchup_response, heartbeat, heartbeat_response, pre_vote_request,
                             pre_vote_response>;

struct message {
  node_id from = 0;
  node_id to = 0;
  payload body;
};

// Pre-votes are the log node's own (storage/paxos/node.hpp).
inline bool for_node(const message& m) {
  return std::holds_alternative<pre_vote_request>(m.body)
         || std::holds_alternative<pre_vote_response>(m.body);
}

// Messages that depend on nothing their node has yet to persist: heartbeats,
// their answers and pre-votes carry no promise and no accepted value (a
// follower keeping to a leader is not durable: after a restart it keeps to
// everyone for a window). They may leave before the writes of their ready,
// so that a follower's answer does not wait for the fsync of the entries it
// accepted meanwhile, nor a leader's heartbeat for its own: under load, two
// fsyncs each way outlasted the lease.
inline bool needs_no_persist(const message& m) {
  return std::holds_alternative<heartbeat>(m.body)
         || std::holds_alternative<heartbeat_response>(m.body) || for_node(m);
}

// Answers to proposals go to the proposer beside a replica; everything else
// to the replica.
inline bool for_proposer(const message& m) {
  return std::holds_alternative<promise_response>(m.body)
         || std::holds_alternative<write_response>(m.body)
         || std::holds_alternative<heartbeat_response>(m.body);
}

} // namespace cairn::paxos
