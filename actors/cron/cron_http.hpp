// The cron framework's HTTP server: Chronos' REST API under /v1/scheduler
// (Chronos 3) and /scheduler (Chronos 2), and /leader. Each request is asked
// of the cron actor, which answers from its own thread.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "runtime/http_server.hpp"

namespace cairn {

caf::expected<std::unique_ptr<http_server>> serve_cron_http(caf::actor_system& sys,
                                                            caf::actor cron, std::string ip,
                                                            uint16_t port,
                                                            http_server_options options = {});

} // namespace cairn
