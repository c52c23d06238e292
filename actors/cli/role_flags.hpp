// The flags of each role, defined once and shared by every shape that runs
// the role (`cairn master`, `cairn agent`, `cairn local`). Each adds itself to
// its command's flag_table under Mesos' name, where Mesos has the flag.
#pragma once

#include <string>

#include "actors/agent/agent.hpp"
#include "actors/cli/cgroups_flags.hpp"
#include "actors/agent/fetcher_options.hpp"
#include "actors/agent/provisioner/provisioner.hpp"
#include "actors/master/master.hpp"
#include "runtime/duration.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/http_server.hpp"
#include "runtime/limits.hpp"

namespace cairn {

struct node_flags {
  std::string ip = "127.0.0.1";
  std::string advertise_ip;       // defaults to --ip
  std::string hostname;           // defaults to the advertised ip
  uint16_t http_port = 5050;
  std::string work_dir;
  std::string logging_level = "INFO";
  size_t http_max_connections = limits::http_max_connections;
  size_t http_max_connections_per_address = limits::http_max_connections_per_address;
  duration http_body_timeout = limits::http_body_timeout;

  void add_to(flag_table& table);
  std::string advertised_ip() const;
  std::string advertised_hostname() const;
  // The HTTP server's bounds; errors name the flag.
  caf::expected<http_server_options> http_options() const;
};

struct master_flags {
  duration allocation_interval = std::chrono::seconds(1);
  duration framework_heartbeat_interval = std::chrono::seconds(15);
  std::string weights;  // "role=weight,role=weight"
  duration agent_ping_timeout = std::chrono::seconds(15);
  uint32_t max_agent_ping_timeouts = 5;
  duration agent_removal_timeout = std::chrono::minutes(15);
  duration agent_reregister_timeout = std::chrono::minutes(10);
  std::string cluster;
  uint32_t max_completed_frameworks = 50;
  uint32_t max_completed_tasks_per_framework = 1000;
  // The replicated log's leader heartbeats every heartbeat_interval; with
  // none heard for election_timeout a follower stands (the lease and the
  // followers' promise follow from it: storage/paxos/node.hpp).
  duration heartbeat_interval = std::chrono::milliseconds(100);
  duration election_timeout = std::chrono::milliseconds(500);

  void add_to(flag_table& table);
  // Checks every master flag, the log's timings too.
  caf::expected<master_options> options(const node_flags& node) const;
};

struct agent_flags {
  cgroups_flags cgroups;
  std::string resources;
  std::string attributes;
  duration executor_registration_timeout = std::chrono::minutes(1);
  duration executor_shutdown_grace_period = std::chrono::seconds(5);
  std::string launcher_dir;       // defaults to this program's directory
  std::string containerizers = "mesos";
  // The docker containerizer's, with Mesos' defaults.
  std::string docker_socket = "/var/run/docker.sock";
  duration docker_remove_delay = std::chrono::hours(6);
  bool docker_kill_orphans = true;
  std::string sandbox_directory = "/mnt/mesos/sandbox";
  // Docker images for the mesos containerizer, with Mesos' defaults.
  std::string image_providers;
  std::string docker_registry = "https://registry-1.docker.io";
  std::string docker_store_dir = "/tmp/mesos/store/docker";
  std::string image_provisioner_backend;  // empty: overlay where a probe mount works, else copy
  std::string isolation = "posix/cpu,posix/mem";
  std::string launcher;           // empty: linux as root with cgroups, else posix
  bool switch_user = true;
  // The fetcher's, with Mesos' defaults; the size in Mesos' Bytes form.
  std::string fetcher_cache_dir = fetcher_options{}.cache_dir;
  std::string fetcher_cache_size = "2GB";
  duration fetcher_stall_timeout = fetcher_options{}.stall_timeout;
  // disk/du and the sandbox garbage collector, with Mesos' defaults.
  bool enforce_container_disk_quota = false;
  duration container_disk_watch_interval = std::chrono::seconds(15);
  duration gc_delay = gc_policy{}.delay;
  std::string gc_disk_headroom = "0.1";
  duration disk_watch_interval = std::chrono::minutes(1);
  std::string executor_environment_variables;  // a JSON object; empty: the agent's own
  // Recovery after a restart, with Mesos' defaults.
  std::string recover = "reconnect";
  duration executor_reregistration_timeout = std::chrono::seconds(2);
  duration recovery_timeout = std::chrono::minutes(15);

  void add_to(flag_table& table);
  // Checks --resources, --attributes and the containerizer's flags; errors
  // name the bad part.
  caf::expected<agent_options> options(const node_flags& node, const std::string& work_dir,
                                       machine_share share = {}) const;
  // --image_providers and the flags that go with it; null without it.
  caf::expected<std::shared_ptr<const provisioner::provisioner_options>>
  image_options(const std::string& work_dir) const;
};

} // namespace cairn
