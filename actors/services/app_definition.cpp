#include "actors/services/app_definition.hpp"

#include <cmath>

#include <fmt/format.h>

#include "actors/placement/constraints.hpp"
#include "runtime/json.hpp"

namespace cairn::services {

namespace {

using schema::services::ContainerType;
using schema::services::HealthProtocol;
using schema::services::NetworkMode;

// Marathon fields cairn does not implement yet: an app that uses one is not
// valid, and the answer names it (a member that is null counts as absent).
struct unimplemented {
  const char* name;
  const char* why;
};
constexpr unimplemented unimplemented_members[] = {
  {"readinessChecks", "readiness checks are not implemented yet"},
  {"secrets", "secrets are not implemented yet"},
  {"residency", "resident apps (local persistent volumes) are not implemented yet"},
  {"ipAddress", "ipAddress is not implemented: use networks"},
  {"storeUrls", "storeUrls is not implemented"},
  {"check", "Mesos checks on apps are not implemented yet: use healthChecks"},
  {"tty", "tty is not implemented yet"},
  {"role", "a role per app is not implemented yet"},
  {"resourceLimits", "resourceLimits are not implemented yet"},
};
constexpr unimplemented unimplemented_container[] = {
  {"linuxInfo", "container.linuxInfo is not implemented yet"},
};
constexpr unimplemented unimplemented_docker[] = {
  {"pullConfig", "private registry credentials (pullConfig) are not implemented yet"},
  {"credential", "registry credentials are not implemented yet"},
};
constexpr unimplemented unimplemented_volume[] = {
  {"persistent", "persistent volumes are not implemented yet"},
  {"external", "external volumes are not implemented yet"},
  {"secret", "secret volumes are not implemented yet"},
};

std::optional<capnp::JsonValue::Reader> member(capnp::JsonValue::Reader object,
                                               kj::StringPtr name) {
  if (!object.isObject())
    return std::nullopt;
  for (auto f : object.getObject())
    if (f.getName() == name)
      return f.getValue();
  return std::nullopt;
}

template <size_t N>
void refuse_members(capnp::JsonValue::Reader object, const unimplemented (&members)[N],
                    const std::string& path, std::vector<violation>& out) {
  for (const auto& m : members)
    if (member(object, m.name))
      out.push_back({path + "/" + m.name, m.why});
}

// What the schema cannot decode to refuse by name: Marathon members cairn
// does not implement, and env values that are secret references.
std::vector<violation> raw_violations(capnp::JsonValue::Reader app) {
  std::vector<violation> out;
  refuse_members(app, unimplemented_members, "", out);
  if (auto env = member(app, "env"); env && env->isObject())
    for (auto f : env->getObject())
      if (!f.getValue().isString())
        out.push_back({std::string("/env/") + f.getName().cStr(),
                       "only text values are implemented; secret references are not yet"});
  if (auto container = member(app, "container"); container && container->isObject()) {
    refuse_members(*container, unimplemented_container, "/container", out);
    if (auto docker = member(*container, "docker"))
      refuse_members(*docker, unimplemented_docker, "/container/docker", out);
    if (auto volumes = member(*container, "volumes"); volumes && volumes->isArray())
      for (unsigned i = 0; i < volumes->getArray().size(); ++i)
        refuse_members(volumes->getArray()[i], unimplemented_volume,
                       fmt::format("/container/volumes({})", i), out);
  }
  return out;
}

schema::services::PortMapping::Builder default_mapping(
  capnp::List<schema::services::PortMapping>::Builder list) {
  auto m = list[0];
  m.setName("default");
  return m;
}

// Marathon's current networking shape out of the deprecated one.
void rewrite_networking(App::Builder app, std::vector<violation>& out) {
  if (app.hasContainer() && app.getContainer().hasDocker()) {
    auto container = app.getContainer();
    auto docker = container.getDocker();
    if (docker.hasNetwork()) {
      std::string network = docker.getNetwork().cStr();
      if (app.hasNetworks() && app.getNetworks().size() > 0) {
        out.push_back({"/container/docker/network",
                       "is deprecated and may not be given with networks"});
      } else if (network == "HOST" || network == "BRIDGE") {
        app.initNetworks(1)[0].setMode(network == "HOST" ? NetworkMode::HOST
                                                         : NetworkMode::CONTAINER_BRIDGE);
      } else if (network == "USER") {
        app.initNetworks(1)[0].setMode(NetworkMode::CONTAINER);
      } else {
        out.push_back({"/container/docker/network",
                       "'" + network + "' is not one of HOST, BRIDGE, USER"});
      }
      docker.disownNetwork();
    }
    if (docker.hasPortMappings()) {
      if (container.hasPortMappings())
        out.push_back({"/container/docker/portMappings",
                       "is deprecated and may not be given with container.portMappings"});
      else
        container.adoptPortMappings(docker.disownPortMappings());
    }
  }
  if (!app.hasNetworks() || app.getNetworks().size() == 0)
    app.initNetworks(1)[0].setMode(NetworkMode::HOST);
  if (app.hasPorts()) {
    auto ports = app.getPorts();
    if (app.hasPortDefinitions()) {
      out.push_back({"/ports", "is deprecated and may not be given with portDefinitions"});
    } else {
      auto defs = app.initPortDefinitions(ports.size());
      for (unsigned i = 0; i < ports.size(); ++i)
        defs[i].setPort(ports[i]);
    }
    app.disownPorts();
  }
  auto mode = app.getNetworks()[0].getMode();
  if (mode == NetworkMode::HOST) {
    if (app.hasContainer() && app.getContainer().hasPortMappings() &&
        app.getContainer().getPortMappings().size() > 0)
      out.push_back({"/container/portMappings",
                     "are for container networking; host networking uses portDefinitions"});
    if (!app.hasPortDefinitions())
      app.initPortDefinitions(1)[0].setName("default");
  } else {
    if (app.hasPortDefinitions() && app.getPortDefinitions().size() > 0)
      out.push_back({"/portDefinitions",
                     "are for host networking; container networking uses "
                     "container.portMappings"});
    app.disownPortDefinitions();
    auto container = app.getContainer();  // made, if it was absent
    if (!container.hasPortMappings())
      default_mapping(container.initPortMappings(1));
  }
}

// Members Marathon always writes, even empty, as clients read them without a
// check (marathon-lb reads app["labels"]).
void fill_defaults(App::Builder app) {
  if (app.hasUris()) {
    // Marathon's deprecated uris are fetch entries with the fetcher's defaults.
    auto uris = app.getUris();
    auto old = app.hasFetch() ? app.getFetch().size() : 0u;
    auto orphan = app.disownFetch();
    auto fetch = app.initFetch(old + uris.size());
    for (unsigned i = 0; i < old; ++i)
      fetch.setWithCaveats(i, orphan.getReader()[i]);
    for (unsigned i = 0; i < uris.size(); ++i)
      fetch[old + i].setUri(uris[i]);
    app.disownUris();
  }
  if (!app.hasEnv())
    app.initEnv();
  if (!app.hasLabels())
    app.initLabels();
  if (!app.hasConstraints())
    app.initConstraints(0);
  if (!app.hasFetch())
    app.initFetch(0);
  if (!app.hasHealthChecks())
    app.initHealthChecks(0);
  if (!app.hasDependencies())
    app.initDependencies(0);
  for (auto d : app.getPortDefinitions())
    if (!d.hasProtocol())
      d.setProtocol("tcp");
  if (app.hasContainer())
    for (auto m : app.getContainer().getPortMappings())
      if (!m.hasProtocol())
        m.setProtocol("tcp");
  if (!app.hasUpgradeStrategy())
    app.initUpgradeStrategy();
  if (!app.hasUnreachableStrategy())
    app.initUnreachableStrategy();
  for (auto check : app.getHealthChecks()) {
    auto p = check.getProtocol();
    bool http = p == HealthProtocol::HTTP || p == HealthProtocol::HTTPS ||
                p == HealthProtocol::MESOS_HTTP || p == HealthProtocol::MESOS_HTTPS;
    if (http && !check.hasPath())
      check.setPath("/");
  }
}

void at_least(std::vector<violation>& out, const char* path, double value, double least) {
  if (!(value >= least) || !std::isfinite(value))  // NaN and 1e400 too
    out.push_back({path, fmt::format("got {}, expected a finite {} or more", value, least)});
}

void between(std::vector<violation>& out, const std::string& path, double value, double low,
             double high) {
  if (!(value >= low && value <= high))
    out.push_back({path, fmt::format("got {}, expected between {} and {}", value, low, high)});
}

void validate_constraints(App::Reader app, std::vector<violation>& out) {
  auto list = app.getConstraints();
  for (unsigned i = 0; i < list.size(); ++i) {
    std::vector<std::string> fields;
    for (auto f : list[i])
      fields.emplace_back(f.cStr());
    if (auto c = placement::read_constraint(fields); !c)
      out.push_back({fmt::format("/constraints({})", i), error_message(c.error())});
  }
}

void validate_health_checks(App::Reader app, size_t ports, std::vector<violation>& out) {
  auto checks = app.getHealthChecks();
  for (unsigned i = 0; i < checks.size(); ++i) {
    auto path = fmt::format("/healthChecks({})", i);
    auto c = checks[i];
    auto p = c.getProtocol();
    if (p == HealthProtocol::COMMAND) {
      if (!c.hasCommand() || c.getCommand().getValue().size() == 0)
        out.push_back({path + "/command", "a COMMAND health check needs a command"});
    } else if (c.getPort() == 0 && static_cast<size_t>(c.getPortIndex()) >= ports) {
      out.push_back({path + "/portIndex",
                     fmt::format("{} is not the index of one of the app's {} ports",
                                 c.getPortIndex(), ports)});
    }
    if (c.getPortIndex() < 0)
      out.push_back({path + "/portIndex", "must not be negative"});
    between(out, path + "/port", static_cast<double>(c.getPort()), 0, 65535);
    at_least(out, (path + "/gracePeriodSeconds").c_str(), c.getGracePeriodSeconds(), 0);
    at_least(out, (path + "/intervalSeconds").c_str(), c.getIntervalSeconds(), 1);
    at_least(out, (path + "/timeoutSeconds").c_str(), c.getTimeoutSeconds(), 1);
    at_least(out, (path + "/maxConsecutiveFailures").c_str(), c.getMaxConsecutiveFailures(), 0);
    at_least(out, (path + "/delaySeconds").c_str(), c.getDelaySeconds(), 0);
    if (c.getIgnoreHttp1xx())
      out.push_back({path + "/ignoreHttp1xx", "is not implemented yet: the executor's HTTP "
                                              "check counts 200-399 as healthy"});
    if (c.getTimeoutSeconds() >= c.getIntervalSeconds() && c.getIntervalSeconds() >= 1)
      out.push_back({path + "/timeoutSeconds", "must be less than intervalSeconds"});
  }
}

void validate_container(App::Reader app, std::vector<violation>& out) {
  if (!app.hasContainer())
    return;
  auto c = app.getContainer();
  if (c.getType() == ContainerType::DOCKER) {
    if (!c.hasDocker() || c.getDocker().getImage().size() == 0)
      out.push_back({"/container/docker/image", "must not be empty"});
  } else if (c.hasDocker() && c.getDocker().getImage().size() > 0) {
    out.push_back({"/container/docker/image",
                   "Docker images in the MESOS container are not implemented yet: "
                   "use type DOCKER"});
  }
  auto volumes = c.getVolumes();
  for (unsigned i = 0; i < volumes.size(); ++i) {
    auto path = fmt::format("/container/volumes({})", i);
    std::string mode = volumes[i].getMode();
    if (mode != "RO" && mode != "RW")
      out.push_back({path + "/mode", "must be RO or RW"});
    if (volumes[i].getContainerPath().size() == 0)
      out.push_back({path + "/containerPath", "must not be empty"});
    if (volumes[i].getHostPath().size() == 0)
      out.push_back({path + "/hostPath", "must not be empty"});
  }
  auto mappings = c.getPortMappings();
  for (unsigned i = 0; i < mappings.size(); ++i) {
    auto path = fmt::format("/container/portMappings({})", i);
    between(out, path + "/containerPort", static_cast<double>(mappings[i].getContainerPort()), 0,
            65535);
    between(out, path + "/hostPort", static_cast<double>(mappings[i].getHostPort()), 0, 65535);
    between(out, path + "/servicePort", static_cast<double>(mappings[i].getServicePort()), 0,
            65535);
    std::string protocol = mappings[i].getProtocol();
    if (protocol != "tcp" && protocol != "udp" && protocol != "udp,tcp" && protocol != "tcp,udp")
      out.push_back({path + "/protocol", "must be tcp, udp or udp,tcp"});
  }
}

void validate_networks(App::Reader app, std::vector<violation>& out) {
  auto networks = app.getNetworks();
  for (unsigned i = 0; i < networks.size(); ++i) {
    auto mode = networks[i].getMode();
    if (mode == NetworkMode::CONTAINER)
      out.push_back({fmt::format("/networks({})/mode", i),
                     "named container networks (CNI) are not implemented yet: use host or "
                     "container/bridge"});
    if (mode != networks[0].getMode())
      out.push_back({"/networks", "host networking may not be combined with another mode"});
  }
  if (networks.size() > 0 && networks[0].getMode() == NetworkMode::CONTAINER_BRIDGE &&
      (!app.hasContainer() || app.getContainer().getType() != ContainerType::DOCKER))
    out.push_back({"/networks", "container/bridge needs a DOCKER container in cairn (the MESOS "
                                "container has no bridge network yet)"});
}

void validate(App::Reader app, std::vector<violation>& out) {
  if (app.getId().size() == 0 || std::string(app.getId()) == "/")
    out.push_back({"/id", "must not be empty or the root group"});
  bool has_cmd = app.hasCmd(), has_args = app.hasArgs() && app.getArgs().size() > 0;
  if (has_cmd && has_args)
    out.push_back({"/", "AppDefinition must not contain both 'cmd' and 'args'"});
  if (!has_cmd && !has_args && !app.hasContainer())
    out.push_back({"/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a "
                        "'container'"});
  if (has_cmd && app.getCmd().size() == 0)
    out.push_back({"/cmd", "must not be empty"});
  at_least(out, "/instances", app.getInstances(), 0);
  at_least(out, "/cpus", app.getCpus(), 0);
  at_least(out, "/mem", app.getMem(), 0);
  at_least(out, "/disk", app.getDisk(), 0);
  if (app.getGpus() != 0)
    out.push_back({"/gpus", "GPUs are not implemented yet"});
  at_least(out, "/backoffSeconds", app.getBackoffSeconds(), 0);
  at_least(out, "/backoffFactor", app.getBackoffFactor(), 1.0);
  at_least(out, "/maxLaunchDelaySeconds", app.getMaxLaunchDelaySeconds(), 0);
  at_least(out, "/taskKillGracePeriodSeconds", app.getTaskKillGracePeriodSeconds(), 0);
  auto upgrade = app.getUpgradeStrategy();
  between(out, "/upgradeStrategy/minimumHealthCapacity", upgrade.getMinimumHealthCapacity(), 0, 1);
  between(out, "/upgradeStrategy/maximumOverCapacity", upgrade.getMaximumOverCapacity(), 0, 1);
  std::string executor = app.getExecutor();
  if (!executor.empty() && executor != "//cmd")
    out.push_back({"/executor", "custom executors are not implemented yet; '//cmd' is"});
  auto defs = app.getPortDefinitions();
  for (unsigned i = 0; i < defs.size(); ++i) {
    between(out, fmt::format("/portDefinitions({})/port", i),
            static_cast<double>(defs[i].getPort()), 0, 65535);
    for (unsigned k = 0; k < i; ++k)
      if (defs[i].getName().size() > 0 && defs[i].getName() == defs[k].getName())
        out.push_back({fmt::format("/portDefinitions({})/name", i), "names must be unique"});
  }
  auto fetch = app.getFetch();
  for (unsigned i = 0; i < fetch.size(); ++i)
    if (fetch[i].getUri().size() == 0)
      out.push_back({fmt::format("/fetch({})/uri", i), "must not be empty"});
  auto deps = app.getDependencies();
  for (unsigned i = 0; i < deps.size(); ++i)
    if (!parse_path_id(deps[i].cStr()).id)
      out.push_back({fmt::format("/dependencies({})", i),
                     "must fully match regular expression '" + std::string(segment_pattern) +
                       "'"});
  size_t ports = defs.size();
  if (app.hasContainer() && app.getNetworks()[0].getMode() != NetworkMode::HOST)
    ports = app.getContainer().getPortMappings().size();
  validate_health_checks(app, ports, out);
  validate_constraints(app, out);
  validate_container(app, out);
  validate_networks(app, out);
}

app_result invalid(std::vector<violation> details) {
  app_result r;
  r.status = 422;
  r.message = "Object is not valid";
  r.details = std::move(details);
  return r;
}

} // namespace

app_result read_app(std::string_view body, const path_id& base,
                    const std::optional<path_id>& url_id) {
  std::vector<violation> found;
  auto app = detail::read_json<App>(body, [&](capnp::JsonValue::Reader value)
                                              -> caf::expected<wire<App>> {
    if (!value.isObject())
      return make_error("invalid JSON: an app is a JSON object");
    found = raw_violations(value);
    if (!found.empty())
      return make_error("invalid");
    wire_builder<App> b;
    try {
      json_codec().decode(value, capnp::toDynamic(b.root()));
    } catch (const kj::Exception& e) {
      found.push_back({"/", std::string("invalid value: ") + e.getDescription().cStr()});
      return make_error("invalid");
    }
    auto root = b.root();
    if (root.hasId()) {
      auto id = parse_path_id(root.getId().cStr(), base);
      if (!id.id)
        found.push_back({"/id", id.error});
      else if (url_id && !(*id.id == *url_id))
        found.push_back({"/id", "'" + id.id->str() + "' is not the app '" + url_id->str() +
                                  "' of the request's path"});
      else
        root.setId(id.id->str());
    } else if (url_id) {
      root.setId(url_id->str());
    }
    rewrite_networking(root, found);
    fill_defaults(root);
    validate(root.asReader(), found);
    if (!found.empty())
      return make_error("invalid");
    return detail::checked_text(std::move(b));
  });
  if (!found.empty())
    return invalid(std::move(found));
  if (!app) {
    app_result r;
    r.status = 400;
    r.message = error_message(app.error());
    return r;
  }
  app_result r;
  r.app = std::move(*app);
  return r;
}

std::string error_body(const app_result& result) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>();
  auto fields = root.initObject(result.details.empty() ? 1 : 2);
  fields[0].setName("message");
  fields[0].initValue().setString(result.message);
  if (!result.details.empty()) {
    fields[1].setName("details");
    auto list = fields[1].initValue().initArray(static_cast<unsigned>(result.details.size()));
    for (unsigned i = 0; i < result.details.size(); ++i) {
      auto d = list[i].initObject(2);
      d[0].setName("path");
      d[0].initValue().setString(result.details[i].path);
      d[1].setName("errors");
      d[1].initValue().initArray(1)[0].setString(result.details[i].error);
    }
  }
  return detail::write_json(root.asReader());
}

std::string app_json(App::Reader app,
                     const std::vector<std::pair<std::string, std::string>>& extra) {
  auto out = to_json(app);
  if (extra.empty() || out.size() < 2 || out.back() != '}')
    return out;
  out.pop_back();
  for (const auto& [name, value] : extra) {
    capnp::MallocMessageBuilder m;
    auto key = m.initRoot<capnp::JsonValue>();
    key.setString(name);
    if (out.size() > 1)
      out += ',';
    out += detail::write_json(key.asReader());
    out += ':';
    out += value;
  }
  out += '}';
  return out;
}

} // namespace cairn::services
