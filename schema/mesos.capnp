# The shared vocabulary of every protocol, after Mesos' v1 mesos.proto:
# ids, agents, frameworks, offers, tasks and their statuses.
@0xd1791e2ad34c815b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema");
using Json = import "/capnp/compat/json.capnp";
using R = import "resources.capnp";

struct FrameworkID { value @0 :Text; }
struct AgentID { value @0 :Text; }
struct OfferID { value @0 :Text; }
struct TaskID { value @0 :Text; }
struct ExecutorID { value @0 :Text; }
struct ContainerID { value @0 :Text; }

struct TimeInfo { nanoseconds @0 :Int64; }

struct WeightInfo {
  # A role's share in the DRF sorter (1 unless set).
  role @0 :Text;
  weight @1 :Float64;
}
struct DurationInfo { nanoseconds @0 :Int64; }

struct Label {
  key @0 :Text;
  value @1 :Text;
}

struct Labels { labels @0 :List(Label); }

struct Address {
  hostname @0 :Text;
  ip @1 :Text;
  port @2 :UInt32;
}

struct MasterInfo {
  id @0 :Text;
  ip @1 :UInt32;
  port @2 :UInt32;
  hostname @3 :Text;
  version @4 :Text;
  address @5 :Address;
}

struct AgentInfo {
  hostname @0 :Text;
  port @1 :UInt32;
  resources @2 :List(R.Resource);
  attributes @3 :List(R.Attribute);
  id @4 :AgentID;
}

struct FrameworkInfo {
  user @0 :Text;
  name @1 :Text;
  id @2 :FrameworkID;
  failoverTimeout @3 :Float64 $Json.name("failover_timeout");
  # Seconds.
  checkpoint @4 :Bool;
  role @5 :Text;
  # Deprecated in Mesos in favour of `roles`; read when `roles` is empty.
  roles @6 :List(Text);
  hostname @7 :Text;
  principal @8 :Text;
  webuiUrl @9 :Text $Json.name("webui_url");
  capabilities @10 :List(Capability);
  labels @11 :Labels;

  struct Capability {
    type @0 :Type;

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      revocableResources @1 $Json.name("REVOCABLE_RESOURCES");
      taskKillingState @2 $Json.name("TASK_KILLING_STATE");
      gpuResources @3 $Json.name("GPU_RESOURCES");
      sharedResources @4 $Json.name("SHARED_RESOURCES");
      partitionAware @5 $Json.name("PARTITION_AWARE");
      multiRole @6 $Json.name("MULTI_ROLE");
      reservationRefinement @7 $Json.name("RESERVATION_REFINEMENT");
      regionAware @8 $Json.name("REGION_AWARE");
    }
  }
}

struct Environment {
  variables @0 :List(Variable);

  struct Variable {
    name @0 :Text;
    value @1 :Text;
  }
}

struct CommandInfo {
  uris @0 :List(URI);
  environment @1 :Environment;
  shell @2 :Bool = true;
  # When true, `value` runs under /bin/sh -c; otherwise `value` is the program
  # and `arguments` its argv (argv[0] included), as in Mesos.
  value @3 :Text;
  arguments @4 :List(Text);
  user @5 :Text;

  struct URI {
    value @0 :Text;
    executable @1 :Bool;
    extract @2 :Bool = true;
    cache @3 :Bool;
    outputFile @4 :Text $Json.name("output_file");
  }
}

struct KillPolicy {
  gracePeriod @0 :DurationInfo $Json.name("grace_period");
}

struct ExecutorInfo {
  type @0 :Type;
  executorId @1 :ExecutorID $Json.name("executor_id");
  frameworkId @2 :FrameworkID $Json.name("framework_id");
  command @3 :CommandInfo;
  resources @4 :List(R.Resource);
  name @5 :Text;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    default @1 $Json.name("DEFAULT");
    custom @2 $Json.name("CUSTOM");
  }
}

struct TaskInfo {
  name @0 :Text;
  taskId @1 :TaskID $Json.name("task_id");
  agentId @2 :AgentID $Json.name("agent_id");
  resources @3 :List(R.Resource);
  executor @4 :ExecutorInfo;
  command @5 :CommandInfo;
  data @6 :Data $Json.base64;
  labels @7 :Labels;
  killPolicy @8 :KillPolicy $Json.name("kill_policy");
}

enum TaskState {
  taskStaging @0 $Json.name("TASK_STAGING");
  taskStarting @1 $Json.name("TASK_STARTING");
  taskRunning @2 $Json.name("TASK_RUNNING");
  taskKilling @3 $Json.name("TASK_KILLING");
  taskFinished @4 $Json.name("TASK_FINISHED");
  taskFailed @5 $Json.name("TASK_FAILED");
  taskKilled @6 $Json.name("TASK_KILLED");
  taskError @7 $Json.name("TASK_ERROR");
  taskLost @8 $Json.name("TASK_LOST");
  taskDropped @9 $Json.name("TASK_DROPPED");
  taskUnreachable @10 $Json.name("TASK_UNREACHABLE");
  taskGone @11 $Json.name("TASK_GONE");
  taskGoneByOperator @12 $Json.name("TASK_GONE_BY_OPERATOR");
  taskUnknown @13 $Json.name("TASK_UNKNOWN");
}

struct TaskStatus {
  taskId @0 :TaskID $Json.name("task_id");
  state @1 :TaskState;
  message @2 :Text;
  source @3 :Source;
  reason @4 :Reason;
  data @5 :Data $Json.base64;
  agentId @6 :AgentID $Json.name("agent_id");
  executorId @7 :ExecutorID $Json.name("executor_id");
  timestamp @8 :Float64;
  # Seconds since the epoch, as Mesos reports it.
  uuid @9 :Data $Json.base64;
  # Present on updates that need an acknowledgement.
  healthy @10 :Health;
  # Written as Mesos' optional bool `healthy`, left out while `unknown`.
  labels @11 :Labels;

