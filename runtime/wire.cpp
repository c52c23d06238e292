#include "runtime/wire.hpp"

#include <fmt/format.h>

namespace cairn {

std::string wire_to_string(const std::string& type_name, size_t words) {
  return fmt::format("wire<{}>({} words)", type_name, words);
}

} // namespace cairn
