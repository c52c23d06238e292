// Creating files beneath a sandbox without ever leaving it: each directory
// on the way is made and opened relative to the one before with O_NOFOLLOW,
// so a link met on the way (one an archive unpacked a moment ago) is refused
// instead of followed out of the sandbox.
#pragma once

#include <sys/types.h>

#include <string>

#include <caf/expected.hpp>

#include "runtime/beneath.hpp"

namespace cairn {

// `relative` is "a/b/name" with no empty, "." or ".." component (checked).
// Makes a/b as needed and opens name to write and read back, created or truncated, with
// `mode`; an existing link at any step is an error naming the path.
caf::expected<unique_fd> create_beneath(const std::string& root, const std::string& relative,
                                        mode_t mode);

// Opens `name` (no '/') in `root` for appending, created if missing; the
// sandbox's stderr, where the fetcher writes what it did.
caf::expected<unique_fd> open_append_beneath(const std::string& root, const std::string& name);

} // namespace cairn
