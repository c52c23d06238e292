// A small writer and reader of the JSON the Docker Engine speaks: its bodies
// are not in schema/ (they are Docker's, not Mesos'), so they are written
// by hand and read as a plain JSON tree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <caf/expected.hpp>

namespace cairn::docker {

// Appends JSON text; the caller keeps the nesting right (asserted).
class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);
  json_writer& value(std::string_view text);
  json_writer& value(const char* text) { return value(std::string_view(text)); }
  json_writer& value(int64_t number);
  json_writer& value(bool flag);
  json_writer& strings(const std::vector<std::string>& list);
  const std::string& text() const;

private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// A parsed document; `root()` is valid while it lives.
class json_tree {
public:
  static caf::expected<json_tree> parse(std::string_view text);
  capnp::JsonValue::Reader root() const;
  json_tree(json_tree&&) = default;
  json_tree& operator=(json_tree&&) = default;

private:
  json_tree() = default;
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
};

// The member `name` of an object (null when `value` is no object or lacks it).
const capnp::JsonValue::Reader* member(const capnp::JsonValue::Reader& value,
                                       std::string_view name,
                                       capnp::JsonValue::Reader& storage);

// Typed reads of a member; `fallback` when absent or of another type.
std::string text_member(capnp::JsonValue::Reader value, std::string_view name,
                        std::string fallback = {});
int64_t number_member(capnp::JsonValue::Reader value, std::string_view name,
                      int64_t fallback = 0);
bool bool_member(capnp::JsonValue::Reader value, std::string_view name, bool fallback = false);

} // namespace cairn::docker
