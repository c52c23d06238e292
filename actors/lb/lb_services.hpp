// What `cairn lb` balances, read from the services framework's
// GET /v2/apps?embed=apps.tasks as marathon-lb reads Marathon's: each app's
// service ports (portDefinitions' `port` in host networking,
// container.portMappings' `servicePort` in bridge networking) and, for each,
// the host:port of the app's instances that may take traffic (running and,
// when the app has health checks, passing all of them). Pure: text in,
// decisions out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace cairn::lb {

struct backend {
  std::string task_id;
  std::string host;
  int64_t port = 0;
};

struct service {
  std::string app_id;
  int64_t service_port = 0;
  std::vector<backend> backends;  // ordered by task id, so equal inputs render equally
};

struct apps_reading {
  std::vector<service> services;  // ordered by service port, each port once
  // What is not balanced and why, one line each ("app /x: ..."): the lb
  // logs these instead of leaving an app out silently.
  std::vector<std::string> refused;
};

// An error when `apps_json` is not a JSON object with an `apps` array; an
// app that cannot be read is refused alone.
caf::expected<apps_reading> read_apps(std::string_view apps_json);

} // namespace cairn::lb
