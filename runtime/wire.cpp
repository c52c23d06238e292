#include "runtime/wire.hpp"

#include <fmt/format.h>

namespace cairn {

namespace {

void walk(const capnp::DynamicValue::Reader& value) {
  switch (value.getType()) {
    case capnp::DynamicValue::LIST:
      for (auto element : value.as<capnp::DynamicList>())
        walk(element);
      break;
    case capnp::DynamicValue::STRUCT: {
      auto s = value.as<capnp::DynamicStruct>();
      // has() is false for the union members that are not the one set.
      for (auto field : s.getSchema().getFields())
        if (s.has(field))
          walk(s.get(field));
      break;
    }
    default:
      // Scalars, enums, text and data were bounds-checked when read.
      break;
  }
}

} // namespace

void walk_message(capnp::DynamicStruct::Reader root) {
  walk(root);
}

std::string wire_to_string(const std::string& type_name, size_t words) {
  return fmt::format("wire<{}>({} words)", type_name, words);
}

} // namespace cairn
