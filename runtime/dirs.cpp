#include "runtime/dirs.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "runtime/errors.hpp"

namespace cairn {

caf::error make_dirs(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') {
      partial += path[i];
      continue;
    }
    if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      return make_error("cannot create " + partial + ": " + strerror(errno));
    if (i < path.size())
      partial += '/';
  }
  return caf::none;
}

} // namespace cairn
