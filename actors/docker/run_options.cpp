#include "actors/docker/run_options.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "actors/docker/json_text.hpp"
#include "runtime/errors.hpp"

namespace cairn::docker {

namespace {

using Network = schema::ContainerInfo::DockerInfo::Network;
using Mode = schema::Volume::Mode;

// Mesos' floors: a container gets at least this much, whatever it asked.
constexpr int64_t cpu_shares_per_cpu = 1024;
constexpr int64_t min_cpu_shares = 2;
constexpr int64_t cfs_period_us = 100000;
constexpr int64_t min_cfs_quota_us = 1000;
constexpr int64_t min_memory_bytes = 32ll << 20;

caf::error option_error(const std::string& why) {
  return make_error("Failed to create docker run options: " + why);
}

bool is_absolute(const std::string& path) {
  return !path.empty() && path[0] == '/';
}

std::string join_path(const std::string& dir, const std::string& rest) {
  if (!dir.empty() && dir.back() == '/')
    return dir + rest;
  return dir + "/" + rest;
}

caf::expected<int64_t> parse_limit(const std::string& text) {
  if (text == "unlimited" || text == "-1")
    return int64_t{-1};
  errno = 0;
  char* end = nullptr;
  auto value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 0)
    return make_error("not a limit: '" + text + "'");
  return static_cast<int64_t>(value);
}

// --ulimit's form: name=soft[:hard].
caf::expected<ulimit> parse_ulimit(const std::string& value) {
  auto eq = value.find('=');
  if (eq == std::string::npos || eq == 0)
    return option_error("ulimit '" + value + "' is not name=soft[:hard]");
  ulimit u;
  u.name = value.substr(0, eq);
  auto limits = value.substr(eq + 1);
  auto colon = limits.find(':');
  auto soft = parse_limit(limits.substr(0, colon));
  auto hard = parse_limit(colon == std::string::npos ? limits.substr(0, colon)
                                                     : limits.substr(colon + 1));
  if (!soft || !hard)
    return option_error("ulimit '" + value + "' is not name=soft[:hard]");
  u.soft = *soft;
  u.hard = *hard;
  if (u.hard >= 0 && (u.soft < 0 || u.soft > u.hard))
    return option_error("ulimit '" + value + "': the soft limit is above the hard one");
  return u;
}

// `docker run`'s options that a task may pass as parameters; another key
// is refused, naming it, where Mesos would hand it to the CLI unchecked.
caf::error apply_parameter(run_options& o, const std::string& key, const std::string& value) {
  if (key == "label") {
    auto eq = value.find('=');
    o.labels[value.substr(0, eq)] = eq == std::string::npos ? "" : value.substr(eq + 1);
  } else if (key == "env") {
    if (value.empty() || value[0] == '=')
      return option_error("env parameter '" + value + "' is not NAME=VALUE");
    o.env.push_back(value.find('=') == std::string::npos ? value + "=" : value);
  } else if (key == "user") {
    o.user = value;
  } else if (key == "workdir") {
    if (!is_absolute(value))
      return option_error("workdir '" + value + "' is not an absolute path");
    o.working_dir = value;
  } else if (key == "hostname") {
    o.hostname = value;
  } else if (key == "add-host") {
    if (value.find(':') == std::string::npos)
      return option_error("add-host '" + value + "' is not host:ip");
    o.extra_hosts.push_back(value);
  } else if (key == "cap-add") {
    o.cap_add.push_back(value);
  } else if (key == "cap-drop") {
    o.cap_drop.push_back(value);
  } else if (key == "ulimit") {
    auto u = parse_ulimit(value);
    if (!u)
      return u.error();
    o.ulimits.push_back(*u);
  } else if (key == "log-driver") {
    o.log_driver = value;
  } else {
    return option_error("docker parameter '" + key + "' is not supported (supported: label, "
                        "env, user, workdir, hostname, add-host, cap-add, cap-drop, ulimit, "
                        "log-driver)");
  }
  return caf::none;
}

caf::error map_volumes(run_options& o, schema::ContainerInfo::Reader container,
                       const std::string& sandbox, const mapping_flags& flags) {
  for (auto v : container.getVolumes()) {
    if (v.hasSource() || v.hasImage())
      return option_error("ContainerInfo.volumes with a source or an image is not supported "
                          "by the docker containerizer yet");
    std::string host = v.getHostPath();
    std::string inside = v.getContainerPath();
    if (host.empty())
      return option_error("a volume of container path '" + inside + "' has no host_path");
    if (inside.empty())
      return option_error("a volume of host path '" + host + "' has no container_path");
    // As Mesos: a relative host path is in the sandbox, a relative container
    // path under the sandbox as the container sees it.
    if (!is_absolute(host))
      host = join_path(sandbox, host);
    if (!is_absolute(inside))
      inside = join_path(flags.sandbox_directory, inside);
    o.binds.push_back(host + ":" + inside + (v.getMode() == Mode::RO ? ":ro" : ":rw"));
  }
  return caf::none;
}

caf::error map_network(run_options& o, schema::ContainerInfo::Reader container,
                       const resources& res) {
  auto docker = container.getDocker();
  auto network = docker.getNetwork();
  switch (network) {
    case Network::HOST: o.network_mode = "host"; break;
    case Network::BRIDGE: o.network_mode = "bridge"; break;
    case Network::NONE: o.network_mode = "none"; break;
    case Network::USER: {
      auto infos = container.getNetworkInfos();
      if (infos.size() != 1 || !infos[0].hasName() || infos[0].getName().size() == 0)
        return option_error("a USER network needs exactly one network_infos entry with a name");
      o.network_mode = infos[0].getName();
      break;
    }
  }
  if (network != Network::USER && container.getNetworkInfos().size() > 0)
    return option_error("ContainerInfo.network_infos is only supported with a USER network");
  auto mappings = docker.getPortMappings();
  if (mappings.size() > 0 && network != Network::BRIDGE && network != Network::USER)
    return option_error("Port mappings are only supported for bridge and user-defined "
                        "networks");
  auto ports = res.get_ranges("ports");
  for (auto m : mappings) {
    port_binding b;
    b.host_port = m.getHostPort();
    b.container_port = m.getContainerPort();
    if (m.hasProtocol() && m.getProtocol().size() > 0)
      b.protocol = m.getProtocol();
    std::transform(b.protocol.begin(), b.protocol.end(), b.protocol.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (b.protocol != "tcp" && b.protocol != "udp" && b.protocol != "sctp")
      return option_error("port mapping protocol '" + b.protocol + "' is not tcp, udp or sctp");
    if (b.container_port == 0 || b.container_port > 65535)
      return option_error("container port " + std::to_string(b.container_port) +
                          " is not a port");
    bool within = std::any_of(ports.begin(), ports.end(), [&](const interval& i) {
      return b.host_port >= i.begin && b.host_port <= i.end;
    });
    if (!within)
      return option_error("Port [" + std::to_string(b.host_port) +
                          "] not included in resources");
    o.ports.push_back(b);
  }
  return caf::none;
}

void map_command(run_options& o, schema::CommandInfo::Reader command) {
  if (command.getShell()) {
    // The shell replaces the image's entrypoint: the value is a shell line.
    o.has_entrypoint = true;
    o.entrypoint = {"/bin/sh"};
    o.has_cmd = true;
    o.cmd = {"-c", command.getValue()};
    return;
  }
  // The image's entrypoint runs with the value and the arguments.
  if (command.hasValue() && command.getValue().size() > 0)
    o.cmd.emplace_back(command.getValue().cStr());
  for (auto a : command.getArguments())
    o.cmd.emplace_back(a.cStr());
  o.has_cmd = !o.cmd.empty();
}

void map_resources(run_options& o, const resources& res, const mapping_flags& flags) {
  double cpus = res.get_scalar("cpus");
  double mem_mb = res.get_scalar("mem");
  if (cpus > 0) {
    o.cpu_shares = std::max(static_cast<int64_t>(cpu_shares_per_cpu * cpus), min_cpu_shares);
    if (flags.cgroups_enable_cfs) {
      o.cpu_period_us = cfs_period_us;
      o.cpu_quota_us = std::max(static_cast<int64_t>(std::llround(cfs_period_us * cpus)),
                                min_cfs_quota_us);
    }
  }
  if (mem_mb > 0)
    o.memory_bytes =
      std::max(static_cast<int64_t>(std::llround(mem_mb * 1024 * 1024)), min_memory_bytes);
}

} // namespace

caf::expected<run_options> make_run_options(const std::string& container_id,
                                            const std::string& sandbox,
                                            schema::ContainerInfo::Reader container,
                                            schema::CommandInfo::Reader command,
                                            const resources& res, const mapping_flags& flags) {
  assert(!container_id.empty());
  if (container.getType() != schema::ContainerInfo::Type::DOCKER || !container.hasDocker())
    return option_error("the container is not of type DOCKER with a docker field");
  auto docker = container.getDocker();
  if (docker.getImage().size() == 0)
    return option_error("ContainerInfo.docker.image is empty");
  if (docker.hasVolumeDriver() && docker.getVolumeDriver().size() > 0)
    return option_error("ContainerInfo.docker.volume_driver is not supported");
  if (!is_absolute(flags.sandbox_directory))
    return option_error("--sandbox_directory '" + flags.sandbox_directory +
                        "' is not an absolute path");
  run_options o;
  o.name = name_prefix + container_id;
  o.image = docker.getImage();
  o.force_pull = docker.getForcePullImage();
  o.privileged = docker.getPrivileged();
  o.working_dir = flags.sandbox_directory;
  o.binds.push_back(sandbox + ":" + flags.sandbox_directory + ":rw");
  map_command(o, command);
  for (auto v : command.getEnvironment().getVariables())
    o.env.push_back(std::string(v.getName().cStr()) + "=" + v.getValue().cStr());
  o.env.push_back("MESOS_SANDBOX=" + flags.sandbox_directory);
  o.env.push_back("MESOS_CONTAINER_NAME=" + o.name);
  map_resources(o, res, flags);
  if (auto err = map_volumes(o, container, sandbox, flags))
    return err;
  if (auto err = map_network(o, container, res))
    return err;
  if (container.hasHostname() && container.getHostname().size() > 0)
    o.hostname = container.getHostname();
  for (auto p : docker.getParameters())
    if (auto err = apply_parameter(o, p.getKey(), p.getValue()))
      return err;
  if (!o.hostname.empty() && o.network_mode == "host")
    return option_error("a hostname cannot be set on the HOST network");
  assert(o.name.size() > std::string(name_prefix).size());
  return o;
}

std::string create_body(const run_options& o) {
  json_writer w;
  w.begin_object();
  w.key("Image").value(o.image);
  if (o.has_entrypoint)
    w.key("Entrypoint").strings(o.entrypoint);
  if (o.has_cmd)
    w.key("Cmd").strings(o.cmd);
  w.key("Env").strings(o.env);
  w.key("Labels").begin_object();
  for (const auto& [k, v] : o.labels)
    w.key(k).value(v);
  w.end_object();
  if (!o.user.empty())
    w.key("User").value(o.user);
  if (!o.working_dir.empty())
    w.key("WorkingDir").value(o.working_dir);
  if (!o.hostname.empty())
    w.key("Hostname").value(o.hostname);
  w.key("AttachStdout").value(true).key("AttachStderr").value(true);
  if (!o.ports.empty()) {
    w.key("ExposedPorts").begin_object();
    for (const auto& p : o.ports)
      w.key(std::to_string(p.container_port) + "/" + p.protocol).begin_object().end_object();
    w.end_object();
  }
  w.key("HostConfig").begin_object();
  w.key("Binds").strings(o.binds);
  if (o.cpu_shares > 0)
    w.key("CpuShares").value(o.cpu_shares);
  if (o.cpu_quota_us > 0)
    w.key("CpuQuota").value(o.cpu_quota_us).key("CpuPeriod").value(o.cpu_period_us);
  if (o.memory_bytes > 0)
    w.key("Memory").value(o.memory_bytes);
  w.key("NetworkMode").value(o.network_mode);
  if (!o.ports.empty()) {
    w.key("PortBindings").begin_object();
    for (const auto& p : o.ports) {
      w.key(std::to_string(p.container_port) + "/" + p.protocol).begin_array();
      w.begin_object().key("HostPort").value(std::to_string(p.host_port)).end_object();
      w.end_array();
    }
    w.end_object();
  }
  w.key("Privileged").value(o.privileged);
  if (!o.extra_hosts.empty())
    w.key("ExtraHosts").strings(o.extra_hosts);
  if (!o.cap_add.empty())
    w.key("CapAdd").strings(o.cap_add);
  if (!o.cap_drop.empty())
    w.key("CapDrop").strings(o.cap_drop);
  if (!o.ulimits.empty()) {
    w.key("Ulimits").begin_array();
    for (const auto& u : o.ulimits)
      w.begin_object().key("Name").value(u.name).key("Soft").value(u.soft)
        .key("Hard").value(u.hard).end_object();
    w.end_array();
  }
  if (!o.log_driver.empty())
    w.key("LogConfig").begin_object().key("Type").value(o.log_driver).end_object();
  w.end_object();
  w.end_object();
  return w.text();
}

} // namespace cairn::docker
