# The services framework's apps, in the JSON of Marathon's /v2/apps: field
# names are Marathon's, defaults are Marathon's (declared here, so that a
# member a client leaves out reads as Marathon would fill it in). Only what
# cairn implements is declared; Marathon fields it does not implement yet
# are refused by name before decoding (actors/services/app_definition.cpp).
@0xc4d0a1f2b8e96a13;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::services");
using Json = import "/capnp/compat/json.capnp";
using R = import "resources.capnp";

struct App {
  id @0 :Text;
  cmd @1 :Text;
  args @2 :List(Text);
  user @3 :Text;
  env @4 :R.TextMap;
  instances @5 :Int32 = 1;
  cpus @6 :Float64 = 1.0;
  mem @7 :Float64 = 128.0;
  disk @8 :Float64 = 0.0;
  gpus @9 :Int32 = 0;
  constraints @10 :List(List(Text));
  uris @11 :List(Text);
  fetch @12 :List(Artifact);
  backoffSeconds @13 :Float64 = 1.0;
  backoffFactor @14 :Float64 = 1.15;
  maxLaunchDelaySeconds @15 :Float64 = 300.0;
  container @16 :Container;
  healthChecks @17 :List(HealthCheck);
  labels @18 :R.TextMap;
  ports @19 :List(Int64);  # deprecated: rewritten into portDefinitions
  portDefinitions @20 :List(PortDefinition);
  requirePorts @21 :Bool = false;
  upgradeStrategy @22 :UpgradeStrategy;
  unreachableStrategy @23 :UnreachableStrategy;
  killSelection @24 :KillSelection;
  acceptedResourceRoles @25 :List(Text);
  networks @26 :List(Network);
  dependencies @27 :List(Text);
  taskKillGracePeriodSeconds @28 :Int32 = 0;  # 0: the agent's grace period
  version @29 :Text;
  executor @30 :Text;
}

enum KillSelection {
  youngestFirst @0 $Json.name("YOUNGEST_FIRST");
  oldestFirst @1 $Json.name("OLDEST_FIRST");
}

struct Artifact {
  uri @0 :Text;
  extract @1 :Bool = true;
  executable @2 :Bool = false;
  cache @3 :Bool = false;
  destPath @4 :Text;
}

struct UpgradeStrategy {
  minimumHealthCapacity @0 :Float64 = 1.0;
  maximumOverCapacity @1 :Float64 = 1.0;
}

struct UnreachableStrategy {
  inactiveAfterSeconds @0 :Int64 = 0;
  expungeAfterSeconds @1 :Int64 = 0;
}

struct Network {
  mode @0 :NetworkMode;
  name @1 :Text;
  labels @2 :R.TextMap;
}

enum NetworkMode {
  # Marathon's own default for a network without a mode is `container`.
  container @0 $Json.name("container");
  containerBridge @1 $Json.name("container/bridge");
  host @2 $Json.name("host");
}

struct PortDefinition {
  port @0 :Int64 = 0;
  protocol @1 :Text = "tcp";
  name @2 :Text;
  labels @3 :R.TextMap;
}

struct PortMapping {
  containerPort @0 :Int64 = 0;
  hostPort @1 :Int64 = 0;
  servicePort @2 :Int64 = 0;
  protocol @3 :Text = "tcp";
  name @4 :Text;
  labels @5 :R.TextMap;
}

struct Container {
  type @0 :ContainerType;
  docker @1 :Docker;
  volumes @2 :List(Volume);
  portMappings @3 :List(PortMapping);
}

enum ContainerType {
  docker @0 $Json.name("DOCKER");
  mesos @1 $Json.name("MESOS");
}

struct Docker {
  image @0 :Text;
  network @1 :Text;                  # deprecated: rewritten into networks
  portMappings @2 :List(PortMapping);  # deprecated: rewritten into container.portMappings
  privileged @3 :Bool = false;
  parameters @4 :List(Parameter);
  forcePullImage @5 :Bool = false;
}

struct Parameter {
  key @0 :Text;
  value @1 :Text;
}

