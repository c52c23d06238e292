// The operator calls that a node answers for itself rather than its role's
// actor: the logging level (GET_LOGGING_LEVEL, SET_LOGGING_LEVEL, and Mesos'
// /logging/toggle) and its files (LIST_FILES, READ_FILE). Masters and agents
// answer them alike.
#pragma once

#include <functional>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/http/mesos_media.hpp"
#include "runtime/http_server.hpp"
#include "runtime/type_ids.hpp"

namespace cairn {

// Answers `call` if it is one of these and returns true; else false.
// `files_root`: the tree the files calls serve ("" serves none); `type`:
// the Response message the answer is written as.
bool serve_node_call(caf::actor_system& sys, const operator_call& call, const mesos_media& media,
                     mesos_message type, const std::string& files_root,
                     const http_reply& reply);

// The file system may block: runs `work` on a thread of its own and sends
// what it answers; past limits::max_files_calls_running at once, 503.
void off_the_loop(caf::actor_system& sys, const http_reply& reply,
                  std::function<http_response()> work);

// GET or POST /logging/toggle?level=N&duration=D (Mesos' endpoint).
void serve_logging_toggle(caf::actor_system& sys, const http_request& request,
                          http_reply reply);

} // namespace cairn
