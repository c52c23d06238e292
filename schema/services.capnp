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
