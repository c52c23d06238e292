# The master's /master/state document, in the layout of Mesos' state.json so
# that scripts written against Mesos read it unchanged.
@0xaaf1e0cd3013315b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::state");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";
using R = import "resources.capnp";

struct ResourceSummary {
  # Mesos' resource object: scalars by name, ranges as "[a-b, c-d]".
  cpus @0 :Float64;
  mem @1 :Float64;
  disk @2 :Float64;
  gpus @3 :Float64;
  ports @4 :Text;
}

struct Status {
  state @0 :M.TaskState;
  timestamp @1 :Float64;
  healthy @2 :M.TaskStatus.Health;
  checkStatus @3 :M.CheckStatusInfo $Json.name("check_status");
}

struct Task {
  id @0 :Text;
  name @1 :Text;
  frameworkId @2 :Text $Json.name("framework_id");
  executorId @3 :Text $Json.name("executor_id");
  slaveId @4 :Text $Json.name("slave_id");
  state @5 :M.TaskState;
  resources @6 :ResourceSummary;
  role @7 :Text;
  statuses @8 :List(Status);
  # What the TaskInfo carried, as Mesos shows it.
  labels @9 :List(R.Label);
  discovery @10 :M.DiscoveryInfo;
  container @11 :M.ContainerInfo;
  user @12 :Text;
}

struct SummaryMap {
  # Mesos' {"role": {"cpus": 1, ...}} objects (reserved_resources).
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :ResourceSummary;
  }
}

struct Agent {
  id @0 :Text;
  pid @1 :Text;
  hostname @2 :Text;
  port @3 :UInt32;
  registeredTime @4 :Float64 $Json.name("registered_time");
  resources @5 :ResourceSummary;
  usedResources @6 :ResourceSummary $Json.name("used_resources");
  offeredResources @7 :ResourceSummary $Json.name("offered_resources");
  unreservedResources @8 :ResourceSummary $Json.name("unreserved_resources");
  active @9 :Bool;
  version @10 :Text;
  attributes @11 :R.TextMap;
  # By role, what is reserved to it on the agent.
  reservedResources @12 :SummaryMap $Json.name("reserved_resources");
  reregisteredTime @13 :Float64 $Json.name("reregistered_time");
  # Only for /master/state-summary: the frameworks with tasks or offers here.
  frameworkIds @14 :List(Text) $Json.name("framework_ids");
}

struct Framework {
  id @0 :Text;
  name @1 :Text;
  user @2 :Text;
  role @3 :Text;
  roles @4 :List(Text);
  principal @5 :Text;
  active @6 :Bool;
  connected @7 :Bool;
  failoverTimeout @8 :Float64 $Json.name("failover_timeout");
  registeredTime @9 :Float64 $Json.name("registered_time");
  usedResources @10 :ResourceSummary $Json.name("used_resources");
  offeredResources @11 :ResourceSummary $Json.name("offered_resources");
  tasks @12 :List(Task);
  completedTasks @13 :List(Task) $Json.name("completed_tasks");
  hostname @14 :Text;
  webuiUrl @15 :Text $Json.name("webui_url");
  pid @16 :Text;
  capabilities @17 :List(Text);
  unregisteredTime @18 :Float64 $Json.name("unregistered_time");
  recovered @19 :Bool;
}

struct Master {
  version @0 :Text;
  id @1 :Text;
  pid @2 :Text;
  hostname @3 :Text;
  startTime @4 :Float64 $Json.name("start_time");
  electedTime @5 :Float64 $Json.name("elected_time");
  activatedSlaves @6 :UInt32 $Json.name("activated_slaves");
  deactivatedSlaves @7 :UInt32 $Json.name("deactivated_slaves");
  leader @8 :Text;
  leaderInfo @9 :M.MasterInfo $Json.name("leader_info");
  slaves @10 :List(Agent);
  frameworks @11 :List(Framework);
  completedFrameworks @12 :List(Framework) $Json.name("completed_frameworks");
  cluster @13 :Text;
  flags @14 :R.TextMap;
  unreachableSlaves @15 :UInt32 $Json.name("unreachable_slaves");
}

struct StateSummary {
  # /master/state-summary: agents and frameworks without their tasks.
  hostname @0 :Text;
  cluster @1 :Text;
  slaves @2 :List(Agent);
  frameworks @3 :List(FrameworkSummary);
}

