#pragma once
// An app as a client posts it to /v2/apps, read as Marathon reads it: its
// defaults filled in, the deprecated networking (`container.docker.network`,
// `docker.portMappings`, `ports`) rewritten into the current shape, and
// validated with Marathon's answers: 400 for JSON that is not JSON or has a
// wrong type, 422 with a path per violation for an app that is not valid.
// A Marathon field cairn does not implement yet is a violation naming it;
// an unknown field is dropped, as Marathon drops it. Pure: no actor, no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/services/app_id.hpp"
#include "runtime/wire.hpp"
#include "schema/services.capnp.h"

namespace cairn::services {

using App = schema::services::App;

struct violation {
  std::string path;  // Marathon's JSON path of the member: "/cpus", "/container/docker/image"
  std::string error;
};

struct app_result {
  std::optional<wire<App>> app;
  int status = 200;     // 400: not JSON (message says why); 422: violations in details
  std::string message;
  std::vector<violation> details;

  bool ok() const { return app.has_value(); }
};

// Reads one app from `body`; its id is read against `base` (the root for
// POST /v2/apps). `url_id`, from PUT /v2/apps/{id}, names the app when the
// body does not, and must agree with it when it does.
app_result read_app(std::string_view body, const path_id& base = {},
                    const std::optional<path_id>& url_id = std::nullopt);

// The 400/422 body: {"message": ..., "details": [{"path": ..., "errors": [...]}]}.
std::string error_body(const app_result& result);

// The app's JSON as Marathon writes it, with `extra` members (each a name and
// its JSON text: version, tasksRunning, deployments, ...) after its own.
std::string app_json(App::Reader app,
                     const std::vector<std::pair<std::string, std::string>>& extra = {});

} // namespace cairn::services
