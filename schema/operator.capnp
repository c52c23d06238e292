# The operator API, after Mesos' v1 master/master.proto and agent/agent.proto:
# one Call/Response pair for masters and agents (each answers the calls that
# apply to it) and the Event stream of SUBSCRIBE.
@0x9e171c5c9c478be1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::operator_api");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";
using R = import "resources.capnp";
using C = import "containerizer.capnp";

struct Call {
  type @0 :Type;
  getMetrics @1 :GetMetrics $Json.name("get_metrics");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    getHealth @1 $Json.name("GET_HEALTH");
    getVersion @2 $Json.name("GET_VERSION");
    getAgents @3 $Json.name("GET_AGENTS");
    getFlags @4 $Json.name("GET_FLAGS");
    getMetrics @5 $Json.name("GET_METRICS");
    getState @6 $Json.name("GET_STATE");
    getFrameworks @7 $Json.name("GET_FRAMEWORKS");
    getExecutors @8 $Json.name("GET_EXECUTORS");
    getTasks @9 $Json.name("GET_TASKS");
    getRoles @10 $Json.name("GET_ROLES");
    getMaster @11 $Json.name("GET_MASTER");
    subscribe @12 $Json.name("SUBSCRIBE");
    getLeadingMaster @13 $Json.name("GET_LEADING_MASTER");
    # Not in Mesos' master API: who leads now (a standby answers too).
    getAgent @14 $Json.name("GET_AGENT");
    # The agent API's GET_AGENT.
    getWeights @15 $Json.name("GET_WEIGHTS");
    updateWeights @16 $Json.name("UPDATE_WEIGHTS");
    # Sets the listed roles' weights (others keep theirs), in the registry.
    getLoggingLevel @17 $Json.name("GET_LOGGING_LEVEL");
    setLoggingLevel @18 $Json.name("SET_LOGGING_LEVEL");
    listFiles @19 $Json.name("LIST_FILES");
    readFile @20 $Json.name("READ_FILE");
    teardown @21 $Json.name("TEARDOWN");
    markAgentGone @22 $Json.name("MARK_AGENT_GONE");
    # Mesos' other master and agent calls: known so that they are refused by name.
    getOperations @23 $Json.name("GET_OPERATIONS");
    reserveResources @24 $Json.name("RESERVE_RESOURCES");
    unreserveResources @25 $Json.name("UNRESERVE_RESOURCES");
    createVolumes @26 $Json.name("CREATE_VOLUMES");
    destroyVolumes @27 $Json.name("DESTROY_VOLUMES");
    growVolume @28 $Json.name("GROW_VOLUME");
    shrinkVolume @29 $Json.name("SHRINK_VOLUME");
    getMaintenanceStatus @30 $Json.name("GET_MAINTENANCE_STATUS");
    getMaintenanceSchedule @31 $Json.name("GET_MAINTENANCE_SCHEDULE");
    updateMaintenanceSchedule @32 $Json.name("UPDATE_MAINTENANCE_SCHEDULE");
    startMaintenance @33 $Json.name("START_MAINTENANCE");
    stopMaintenance @34 $Json.name("STOP_MAINTENANCE");
    drainAgent @35 $Json.name("DRAIN_AGENT");
    deactivateAgent @36 $Json.name("DEACTIVATE_AGENT");
    reactivateAgent @37 $Json.name("REACTIVATE_AGENT");
    getQuota @38 $Json.name("GET_QUOTA");
    updateQuota @39 $Json.name("UPDATE_QUOTA");
    setQuota @40 $Json.name("SET_QUOTA");
    removeQuota @41 $Json.name("REMOVE_QUOTA");
    getContainers @42 $Json.name("GET_CONTAINERS");
    getResourceProviders @43 $Json.name("GET_RESOURCE_PROVIDERS");
    launchNestedContainer @44 $Json.name("LAUNCH_NESTED_CONTAINER");
    waitNestedContainer @45 $Json.name("WAIT_NESTED_CONTAINER");
    killNestedContainer @46 $Json.name("KILL_NESTED_CONTAINER");
    launchNestedContainerSession @47 $Json.name("LAUNCH_NESTED_CONTAINER_SESSION");
    attachContainerInput @48 $Json.name("ATTACH_CONTAINER_INPUT");
    attachContainerOutput @49 $Json.name("ATTACH_CONTAINER_OUTPUT");
    launchContainer @50 $Json.name("LAUNCH_CONTAINER");
    waitContainer @51 $Json.name("WAIT_CONTAINER");
    killContainer @52 $Json.name("KILL_CONTAINER");
    removeNestedContainer @53 $Json.name("REMOVE_NESTED_CONTAINER");
    removeContainer @54 $Json.name("REMOVE_CONTAINER");
    addResourceProviderConfig @55 $Json.name("ADD_RESOURCE_PROVIDER_CONFIG");
    updateResourceProviderConfig @56 $Json.name("UPDATE_RESOURCE_PROVIDER_CONFIG");
    removeResourceProviderConfig @57 $Json.name("REMOVE_RESOURCE_PROVIDER_CONFIG");
    markResourceProviderGone @58 $Json.name("MARK_RESOURCE_PROVIDER_GONE");
    pruneImages @59 $Json.name("PRUNE_IMAGES");
  }

  setLoggingLevel @3 :SetLoggingLevel $Json.name("set_logging_level");
  listFiles @4 :ListFiles $Json.name("list_files");
  readFile @5 :ReadFile $Json.name("read_file");
  teardown @6 :Teardown;
  markAgentGone @7 :MarkAgentGone $Json.name("mark_agent_gone");

  struct SetLoggingLevel {
    level @0 :UInt32;
    duration @1 :M.DurationInfo;
    # After it, the level goes back to what it was.
  }

  struct ListFiles { path @0 :Text; }

  struct ReadFile {
    path @0 :Text;
    offset @1 :UInt64;
    length @2 :UInt64;
    # 0 (or absent): to the end, within the files API's bound.
  }

  struct Teardown { frameworkId @0 :M.FrameworkID $Json.name("framework_id"); }

  struct MarkAgentGone { agentId @0 :M.AgentID $Json.name("agent_id"); }

  updateWeights @2 :UpdateWeights $Json.name("update_weights");

  struct UpdateWeights {
    weightInfos @0 :List(M.WeightInfo) $Json.name("weight_infos");
  }

  struct GetMetrics { timeout @0 :M.DurationInfo; }
}

