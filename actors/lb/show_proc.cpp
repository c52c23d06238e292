#include "actors/lb/show_proc.hpp"

#include <cassert>
#include <sstream>
#include <string>

#include "runtime/errors.hpp"

namespace cairn::lb {

caf::expected<master_reloads> parse_show_proc(std::string_view text) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string pid, type, failed_word;
    master_reloads out;
    if (!(words >> pid >> type) || type != "master")
      continue;
    if (!(words >> out.reloads))
      return make_error("haproxy's show proc has no reload count: " + line);
    // "[failed: N]" follows the count since HAProxy 2.5; older ones lack it.
    if (words >> failed_word && failed_word == "[failed:") {
      if (!(words >> out.failed))
        return make_error("haproxy's show proc has no failure count: " + line);
    }
    assert(out.reloads >= 0);
    return out;
  }
  return make_error("haproxy's show proc names no master");
}

} // namespace cairn::lb