  enum Health {
    unknown @0;
    # No health check has run.
    healthy @1;
    unhealthy @2;
  }

  enum Source {
    sourceMaster @0 $Json.name("SOURCE_MASTER");
    sourceAgent @1 $Json.name("SOURCE_AGENT");
    sourceExecutor @2 $Json.name("SOURCE_EXECUTOR");
  }

  enum Reason {
    none @0 $Json.name("REASON_NONE");
    # Unset: left out of JSON, as Mesos leaves the field out; never read.
    commandExecutorFailed @1 $Json.name("REASON_COMMAND_EXECUTOR_FAILED");
    containerLaunchFailed @2 $Json.name("REASON_CONTAINER_LAUNCH_FAILED");
    containerLimitation @3 $Json.name("REASON_CONTAINER_LIMITATION");
    containerLimitationDisk @4 $Json.name("REASON_CONTAINER_LIMITATION_DISK");
    containerLimitationMemory @5 $Json.name("REASON_CONTAINER_LIMITATION_MEMORY");
    containerPreempted @6 $Json.name("REASON_CONTAINER_PREEMPTED");
    containerUpdateFailed @7 $Json.name("REASON_CONTAINER_UPDATE_FAILED");
    executorRegistrationTimeout @8 $Json.name("REASON_EXECUTOR_REGISTRATION_TIMEOUT");
    executorReregistrationTimeout @9 $Json.name("REASON_EXECUTOR_REREGISTRATION_TIMEOUT");
    executorTerminated @10 $Json.name("REASON_EXECUTOR_TERMINATED");
    executorUnregistered @11 $Json.name("REASON_EXECUTOR_UNREGISTERED");
    frameworkRemoved @12 $Json.name("REASON_FRAMEWORK_REMOVED");
    gcError @13 $Json.name("REASON_GC_ERROR");
    invalidFrameworkid @14 $Json.name("REASON_INVALID_FRAMEWORKID");
    invalidOffers @15 $Json.name("REASON_INVALID_OFFERS");
    masterDisconnected @16 $Json.name("REASON_MASTER_DISCONNECTED");
    reconciliation @17 $Json.name("REASON_RECONCILIATION");
    resourcesUnknown @18 $Json.name("REASON_RESOURCES_UNKNOWN");
    agentDisconnected @19 $Json.name("REASON_AGENT_DISCONNECTED");
    agentRemoved @20 $Json.name("REASON_AGENT_REMOVED");
    agentRemovedByOperator @21 $Json.name("REASON_AGENT_REMOVED_BY_OPERATOR");
    agentReregistered @22 $Json.name("REASON_AGENT_REREGISTERED");
    agentRestarted @23 $Json.name("REASON_AGENT_RESTARTED");
    agentUnknown @24 $Json.name("REASON_AGENT_UNKNOWN");
    taskKilledDuringLaunch @25 $Json.name("REASON_TASK_KILLED_DURING_LAUNCH");
    taskCheckStatusUpdated @26 $Json.name("REASON_TASK_CHECK_STATUS_UPDATED");
    taskHealthCheckStatusUpdated @27 $Json.name("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
    taskGroupInvalid @28 $Json.name("REASON_TASK_GROUP_INVALID");
    taskGroupUnauthorized @29 $Json.name("REASON_TASK_GROUP_UNAUTHORIZED");
    taskInvalid @30 $Json.name("REASON_TASK_INVALID");
    taskUnauthorized @31 $Json.name("REASON_TASK_UNAUTHORIZED");
    taskUnknown @32 $Json.name("REASON_TASK_UNKNOWN");
    maxCompletionTimeReached @33 $Json.name("REASON_MAX_COMPLETION_TIME_REACHED");
  }
}

struct Task {
  # A task as the master and the agents report it (Mesos' Task).
  name @0 :Text;
  taskId @1 :TaskID $Json.name("task_id");
  frameworkId @2 :FrameworkID $Json.name("framework_id");
  executorId @3 :ExecutorID $Json.name("executor_id");
  agentId @4 :AgentID $Json.name("agent_id");
  state @5 :TaskState;
  resources @6 :List(R.Resource);
  statuses @7 :List(TaskStatus);
  labels @8 :Labels;
  user @9 :Text;
}

struct Filters {
  refuseSeconds @0 :Float64 = 5.0 $Json.name("refuse_seconds");
}

struct Offer {
  id @0 :OfferID;
  frameworkId @1 :FrameworkID $Json.name("framework_id");
  agentId @2 :AgentID $Json.name("agent_id");
  hostname @3 :Text;
  resources @4 :List(R.Resource);
  attributes @5 :List(R.Attribute);
  executorIds @6 :List(ExecutorID) $Json.name("executor_ids");
  allocationInfo @7 :R.AllocationInfo $Json.name("allocation_info");

  struct Operation {
    type @0 :Type;
    launch @1 :Launch;

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      launch @1 $Json.name("LAUNCH");
      launchGroup @2 $Json.name("LAUNCH_GROUP");
      reserve @3 $Json.name("RESERVE");
      unreserve @4 $Json.name("UNRESERVE");
      create @5 $Json.name("CREATE");
      destroy @6 $Json.name("DESTROY");
    }

    struct Launch {
      taskInfos @0 :List(TaskInfo) $Json.name("task_infos");
    }
  }
}
