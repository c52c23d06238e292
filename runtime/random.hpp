// The one source of randomness (STYLE §4): seeded, so that a simulation seed
// fixes every id and every shuffle.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>

namespace cairn {

// A seed from the operating system, for production shapes.
uint64_t entropy_seed();

class random_source {
public:
  explicit random_source(uint64_t seed) : engine_(seed) {
  }

  std::mt19937_64& engine() {
    return engine_;
  }

  // RFC 4122 version 4 UUID, as bytes and as the usual text.
  std::array<uint8_t, 16> uuid_bytes();
  std::string uuid();

private:
  std::mt19937_64 engine_;
};

std::string uuid_to_string(const uint8_t* bytes, size_t size);

} // namespace cairn
