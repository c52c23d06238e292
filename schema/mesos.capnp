# The shared vocabulary of every protocol, after Mesos' v1 mesos.proto:
# ids, agents, frameworks, offers, tasks and their statuses. Every field a
# framework can send is here with Mesos' name, so that what cairn does not do
# yet is refused by name (actors/master/unsupported.cpp), never dropped.
# Enums keep Mesos' declaration order: an unset enum reads as the first value,
# as it does in Mesos' protobuf.
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
struct ContainerID {
  value @0 :Text;
  parent @1 :ContainerID;
}
struct OperationID { value @0 :Text; }

struct UUID { value @0 :Data $Json.base64; }

struct TimeInfo { nanoseconds @0 :Int64; }

struct WeightInfo {
  # A role's share in the DRF sorter (1 unless set).
  role @0 :Text;
  weight @1 :Float64;
}
struct DurationInfo { nanoseconds @0 :Int64; }

using Label = R.Label;
using Labels = R.Labels;
using Parameter = R.Parameter;
using Parameters = R.Parameters;
using Secret = R.Secret;
using Image = R.Image;
using Volume = R.Volume;

struct Address {
  hostname @0 :Text;
  ip @1 :Text;
  port @2 :UInt32;
}

struct URL {
  scheme @0 :Text;
  address @1 :Address;
  path @2 :Text;
  query @3 :List(R.Parameter);
  fragment @4 :Text;
}

struct Unavailability {
  start @0 :TimeInfo;
  duration @1 :DurationInfo;
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
  offerFilters @12 :OfferFiltersMap $Json.name("offer_filters");
  # Mesos' map<string, OfferFilters>, keyed by role.

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
      operationFeedback @9 $Json.name("OPERATION_FEEDBACK");
    }
  }
}

struct Environment {
  variables @0 :List(Variable);

  struct Variable {
    name @0 :Text;
    value @1 :Text;
    type @2 :Type = value;
    secret @3 :R.Secret;

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      value @1 $Json.name("VALUE");
      secret @2 $Json.name("SECRET");
    }
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
  container @6 :ContainerInfo;
  source @7 :Text;
  # Deprecated in Mesos since 1.0.
  data @8 :Data $Json.base64;
  discovery @9 :DiscoveryInfo;
  shutdownGracePeriod @10 :DurationInfo $Json.name("shutdown_grace_period");
  labels @11 :Labels;

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
  container @9 :ContainerInfo;
  healthCheck @10 :HealthCheck $Json.name("health_check");
  check @11 :CheckInfo;
  discovery @12 :DiscoveryInfo;
  maxCompletionTime @13 :DurationInfo $Json.name("max_completion_time");
  limits @14 :R.ScalarMap;
  # Mesos' map<string, Value.Scalar>, keyed by resource name.
}

struct TaskGroupInfo { tasks @0 :List(TaskInfo); }

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
  checkStatus @12 :CheckStatusInfo $Json.name("check_status");
  # The latest result of the task's CheckInfo; on every executor update of a
  # task that has a check, empty (only `type`) until a result is known.

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
  url @8 :URL;
  unavailability @9 :Unavailability;

  struct Operation {
    type @0 :Type;
    launch @1 :Launch;
    id @2 :OperationID;
    # Asks for UPDATE_OPERATION_STATUS feedback about this operation.
    launchGroup @3 :LaunchGroup $Json.name("launch_group");
    reserve @4 :Reserve;
    unreserve @5 :Unreserve;
    create @6 :Create;
    destroy @7 :Destroy;
    growVolume @8 :GrowVolume $Json.name("grow_volume");
    shrinkVolume @9 :ShrinkVolume $Json.name("shrink_volume");
    createDisk @10 :CreateDisk $Json.name("create_disk");
    destroyDisk @11 :DestroyDisk $Json.name("destroy_disk");

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      launch @1 $Json.name("LAUNCH");
      launchGroup @2 $Json.name("LAUNCH_GROUP");
      reserve @3 $Json.name("RESERVE");
      unreserve @4 $Json.name("UNRESERVE");
      create @5 $Json.name("CREATE");
      destroy @6 $Json.name("DESTROY");
      growVolume @7 $Json.name("GROW_VOLUME");
      shrinkVolume @8 $Json.name("SHRINK_VOLUME");
      createDisk @9 $Json.name("CREATE_DISK");
      destroyDisk @10 $Json.name("DESTROY_DISK");
    }

    struct Launch {
      taskInfos @0 :List(TaskInfo) $Json.name("task_infos");
    }

    struct LaunchGroup {
      executor @0 :ExecutorInfo;
      taskGroup @1 :TaskGroupInfo $Json.name("task_group");
    }

    struct Reserve {
      source @0 :List(R.Resource);
      resources @1 :List(R.Resource);
    }

    struct Unreserve { resources @0 :List(R.Resource); }

    struct Create { volumes @0 :List(R.Resource); }

    struct Destroy { volumes @0 :List(R.Resource); }

    struct GrowVolume {
      volume @0 :R.Resource;
      addition @1 :R.Resource;
    }

    struct ShrinkVolume {
      volume @0 :R.Resource;
      subtract @1 :R.Scalar;
    }

    struct CreateDisk {
      source @0 :R.Resource;
      targetType @1 :R.Resource.DiskInfo.Source.Type $Json.name("target_type");
      targetProfile @2 :Text $Json.name("target_profile");
    }

    struct DestroyDisk { source @0 :R.Resource; }
  }
}

