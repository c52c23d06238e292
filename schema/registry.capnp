@0xa985cc3c5f6995da;
# The master's durable state, after Mesos' registry.proto and the registrar's
# operations, plus the frameworks' replicated key-value store. Each entry of
# the replicated log is one Operation; replaying the same entries in order
# gives the same Registry on every master (storage/registry.hpp).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::registry");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";

struct Operation {
  union {
    admitAgent @0 :AdmitAgent $Json.name("admit_agent");
    markUnreachable @1 :MarkUnreachable $Json.name("mark_unreachable");
    markReachable @2 :MarkReachable $Json.name("mark_reachable");
    removeAgent @3 :RemoveAgent $Json.name("remove_agent");
    addFramework @4 :AddFramework $Json.name("add_framework");
    removeFramework @5 :RemoveFramework $Json.name("remove_framework");
    setWeights @6 :SetWeights $Json.name("set_weights");
    kvSet @7 :KvSet $Json.name("kv_set");
    kvDelete @8 :KvDelete $Json.name("kv_delete");
    snapshot @9 :Registry;
    # The whole state; replaces whatever came before it.
  }

  struct AdmitAgent {
    # Admits the agent, or replaces the info of one admitted before (it is
    # then reachable again).
    agentInfo @0 :M.AgentInfo $Json.name("agent_info");
  }

  struct MarkUnreachable {
    agentId @0 :M.AgentID $Json.name("agent_id");
    time @1 :Float64;
    # Seconds since the epoch, on the leader's clock when it decided.
  }

  struct MarkReachable { agentId @0 :M.AgentID $Json.name("agent_id"); }

  struct RemoveAgent { agentId @0 :M.AgentID $Json.name("agent_id"); }

  struct AddFramework {
    # Adds the framework, or replaces the info of one added before.
    frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
  }

  struct RemoveFramework { frameworkId @0 :M.FrameworkID $Json.name("framework_id"); }

  struct SetWeights {
    # Sets the weights of the listed roles; other roles keep theirs.
    weights @0 :List(M.WeightInfo);
  }

  struct KvSet {
    key @0 :Text;
    value @1 :Data $Json.base64;
    expectedVersion @2 :UInt64 $Json.name("expected_version");
    # The key's current version; 0: the key must not exist.
    anyVersion @3 :Bool $Json.name("any_version");
    # Ignore expectedVersion: set whatever is there.
  }

  struct KvDelete {
    key @0 :Text;
    expectedVersion @1 :UInt64 $Json.name("expected_version");
    anyVersion @2 :Bool $Json.name("any_version");
  }
}

struct Registry {
  # Everything is sorted by id, role or key, so that one state has one form.
  agents @0 :List(Agent);
  frameworks @1 :List(Framework);
  weights @2 :List(M.WeightInfo);
  kv @3 :List(KvEntry);

  struct Agent {
    info @0 :M.AgentInfo;
    reachable @1 :Bool;
    unreachableSince @2 :Float64 $Json.name("unreachable_since");
    # Seconds since the epoch; 0 while reachable.
  }

  struct Framework { info @0 :M.FrameworkInfo; }

  struct KvEntry {
    key @0 :Text;
    version @1 :UInt64;
    # 1 when created, one more with each set.
    value @2 :Data $Json.base64;
  }
}

struct KvWritten {
  # What a write to the key-value store answers over HTTP.
  key @0 :Text;
  version @1 :UInt64;
  # The key's version now; 0 after a delete.
}
