// The master's JSON endpoints other than /master/state, cut from the state
// document: /master/frameworks, /master/slaves, /master/tasks, /master/state-summary,
// /version.
#pragma once

#include <string>

#include "runtime/http_server.hpp"
#include "runtime/type_ids.hpp"

namespace cairn {

http_response frameworks_document(const master_snapshot& state);
http_response slaves_document(const master_snapshot& state);
// Mesos' paging: `limit` (default 100) tasks from `offset`, `order` asc or desc.
http_response tasks_document(const master_snapshot& state, const http_request& request);
http_response state_summary_document(const master_snapshot& state);
http_response version_document();

} // namespace cairn