struct InverseOffer {
  id @0 :OfferID;
  url @1 :URL;
  frameworkId @2 :FrameworkID $Json.name("framework_id");
  agentId @3 :AgentID $Json.name("agent_id");
  unavailability @4 :Unavailability;
  resources @5 :List(R.Resource);
}

struct Request {
  agentId @0 :AgentID $Json.name("agent_id");
  resources @1 :List(R.Resource);
}

struct OfferFilters {
  minAllocatableResources @0 :MinAllocatableResources $Json.name("min_allocatable_resources");

  struct MinAllocatableResources {
    quantities @0 :List(ResourceQuantities);
  }

  struct ResourceQuantities {
    quantities @0 :R.ScalarMap;
    # Mesos' map<string, Value.Scalar>, keyed by resource name.
  }
}

# Mesos' map<string, OfferFilters>: a JSON object keyed by role, read and
# written by the codec's map handler (runtime/json_maps.cpp).
struct OfferFiltersMap {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :OfferFilters;
  }
}

enum OperationState {
  operationUnsupported @0 $Json.name("OPERATION_UNSUPPORTED");
  operationPending @1 $Json.name("OPERATION_PENDING");
  operationFinished @2 $Json.name("OPERATION_FINISHED");
  operationFailed @3 $Json.name("OPERATION_FAILED");
  operationError @4 $Json.name("OPERATION_ERROR");
  operationDropped @5 $Json.name("OPERATION_DROPPED");
  operationUnreachable @6 $Json.name("OPERATION_UNREACHABLE");
  operationGoneByOperator @7 $Json.name("OPERATION_GONE_BY_OPERATOR");
  operationRecovering @8 $Json.name("OPERATION_RECOVERING");
  operationUnknown @9 $Json.name("OPERATION_UNKNOWN");
}

struct OperationStatus {
  operationId @0 :OperationID $Json.name("operation_id");
  state @1 :OperationState;
  message @2 :Text;
  convertedResources @3 :List(R.Resource) $Json.name("converted_resources");
  uuid @4 :UUID;
  # Only on updates that need an acknowledgement.
  agentId @5 :AgentID $Json.name("agent_id");
  resourceProviderId @6 :R.ResourceProviderID $Json.name("resource_provider_id");
}

struct CheckInfo {
  type @0 :Type;
  command @1 :Command;
  http @2 :Http;
  tcp @3 :Tcp;
  delaySeconds @4 :Float64 = 15.0 $Json.name("delay_seconds");
  intervalSeconds @5 :Float64 = 10.0 $Json.name("interval_seconds");
  timeoutSeconds @6 :Float64 = 20.0 $Json.name("timeout_seconds");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    command @1 $Json.name("COMMAND");
    http @2 $Json.name("HTTP");
    tcp @3 $Json.name("TCP");
  }

  struct Command { command @0 :CommandInfo; }

  struct Http {
    port @0 :UInt32;
    path @1 :Text;
  }

  struct Tcp { port @0 :UInt32; }
}

struct CheckStatusInfo {
  # Mesos' optional fields: each `has...` says whether the value is there
  # (JSON leaves an absent one out, runtime/json.cpp).
  type @0 :CheckInfo.Type;
  command @1 :Command;
  http @2 :Http;
  tcp @3 :Tcp;

  struct Command {
    exitCode @0 :Int32 $Json.name("exit_code");
    hasExitCode @1 :Bool;
  }

  struct Http {
    statusCode @0 :UInt32 $Json.name("status_code");
    hasStatusCode @1 :Bool;
  }

  struct Tcp {
    succeeded @0 :Bool;
    hasSucceeded @1 :Bool;
  }
}

