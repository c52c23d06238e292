// The fetcher: a task's URIs (Mesos' CommandInfo.uris) brought into its
// sandbox before it starts, as Mesos' fetcher does (docs/fetcher.md):
// file, http(s) and ftp(s); archives unpacked (`extract`); `executable` files
// chmod 0755 and never unpacked; `output_file` names the result; `cache`
// goes through the agent's fetcher cache, keyed by (user, URI).
//
// fetch_uris blocks (downloads, disk): the containerizer runs it on a thread
// of its own or a detached actor, never on an actor's thread. What it does,
// and why it failed, is appended to the sandbox's stderr, where Mesos' fetcher
// writes its log; a failure is reported as TASK_FAILED with
// REASON_CONTAINER_LAUNCH_FAILED by the caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/agent/fetcher_cache.hpp"
#include "actors/agent/fetcher_options.hpp"
#include "actors/agent/fetcher_uri.hpp"
#include "runtime/duration.hpp"

namespace cairn {

// The agent's one cache: under <cache_dir>/slaves/<agent_id>, as Mesos lays
// it out, so that agents sharing a machine and a cache dir stay apart.
std::shared_ptr<fetcher_cache> make_fetcher_cache(const fetcher_options& o,
                                                  const std::string& agent_id);

struct fetch_request {
  std::vector<fetch_uri> uris;
  std::string sandbox_dir;  // exists; absolute
  // The task's user (CommandInfo.user, else FrameworkInfo.user) when tasks
  // run as their user; "" when not. It keys the cache; as root, local files
  // are read as this user and the sandbox is handed to them afterwards.
  std::string user;
  // Null: URIs asking for the cache are fetched directly.
  std::shared_ptr<fetcher_cache> cache;
  // A download with no progress for this long fails (whole seconds, at
  // least one: libcurl's granularity). fetcher_options::stall_timeout.
  duration stall_timeout = std::chrono::seconds(60);
};

// Fetches every URI in order. All URIs are checked before anything is
// fetched; the first failure stops the fetch. The error reads
// "Failed to fetch '<uri>': <cause>" (or names the bad request).
caf::error fetch_uris(const fetch_request& request);

} // namespace cairn
