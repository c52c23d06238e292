// Cap'n Proto words from another process, as wire<T> takes them: a message is
// either refused whole or every reader of it (down to JSON) is safe.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <kj/array.h>

#include "runtime/json.hpp"
#include "runtime/type_ids.hpp"
#include "schema/registry.capnp.h"
#include "schema/state.capnp.h"

namespace {

template <class T>
void take(const uint8_t* data, size_t size) {
  auto words = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
  if (words.size() == 0)
    return;
  std::memcpy(words.begin(), data, words.size() * sizeof(capnp::word));
  auto w = cairn::wire<T>::from_flat(kj::mv(words));
  if (!w)
    return;
  try {
    cairn::to_json(w->get());
  } catch (const kj::Exception&) {
    // A message can be well-formed and still not encodable (an unknown enum
    // value): the codec says so, it does not crash.
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  const uint8_t* body = data + 1;
  size_t n = size - 1;
  switch (data[0] % 6) {
    case 0: take<cairn::schema::Call>(body, n); break;
    case 1: take<cairn::schema::Event>(body, n); break;
    case 2: take<cairn::schema::executor::Call>(body, n); break;
    case 3: take<cairn::schema::operator_api::Call>(body, n); break;
    case 4: take<cairn::schema::state::Master>(body, n); break;
    default: take<cairn::schema::registry::Registry>(body, n); break;
  }
  return 0;
}