struct HealthCheck {
  type @0 :Type;
  command @1 :CommandInfo;
  http @2 :HttpCheckInfo;
  tcp @3 :TcpCheckInfo;
  delaySeconds @4 :Float64 = 15.0 $Json.name("delay_seconds");
  intervalSeconds @5 :Float64 = 10.0 $Json.name("interval_seconds");
  timeoutSeconds @6 :Float64 = 20.0 $Json.name("timeout_seconds");
  consecutiveFailures @7 :UInt32 = 3 $Json.name("consecutive_failures");
  gracePeriodSeconds @8 :Float64 = 10.0 $Json.name("grace_period_seconds");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    command @1 $Json.name("COMMAND");
    http @2 $Json.name("HTTP");
    tcp @3 $Json.name("TCP");
  }

  struct HttpCheckInfo {
    protocol @0 :NetworkInfo.Protocol;
    scheme @1 :Text;
    port @2 :UInt32;
    path @3 :Text;
    statuses @4 :List(UInt32);
  }

  struct TcpCheckInfo {
    protocol @0 :NetworkInfo.Protocol;
    port @1 :UInt32;
  }
}

struct NetworkInfo {
  ipAddresses @0 :List(IPAddress) $Json.name("ip_addresses");
  name @1 :Text;
  groups @2 :List(Text);
  labels @3 :Labels;
  portMappings @4 :List(PortMapping) $Json.name("port_mappings");

  enum Protocol {
    iPv4 @0 $Json.name("IPv4");
    iPv6 @1 $Json.name("IPv6");
  }

  struct IPAddress {
    protocol @0 :Protocol;
    ipAddress @1 :Text $Json.name("ip_address");
  }

  struct PortMapping {
    hostPort @0 :UInt32 $Json.name("host_port");
    containerPort @1 :UInt32 $Json.name("container_port");
    protocol @2 :Text;
  }
}

struct CapabilityInfo {
  capabilities @0 :List(Capability);

  # Mesos numbers these from 1000; cairn's names are Mesos' names.
  enum Capability {
    unknown @0 $Json.name("UNKNOWN");
    chown @1 $Json.name("CHOWN");
    dacOverride @2 $Json.name("DAC_OVERRIDE");
    dacReadSearch @3 $Json.name("DAC_READ_SEARCH");
    fowner @4 $Json.name("FOWNER");
    fsetid @5 $Json.name("FSETID");
    kill @6 $Json.name("KILL");
    setgid @7 $Json.name("SETGID");
    setuid @8 $Json.name("SETUID");
    setpcap @9 $Json.name("SETPCAP");
    linuxImmutable @10 $Json.name("LINUX_IMMUTABLE");
    netBindService @11 $Json.name("NET_BIND_SERVICE");
    netBroadcast @12 $Json.name("NET_BROADCAST");
    netAdmin @13 $Json.name("NET_ADMIN");
    netRaw @14 $Json.name("NET_RAW");
    ipcLock @15 $Json.name("IPC_LOCK");
    ipcOwner @16 $Json.name("IPC_OWNER");
    sysModule @17 $Json.name("SYS_MODULE");
    sysRawio @18 $Json.name("SYS_RAWIO");
    sysChroot @19 $Json.name("SYS_CHROOT");
    sysPtrace @20 $Json.name("SYS_PTRACE");
    sysPacct @21 $Json.name("SYS_PACCT");
    sysAdmin @22 $Json.name("SYS_ADMIN");
    sysBoot @23 $Json.name("SYS_BOOT");
    sysNice @24 $Json.name("SYS_NICE");
    sysResource @25 $Json.name("SYS_RESOURCE");
    sysTime @26 $Json.name("SYS_TIME");
    sysTtyConfig @27 $Json.name("SYS_TTY_CONFIG");
    mknod @28 $Json.name("MKNOD");
    lease @29 $Json.name("LEASE");
    auditWrite @30 $Json.name("AUDIT_WRITE");
    auditControl @31 $Json.name("AUDIT_CONTROL");
    setfcap @32 $Json.name("SETFCAP");
    macOverride @33 $Json.name("MAC_OVERRIDE");
    macAdmin @34 $Json.name("MAC_ADMIN");
    syslog @35 $Json.name("SYSLOG");
    wakeAlarm @36 $Json.name("WAKE_ALARM");
    blockSuspend @37 $Json.name("BLOCK_SUSPEND");
    auditRead @38 $Json.name("AUDIT_READ");
    perfmon @39 $Json.name("PERFMON");
    bpf @40 $Json.name("BPF");
    checkpointRestore @41 $Json.name("CHECKPOINT_RESTORE");
  }
}

struct SeccompInfo {
  profileName @0 :Text $Json.name("profile_name");
  unconfined @1 :Bool;
}

