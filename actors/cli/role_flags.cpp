#include "actors/cli/role_flags.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "actors/agent/composing_containerizer.hpp"
#include "actors/agent/docker_containerizer.hpp"
#include "actors/agent/executor_environment.hpp"
#include "actors/agent/mesos_containerizer.hpp"
#include "actors/checks.hpp"
#include "actors/log/log_actor.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/process.hpp"
#include "runtime/random.hpp"

namespace cairn {

void node_flags::add_to(flag_table& t) {
  t.add({"ip"}, ip, "Address to listen on");
  t.add({"advertise_ip"}, advertise_ip, "Address others use to reach this node");
  t.add({"hostname"}, hostname, "Hostname to advertise");
  t.add({"port", "http_port"}, http_port, "HTTP port (0 picks a free one)");
  t.add({"work_dir"}, work_dir, "Directory for sandboxes and state");
  t.add({"logging_level"}, logging_level, "INFO, WARNING or ERROR");
  t.add({"http_max_connections"}, http_max_connections,
        "HTTP connections held at once; past it the oldest idle or slow one is closed");
  t.add({"http_max_connections_per_address"}, http_max_connections_per_address,
        "HTTP connections from one client address; past it new ones get 503");
  t.add({"http_body_timeout"}, http_body_timeout,
        "How long a request body may take to arrive after its headers");
}

caf::expected<http_server_options> node_flags::http_options() const {
  if (http_max_connections == 0)
    return make_error("--http-max-connections must be at least 1");
  if (http_max_connections_per_address == 0)
    return make_error("--http-max-connections-per-address must be at least 1");
  auto body_ms = std::chrono::duration_cast<std::chrono::milliseconds>(http_body_timeout);
  if (body_ms.count() <= 0)
    return make_error("--http-body-timeout must be at least 1ms");
  http_server_options o;
  o.max_connections = http_max_connections;
  o.max_connections_per_address = http_max_connections_per_address;
  o.body_timeout = body_ms;
  return o;
}

std::string node_flags::advertised_ip() const {
  return advertise_ip.empty() ? ip : advertise_ip;
}

std::string node_flags::advertised_hostname() const {
  return hostname.empty() ? advertised_ip() : hostname;
}

void master_flags::add_to(flag_table& t) {
  t.add({"allocation_interval"}, allocation_interval, "Time between batch allocation passes");
  t.add({"framework_heartbeat_interval"}, framework_heartbeat_interval,
        "Time between HEARTBEAT events to frameworks");
  t.add({"weights"}, weights, "Role weights for DRF, e.g. \"web=2,batch=1\"");
  t.add({"agent_ping_timeout", "slave_ping_timeout"}, agent_ping_timeout,
        "How long an agent has to answer a ping");
  t.add({"max_agent_ping_timeouts", "max_slave_ping_timeouts"}, max_agent_ping_timeouts,
        "Unanswered pings in a row before an agent is unreachable");
  t.add({"agent_removal_timeout"}, agent_removal_timeout,
        "How long an unreachable agent is kept before it is forgotten");
  t.add({"agent_reregister_timeout", "slave_reregister_timeout"}, agent_reregister_timeout,
        "How long agents have to re-register with a newly elected master");
  t.add({"cluster"}, cluster, "Name of the cluster, shown in /master/state and the UI");
  t.add({"max_completed_frameworks"}, max_completed_frameworks,
        "Completed frameworks kept for /master/state");
  t.add({"max_completed_tasks_per_framework"}, max_completed_tasks_per_framework,
        "Completed tasks kept per framework for /master/state");
  t.add({"heartbeat_interval"}, heartbeat_interval,
        "Time between the log leader's heartbeats to the other masters");
  t.add({"election_timeout"}, election_timeout,
        "How long masters hear no log leader before electing one (at least three "
        "heartbeat intervals; the leader's lease is about 2/3 of it)");
}

caf::expected<master_options> master_flags::options(const node_flags& node) const {
  auto parsed_weights = parse_weights(weights);
  if (!parsed_weights)
    return parsed_weights.error();
  if (auto err = check_log_timing(heartbeat_interval, election_timeout))
    return err;
  master_options o;
  o.weights = std::move(*parsed_weights);
  o.hostname = node.advertised_hostname();
  o.ip = node.advertised_ip();
  o.http_port = node.http_port;
  o.allocation_interval = allocation_interval;
  o.framework_heartbeat_interval = framework_heartbeat_interval;
  o.agent_ping_timeout = agent_ping_timeout;
  o.max_agent_ping_timeouts = std::max(1u, max_agent_ping_timeouts);
  o.agent_removal_timeout = agent_removal_timeout;
  o.agent_reregister_timeout = agent_reregister_timeout;
  o.cluster = cluster;
  o.max_completed_frameworks = max_completed_frameworks;
  o.max_completed_tasks_per_framework = max_completed_tasks_per_framework;
  o.seed = entropy_seed();
  return o;
}

void agent_flags::add_to(flag_table& t) {
  cgroups.add_to(t);
  t.add({"resources"}, resources,
        "Resources to offer, e.g. \"cpus:4;mem:4096;disk:10000;ports:[31000-32000]\"; "
        "what is not given is detected");
  t.add({"attributes"}, attributes, "Attributes, e.g. \"rack:a;zone:1\"");
  t.add({"executor_registration_timeout"}, executor_registration_timeout,
        "How long an executor may take to register");
  t.add({"executor_shutdown_grace_period"}, executor_shutdown_grace_period,
        "How long a DOCKER task's executor waits between SIGTERM and SIGKILL when the "
        "task's KillPolicy gives no grace period; an executor told to shut down that has "
        "not ended a second after it has its container destroyed");
  t.add({"launcher_dir"}, launcher_dir,
        std::string("Directory holding ") + executor_program +
          ", which tasks' executors run as (default: the directory of this program)");
  t.add({"containerizers"}, containerizers,
        "Containerizers to use, comma-separated: mesos, docker (DOCKER containers go to "
        "docker, others to mesos)");
  t.add({"docker_socket"}, docker_socket,
        "The Docker Engine's unix socket, for the docker containerizer");
  t.add({"docker_remove_delay"}, docker_remove_delay,
        "How long a stopped Docker container is kept before it is removed");
  t.add({"docker_kill_orphans"}, docker_kill_orphans,
        "At recovery, remove mesos- containers no checkpoint names");
  t.add({"sandbox_directory"}, sandbox_directory,
        "Where the sandbox is mounted inside a container with an image of its own");
  t.add({"image_providers"}, image_providers,
        "Image types the mesos containerizer runs: docker (needs --isolation with "
        "filesystem/linux and docker/runtime)");
  t.add({"docker_registry"}, docker_registry,
        "Where Docker images come from: a directory of `docker save` archives "
        "(<name>:<tag>.tar); remote registries are not implemented yet");
  t.add({"docker_store_dir"}, docker_store_dir,
        "Where the layers of Docker images are kept, extracted once each");
  t.add({"image_provisioner_backend"}, image_provisioner_backend,
        "How a container's rootfs is made from its layers: overlay or copy (default: "
        "overlay where a test mount in the store and work dir works, else copy)");
  t.add({"isolation"}, isolation,
        "Isolators of the mesos containerizer, comma-separated: posix/cpu, posix/mem, "
        "disk/du, cgroups/cpu, cgroups/mem, cgroups/pids, filesystem/linux, namespaces/pid "
        "(cgroups/*, filesystem/linux and namespaces/pid with --launcher=linux)");
  t.add({"launcher"}, launcher,
        "How container processes are found and killed: linux (cgroups) or posix (by "
        "session); default linux as root on a host with cgroups, else posix");
  t.add({"switch_user"}, switch_user,
        "As root, run tasks as their CommandInfo.user, else their framework's user");
  t.add({"fetcher_cache_dir"}, fetcher_cache_dir,
        "Parent directory of the fetcher cache (each agent uses slaves/<agent id> in it)");
  t.add({"fetcher_cache_size"}, fetcher_cache_size,
        "Size of the fetcher cache, e.g. \"2GB\"; 0 fetches every URI directly");
  t.add({"fetcher_stall_timeout"}, fetcher_stall_timeout,
        "How long a download may make no progress before the fetch fails");
  t.add({"enforce_container_disk_quota"}, enforce_container_disk_quota,
        "With disk/du: a container whose sandbox outgrows its disk resource is failed");
  t.add({"container_disk_watch_interval"}, container_disk_watch_interval,
        "How often disk/du measures each sandbox");
  t.add({"gc_delay"}, gc_delay,
        "How long a sandbox is kept after its executor ended (less as the disk fills)");
  t.add({"gc_disk_headroom"}, gc_disk_headroom,
        "Disk share kept free: sandboxes are kept at most gc_delay x max(0, 1 - "
        "headroom - disk usage); between 0 and 1");
  t.add({"disk_watch_interval"}, disk_watch_interval,
        "How often the work dir's disk usage is checked (for sandbox removal)");
  t.add({"executor_environment_variables"}, executor_environment_variables,
        "A JSON object of strings: the environment executors get instead of the agent's");
  t.add({"recover"}, recover,
        "What a restarted agent does with the executors its checkpoints name: reconnect "
        "(re-register and take them back) or cleanup (kill them, register anew)");
  t.add({"executor_reregistration_timeout"}, executor_reregistration_timeout,
        "How long a recovered executor has to subscribe again before it is destroyed "
        "and its tasks lost");
  t.add({"recovery_timeout"}, recovery_timeout,
        "How long executors of checkpointing frameworks wait for their agent to come back");
}

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty())
      parts.push_back(part);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return parts;
}

} // namespace

