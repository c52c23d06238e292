#include "actors/lb/lb_services.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <capnp/message.h>
#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/json.hpp"
#include "schema/services.capnp.h"

namespace cairn::lb {

namespace {

using schema::services::App;
using schema::services::NetworkMode;
using schema::services::Task;

struct port_claim {
  int64_t service_port = 0;
  std::string protocol;
};

std::optional<capnp::JsonValue::Reader> member(capnp::JsonValue::Reader object,
                                               kj::StringPtr name) {
  if (!object.isObject())
    return std::nullopt;
  for (auto field : object.getObject())
    if (field.getName() == name)
      return field.getValue();
  return std::nullopt;
}

// marathon-lb's HAPROXY_* labels shape the proxy (virtual hosts, modes,
// groups, templates); none of that is implemented, so an app carrying one is
// not balanced at all rather than balanced unlike what it asked for.
std::optional<std::string> unimplemented_label(App::Reader app) {
  for (auto entry : app.getLabels().getEntries()) {
    std::string key = entry.getKey();
    if (key.rfind("HAPROXY_", 0) == 0)
      return key;
  }
  return std::nullopt;
}

// The app's service ports in the order of the instances' `ports`, or why
// none can be balanced.
std::vector<port_claim> service_ports(App::Reader app, std::string& why_not) {
  std::vector<port_claim> out;
  auto mode = app.getNetworks().size() == 0 ? NetworkMode::HOST
                                            : app.getNetworks()[0].getMode();
  if (mode == NetworkMode::HOST) {
    for (auto d : app.getPortDefinitions())
      out.push_back({d.getPort(), d.getProtocol()});
  } else if (mode == NetworkMode::CONTAINER_BRIDGE) {
    for (auto m : app.getContainer().getPortMappings())
      out.push_back({m.getServicePort(), m.getProtocol()});
  } else {
    why_not = "container networking (an address per instance) is not balanced; "
              "host and container/bridge networking are";
  }
  return out;
}

bool takes_traffic(App::Reader app, Task::Reader task) {
  if (task.getState() != "TASK_RUNNING" || task.getHost().size() == 0)
    return false;
  if (app.getHealthChecks().size() == 0)
    return true;
  // As marathon-lb: with health checks, only an instance that has results
  // and passes every one of them.
  auto results = task.getHealthCheckResults();
  if (results.size() == 0)
    return false;
  for (auto r : results)
    if (!r.getAlive())
      return false;
  return true;
}

// The app's services, added to `by_port` unless a port is taken by an app
// read before (the first app in the order of /v2/apps keeps it).
void add_app(App::Reader app, capnp::List<Task>::Reader tasks,
             std::map<int64_t, service>& by_port, std::vector<std::string>& refused) {
  std::string id = app.getId();
  if (auto label = unimplemented_label(app)) {
    refused.push_back(fmt::format("app {}: label {} is not implemented (no HAPROXY_* "
                                  "label is); the app is not balanced", id, *label));
    return;
  }
  std::string why_not;
  auto ports = service_ports(app, why_not);
  if (!why_not.empty()) {
    refused.push_back(fmt::format("app {}: {}", id, why_not));
    return;
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    auto& claim = ports[i];
    if (claim.protocol.find("tcp") == std::string::npos) {
      refused.push_back(fmt::format("app {}: service port {} is {}; only tcp is balanced", id,
                                    claim.service_port, claim.protocol));
      continue;
    }
    if (claim.service_port <= 0 || claim.service_port > 65535) {
      refused.push_back(fmt::format("app {}: service port {} is not a port", id,
                                    claim.service_port));
      continue;
    }
    if (auto taken = by_port.find(claim.service_port); taken != by_port.end()) {
      refused.push_back(fmt::format("app {}: service port {} is {}'s already", id,
                                    claim.service_port, taken->second.app_id));
      continue;
    }
    service s{id, claim.service_port, {}};
    for (auto task : tasks) {
      if (std::string(task.getAppId()) != id || !takes_traffic(app, task) ||
          task.getPorts().size() <= i)
        continue;
      s.backends.push_back({task.getId(), task.getHost(), task.getPorts()[i]});
    }
    std::sort(s.backends.begin(), s.backends.end(),
              [](const backend& a, const backend& b) { return a.task_id < b.task_id; });
    by_port.emplace(claim.service_port, std::move(s));
  }
}

void read_app(capnp::JsonValue::Reader value, std::map<int64_t, service>& by_port,
              std::vector<std::string>& refused, size_t index) {
  capnp::MallocMessageBuilder message;
  auto app = message.initRoot<App>();
  auto tasks_value = member(value, "tasks");
  auto count = tasks_value && tasks_value->isArray() ? tasks_value->getArray().size() : 0u;
  auto tasks = message.getOrphanage().newOrphan<capnp::List<Task>>(count);
  try {
    json_codec().decode(value, capnp::toDynamic(app));
    for (unsigned k = 0; k < count; ++k)
      json_codec().decode(tasks_value->getArray()[k], capnp::toDynamic(tasks.get()[k]));
  } catch (const kj::Exception& e) {
    auto name = app.hasId() ? std::string(app.getId().cStr()) : std::to_string(index);
    refused.push_back(fmt::format("app {} of /v2/apps: cannot be read: {}", name,
                                  e.getDescription().cStr()));
    return;
  }
  add_app(app.asReader(), tasks.getReader(), by_port, refused);
}

} // namespace

caf::expected<apps_reading> read_apps(std::string_view apps_json) {
  std::string unescaped;
  auto plain = detail::decode_unicode_escapes(apps_json, unescaped);
  if (!plain)
    return plain.error();
  std::string quoted;
  auto exact = detail::quote_long_integers(*plain, quoted);
  std::map<int64_t, service> by_port;
  apps_reading out;
  try {
    capnp::MallocMessageBuilder raw;
    detail::decode_raw_json(exact, raw);
    auto apps = member(raw.getRoot<capnp::JsonValue>().asReader(), "apps");
    if (!apps || !apps->isArray())
      return make_error("the answer of /v2/apps has no \"apps\" array");
    size_t index = 0;
    for (auto app : apps->getArray())
      read_app(app, by_port, out.refused, index++);
  } catch (const kj::Exception& e) {
    return make_error(std::string("the answer of /v2/apps is not JSON: ") +
                      e.getDescription().cStr());
  }
  for (auto& [port, s] : by_port)
    out.services.push_back(std::move(s));
  return out;
}

} // namespace cairn::lb
