// The text forms operators type (resources, attributes, durations, sizes,
// addresses, weights): each input is parsed or refused with a reason, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "actors/checks.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/connect.hpp"
#include "runtime/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: cairn::parse_resources(text); break;
    case 1: cairn::parse_attributes(text); break;
    case 2: cairn::parse_duration(text); break;
    case 3: cairn::parse_bytes(text); break;
    case 5: cairn::parse_weights(std::string(text)); break;
    default: cairn::parse_address_list(std::string(text), 5050); break;
  }
  return 0;
}
