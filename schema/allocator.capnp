# Master <-> allocator, after the calls of Mesos' allocator interface
# (addFramework, addSlave, recoverResources, suppressOffers, reviveOffers, ...).
@0xb3f626db62fcd6e1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::allocator");
using M = import "mesos.capnp";
using R = import "resources.capnp";

struct Call {
  # Master -> allocator.
  union {
    addFramework @0 :Framework;
    removeFramework @1 :M.FrameworkID;
    activateFramework @2 :M.FrameworkID;
    deactivateFramework @3 :M.FrameworkID;
    addAgent @4 :Agent;
    removeAgent @5 :M.AgentID;
    recoverResources @6 :Recover;
    suppress @7 :Roles;
    revive @8 :Roles;
    updateWeights @9 :List(Weight);
    updateFramework @10 :Framework;
    # New roles and suppressed roles (a scheduler's UPDATE_FRAMEWORK);
    # `active` is not changed by it.
  }

  struct Framework {
    frameworkId @0 :M.FrameworkID;
    roles @1 :List(Text);
    suppressedRoles @2 :List(Text);
    active @3 :Bool;
  }

  struct Agent {
    agentId @0 :M.AgentID;
    total @1 :List(R.Resource);
    used @2 :List(Used);
    # What frameworks already hold there (an agent re-registering with tasks).
    generation @3 :UInt64;
    # Which time this agent is added; grants carry it back, so a grant made
    # before the agent left and came back is recognised as stale.
  }

  struct Used {
    frameworkId @0 :M.FrameworkID;
    resources @1 :List(R.Resource);
    # Each carries allocation_info.role.
  }

  struct Recover {
    frameworkId @0 :M.FrameworkID;
    agentId @1 :M.AgentID;
    resources @2 :List(R.Resource);
    refuseSeconds @3 :Float64;
    # 0: no filter.
  }

  struct Roles {
    frameworkId @0 :M.FrameworkID;
    roles @1 :List(Text);
    # Empty: every role of the framework.
  }

  struct Weight {
    role @0 :Text;
    weight @1 :Float64;
  }
}

struct Allocation {
  # Allocator -> master: the grants of one allocation pass.
  grants @0 :List(Grant);

  struct Grant {
    frameworkId @0 :M.FrameworkID;
    agentId @1 :M.AgentID;
    role @2 :Text;
    resources @3 :List(R.Resource);
    agentGeneration @4 :UInt64;
  }
}