struct Flag {
  name @0 :Text;
  value @1 :Text;
}

struct Metric {
  name @0 :Text;
  value @1 :Float64;
}

struct Response {
  type @0 :Call.Type;
  getHealth @1 :GetHealth $Json.name("get_health");
  getVersion @2 :GetVersion $Json.name("get_version");
  getAgents @3 :GetAgents $Json.name("get_agents");
  getFlags @4 :GetFlags $Json.name("get_flags");
  getMetrics @5 :GetMetrics $Json.name("get_metrics");
  getState @6 :GetState $Json.name("get_state");
  getFrameworks @7 :GetFrameworks $Json.name("get_frameworks");
  getExecutors @8 :GetExecutors $Json.name("get_executors");
  getTasks @9 :GetTasks $Json.name("get_tasks");
  getRoles @10 :GetRoles $Json.name("get_roles");
  getMaster @11 :GetMaster $Json.name("get_master");
  getLeadingMaster @12 :GetLeadingMaster $Json.name("get_leading_master");
  getAgent @13 :GetAgent $Json.name("get_agent");
  getWeights @14 :GetWeights $Json.name("get_weights");
  getLoggingLevel @15 :GetLoggingLevel $Json.name("get_logging_level");
  listFiles @16 :ListFiles $Json.name("list_files");
  readFile @17 :ReadFile $Json.name("read_file");

  struct GetLoggingLevel { level @0 :UInt32; }

  struct ListFiles { fileInfos @0 :List(FileInfo) $Json.name("file_infos"); }

  struct ReadFile {
    size @0 :UInt64;
    # Of the whole file.
    data @1 :Data $Json.base64;
  }

  struct FileInfo {
    path @0 :Text;
    nlink @1 :Int32;
    size @2 :UInt64;
    mtime @3 :M.TimeInfo;
    mode @4 :UInt32;
    uid @5 :Text;
    gid @6 :Text;
  }

  struct GetWeights {
    weightInfos @0 :List(M.WeightInfo) $Json.name("weight_infos");
  }

  struct GetHealth { healthy @0 :Bool; }

  struct GetVersion {
    versionInfo @0 :VersionInfo $Json.name("version_info");

