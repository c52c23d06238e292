# Framework <-> master: the v1 scheduler Call and Event, after Mesos'
# scheduler/scheduler.proto. One `type` names the call; the matching field holds it.
# Every call type Mesos has is known here; those the master does not serve yet
# are refused by name (actors/master/unsupported.cpp).
@0xe6c78b822f27d801;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema");
using Json = import "/capnp/compat/json.capnp";
using M = import "mesos.capnp";
using R = import "resources.capnp";

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
  shutdown @11 :Shutdown;
  acceptInverseOffers @12 :AcceptInverseOffers $Json.name("accept_inverse_offers");
  declineInverseOffers @13 :DeclineInverseOffers $Json.name("decline_inverse_offers");
  acknowledgeOperationStatus @14 :AcknowledgeOperationStatus
    $Json.name("acknowledge_operation_status");
  reconcileOperations @15 :ReconcileOperations $Json.name("reconcile_operations");
  request @16 :Request;
  updateFramework @17 :UpdateFramework $Json.name("update_framework");

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
    shutdown @11 $Json.name("SHUTDOWN");
    acceptInverseOffers @12 $Json.name("ACCEPT_INVERSE_OFFERS");
    declineInverseOffers @13 $Json.name("DECLINE_INVERSE_OFFERS");
    acknowledgeOperationStatus @14 $Json.name("ACKNOWLEDGE_OPERATION_STATUS");
    reconcileOperations @15 $Json.name("RECONCILE_OPERATIONS");
    request @16 $Json.name("REQUEST");
    updateFramework @17 $Json.name("UPDATE_FRAMEWORK");
  }

  struct Subscribe {
    frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
    suppressedRoles @1 :List(Text) $Json.name("suppressed_roles");
    offerConstraints @2 :OfferConstraints $Json.name("offer_constraints");
  }

  struct UpdateFramework {
    frameworkInfo @0 :M.FrameworkInfo $Json.name("framework_info");
    suppressedRoles @1 :List(Text) $Json.name("suppressed_roles");
    offerConstraints @2 :OfferConstraints $Json.name("offer_constraints");
  }

  struct AcceptInverseOffers {
    inverseOfferIds @0 :List(M.OfferID) $Json.name("inverse_offer_ids");
    filters @1 :M.Filters;
  }

  struct DeclineInverseOffers {
    inverseOfferIds @0 :List(M.OfferID) $Json.name("inverse_offer_ids");
    filters @1 :M.Filters;
  }

  struct Shutdown {
    executorId @0 :M.ExecutorID $Json.name("executor_id");
    agentId @1 :M.AgentID $Json.name("agent_id");
  }

  struct AcknowledgeOperationStatus {
    agentId @0 :M.AgentID $Json.name("agent_id");
    resourceProviderId @1 :R.ResourceProviderID $Json.name("resource_provider_id");
    uuid @2 :Data $Json.base64;
    operationId @3 :M.OperationID $Json.name("operation_id");
  }

  struct ReconcileOperations {
    operations @0 :List(Operation);

    struct Operation {
      operationId @0 :M.OperationID $Json.name("operation_id");
      agentId @1 :M.AgentID $Json.name("agent_id");
      resourceProviderId @2 :R.ResourceProviderID $Json.name("resource_provider_id");
    }
  }

  struct Request { requests @0 :List(M.Request); }

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
  inverseOffers @8 :InverseOffers $Json.name("inverse_offers");
  rescindInverseOffer @9 :RescindInverseOffer $Json.name("rescind_inverse_offer");
  updateOperationStatus @10 :UpdateOperationStatus $Json.name("update_operation_status");

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
    inverseOffers @9 $Json.name("INVERSE_OFFERS");
    rescindInverseOffer @10 $Json.name("RESCIND_INVERSE_OFFER");
    updateOperationStatus @11 $Json.name("UPDATE_OPERATION_STATUS");
  }

  struct InverseOffers {
    inverseOffers @0 :List(M.InverseOffer) $Json.name("inverse_offers");
  }

  struct RescindInverseOffer {
    inverseOfferId @0 :M.OfferID $Json.name("inverse_offer_id");
  }

  struct UpdateOperationStatus { status @0 :M.OperationStatus; }

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

struct Response {
  # The answer to a call that has one (200 OK rather than 202 Accepted).
  type @0 :Type;
  reconcileOperations @1 :ReconcileOperations $Json.name("reconcile_operations");

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    reconcileOperations @1 $Json.name("RECONCILE_OPERATIONS");
  }

  struct ReconcileOperations {
    operationStatuses @0 :List(M.OperationStatus) $Json.name("operation_statuses");
  }
}

# Which agents a framework's roles may be offered, by their attributes
# (Mesos 1.11's offer constraints). Protobuf oneofs are unions here.
struct AttributeConstraint {
  selector @0 :Selector;
  predicate @1 :Predicate;

  struct Selector {
    union {
      pseudoattributeType @0 :PseudoattributeType $Json.name("pseudoattribute_type");
      attributeName @1 :Text $Json.name("attribute_name");
    }

    enum PseudoattributeType {
      unknown @0 $Json.name("UNKNOWN");
      hostname @1 $Json.name("HOSTNAME");
      region @2 $Json.name("REGION");
      zone @3 $Json.name("ZONE");
    }
  }

  struct Predicate {
    exists @0 :Exists;
    notExists @1 :NotExists $Json.name("not_exists");
    textEquals @2 :TextEquals $Json.name("text_equals");
    textNotEquals @3 :TextNotEquals $Json.name("text_not_equals");
    textMatches @4 :TextMatches $Json.name("text_matches");
    textNotMatches @5 :TextNotMatches $Json.name("text_not_matches");

    struct Exists {}
    struct NotExists {}
    struct TextEquals { value @0 :Text; }
    struct TextNotEquals { value @0 :Text; }
    struct TextMatches { regex @0 :Text; }
    struct TextNotMatches { regex @0 :Text; }
  }
}

struct OfferConstraints {
  roleConstraints @0 :RoleConstraintsMap $Json.name("role_constraints");
  # Mesos' map<string, RoleConstraints>, keyed by role.

  struct RoleConstraints {
    groups @0 :List(Group);

    struct Group {
      attributeConstraints @0 :List(AttributeConstraint) $Json.name("attribute_constraints");
    }
  }
}

# Read and written by the codec's map handler (runtime/json_maps.cpp).
struct RoleConstraintsMap {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :OfferConstraints.RoleConstraints;
  }
}
