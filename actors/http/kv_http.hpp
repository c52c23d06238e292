// The frameworks' replicated key-value store over HTTP, and the registry it
// lives in, both served by the leading master.
//
//   GET    /cairn/kv/KEY   the value (raw bytes), its version in ETag; 404 when absent
//   PUT    /cairn/kv/KEY   sets it to the body; DELETE removes it
//          If-Match: "V"      only if the key is at version V (412 if not)
//          If-None-Match: *   PUT only if the key does not exist yet (412 if it does)
//          answers {"key": KEY, "version": V} (version 0 after a delete);
//          503 when no master leads or the outcome is unknown (the message
//          says which; read the key to find out)
//   GET    /registrar(1)/registry   the whole registry as JSON (as Mesos serves it)
#pragma once

#include <caf/actor_system.hpp>

#include "actors/master/master.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

inline constexpr std::string_view kv_path_prefix = "/cairn/kv/";

// Answers a request under kv_path_prefix.
void serve_kv(caf::actor_system& sys, const master_actor& master, const http_request& request,
              http_reply reply);

void serve_registry(caf::actor_system& sys, const master_actor& master, http_reply reply);

} // namespace cairn
