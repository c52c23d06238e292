# Executor <-> agent: the v1 executor Call and Event, after Mesos' executor/executor.proto.
@0xfed6cfdd65d717bc;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::executor");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";

struct Call {
  executorId @0 :M.ExecutorID $Json.name("executor_id");
  frameworkId @1 :M.FrameworkID $Json.name("framework_id");
  type @2 :Type;
  subscribe @3 :Subscribe;
  update @4 :Update;
  message @5 :Message;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribe @1 $Json.name("SUBSCRIBE");
    update @2 $Json.name("UPDATE");
    message @3 $Json.name("MESSAGE");
  }

  struct Subscribe {
    unacknowledgedTasks @0 :List(M.TaskInfo) $Json.name("unacknowledged_tasks");
    unacknowledgedUpdates @1 :List(Update) $Json.name("unacknowledged_updates");
  }

  struct Update { status @0 :M.TaskStatus; }

  struct Message { data @0 :Data $Json.base64; }
}

struct Event {
  type @0 :Type;
  subscribed @1 :Subscribed;
  launch @2 :Launch;
  kill @3 :Kill;
  acknowledged @4 :Acknowledged;
  message @5 :Message;
  error @6 :Error;
  launchGroup @7 :LaunchGroup $Json.name("launch_group");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribed @1 $Json.name("SUBSCRIBED");
    launch @2 $Json.name("LAUNCH");
    kill @3 $Json.name("KILL");
    acknowledged @4 $Json.name("ACKNOWLEDGED");
    message @5 $Json.name("MESSAGE");
    error @6 $Json.name("ERROR");
    shutdown @7 $Json.name("SHUTDOWN");
    heartbeat @8 $Json.name("HEARTBEAT");
    launchGroup @9 $Json.name("LAUNCH_GROUP");
  }

  struct LaunchGroup { taskGroup @0 :M.TaskGroupInfo $Json.name("task_group"); }

  struct Subscribed {
    executorInfo @0 :M.ExecutorInfo $Json.name("executor_info");
    frameworkInfo @1 :M.FrameworkInfo $Json.name("framework_info");
    agentInfo @2 :M.AgentInfo $Json.name("agent_info");
    containerId @3 :M.ContainerID $Json.name("container_id");
  }

  struct Launch { task @0 :M.TaskInfo; }

  struct Kill {
    taskId @0 :M.TaskID $Json.name("task_id");
    killPolicy @1 :M.KillPolicy $Json.name("kill_policy");
  }

  struct Acknowledged {
    taskId @0 :M.TaskID $Json.name("task_id");
    uuid @1 :Data $Json.base64;
  }

  struct Message { data @0 :Data $Json.base64; }

  struct Error { message @0 :Text; }
}
