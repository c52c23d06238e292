// The descriptors a process's HTTP servers may fill with connections, shared
// out under RLIMIT_NOFILE so that together they never run the process out.
#pragma once

#include <cstddef>

namespace cairn {

// Claims room for up to `wanted` connections: raises the soft RLIMIT_NOFILE
// towards the hard limit when that makes them fit, keeps
// limits::http_reserved_descriptors and every earlier claim aside, and
// returns what fits (never fewer than limits::http_min_connections, unless
// fewer were wanted).
size_t claim_descriptors(size_t wanted);
// Gives back what claim_descriptors returned.
void release_descriptors(size_t claimed);

} // namespace cairn