struct Volume {
  containerPath @0 :Text;
  hostPath @1 :Text;
  mode @2 :Text;  # RO or RW
}

struct HealthCheck {
  protocol @0 :HealthProtocol;
  path @1 :Text;
  portIndex @2 :Int32 = 0;
  port @3 :Int64 = 0;  # set: this port, not the one at portIndex
  command @4 :HealthCommand;
  gracePeriodSeconds @5 :Int32 = 300;
  intervalSeconds @6 :Int32 = 60;
  timeoutSeconds @7 :Int32 = 20;
  maxConsecutiveFailures @8 :Int32 = 3;
  delaySeconds @9 :Int32 = 15;
  ignoreHttp1xx @10 :Bool = false;
}

enum HealthProtocol {
  http @0 $Json.name("HTTP");
  https @1 $Json.name("HTTPS");
  tcp @2 $Json.name("TCP");
  command @3 $Json.name("COMMAND");
  mesosHttp @4 $Json.name("MESOS_HTTP");
  mesosHttps @5 $Json.name("MESOS_HTTPS");
  mesosTcp @6 $Json.name("MESOS_TCP");
}

struct HealthCommand {
  value @0 :Text;
}

# What the REST API answers besides apps, in Marathon's shapes (field names
# as Marathon writes them).

struct IpAddress {
  ipAddress @0 :Text;
  protocol @1 :Text = "IPv4";
}

struct HealthCheckResult {
  alive @0 :Bool;
  consecutiveFailures @1 :Int32;
  firstSuccess @2 :Text;
  lastSuccess @3 :Text;
  lastFailure @4 :Text;
  instanceId @5 :Text;
}

# One instance as /v2/tasks and /v2/apps/{id}/tasks show it; also what the
# framework keeps of it in its store.
struct Task {
  id @0 :Text;
  appId @1 :Text;
  host @2 :Text;
  ipAddresses @3 :List(IpAddress);
  ports @4 :List(Int64);
  servicePorts @5 :List(Int64);
  slaveId @6 :Text;
  stagedAt @7 :Text;
  startedAt @8 :Text;
  state @9 :Text;
  version @10 :Text;
  localVolumes @11 :List(Text);
  healthCheckResults @12 :List(HealthCheckResult);
}

struct TaskList {
  tasks @0 :List(Task);
}

struct DeploymentAction {
  action @0 :Text;  # StartApplication, ScaleApplication, RestartApplication, StopApplication
  app @1 :Text;
  readinessCheckResults @2 :List(Text);
}

struct DeploymentStep {
  actions @0 :List(DeploymentAction);
}

struct Deployment {
  id @0 :Text;
  version @1 :Text;
  affectedApps @2 :List(Text);
  affectedPods @3 :List(Text);
  steps @4 :List(DeploymentStep);
  currentActions @5 :List(DeploymentAction);
  currentStep @6 :Int32;
  totalSteps @7 :Int32;
}

struct DeploymentList {
  deployments @0 :List(Deployment);
}

# 200 and 201 answers to a change: {"deploymentId": ..., "version": ...}.
struct DeploymentResult {
  deploymentId @0 :Text;
  version @1 :Text;
}

struct Delay {
  timeLeftSeconds @0 :Int64;
  overdue @1 :Bool;
}

struct OfferResource {
  name @0 :Text;
  scalar @1 :Float64;
  ranges @2 :List(PortRange);
  role @3 :Text;
}

struct PortRange {
  begin @0 :Int64;
  end @1 :Int64;
}

struct UnusedOffer {
  offer @0 :UnusedOfferBody;
  timestamp @1 :Text;
  reason @2 :List(Text);
}

struct UnusedOfferBody {
  id @0 :Text;
  agentId @1 :Text;
  hostname @2 :Text;
  resources @3 :List(OfferResource);
}

struct RejectSummary {
  reason @0 :Text;
  declined @1 :Int64;
  processed @2 :Int64;
}

struct ProcessedOffersSummary {
  processedOffersCount @0 :Int64;
  unusedOffersCount @1 :Int64;
  lastUnusedOfferAt @2 :Text;
  lastUsedOfferAt @3 :Text;
  rejectSummaryLastOffers @4 :List(RejectSummary);
}

