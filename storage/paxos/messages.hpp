// The Multi-Paxos log's vocabulary, as plain values for the pure cores:
// actions at positions, and the messages replicas and proposers exchange
// (after Mesos' replicated log: implicit and explicit promises, writes,
// learned actions, recovery and catch-up), plus the leader's heartbeats.
// schema/log.capnp carries the same over the wire and onto disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cairn::paxos {

using position = uint64_t;
using proposal = uint64_t;
using node_id = uint32_t;

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
// answered with what the replica accepted in that range.
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
  // Explicit: the range asked about (echoed, so that a late duplicate of an
  // answer about another range is never taken for this one), and what the
  // replica has in it.
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
};

struct heartbeat_response {
  bool okay = false;
  proposal number = 0;
};

using payload = std::variant<promise_request, promise_response, write_request, write_response,
                             learned, recover_request, recover_response, catchup_request,
                             catchup_response, heartbeat, heartbeat_response>;

struct message {
  node_id from = 0;
  node_id to = 0;
  payload body;
};

} // namespace cairn::paxos
