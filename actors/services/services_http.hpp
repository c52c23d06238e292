// The services framework's HTTP server: Marathon's REST API (/v2/...) and
// /ping. Each request is asked of the services actor, which answers from
// its own thread.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "runtime/http_server.hpp"

namespace cairn {

caf::expected<std::unique_ptr<http_server>> serve_services_http(caf::actor_system& sys,
                                                                caf::actor services,
                                                                std::string ip, uint16_t port,
                                                                http_server_options options = {});

} // namespace cairn
