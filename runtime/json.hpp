// JSON of schema types, through Cap'n Proto's JsonCodec with the schema's
// $Json annotations: one codec for every body the HTTP APIs speak. 64-bit
// integers are written as JSON numbers, as Mesos writes them.
#pragma once

#include <string>
#include <string_view>

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <caf/expected.hpp>

#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/wire.hpp"

namespace cairn {

// The shared codec, configured for every root type in schema/.
const capnp::JsonCodec& json_codec();

template <class Reader>
std::string to_json(Reader reader) {
  auto text = json_codec().encode(reader);
  return std::string(text.cStr(), text.size());
}

// Parses `text` into a message of type T; bad JSON, unknown fields' types,
// unknown enum names and over-deep nesting are errors that say what failed.
template <class T>
caf::expected<wire<T>> from_json(std::string_view text) {
  if (text.size() > limits::json_max_bytes)
    return make_error("JSON body is too large");
  try {
    wire_builder<T> b;
    json_codec().decode(kj::ArrayPtr<const char>(text.data(), text.size()), b.root());
    return std::move(b).finish();
  } catch (const kj::Exception& e) {
    return make_error(std::string("invalid JSON: ") + e.getDescription().cStr());
  }
}

} // namespace cairn
