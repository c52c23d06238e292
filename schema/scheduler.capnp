# Framework <-> master: the v1 scheduler Call and Event, after Mesos'
# scheduler/scheduler.proto. One `type` names the call; the matching field holds it.
@0xe6c78b822f27d801;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";

struct Call {
  frameworkId @0 :M.FrameworkID $Json.name("framework_id");
  type @1 :Type;
  subscribe @2 :Subscribe;
  accept @3 :Accept;
  decline @4 :Decline;
  revive @5 :Revive;
  kill @6 :Kill;
  acknowledge @7 :Acknowledge;
  reconcile @8 :Reconcile;
  message @9 :Message;
  suppress @10 :Suppress;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribe @1 $Json.name("SUBSCRIBE");
    teardown @2 $Json.name("TEARDOWN");
    accept @3 $Json.name("ACCEPT");
    decline @4 $Json.name("DECLINE");
    revive @5 $Json.name("REVIVE");
    kill @6 $Json.name("KILL");
    acknowledge @7 $Json.name("ACKNOWLEDGE");
    reconcile @8 $Json.name("RECONCILE");
    message @9 $Json.name("MESSAGE");
    suppress @10 $Json.name("SUPPRESS");
  }

  struct Subscribe {
    frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
    suppressedRoles @1 :List(Text) $Json.name("suppressed_roles");
  }

  struct Accept {
    offerIds @0 :List(M.OfferID) $Json.name("offer_ids");
    operations @1 :List(M.Offer.Operation);
    filters @2 :M.Filters;
  }

  struct Decline {
    offerIds @0 :List(M.OfferID) $Json.name("offer_ids");
    filters @1 :M.Filters;
  }

  struct Revive { roles @0 :List(Text); }

  struct Suppress { roles @0 :List(Text); }

  struct Kill {
    taskId @0 :M.TaskID $Json.name("task_id");
    agentId @1 :M.AgentID $Json.name("agent_id");
    killPolicy @2 :M.KillPolicy $Json.name("kill_policy");
  }

  struct Acknowledge {
    agentId @0 :M.AgentID $Json.name("agent_id");
    taskId @1 :M.TaskID $Json.name("task_id");
    uuid @2 :Data $Json.base64;
  }

  struct Reconcile {
    tasks @0 :List(Task);

    struct Task {
      taskId @0 :M.TaskID $Json.name("task_id");
      agentId @1 :M.AgentID $Json.name("agent_id");
    }
  }

  struct Message {
    agentId @0 :M.AgentID $Json.name("agent_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    data @2 :Data $Json.base64;
  }
}

struct Event {
  type @0 :Type;
  subscribed @1 :Subscribed;
  offers @2 :Offers;
  rescind @3 :Rescind;
  update @4 :Update;
  message @5 :Message;
  failure @6 :Failure;
  error @7 :Error;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    subscribed @1 $Json.name("SUBSCRIBED");
    offers @2 $Json.name("OFFERS");
    rescind @3 $Json.name("RESCIND");
    update @4 $Json.name("UPDATE");
    message @5 $Json.name("MESSAGE");
    failure @6 $Json.name("FAILURE");
    error @7 $Json.name("ERROR");
    heartbeat @8 $Json.name("HEARTBEAT");
  }

  struct Subscribed {
    frameworkId @0 :M.FrameworkID $Json.name("framework_id");
    heartbeatIntervalSeconds @1 :Float64 $Json.name("heartbeat_interval_seconds");
    masterInfo @2 :M.MasterInfo $Json.name("master_info");
  }

  struct Offers { offers @0 :List(M.Offer); }

  struct Rescind { offerId @0 :M.OfferID $Json.name("offer_id"); }

  struct Update { status @0 :M.TaskStatus; }

  struct Message {
    agentId @0 :M.AgentID $Json.name("agent_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    data @2 :Data $Json.base64;
  }

  struct Failure {
    agentId @0 :M.AgentID $Json.name("agent_id");
    executorId @1 :M.ExecutorID $Json.name("executor_id");
    status @2 :Int32;
  }

  struct Error { message @0 :Text; }
}
