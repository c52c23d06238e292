// Directories made as `mkdir -p` makes them.
#pragma once

#include <string>

#include <caf/error.hpp>

namespace cairn {

// Makes `path` and every missing parent (0755); an error names the one that
// could not be made and why.
caf::error make_dirs(const std::string& path);

} // namespace cairn