caf::expected<std::shared_ptr<const provisioner::provisioner_options>>
agent_flags::image_options(const std::string& work_dir) const {
  if (image_providers.empty())
    return std::shared_ptr<const provisioner::provisioner_options>();
  for (const auto& name : split_list(image_providers))
    if (name != "docker")
      return make_error("--image_providers: '" + name + "' is not supported yet (docker is)");
  auto names = split_list(isolation);
  for (auto needed : {"filesystem/linux", "docker/runtime"})
    if (std::find(names.begin(), names.end(), needed) == names.end())
      return make_error(std::string("--image_providers=docker needs '") + needed +
                        "' in --isolation (e.g. --isolation=filesystem/linux,docker/runtime)");
  if (docker_store_dir.empty() || docker_store_dir[0] != '/')
    return make_error("--docker_store_dir must be an absolute path, not '" + docker_store_dir +
                      "'");
  if (docker_registry.empty())
    return make_error("--docker_registry must name a directory or a registry");
  auto containers_dir = work_dir + "/provisioner/containers";
  // A probe mounts and writes in the agent's dirs: done here, at start,
  // not in an actor.
  auto backend = provisioner::select_backend(image_provisioner_backend, docker_store_dir,
                                             containers_dir);
  if (!backend)
    return backend.error();
  logger("provisioner")->info("image provisioner backend: {} ({})", backend->backend,
                              backend->reason);
  auto o = std::make_shared<provisioner::provisioner_options>();
  o->store.store_dir = docker_store_dir;
  o->store.registry = docker_registry;
  o->store.overlay_layers = backend->backend == "overlay";
  o->backend = backend->backend;
  o->containers_dir = containers_dir;
  o->sandbox_directory = sandbox_directory;
  return std::shared_ptr<const provisioner::provisioner_options>(std::move(o));
}

