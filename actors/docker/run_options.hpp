// What a DOCKER container is created with: a pure mapping from the task's
// ContainerInfo, command and resources (and the agent's flags) to the
// Engine API's create body, as Mesos maps them to `docker run` options.
// No I/O: every decision here is unit-tested.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/resources/resources.hpp"
#include "schema/mesos.capnp.h"

namespace cairn::docker {

// The prefix of every container name; recovery finds its containers by it.
inline constexpr const char* name_prefix = "mesos-";

struct mapping_flags {
  std::string sandbox_directory = "/mnt/mesos/sandbox";  // --sandbox_directory
  bool cgroups_enable_cfs = false;                        // --cgroups_enable_cfs
};

struct port_binding {
  uint32_t host_port = 0;
  uint32_t container_port = 0;
  std::string protocol = "tcp";
};

struct ulimit {
  std::string name;
  int64_t soft = 0;
  int64_t hard = 0;
};

// The create body's fields, named as the Engine API names them.
struct run_options {
  std::string name;
  std::string image;
  bool force_pull = false;
  bool has_entrypoint = false;  // false: the image's
  std::vector<std::string> entrypoint;
  bool has_cmd = false;         // false: the image's
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // KEY=VALUE, in order
  std::map<std::string, std::string> labels;
  std::string user;
  std::string working_dir;
  std::string hostname;
  // HostConfig
  std::vector<std::string> binds;  // host:container:rw|ro
  int64_t cpu_shares = 0;          // 0: not set
  int64_t cpu_quota_us = 0;
  int64_t cpu_period_us = 0;
  int64_t memory_bytes = 0;
  std::string network_mode = "host";
  std::vector<port_binding> ports;
  bool privileged = false;
  std::vector<std::string> extra_hosts;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::vector<ulimit> ulimits;
  std::string log_driver;
};

// The container of a command task: `container_id` names it, `sandbox` is
// the host's sandbox directory, `command` the task's CommandInfo and `res`
// the task's resources. An error says what cannot be run (its text is what
// the task fails with).
caf::expected<run_options> make_run_options(const std::string& container_id,
                                            const std::string& sandbox,
                                            schema::ContainerInfo::Reader container,
                                            schema::CommandInfo::Reader command,
                                            const resources& res, const mapping_flags& flags);

// The Engine API's POST /containers/create body.
std::string create_body(const run_options& options);

} // namespace cairn::docker
