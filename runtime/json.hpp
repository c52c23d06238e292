// JSON of schema types, through Cap'n Proto's JsonCodec with the schema's
// $Json annotations: one codec for every body the HTTP APIs speak. 64-bit
// integers are written as JSON numbers, as Mesos writes them.
#pragma once

#include <string>
#include <string_view>

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <caf/expected.hpp>

#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/text.hpp"
#include "runtime/wire.hpp"

namespace cairn {

// The shared codec, configured for every root type in schema/.
const capnp::JsonCodec& json_codec();

namespace detail {

// The text of `value`: compact, object members that are null left out (how
// an unset enum or optional bool is left out), exact integers as marked by
// set_exact_integer.
std::string write_json(capnp::JsonValue::Reader value);

// Makes `out` the integer `digits`, written exactly (a JsonValue number is a
// double, which cannot hold every 64-bit integer).
void set_exact_integer(capnp::JsonValue::Builder out, kj::StringPtr digits);

} // namespace detail

// The $Json.name of an enumerant: the name Mesos gives the value (its
// number, for a value this build does not know).
template <class Enum>
std::string json_name(Enum value) {
  auto enumerants = capnp::Schema::from<Enum>().getEnumerants();
  auto index = static_cast<unsigned>(value);
  if (index >= enumerants.size())
    return std::to_string(index);
  for (auto a : enumerants[index].getProto().getAnnotations())
    if (a.getValue().isText())
      return a.getValue().getText();
  return enumerants[index].getProto().getName();
}

// The JSON of a schema message, as Mesos writes it: Mesos' spellings, 64-bit
// integers as exact JSON integers, unset fields left out.
template <class Reader>
std::string to_json(Reader reader) {
  capnp::MallocMessageBuilder tree;
  auto root = tree.initRoot<capnp::JsonValue>();
  json_codec().encode(reader, root);
  return detail::write_json(root.asReader());
}

namespace detail {

// The message is refused when one of its texts is not UTF-8.
template <class T>
caf::expected<wire<T>> checked_text(wire_builder<T>&& b) {
  auto bad = invalid_text_field(capnp::toDynamic(b.root().asReader()));
  if (!bad.empty())
    return make_error("invalid JSON: '" + bad + "' is not valid UTF-8");
  return std::move(b).finish();
}

// Parses `text` as JSON without a schema, leaving out object members that are
// null (Mesos reads them as absent); throws kj::Exception when it is not JSON.
void decode_raw_json(std::string_view text, capnp::MessageBuilder& out);

// `text` with each \uXXXX escape in its strings (surrogate pairs joined)
// written as the UTF-8 it stands for, or why not (a lone surrogate); kept in
// `storage` when anything changed. Cap'n Proto 0.9's decoder reads hex
// letters in these escapes wrongly ("\u00e9" became "I") and lets
// surrogates through; after this it meets no such escape.
caf::expected<std::string_view> decode_unicode_escapes(std::string_view text,
                                                       std::string& storage);

// `text` with each integer literal too long for a double to hold exactly
// (16 digits or more) quoted, kept in `storage` when anything changed: Cap'n
// Proto's parser reads every number as a double, and the codec reads 64-bit
// integers from strings exactly.
std::string_view quote_long_integers(std::string_view text, std::string& storage);

// The steps every JSON body takes: bounded in size, escapes decoded, parsed
// without a schema (null members left out), then `read(value)` makes the
// message; a kj::Exception anywhere is "invalid JSON" with its reason.
template <class T, class Read>
caf::expected<wire<T>> read_json(std::string_view text, Read read) {
  if (text.size() > limits::json_max_bytes)
    return make_error("JSON body is too large");
  std::string storage;
  auto plain = decode_unicode_escapes(text, storage);
  if (!plain)
    return plain.error();
  std::string quoted;
  auto exact = quote_long_integers(*plain, quoted);
  try {
    capnp::MallocMessageBuilder raw;
    decode_raw_json(exact, raw);
    return read(raw.getRoot<capnp::JsonValue>().asReader());
  } catch (const kj::Exception& e) {
    return make_error(std::string("invalid JSON: ") + e.getDescription().cStr());
  }
}

} // namespace detail

// Parses `text` into a message of type T as Mesos reads JSON (a member that
// is null is absent, an unknown key is ignored); bad JSON, wrong types,
// unknown enum names, over-deep nesting and text that is not UTF-8 are
// errors that say what failed.
template <class T>
caf::expected<wire<T>> from_json(std::string_view text) {
  return detail::read_json<T>(text, [](capnp::JsonValue::Reader value) {
    wire_builder<T> b;
    json_codec().decode(value, capnp::toDynamic(b.root()));
    return detail::checked_text(std::move(b));
  });
}

// Parses `text`, which must be a JSON array of objects, into a message of
// type T whose list `init(root, size)` makes receives the elements (for
// bodies that are a bare array, like Mesos' PUT /weights).
template <class T, class Init>
caf::expected<wire<T>> from_json_array(std::string_view text, Init init) {
  return detail::read_json<T>(text, [&init](capnp::JsonValue::Reader value)
                                      -> caf::expected<wire<T>> {
    if (!value.isArray())
      return make_error("invalid JSON: expected an array");
    auto items = value.getArray();
    wire_builder<T> b;
    auto list = init(b.root(), items.size());
    for (unsigned i = 0; i < items.size(); ++i) {
      if (!items[i].isObject())
        return make_error("invalid JSON: expected an array of objects");
      json_codec().decode(items[i], capnp::toDynamic(list[i]));
    }
    return detail::checked_text(std::move(b));
  });
}

} // namespace cairn
