# Agent <-> containerizer: what a container is launched with, how it ended,
# and what it uses. After Mesos' containerizer.proto (ContainerConfig,
# ContainerTermination) and mesos.proto (ResourceStatistics).
@0xe2295ad8700aed3a;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::containerizer");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";
using R = import "resources.capnp";

struct ContainerConfig {
  containerId @0 :Text;
  frameworkId @1 :Text;
  executorId @2 :Text;
  directory @3 :Text;
  # The sandbox; it exists when launch is called.
  user @4 :Text;
  # Who the container runs as; empty: the agent's own user.
  command @5 :M.CommandInfo;
  # The executor's command line and environment; its `uris` are fetched into
  # the sandbox before it starts.
  resources @6 :List(R.Resource);
  # What the container may use: its limits follow these.
  container @7 :M.ContainerInfo;
  hasContainer @8 :Bool;
  task @9 :M.TaskInfo;
  # The task of a command executor (its URIs, checks), when there is one.
  hasTask @10 :Bool;
  agentId @11 :Text;
  # Whose container it is: the fetcher's cache lives under the agent's id.
}

# How a container ended: given to every waiter once, when it is gone.
struct Termination {
  status @0 :Int32;
  # The wait status of its first process; meaningful when hasStatus.
  hasStatus @1 :Bool;
  state @2 :M.TaskState;
  # What its unfinished tasks become (TASK_FAILED unless a limit says more).
  reason @3 :M.TaskStatus.Reason;
  message @4 :Text;
  # Why it ended, when the containerizer knows better than the wait status:
  # "Memory limit exceeded: ...", a failed fetch, a destroy.
}

# A container's usage now, in Mesos' names.
struct ResourceStatistics {
  timestamp @0 :Float64;
  processes @1 :UInt32;
  threads @2 :UInt32;
  cpusUserTimeSecs @3 :Float64 $Json.name("cpus_user_time_secs");
  cpusSystemTimeSecs @4 :Float64 $Json.name("cpus_system_time_secs");
  cpusLimit @5 :Float64 $Json.name("cpus_limit");
  cpusNrPeriods @6 :UInt32 $Json.name("cpus_nr_periods");
  cpusNrThrottled @7 :UInt32 $Json.name("cpus_nr_throttled");
  cpusThrottledTimeSecs @8 :Float64 $Json.name("cpus_throttled_time_secs");
  memTotalBytes @9 :UInt64 $Json.name("mem_total_bytes");
  memRssBytes @10 :UInt64 $Json.name("mem_rss_bytes");
  memLimitBytes @11 :UInt64 $Json.name("mem_limit_bytes");
  memSoftLimitBytes @12 :UInt64 $Json.name("mem_soft_limit_bytes");
  memCacheBytes @13 :UInt64 $Json.name("mem_cache_bytes");
  memSwapBytes @14 :UInt64 $Json.name("mem_swap_bytes");
  diskLimitBytes @15 :UInt64 $Json.name("disk_limit_bytes");
  diskUsedBytes @16 :UInt64 $Json.name("disk_used_bytes");
}

# A container the agent's checkpoints name, for recover: the containerizer
# finds it again (its process, its cgroups) or reports it gone.
struct Recovered {
  containerId @0 :Text;
  pid @1 :Int32;
  # The pid of its first process as checkpointed; 0 when none was.
  directory @2 :Text;
  config @3 :ContainerConfig;
}

struct RecoverState {
  containers @0 :List(Recovered);
  # Runs that ended before the restart and are still checkpointed (their
  # framework runs on here): nothing to find again, but what they leave
  # behind (a stopped Docker container) is still the containerizer's own.
  ended @1 :List(Recovered);
}