struct LinuxInfo {
  capabilityInfo @0 :CapabilityInfo $Json.name("capability_info");
  # Deprecated in Mesos since 1.4 in favour of effective_capabilities.
  boundingCapabilities @1 :CapabilityInfo $Json.name("bounding_capabilities");
  effectiveCapabilities @2 :CapabilityInfo $Json.name("effective_capabilities");
  sharePidNamespace @3 :Bool $Json.name("share_pid_namespace");
  seccomp @4 :SeccompInfo;
  ipcMode @5 :IpcMode $Json.name("ipc_mode");
  shmSize @6 :UInt32 $Json.name("shm_size");
  shareCgroups @7 :Bool = true $Json.name("share_cgroups");

  enum IpcMode {
    unknown @0 $Json.name("UNKNOWN");
    private @1 $Json.name("PRIVATE");
    shareParent @2 $Json.name("SHARE_PARENT");
  }
}

struct RLimitInfo {
  rlimits @0 :List(RLimit);

  struct RLimit {
    type @0 :Type;
    hard @1 :UInt64;
    soft @2 :UInt64;
    # Mesos reads "unlimited" from hard and soft both unset, which 0 cannot
    # tell apart; ContainerInfo is refused whole until rlimits are done, and
    # that feature will give these presence.

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      rlmtAs @1 $Json.name("RLMT_AS");
      rlmtCore @2 $Json.name("RLMT_CORE");
      rlmtCpu @3 $Json.name("RLMT_CPU");
      rlmtData @4 $Json.name("RLMT_DATA");
      rlmtFsize @5 $Json.name("RLMT_FSIZE");
      rlmtLocks @6 $Json.name("RLMT_LOCKS");
      rlmtMemlock @7 $Json.name("RLMT_MEMLOCK");
      rlmtMsgqueue @8 $Json.name("RLMT_MSGQUEUE");
      rlmtNice @9 $Json.name("RLMT_NICE");
      rlmtNofile @10 $Json.name("RLMT_NOFILE");
      rlmtNproc @11 $Json.name("RLMT_NPROC");
      rlmtRss @12 $Json.name("RLMT_RSS");
      rlmtRtprio @13 $Json.name("RLMT_RTPRIO");
      rlmtRttime @14 $Json.name("RLMT_RTTIME");
      rlmtSigpending @15 $Json.name("RLMT_SIGPENDING");
      rlmtStack @16 $Json.name("RLMT_STACK");
    }
  }
}

struct TTYInfo {
  windowSize @0 :WindowSize $Json.name("window_size");

  struct WindowSize {
    rows @0 :UInt32;
    columns @1 :UInt32;
  }
}

struct ContainerInfo {
  type @0 :Type;
  volumes @1 :List(R.Volume);
  hostname @2 :Text;
  docker @3 :DockerInfo;
  mesos @4 :MesosInfo;
  networkInfos @5 :List(NetworkInfo) $Json.name("network_infos");
  linuxInfo @6 :LinuxInfo $Json.name("linux_info");
  rlimitInfo @7 :RLimitInfo $Json.name("rlimit_info");
  ttyInfo @8 :TTYInfo $Json.name("tty_info");

  enum Type {
    docker @0 $Json.name("DOCKER");
    mesos @1 $Json.name("MESOS");
  }

  struct DockerInfo {
    image @0 :Text;
    network @1 :Network;
    portMappings @2 :List(PortMapping) $Json.name("port_mappings");
    privileged @3 :Bool;
    parameters @4 :List(R.Parameter);
    forcePullImage @5 :Bool $Json.name("force_pull_image");
    volumeDriver @6 :Text $Json.name("volume_driver");
    # Deprecated in Mesos since 1.0.

    enum Network {
      host @0 $Json.name("HOST");
      bridge @1 $Json.name("BRIDGE");
      none @2 $Json.name("NONE");
      user @3 $Json.name("USER");
    }

    struct PortMapping {
      hostPort @0 :UInt32 $Json.name("host_port");
      containerPort @1 :UInt32 $Json.name("container_port");
      protocol @2 :Text;
    }
  }

  struct MesosInfo { image @0 :R.Image; }
}

struct Port {
  number @0 :UInt32;
  name @1 :Text;
  protocol @2 :Text;
  visibility @3 :DiscoveryInfo.Visibility;
  labels @4 :Labels;
}

struct Ports { ports @0 :List(Port); }

struct DiscoveryInfo {
  visibility @0 :Visibility;
  name @1 :Text;
  environment @2 :Text;
  location @3 :Text;
  version @4 :Text;
  ports @5 :Ports;
  labels @6 :Labels;

  enum Visibility {
    framework @0 $Json.name("FRAMEWORK");
    cluster @1 $Json.name("CLUSTER");
    external @2 $Json.name("EXTERNAL");
  }
}
