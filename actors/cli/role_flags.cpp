#include "actors/cli/role_flags.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "actors/checks.hpp"
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
  add_flag(app, "http-max-connections", http_max_connections,
           "HTTP connections held at once; past it the oldest idle or slow one is closed");
  add_flag(app, "http-max-connections-per-address", http_max_connections_per_address,
           "HTTP connections from one client address; past it new ones get 503");
  add_duration_flag(app, "http-body-timeout", http_body_timeout,
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

void master_flags::add_to(CLI::App& app) {
  add_duration_flag(app, "allocation-interval", allocation_interval,
                    "Time between batch allocation passes");
  add_duration_flag(app, "framework-heartbeat-interval", framework_heartbeat_interval,
                    "Time between HEARTBEAT events to frameworks");
  add_flag(app, "weights", weights, "Role weights for DRF, e.g. \"web=2,batch=1\"");
  add_duration_flag(app, "agent-ping-timeout", agent_ping_timeout,
                    "How long an agent has to answer a ping");
  add_flag(app, "max-agent-ping-timeouts", max_agent_ping_timeouts,
           "Unanswered pings in a row before an agent is unreachable");
  add_duration_flag(app, "agent-removal-timeout", agent_removal_timeout,
                    "How long an unreachable agent is kept before it is forgotten");
  add_duration_flag(app, "agent-reregister-timeout", agent_reregister_timeout,
                    "How long agents have to re-register with a newly elected master");
}

caf::expected<master_options> master_flags::options(const node_flags& node) const {
  auto parsed_weights = parse_weights(weights);
  if (!parsed_weights)
    return parsed_weights.error();
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