struct QueueEntry {
  count @0 :Int32;
  delay @1 :Delay;
  since @2 :Text;
  app @3 :App;
  processedOffersSummary @4 :ProcessedOffersSummary;
  lastUnusedOffers @5 :List(UnusedOffer);
}

struct Queue {
  queue @0 :List(QueueEntry);
}

struct Leader {
  leader @0 :Text;
}

struct Message {
  message @0 :Text;
}

# GET /v2/info: the last four objects always present, as clients read them
# without a check.
struct Info {
  name @0 :Text;
  version @1 :Text;
  buildref @2 :Text;
  elected @3 :Bool;
  leader @4 :Text;
  frameworkId @5 :Text;
  marathonConfig @6 :MarathonConfig $Json.name("marathon_config");
  zookeeperConfig @7 :ZookeeperConfig $Json.name("zookeeper_config");
  eventSubscriber @8 :EventSubscriber $Json.name("event_subscriber");
  httpConfig @9 :HttpConfig $Json.name("http_config");

  struct MarathonConfig {
    master @0 :Text;
    frameworkName @1 :Text $Json.name("framework_name");
    failoverTimeout @2 :Int64 $Json.name("failover_timeout");
    checkpoint @3 :Bool;
    hostname @4 :Text;
    mesosRole @5 :Text $Json.name("mesos_role");
    mesosUser @6 :Text $Json.name("mesos_user");
    declineOfferDuration @7 :Int64 $Json.name("decline_offer_duration");
    taskLaunchTimeout @8 :Int64 $Json.name("task_launch_timeout");
    localPortMin @9 :Int64 $Json.name("local_port_min");
    localPortMax @10 :Int64 $Json.name("local_port_max");
    features @11 :List(Text);
  }
  struct ZookeeperConfig {
    zk @0 :Text;
  }
  struct EventSubscriber {
    type @0 :Text;
  }
  struct HttpConfig {
    httpPort @0 :Int64 $Json.name("http_port");
    httpsPort @1 :Int64 $Json.name("https_port");
  }
}

# What the framework keeps per app in the key-value store.
struct StoredApp {
  app @0 :App;
  wantedNew @1 :Int32;
  tasks @2 :List(Task);
  lastScalingAt @3 :Text;
  lastConfigChangeAt @4 :Text;
}

struct StoredDeployment {
  deployment @0 :Deployment;
  previous @1 :List(App);     # the apps before, for a rollback
  removed @2 :List(Text);     # apps the deployment made (a rollback removes them)
}

struct StoredDeployments {
  deployments @0 :List(StoredDeployment);
}

# /v2/events: Marathon's event types, one JSON object per server-sent event.
struct StatusUpdateEvent {
  eventType @0 :Text;  # status_update_event
  timestamp @1 :Text;
  slaveId @2 :Text;
  taskId @3 :Text;
  taskStatus @4 :Text;
  message @5 :Text;
  appId @6 :Text;
  host @7 :Text;
  ipAddresses @8 :List(IpAddress);
  ports @9 :List(Int64);
  version @10 :Text;
}

struct HealthStatusChangedEvent {
  eventType @0 :Text;  # health_status_changed_event
  timestamp @1 :Text;
  appId @2 :Text;
  taskId @3 :Text;
  instanceId @4 :Text;
  version @5 :Text;
  alive @6 :Bool;
}

struct ApiPostEvent {
  eventType @0 :Text;  # api_post_event
  timestamp @1 :Text;
  clientIp @2 :Text;
  uri @3 :Text;
  appDefinition @4 :App;
}

struct DeploymentEvent {
  eventType @0 :Text;  # deployment_info, deployment_step_success, deployment_success, deployment_failed
  timestamp @1 :Text;
  id @2 :Text;
  plan @3 :Deployment;
  currentStep @4 :DeploymentStep;
}

struct StreamAttachedEvent {
  eventType @0 :Text;  # event_stream_attached
  timestamp @1 :Text;
  remoteAddress @2 :Text;
}
