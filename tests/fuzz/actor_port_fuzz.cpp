// Whatever bytes reach an actor or log port, the gate's checks neither crash
// nor let through a frame that CAF 0.17 would crash on.
#include <cstddef>
#include <cstdint>

#include "runtime/basp_guard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cairn::check_basp_stream(data, size);
  return 0;
}
