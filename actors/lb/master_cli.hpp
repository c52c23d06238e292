// One command on HAProxy's master CLI (the unix socket given with -S), its
// whole answer back. Blocks up to its timeout: only for a dedicated thread
// or detached actor.
#pragma once

#include <string>

#include <caf/expected.hpp>

namespace cairn::lb {

// Unix socket paths are at most this long (sun_path, with its terminator).
inline constexpr size_t unix_socket_path_max = 107;

caf::expected<std::string> master_cli(const std::string& socket_path, const std::string& command);

} // namespace cairn::lb