    struct VersionInfo { version @0 :Text; }
  }

  struct GetFlags { flags @0 :List(Flag); }

  struct GetMetrics { metrics @0 :List(Metric); }

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
      pid @7 :Text;
    }
  }

  struct GetFrameworks {
    frameworks @0 :List(Framework);
    completedFrameworks @1 :List(Framework) $Json.name("completed_frameworks");

    struct Framework {
      frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
      active @1 :Bool;
      connected @2 :Bool;
      recovered @3 :Bool;
      registeredTime @4 :M.TimeInfo $Json.name("registered_time");
      unregisteredTime @5 :M.TimeInfo $Json.name("unregistered_time");
      offers @6 :List(M.Offer);
      allocatedResources @7 :List(R.Resource) $Json.name("allocated_resources");
      offeredResources @8 :List(R.Resource) $Json.name("offered_resources");
    }
  }

  struct GetExecutors {
    executors @0 :List(Executor);

    struct Executor {
      executorInfo @0 :M.ExecutorInfo $Json.name("executor_info");
      agentId @1 :M.AgentID $Json.name("agent_id");
    }
  }

  struct GetTasks {
    pendingTasks @0 :List(M.Task) $Json.name("pending_tasks");
    tasks @1 :List(M.Task);
    unreachableTasks @2 :List(M.Task) $Json.name("unreachable_tasks");
    completedTasks @3 :List(M.Task) $Json.name("completed_tasks");
    orphanTasks @4 :List(M.Task) $Json.name("orphan_tasks");
  }

  struct GetRoles {
    roles @0 :List(Role);

    struct Role {
      name @0 :Text;
      weight @1 :Float64;
      frameworks @2 :List(M.FrameworkID);
      resources @3 :List(R.Resource);
    }
  }

  struct GetState {
    getTasks @0 :GetTasks $Json.name("get_tasks");
    getExecutors @1 :GetExecutors $Json.name("get_executors");
    getFrameworks @2 :GetFrameworks $Json.name("get_frameworks");
    getAgents @3 :GetAgents $Json.name("get_agents");
  }

  struct GetMaster {
    masterInfo @0 :M.MasterInfo $Json.name("master_info");
    startTime @1 :Float64 $Json.name("start_time");
    electedTime @2 :Float64 $Json.name("elected_time");
  }

  struct GetLeadingMaster { masterInfo @0 :M.MasterInfo $Json.name("master_info"); }

  struct GetAgent { agentInfo @0 :M.AgentInfo $Json.name("agent_info"); }
}

struct Event {
  # What SUBSCRIBE streams, after Mesos' master Event.
  type @0 :Type;
  subscribed @1 :Subscribed;
  taskAdded @2 :TaskAdded $Json.name("task_added");
  taskUpdated @3 :TaskUpdated $Json.name("task_updated");
  agentAdded @4 :AgentAdded $Json.name("agent_added");
  agentRemoved @5 :AgentRemoved $Json.name("agent_removed");
  frameworkAdded @6 :FrameworkEvent $Json.name("framework_added");
  frameworkUpdated @7 :FrameworkEvent $Json.name("framework_updated");
  frameworkRemoved @8 :FrameworkRemoved $Json.name("framework_removed");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribed @1 $Json.name("SUBSCRIBED");
    taskAdded @2 $Json.name("TASK_ADDED");
    taskUpdated @3 $Json.name("TASK_UPDATED");
    agentAdded @4 $Json.name("AGENT_ADDED");
    agentRemoved @5 $Json.name("AGENT_REMOVED");
    frameworkAdded @6 $Json.name("FRAMEWORK_ADDED");
    frameworkUpdated @7 $Json.name("FRAMEWORK_UPDATED");
    frameworkRemoved @8 $Json.name("FRAMEWORK_REMOVED");
    heartbeat @9 $Json.name("HEARTBEAT");
  }

  struct Subscribed {
    getState @0 :Response.GetState $Json.name("get_state");
    heartbeatIntervalSeconds @1 :Float64 $Json.name("heartbeat_interval_seconds");
  }

  struct TaskAdded { task @0 :M.Task; }

  struct TaskUpdated {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    status @1 :M.TaskStatus;
    state @2 :M.TaskState;
  }

  struct AgentAdded { agent @0 :Response.GetAgents.Agent; }

  struct AgentRemoved { agentId @0 :M.AgentID $Json.name("agent_id"); }

  struct FrameworkEvent { framework @0 :Response.GetFrameworks.Framework; }

  struct FrameworkRemoved { frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info"); }
}