struct FrameworkSummary {
  id @0 :Text;
  name @1 :Text;
  pid @2 :Text;
  usedResources @3 :ResourceSummary $Json.name("used_resources");
  offeredResources @4 :ResourceSummary $Json.name("offered_resources");
  capabilities @5 :List(Text);
  hostname @6 :Text;
  webuiUrl @7 :Text $Json.name("webui_url");
  active @8 :Bool;
  connected @9 :Bool;
  recovered @10 :Bool;
  taskStaging @11 :UInt32 $Json.name("TASK_STAGING");
  taskStarting @12 :UInt32 $Json.name("TASK_STARTING");
  taskRunning @13 :UInt32 $Json.name("TASK_RUNNING");
  taskKilling @14 :UInt32 $Json.name("TASK_KILLING");
  taskFinished @15 :UInt32 $Json.name("TASK_FINISHED");
  taskKilled @16 :UInt32 $Json.name("TASK_KILLED");
  taskFailed @17 :UInt32 $Json.name("TASK_FAILED");
  taskLost @18 :UInt32 $Json.name("TASK_LOST");
  taskError @19 :UInt32 $Json.name("TASK_ERROR");
  taskUnreachable @20 :UInt32 $Json.name("TASK_UNREACHABLE");
  slaveIds @21 :List(Text) $Json.name("slave_ids");
}

struct Roles {
  # /master/roles, in Mesos' layout.
  roles @0 :List(Role);

  struct Role {
    name @0 :Text;
    weight @1 :Float64;
    frameworks @2 :List(Text);
    resources @3 :ResourceSummary;
    # `resources` is Mesos' older name for `allocated`.
    allocated @4 :ResourceSummary;
    offered @5 :ResourceSummary;
    reserved @6 :ResourceSummary;
    quota @7 :Quota;
  }

  struct Quota {
    # cairn has no quota yet: no guarantee and no limit.
    role @0 :Text;
    guarantee @1 :ResourceSummary;
    limit @2 :ResourceSummary;
    consumed @3 :ResourceSummary;
  }
}

struct ActorEndpoint {
  # Where a node's actors listen, served over HTTP so that users only ever
  # name HTTP addresses.
  host @0 :Text;
  port @1 :UInt32;
  logPort @2 :UInt32 $Json.name("log_port");
  # Masters: where their replica of the log listens (0: none).
  leader @3 :Text;
  # Masters: the leading master's HTTP address when known ("" when not),
  # so that clients given any master's address reach the leader.
}

# The agent's /state document, in the layout of Mesos' agent state.json.
struct AgentTask {
  id @0 :Text;
  name @1 :Text;
  frameworkId @2 :Text $Json.name("framework_id");
  executorId @3 :Text $Json.name("executor_id");
  state @4 :M.TaskState;
  resources @5 :ResourceSummary;
}

struct AgentExecutor {
  id @0 :Text;
  name @1 :Text;
  container @2 :Text;
  directory @3 :Text;
  tasks @4 :List(AgentTask);
}

struct AgentFramework {
  id @0 :Text;
  name @1 :Text;
  user @2 :Text;
  executors @3 :List(AgentExecutor);
  completedExecutors @4 :List(AgentExecutor) $Json.name("completed_executors");
}

struct AgentState {
  version @0 :Text;
  id @1 :Text;
  hostname @2 :Text;
  resources @3 :ResourceSummary;
  usedResources @4 :ResourceSummary $Json.name("used_resources");
  frameworks @5 :List(AgentFramework);
  pendingUpdates @6 :UInt32 $Json.name("pending_status_updates");
  updatesSent @7 :UInt64 $Json.name("status_updates_sent");
  updatesAcknowledged @8 :UInt64 $Json.name("status_updates_acknowledged");
  completedFrameworks @9 :List(AgentFramework) $Json.name("completed_frameworks");
}

# The other JSON endpoints people script against, in Mesos' layouts.
struct Frameworks {
  # /master/frameworks
  frameworks @0 :List(Framework);
  completedFrameworks @1 :List(Framework) $Json.name("completed_frameworks");
}

struct Slaves {
  # /master/slaves
  slaves @0 :List(Agent);
}

struct Tasks {
  # /master/tasks
  tasks @0 :List(Task);
}

struct Version {
  # /version
  version @0 :Text;
  buildDate @1 :Text $Json.name("build_date");
  gitSha @2 :Text $Json.name("git_sha");
}

struct FileInfo {
  # One entry of /files/browse.
  path @0 :Text;
  nlink @1 :Int64;
  size @2 :Int64;
  mtime @3 :Int64;
  mode @4 :Text;
  uid @5 :Text;
  gid @6 :Text;
}

struct FileList {
  files @0 :List(FileInfo);
}

struct FileData {
  # /files/read: `data` from `offset`.
  data @0 :Text;
  offset @1 :Int64;
}

struct Metrics {
  # /metrics/snapshot: written as one JSON object {"master/tasks_running": 3, ...}.
  metrics @0 :List(Entry);

  struct Entry {
    name @0 :Text;
    value @1 :Float64;
  }
}
