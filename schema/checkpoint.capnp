# What the agent checkpoints besides the messages it was given (FrameworkInfo,
# ExecutorInfo, TaskInfo are written as they are): one record of a task's
# status update stream, after Mesos' StatusUpdateRecord.
@0x87ff629ece2f6f84;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::checkpoint");
using A = import "master.capnp";
using M = import "mesos.capnp";

struct UpdateRecord {
  union {
    update @0 :A.StatusUpdate;
    # An update taken for the master; its status carries its uuid.
    ack @1 :Data;
    # The uuid of an update the framework acknowledged.
  }
}

# One write the agent hands its checkpointer (actors/agent/checkpointer.hpp):
# which executor run it concerns, and what to write there. Applied in the
# order they are sent, each durable before the next.
struct Write {
  agentId @0 :Text;
  frameworkId @1 :Text;
  executorId @2 :Text;
  containerId @3 :Text;
  union {
    agent @4 :M.AgentInfo;
    # slave.info and meta/slaves/latest; bootId goes to meta/boot_id with it.
    framework @5 :M.FrameworkInfo;
    executor @6 :Executor;
    forkedPid @7 :Int64;
    task @8 :M.TaskInfo;
    update @9 :A.StatusUpdate;
    ack @10 :Ack;
    completed @11 :Void;
    # The run ended (executor.sentinel).
    removeFramework @12 :Void;
  }
  bootId @13 :Text;

  struct Executor {
    info @0 :M.ExecutorInfo;
    generatedForCommandTask @1 :Bool;
  }

  struct Ack {
    taskId @0 :Text;
    uuid @1 :Data;
  }
}
