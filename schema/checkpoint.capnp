# What the agent checkpoints besides the messages it was given (FrameworkInfo,
# ExecutorInfo, TaskInfo are written as they are): one record of a task's
# status update stream, after Mesos' StatusUpdateRecord.
@0x87ff629ece2f6f84;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::checkpoint");
using A = import "master.capnp";

struct UpdateRecord {
  union {
    update @0 :A.StatusUpdate;
    # An update taken for the master; its status carries its uuid.
    ack @1 :Data;
    # The uuid of an update the framework acknowledged.
  }
}
