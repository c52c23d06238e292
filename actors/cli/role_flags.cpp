#include "actors/cli/role_flags.hpp"

#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/flags.hpp"
#include "runtime/process.hpp"
#include "runtime/random.hpp"

namespace cairn {

void node_flags::add_to(CLI::App& app) {
  add_flag(app, "ip", ip, "Address to listen on");
  add_flag(app, "advertise-ip", advertise_ip, "Address others use to reach this node");
  add_flag(app, "hostname", hostname, "Hostname to advertise");
  add_flag(app, "http-port", http_port, "HTTP port (0 picks a free one)");
  add_flag(app, "work-dir", work_dir, "Directory for sandboxes and state");
  add_flag(app, "logging-level", logging_level, "INFO, WARNING or ERROR");
}

std::string node_flags::advertised_ip() const {
  return advertise_ip.empty() ? ip : advertise_ip;
}

std::string node_flags::advertised_hostname() const {
  return hostname.empty() ? advertised_ip() : hostname;
}

void master_flags::add_to(CLI::App& app) {
  add_duration_flag(app, "allocation-interval", allocation_interval,
                    "Time between batch allocation passes");
  add_duration_flag(app, "framework-heartbeat-interval", framework_heartbeat_interval,
                    "Time between HEARTBEAT events to frameworks");
}

master_options master_flags::options(const node_flags& node) const {
  master_options o;
  o.hostname = node.advertised_hostname();
  o.ip = node.advertised_ip();
  o.http_port = node.http_port;
  o.allocation_interval = allocation_interval;
  o.framework_heartbeat_interval = framework_heartbeat_interval;
  o.seed = entropy_seed();
  return o;
}

void agent_flags::add_to(CLI::App& app) {
  add_flag(app, "resources", resources,
           "Resources to offer, e.g. \"cpus:4;mem:4096;disk:10000;ports:[31000-32000]\"; "
           "what is not given is detected");
  add_flag(app, "attributes", attributes, "Attributes, e.g. \"rack:a;zone:1\"");
  add_duration_flag(app, "executor-registration-timeout", executor_registration_timeout,
                    "How long an executor may take to register");
  add_flag(app, "executor-binary", executor_binary,
           "The cairn binary executors run as (default: this program)");
}

caf::expected<agent_options> agent_flags::options(const node_flags& node,
                                                  const std::string& work_dir) const {
  auto total = agent_resources(resources, work_dir);
  if (!total)
    return make_error("--resources: " + error_message(total.error()));
  auto attrs = parse_attributes(attributes);
  if (!attrs)
    return make_error("--attributes: " + error_message(attrs.error()));
  agent_options o;
  o.hostname = node.advertised_hostname();
  o.work_dir = work_dir;
  o.total = std::move(*total);
  o.attributes = std::move(*attrs);
  o.executor_registration_timeout = executor_registration_timeout;
  o.seed = entropy_seed();
  auto binary = executor_binary.empty() ? current_executable() : executor_binary;
  o.make_containerizer = [binary] { return make_process_containerizer(binary); };
  return o;
}

} // namespace cairn
