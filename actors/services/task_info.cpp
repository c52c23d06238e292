#include "actors/services/task_info.hpp"

#include <cctype>

#include <fmt/format.h>

#include "actors/resources/convert.hpp"

namespace cairn::services {

namespace {

using schema::services::ContainerType;
using schema::services::HealthProtocol;
using schema::services::NetworkMode;

} // namespace

offered offered_of(const resources& rs, const placement::agent_traits& traits) {
  offered out;
  out.agent = traits;
  auto pool_of = [&](const std::string& role) -> offered::pool& {
    for (auto& p : out.pools)
      if (p.role == role)
        return p;
    out.pools.push_back({});
    out.pools.back().role = role;
    return out.pools.back();
  };
  for (auto& r : rs.items()) {
    auto& p = pool_of(r.role);
    if (r.name == "cpus")
      p.cpus += from_milli(r.scalar);
    else if (r.name == "mem")
      p.mem += from_milli(r.scalar);
    else if (r.name == "disk")
      p.disk += from_milli(r.scalar);
    else if (r.name == "ports")
      for (auto& i : r.ranges)
        p.ports.emplace_back(i.begin, i.end);
  }
  return out;
}

resources needs_of(App::Reader app, const fit& f) {
  auto r = resources::scalar("cpus", app.getCpus(), f.role);
  r += resources::scalar("mem", app.getMem(), f.role);
  if (app.getDisk() > 0)
    r += resources::scalar("disk", app.getDisk(), f.role);
  for (auto p : f.host_ports)
    r += resources::port_range(p, p, f.role);
  return r;
}

static std::string env_name(std::string text) {
  for (auto& c : text)
    c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return text;
}

// Marathon's environment for a task, then the app's own (which wins).
std::vector<std::pair<std::string, std::string>> environment_of(App::Reader app,
                                                                const task_placement& i) {
  std::vector<std::pair<std::string, std::string>> env;
  env.emplace_back("MARATHON_APP_ID", app.getId());
  env.emplace_back("MARATHON_APP_VERSION", app.getVersion());
  env.emplace_back("MESOS_TASK_ID", i.task_id);
  env.emplace_back("HOST", i.host);
  env.emplace_back("MARATHON_APP_RESOURCE_CPUS", fmt::format("{}", app.getCpus()));
  env.emplace_back("MARATHON_APP_RESOURCE_MEM", fmt::format("{}", app.getMem()));
  env.emplace_back("MARATHON_APP_RESOURCE_DISK", fmt::format("{}", app.getDisk()));
  env.emplace_back("MARATHON_APP_RESOURCE_GPUS", fmt::format("{}", app.getGpus()));
  if (app.hasContainer() && app.getContainer().getType() == ContainerType::DOCKER)
    env.emplace_back("MARATHON_APP_DOCKER_IMAGE", app.getContainer().getDocker().getImage());
  std::string labels;
  for (auto l : app.getLabels().getEntries()) {
    labels += (labels.empty() ? "" : " ") + env_name(l.getKey());
    env.emplace_back("MARATHON_APP_LABEL_" + env_name(l.getKey()), l.getValue());
  }
  env.emplace_back("MARATHON_APP_LABELS", labels);
  std::string ports;
  std::vector<std::string> names;
  if (app.getNetworks().size() == 0 || app.getNetworks()[0].getMode() == NetworkMode::HOST)
    for (auto d : app.getPortDefinitions())
      names.push_back(d.getName());
  else if (app.hasContainer())
    for (auto m : app.getContainer().getPortMappings())
      names.push_back(m.getName());
  for (size_t k = 0; k < i.ports.size(); ++k) {
    auto p = std::to_string(i.ports[k]);
    env.emplace_back(fmt::format("PORT{}", k), p);
    if (k < names.size() && !names[k].empty())
      env.emplace_back("PORT_" + env_name(names[k]), p);
    ports += (k ? "," : "") + p;
  }
  if (!i.ports.empty()) {
    env.emplace_back("PORT", std::to_string(i.ports[0]));
    env.emplace_back("PORTS", ports);
  }
  for (auto e : app.getEnv().getEntries())
    env.emplace_back(e.getKey(), e.getValue());
  return env;
}

static void fill_container(schema::TaskInfo::Builder t, App::Reader app, const task_placement& i) {
  auto c = app.getContainer();
  auto info = t.initContainer();
  info.setType(schema::ContainerInfo::Type::DOCKER);
  auto d = info.initDocker();
  auto docker = c.getDocker();
  d.setImage(docker.getImage());
  d.setPrivileged(docker.getPrivileged());
  d.setForcePullImage(docker.getForcePullImage());
  bool bridge = app.getNetworks().size() > 0 &&
                app.getNetworks()[0].getMode() == NetworkMode::CONTAINER_BRIDGE;
  d.setNetwork(bridge ? schema::ContainerInfo::DockerInfo::Network::BRIDGE
                      : schema::ContainerInfo::DockerInfo::Network::HOST);
  if (docker.getParameters().size() > 0) {
    auto ps = d.initParameters(docker.getParameters().size());
    for (unsigned k = 0; k < ps.size(); ++k) {
      ps[k].setKey(docker.getParameters()[k].getKey());
      ps[k].setValue(docker.getParameters()[k].getValue());
    }
  }
  if (bridge) {
    auto mappings = c.getPortMappings();
    auto out = d.initPortMappings(mappings.size());
    for (unsigned k = 0; k < mappings.size(); ++k) {
      out[k].setHostPort(k < i.ports.size() ? static_cast<uint32_t>(i.ports[k]) : 0);
      out[k].setContainerPort(static_cast<uint32_t>(mappings[k].getContainerPort()));
      out[k].setProtocol(mappings[k].getProtocol());
    }
  }
  auto volumes = c.getVolumes();
  if (volumes.size() > 0) {
    auto out = info.initVolumes(volumes.size());
    for (unsigned k = 0; k < volumes.size(); ++k) {
      out[k].setContainerPath(volumes[k].getContainerPath());
      out[k].setHostPath(volumes[k].getHostPath());
      out[k].setMode(std::string(volumes[k].getMode()) == "RO" ? schema::Volume::Mode::RO
                                                               : schema::Volume::Mode::RW);
    }
  }
}

// The app's health check as the executor runs it: COMMAND and MESOS_* as
// Marathon hands them to Mesos; HTTP, HTTPS and TCP too (Marathon probes
// those itself; here the executor does, on the same port and path).
static void fill_health_check(schema::TaskInfo::Builder t, App::Reader app, const task_placement& i) {
  if (app.getHealthChecks().size() == 0)
    return;
  auto c = app.getHealthChecks()[0];
  auto h = t.initHealthCheck();
  h.setDelaySeconds(c.getDelaySeconds());
  h.setIntervalSeconds(c.getIntervalSeconds());
  h.setTimeoutSeconds(c.getTimeoutSeconds());
  h.setConsecutiveFailures(static_cast<uint32_t>(c.getMaxConsecutiveFailures()));
  h.setGracePeriodSeconds(c.getGracePeriodSeconds());
  auto p = c.getProtocol();
  uint32_t port = c.getPort() != 0 ? static_cast<uint32_t>(c.getPort())
                  : static_cast<size_t>(c.getPortIndex()) < i.ports.size()
                    ? static_cast<uint32_t>(i.ports[static_cast<size_t>(c.getPortIndex())])
                    : 0;
  if (p == HealthProtocol::COMMAND) {
    h.setType(schema::HealthCheck::Type::COMMAND);
    auto cmd = h.initCommand();
    cmd.setShell(true);
    cmd.setValue(c.getCommand().getValue());
  } else if (p == HealthProtocol::TCP || p == HealthProtocol::MESOS_TCP) {
    h.setType(schema::HealthCheck::Type::TCP);
    h.initTcp().setPort(port);
  } else {
    h.setType(schema::HealthCheck::Type::HTTP);
    auto http = h.initHttp();
    http.setPort(port);
    http.setPath(c.getPath());
    if (p == HealthProtocol::HTTPS || p == HealthProtocol::MESOS_HTTPS)
      http.setScheme("https");
  }
}

wire<schema::TaskInfo> task_info_of(App::Reader app, const task_placement& i,
                                    const resources& res) {
  return make_wire<schema::TaskInfo>([&](schema::TaskInfo::Builder b) {
    auto id = parse_path_id(app.getId().cStr()).id;
    std::string name;
    for (auto it = id->segments.rbegin(); it != id->segments.rend(); ++it)
      name += (name.empty() ? "" : ".") + *it;
    b.setName(name);  // Marathon names a task /team/web "web.team"
    b.initTaskId().setValue(i.task_id);
    set_resources(b, res);
    auto c = b.initCommand();
    bool docker = app.hasContainer() && app.getContainer().getType() == ContainerType::DOCKER;
    if (app.hasCmd()) {
      c.setShell(true);
      c.setValue(app.getCmd());
    } else {
      c.setShell(false);
      auto args = app.getArgs();
      if (!docker && args.size() > 0)
        c.setValue(args[0]);
      auto out = c.initArguments(args.size());
      for (unsigned k = 0; k < args.size(); ++k)
        out.set(k, args[k]);
    }
    auto env = environment_of(app, i);
    auto vars = c.initEnvironment().initVariables(static_cast<unsigned>(env.size()));
    for (unsigned k = 0; k < env.size(); ++k) {
      vars[k].setName(env[k].first);
      vars[k].setValue(env[k].second);
    }
    auto fetch = app.getFetch();
    auto uris = c.initUris(fetch.size());
    for (unsigned k = 0; k < fetch.size(); ++k) {
      uris[k].setValue(fetch[k].getUri());
      uris[k].setExecutable(fetch[k].getExecutable());
      uris[k].setExtract(fetch[k].getExtract());
      uris[k].setCache(fetch[k].getCache());
      if (fetch[k].hasDestPath())
        uris[k].setOutputFile(fetch[k].getDestPath());
    }
    if (app.hasUser() && app.getUser().size() > 0)
      c.setUser(app.getUser());
    if (docker)
      fill_container(b, app, i);
    fill_health_check(b, app, i);
    if (app.getTaskKillGracePeriodSeconds() > 0)
      b.initKillPolicy().initGracePeriod().setNanoseconds(
        int64_t{app.getTaskKillGracePeriodSeconds()} * 1'000'000'000);
    auto labels = app.getLabels().getEntries();
    if (labels.size() > 0) {
      auto out = b.initLabels().initLabels(labels.size());
      for (unsigned k = 0; k < labels.size(); ++k) {
        out[k].setKey(labels[k].getKey());
        out[k].setValue(labels[k].getValue());
      }
    }
  });
}


} // namespace cairn::services
