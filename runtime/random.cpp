#include "runtime/random.hpp"

#include <fmt/format.h>

namespace cairn {

uint64_t entropy_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::array<uint8_t, 16> random_source::uuid_bytes() {
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t word = engine_();
    for (size_t k = 0; k < 8; ++k)
      out[i + k] = static_cast<uint8_t>(word >> (8 * k));
  }
  out[6] = static_cast<uint8_t>((out[6] & 0x0f) | 0x40); // version 4
  out[8] = static_cast<uint8_t>((out[8] & 0x3f) | 0x80); // RFC 4122 variant
  return out;
}

std::string random_source::uuid() {
  auto bytes = uuid_bytes();
  return uuid_to_string(bytes.data(), bytes.size());
}

std::string uuid_to_string(const uint8_t* bytes, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

} // namespace cairn
