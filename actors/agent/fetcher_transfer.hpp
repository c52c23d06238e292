// Moving a URI's bytes: a local file copied, or http, https, ftp and ftps
// with libcurl (redirects followed, a transfer that makes no progress for
// the stall timeout given up). Blocking: run on a fetch thread, never in an
// actor.
#pragma once

#include <chrono>
#include <cstdint>

#include <caf/expected.hpp>

#include "actors/agent/fetcher_uri.hpp"
#include "actors/agent/fetcher_user.hpp"

namespace cairn {

struct transfer_options {
  std::chrono::seconds stall_timeout{60};  // Mesos' --fetcher_stall_timeout
  const user_identity* user = nullptr;     // local files are opened as this user
};

// How many bytes the URI holds, asked before downloading into the cache:
// the file's size, or the server's Content-Length. An error when the size
// cannot be known (no length, a length of 0, an error status): the URI is
// then fetched directly, as Mesos does.
caf::expected<uint64_t> probe_size(const uri_source& from, const transfer_options& o);

// Writes the URI's bytes to `fd` (a new, empty, regular file) and returns
// how many. An HTTP status other than 200 is an error naming it, as Mesos'
// "Error downloading resource, received HTTP return code 404".
caf::expected<uint64_t> transfer(const uri_source& from, int fd, const transfer_options& o);

// Copies everything from `in` to `out` (both regular files).
caf::expected<uint64_t> copy_fd(int in, int out);

} // namespace cairn
