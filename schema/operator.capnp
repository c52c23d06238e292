# The operator API, after Mesos' v1 master/master.proto Call and Response.
@0x9e171c5c9c478be1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::operator_api");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";
using R = import "resources.capnp";

struct Call {
  type @0 :Type;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    getHealth @1 $Json.name("GET_HEALTH");
    getVersion @2 $Json.name("GET_VERSION");
    getAgents @3 $Json.name("GET_AGENTS");
  }
}

struct Response {
  type @0 :Call.Type;
  getHealth @1 :GetHealth;
  getVersion @2 :GetVersion;
  getAgents @3 :GetAgents;

  struct GetHealth { healthy @0 :Bool; }

  struct GetVersion {
    versionInfo @0 :VersionInfo $Json.name("version_info");

    struct VersionInfo { version @0 :Text; }
  }

  struct GetAgents {
    agents @0 :List(Agent);

    struct Agent {
      agentInfo @0 :M.AgentInfo $Json.name("agent_info");
      active @1 :Bool;
      version @2 :Text;
      registeredTime @3 :M.TimeInfo $Json.name("registered_time");
      totalResources @4 :List(R.Resource) $Json.name("total_resources");
      allocatedResources @5 :List(R.Resource) $Json.name("allocated_resources");
      offeredResources @6 :List(R.Resource) $Json.name("offered_resources");
    }
  }
}
