// How a checkpointed message becomes the payload of a record and back: the
// flat words of Cap'n Proto's standard framing, checked whole when read.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <cstring>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "runtime/errors.hpp"
#include "runtime/wire.hpp"

namespace cairn::checkpoint_codec {

template <class T>
std::string encode(typename T::Reader reader) {
  capnp::MallocMessageBuilder message;
  message.setRoot(reader);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

template <class T>
caf::expected<wire<T>> decode(std::string_view payload) {
  if (payload.empty() || payload.size() % sizeof(capnp::word) != 0)
    return make_error("not a Cap'n Proto message (" + std::to_string(payload.size()) +
                      " bytes, not a whole number of words)");
  auto words = kj::heapArray<capnp::word>(payload.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), payload.data(), payload.size());
  return wire<T>::from_flat(std::move(words));
}

} // namespace cairn::checkpoint_codec
