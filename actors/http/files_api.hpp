// Mesos' files API on agents, for sandboxes: /files/browse, /files/read and
// /files/download, confined to the agent's work dir.
#pragma once

#include <string>

#include "runtime/http_server.hpp"

namespace cairn {

// `root`: the only tree served (the agent's work dir).
http_response browse_files(const std::string& root, const http_request& request);
http_response read_file(const std::string& root, const http_request& request);
http_response download_file(const std::string& root, const http_request& request);

} // namespace cairn