caf::expected<agent_options> agent_flags::options(const node_flags& node,
                                                  const std::string& work_dir,
                                                  machine_share share) const {
  auto cgroups_options = cgroups.options();
  if (!cgroups_options)
    return cgroups_options.error();
  auto total = agent_resources(resources, work_dir, share);
  if (!total)
    return make_error("--resources: " + error_message(total.error()));
  auto attrs = parse_attributes(attributes);
  if (!attrs)
    return make_error("--attributes: " + error_message(attrs.error()));
  auto cache_size = parse_bytes(fetcher_cache_size);
  if (!cache_size)
    return make_error("--fetcher_cache_size: " + error_message(cache_size.error()));
  if (fetcher_cache_dir.empty() || fetcher_cache_dir[0] != '/')
    return make_error("--fetcher_cache_dir must be an absolute path, not '" + fetcher_cache_dir +
                      "'");
  if (fetcher_stall_timeout < std::chrono::seconds(1))
    return make_error("--fetcher_stall_timeout must be at least 1secs");
  char* headroom_end = nullptr;
  double headroom = std::strtod(gc_disk_headroom.c_str(), &headroom_end);
  if (gc_disk_headroom.empty() || *headroom_end != '\0' || !(headroom >= 0 && headroom <= 1))
    return make_error("--gc_disk_headroom must be a number between 0.0 and 1.0, not '" +
                      gc_disk_headroom + "'");
  if (gc_delay < std::chrono::seconds(1))
    return make_error("--gc_delay must be at least 1secs");
  if (disk_watch_interval < std::chrono::milliseconds(100))
    return make_error("--disk_watch_interval must be at least 100ms");
  if (container_disk_watch_interval < std::chrono::milliseconds(100))
    return make_error("--container_disk_watch_interval must be at least 100ms");
  auto mode = parse_recover_mode(recover);
  if (!mode)
    return mode.error();
  if (executor_reregistration_timeout < std::chrono::milliseconds(100))
    return make_error("--executor_reregistration_timeout must be at least 100ms");
  if (recovery_timeout < std::chrono::seconds(1))
    return make_error("--recovery_timeout must be at least 1secs");
  agent_options o;
  o.recover = *mode;
  o.executor_reregistration_timeout = executor_reregistration_timeout;
  o.recovery_timeout = recovery_timeout;
  if (!executor_environment_variables.empty()) {
    auto env = parse_executor_environment(executor_environment_variables);
    if (!env)
      return env.error();
    o.executor_environment = std::move(*env);
  }
  o.gc.delay = gc_delay;
  o.gc.disk_headroom = headroom;
  o.disk_watch_interval = disk_watch_interval;
  o.cgroups = *cgroups_options;
  o.fetcher.cache_dir = fetcher_cache_dir;
  o.fetcher.cache_size_bytes = *cache_size;
  o.fetcher.stall_timeout = fetcher_stall_timeout;
  o.hostname = node.advertised_hostname();
  o.work_dir = work_dir;
  o.total = std::move(*total);
  o.attributes = std::move(*attrs);
  o.executor_registration_timeout = executor_registration_timeout;
  o.executor_shutdown_grace_period = executor_shutdown_grace_period;
  o.seed = entropy_seed();
  auto executor = (launcher_dir.empty() ? current_executable_dir() : launcher_dir) + "/" +
                  executor_program;
  if (::access(executor.c_str(), X_OK) != 0)
    return make_error("--launcher_dir: cannot run " + executor + ": " + std::strerror(errno));
  o.executor_command = {executor};
  bool use_docker = false, use_mesos = false;
  for (const auto& name : split_list(containerizers)) {
    if (name == "docker")
      use_docker = true;
    else if (name == "mesos")
      use_mesos = true;
    else
      return make_error("--containerizers: unknown containerizer '" + name +
                        "' (known: docker, mesos)");
  }
  if (!use_docker && !use_mesos)
    return make_error("--containerizers names no containerizer");
  if (use_docker && (docker_socket.empty() || docker_socket[0] != '/'))
    return make_error("--docker_socket must be an absolute path, not '" + docker_socket + "'");
  if (sandbox_directory.empty() || sandbox_directory[0] != '/')
    return make_error("--sandbox_directory must be an absolute path, not '" +
                      sandbox_directory + "'");
  isolation_flags iso;
  iso.isolation = isolation;
  iso.launcher = launcher;
  iso.cgroups = *cgroups_options;
  // Agents sharing the machine keep their containers' cgroups apart: one
  // recovering never takes another's for orphans of its own.
  if (share.count > 1)
    iso.cgroups.root += "/agent-" + std::to_string(share.index);
  o.cgroups = iso.cgroups;
  iso.disk.watch_interval = container_disk_watch_interval;
  iso.disk.enforce_quota = enforce_container_disk_quota;
  auto plugins = make_plugins(iso);
  if (!plugins)
    return plugins.error();
  mesos_containerizer_options mo;
  mo.switch_user = switch_user;
  auto images = image_options(work_dir);
  if (!images)
    return images.error();
  mo.images = std::move(*images);
  // One agent, one containerizer: the plug-ins are made once and handed over.
  if (!use_docker) {
    o.make_containerizer = [mo, plugins = *plugins](caf::actor_system& sys,
                                                    caf::strong_actor_ptr) {
      return spawn_mesos_containerizer(sys, mo, plugins);
    };
    return o;
  }
  docker_containerizer_options dockers;
  dockers.socket = docker_socket;
  dockers.mapping.sandbox_directory = sandbox_directory;
  dockers.mapping.cgroups_enable_cfs = cgroups_options->enable_cfs;
  dockers.remove_delay = docker_remove_delay;
  dockers.pull_timeout = executor_registration_timeout;
  dockers.kill_orphans = docker_kill_orphans;
  // The mesos containerizer runs every executor's process, the docker
  // tasks' executors too; without `mesos` it runs nothing else.
  o.make_containerizer = [mo, plugins = *plugins, dockers, use_mesos](caf::actor_system& sys,
                                                                      caf::strong_actor_ptr) {
    auto processes = spawn_mesos_containerizer(sys, mo, plugins);
    auto docker = spawn_docker_containerizer(sys, dockers, processes);
    return spawn_composing_containerizer(sys, docker, processes, use_mesos);
  };
  return o;
}

} // namespace cairn
