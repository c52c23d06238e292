# Agent <-> master, after the agent messages of Mesos' messages.proto, in the
# Call/Event shape of the v1 protocols.
@0xfa6001007caa8808;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::agent");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";

struct StatusUpdate {
  frameworkId @0 :M.FrameworkID $Json.name("framework_id");
  executorId @1 :M.ExecutorID $Json.name("executor_id");
  agentId @2 :M.AgentID $Json.name("agent_id");
  status @3 :M.TaskStatus;
}

struct Call {
  # Agent -> master.
  agentId @0 :M.AgentID $Json.name("agent_id");
  type @1 :Type;
  register @2 :Register;
  update @3 :StatusUpdate;
  exitedExecutor @4 :ExitedExecutor;
  reregister @5 :Reregister;
  message @6 :ExecutorMessage;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    register @1 $Json.name("REGISTER");
    update @2 $Json.name("UPDATE");
    pong @3 $Json.name("PONG");
    exitedExecutor @4 $Json.name("EXITED_EXECUTOR");
    unregister @5 $Json.name("UNREGISTER");
    reregister @6 $Json.name("REREGISTER");
    message @7 $Json.name("MESSAGE");
    # An executor's message for its framework's scheduler.
  }

  struct Register {
    agentInfo @0 :M.AgentInfo $Json.name("agent_info");
    version @1 :Text;
  }

  struct Reregister {
    # An agent that was registered before (its id in agent_info) comes back
    # with everything it still runs, so the master can reconcile.
    agentInfo @0 :M.AgentInfo $Json.name("agent_info");
    version @1 :Text;
    frameworks @2 :List(M.FrameworkInfo);
    tasks @3 :List(Task);

    struct Task {
      frameworkId @0 :M.FrameworkID $Json.name("framework_id");
      executorId @1 :M.ExecutorID $Json.name("executor_id");
      info @2 :M.TaskInfo;
      state @3 :M.TaskState;
      uuid @4 :Data $Json.base64;
      # Of the task's latest update, for an ended task whose update waits
      # for acknowledgement: the acknowledgement that completes it (Mesos'
      # Task.status_update_uuid).
    }
  }

  struct ExitedExecutor {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    status @2 :Int32;
    # The wait status of its process, as Mesos reports it; -1 when the
    # executor was lost without its process being reaped (no status known).
  }

  struct ExecutorMessage {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    data @2 :Data $Json.base64;
  }
}

struct Event {
  # Master -> agent.
  type @0 :Type;
  registered @1 :Registered;
  runTask @2 :RunTask;
  killTask @3 :KillTask;
  acknowledge @4 :Acknowledge;
  shutdownFramework @5 :ShutdownFramework;
  message @6 :Message;
  shutdownAgent @7 :ShutdownAgent;
  ping @8 :Ping;
  shutdownExecutor @9 :ShutdownExecutor;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    registered @1 $Json.name("REGISTERED");
    runTask @2 $Json.name("RUN_TASK");
    killTask @3 $Json.name("KILL_TASK");
    acknowledge @4 $Json.name("ACKNOWLEDGE");
    shutdownFramework @5 $Json.name("SHUTDOWN_FRAMEWORK");
    message @6 $Json.name("MESSAGE");
    ping @7 $Json.name("PING");
    reregistered @8 $Json.name("REREGISTERED");
    shutdownAgent @9 $Json.name("SHUTDOWN_AGENT");
    newMaster @10 $Json.name("NEW_MASTER");
    # A newly elected master reaching out: re-register with the sender.
    shutdownExecutor @11 $Json.name("SHUTDOWN_EXECUTOR");
    # A scheduler's SHUTDOWN call: the executor ends, and its tasks with it.
  }

  struct Registered {
    # Also the answer to REREGISTER (type REREGISTERED).
    agentId @0 :M.AgentID $Json.name("agent_id");
    masterInfo @1 :M.MasterInfo $Json.name("master_info");
    pingTimeoutSeconds @2 :Float64 $Json.name("ping_timeout_seconds");
    maxPingTimeouts @3 :UInt32 $Json.name("max_ping_timeouts");
  }

  struct RunTask {
    frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
    task @1 :M.TaskInfo;
  }

  struct KillTask {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    taskId @1 :M.TaskID $Json.name("task_id");
    killPolicy @2 :M.KillPolicy $Json.name("kill_policy");
  }

  struct Acknowledge {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    taskId @1 :M.TaskID $Json.name("task_id");
    uuid @2 :Data $Json.base64;
  }

  struct ShutdownExecutor {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
  }

  struct ShutdownFramework {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
  }

  struct Message {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    data @2 :Data $Json.base64;
  }

  struct Ping {
    # False when the master does not count the agent as registered (it was
    # unreachable): the agent re-registers, as with Mesos' PingSlaveMessage.
    connected @0 :Bool;
  }

  struct ShutdownAgent {
    # The master will not take this agent back under its old id: it should
    # end what it runs and register anew.
    message @0 :Text;
  }
}