# An agent's answers, in the shapes of Mesos' agent/agent.proto Response,
# which differ from the master's (an agent lists a framework by its info
# alone, an executor without its agent, its tasks by where they are in their
# life). The calls that masters and agents answer alike (health, version,
# flags, metrics, logging, files) keep Response's structs.
struct AgentResponse {
  type @0 :Call.Type;
  getHealth @1 :Response.GetHealth $Json.name("get_health");
  getFlags @2 :Response.GetFlags $Json.name("get_flags");
  getVersion @3 :Response.GetVersion $Json.name("get_version");
  getMetrics @4 :Response.GetMetrics $Json.name("get_metrics");
  getState @5 :GetState $Json.name("get_state");
  getFrameworks @6 :GetFrameworks $Json.name("get_frameworks");
  getExecutors @7 :GetExecutors $Json.name("get_executors");
  getTasks @8 :GetTasks $Json.name("get_tasks");
  getAgent @9 :Response.GetAgent $Json.name("get_agent");
  getContainers @10 :GetContainers $Json.name("get_containers");

  # The containers of running executors with what they use now (the
  # containerizer's usage); a container whose usage could not be had is
  # listed without resource_statistics, as Mesos lists it.
  struct GetContainers {
    containers @0 :List(Container);

    struct Container {
      frameworkId @0 :M.FrameworkID $Json.name("framework_id");
      executorId @1 :M.ExecutorID $Json.name("executor_id");
      executorName @2 :Text $Json.name("executor_name");
      containerId @3 :M.ContainerID $Json.name("container_id");
      containerStatus @4 :ContainerStatus $Json.name("container_status");
      resourceStatistics @5 :C.ResourceStatistics $Json.name("resource_statistics");
    }

    struct ContainerStatus {
      containerId @0 :M.ContainerID $Json.name("container_id");
    }
  }

  struct GetState {
    getTasks @0 :GetTasks $Json.name("get_tasks");
    getExecutors @1 :GetExecutors $Json.name("get_executors");
    getFrameworks @2 :GetFrameworks $Json.name("get_frameworks");
  }

  struct GetFrameworks {
    frameworks @0 :List(Framework);
    completedFrameworks @1 :List(Framework) $Json.name("completed_frameworks");

    struct Framework { frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info"); }
  }

  struct GetExecutors {
    executors @0 :List(Executor);
    completedExecutors @1 :List(Executor) $Json.name("completed_executors");

    struct Executor { executorInfo @0 :M.ExecutorInfo $Json.name("executor_info"); }
  }

  struct GetTasks {
    pendingTasks @0 :List(M.Task) $Json.name("pending_tasks");
    # Not yet handed to an executor that the agent has started.
    queuedTasks @1 :List(M.Task) $Json.name("queued_tasks");
    # Waiting for their executor to register.
    launchedTasks @2 :List(M.Task) $Json.name("launched_tasks");
    terminatedTasks @3 :List(M.Task) $Json.name("terminated_tasks");
    # Ended, while their executor still runs.
    completedTasks @4 :List(M.Task) $Json.name("completed_tasks");
    # Of executors that have ended.
  }
}

# What an agent's SUBSCRIBE streams. Mesos' agent API has no event stream;
# cairn's follows the master's Event (same names and numbers) with the
# agent's own state: mesos.v1.agent.Event in schema/proto.
struct AgentEvent {
  type @0 :Type;
  subscribed @1 :Subscribed;
  taskAdded @2 :Event.TaskAdded $Json.name("task_added");
  taskUpdated @3 :Event.TaskUpdated $Json.name("task_updated");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribed @1 $Json.name("SUBSCRIBED");
    taskAdded @2 $Json.name("TASK_ADDED");
    taskUpdated @3 $Json.name("TASK_UPDATED");
    heartbeat @4 $Json.name("HEARTBEAT");
  }

  struct Subscribed {
    getState @0 :AgentResponse.GetState $Json.name("get_state");
    heartbeatIntervalSeconds @1 :Float64 $Json.name("heartbeat_interval_seconds");
  }
}
