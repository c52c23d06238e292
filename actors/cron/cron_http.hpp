// The cron framework's HTTP server: Chronos' REST API under /v1/scheduler
// (Chronos 3) and /scheduler (Chronos 2), /leader, and the jobs page at /
// (cron_ui.cpp). Each API request is asked of the cron actor, which answers
// from its own thread.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "runtime/http_server.hpp"

namespace cairn {

// The jobs page: one HTML document that reads the REST API above.
const char* cron_ui_page();

caf::expected<std::unique_ptr<http_server>> serve_cron_http(caf::actor_system& sys,
                                                            caf::actor cron, std::string ip,
                                                            uint16_t port,
                                                            http_server_options options = {});

} // namespace cairn
