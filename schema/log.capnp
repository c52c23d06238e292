@0xef9cf789dfce9873;
# The replicated log's vocabulary (storage/paxos/messages.hpp) as replicas and
# proposers send it to each other, and each action as a replica keeps it on
# disk. storage/paxos/codec.hpp converts both ways; reading refuses what
# cannot be valid (an unknown union member or status, a pointer of the wrong
# kind).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::log");

struct Action {
  # One position of the log. Also the on-disk record: the value of an action
  # key in a replica's LevelDB database.
  position @0 :UInt64;
  acceptedIn @1 :UInt64;
  # The proposal it was accepted under.
  learned @2 :Bool;
  # Known chosen.
  union {
    nop @3 :Void;
    # Fills a hole nobody had accepted anything for.
    append @4 :Data;
    # An entry of the log.
    truncate @5 :UInt64;
    # Positions before this one may be dropped.
  }
}

enum Status {
  voting @0;
  # Takes part in Paxos.
  recovering @1;
  # Lost its disk: catches up before it votes.
  empty @2;
  # A new replica.
}

# Optional ranges ([first, last], both included) are a `hasRange` flag and
# the two bounds, read only when the flag is set: no pointer to chase, and an
# absent range costs nothing.

struct PromiseRequest {
  number @0 :UInt64;
  hasRange @1 :Bool;
  # False: an implicit promise, for every position from now on. True: an
  # explicit one for [first, last], answered with what was accepted there.
  first @2 :UInt64;
  last @3 :UInt64;
}

struct PromiseResponse {
  okay @0 :Bool;
  number @1 :UInt64;
  # Okay: the request's; else the higher one promised.
  end @2 :UInt64;
  # One past the last position the replica knows of.
  learnedEnd @3 :UInt64;
  # One past the end of its contiguous learned prefix.
  begin @4 :UInt64;
  # First position it still keeps.
  hasRange @5 :Bool;
  # Explicit promises: the range answered for. It starts where the request's
  # does and may end earlier, when all of it would not fit in one message.
  first @6 :UInt64;
  last @7 :UInt64;
  accepted @8 :List(Action);
  # What the replica has in the range.
}

struct WriteRequest {
  number @0 :UInt64;
  actions @1 :List(Action);
}

struct WriteResponse {
  okay @0 :Bool;
  number @1 :UInt64;
  positions @2 :List(UInt64);
}

struct Learned {
  actions @0 :List(Action);
}

struct RecoverRequest {}

struct RecoverResponse {
  status @0 :Status;
  promised @1 :UInt64;
  begin @2 :UInt64;
  end @3 :UInt64;
}

struct CatchupRequest {
  first @0 :UInt64;
  last @1 :UInt64;
}

struct CatchupResponse {
  begin @0 :UInt64;
  # Positions before it were truncated away.
  actions @1 :List(Action);
}

struct Heartbeat {
  number @0 :UInt64;
  leader @1 :Text;
  # The leading master's address, for redirects.
  round @2 :UInt64;
  # Echoed in the answer: only answers to the latest round renew the lease.
  end @3 :UInt64;
  # The leader's next position: a follower that learned less catches up.
}

struct HeartbeatResponse {
  okay @0 :Bool;
  number @1 :UInt64;
  round @2 :UInt64;
}

struct PreVoteRequest {
  # Would the receiver promise the sender, were it to stand?
  round @0 :UInt64;
  learnedEnd @1 :UInt64;
  # One past the end of the sender's contiguous learned prefix.
}

struct PreVoteResponse {
  round @0 :UInt64;
  granted @1 :Bool;
}

struct Message {
  from @0 :UInt32;
  to @1 :UInt32;
  union {
    promiseRequest @2 :PromiseRequest;
    promiseResponse @3 :PromiseResponse;
    writeRequest @4 :WriteRequest;
    writeResponse @5 :WriteResponse;
    learned @6 :Learned;
    recoverRequest @7 :RecoverRequest;
    recoverResponse @8 :RecoverResponse;
    catchupRequest @9 :CatchupRequest;
    catchupResponse @10 :CatchupResponse;
    heartbeat @11 :Heartbeat;
    heartbeatResponse @12 :HeartbeatResponse;
    preVoteRequest @13 :PreVoteRequest;
    preVoteResponse @14 :PreVoteResponse;
  }
}
