#include "actors/docker/json_text.hpp"

#include <cassert>
#include <cstdio>

#include "runtime/errors.hpp"
#include "runtime/json.hpp"

namespace cairn::docker {

void json_writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back())
      out_ += ',';
    first_.back() = false;
  }
}

json_writer& json_writer::begin_object() {
  separate();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

json_writer& json_writer::end_object() {
  assert(!first_.empty() && !after_key_);
  first_.pop_back();
  out_ += '}';
  return *this;
}

json_writer& json_writer::begin_array() {
  separate();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

json_writer& json_writer::end_array() {
  assert(!first_.empty() && !after_key_);
  first_.pop_back();
  out_ += ']';
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  assert(!first_.empty() && !after_key_);
  value(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

json_writer& json_writer::value(std::string_view text) {
  separate();
  out_ += '"';
  for (char c : text) {
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out_ += escaped;
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
  return *this;
}

json_writer& json_writer::value(int64_t number) {
  separate();
  out_ += std::to_string(number);
  return *this;
}

json_writer& json_writer::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

json_writer& json_writer::strings(const std::vector<std::string>& list) {
  begin_array();
  for (const auto& s : list)
    value(std::string_view(s));
  return end_array();
}

const std::string& json_writer::text() const {
  assert(first_.empty() && !after_key_);
  return out_;
}

caf::expected<json_tree> json_tree::parse(std::string_view text) {
  json_tree tree;
  tree.message_ = std::make_unique<capnp::MallocMessageBuilder>();
  try {
    cairn::detail::decode_raw_json(text, *tree.message_);
  } catch (const kj::Exception& e) {
    return make_error(std::string("invalid JSON from the Docker Engine: ") +
                      e.getDescription().cStr());
  }
  return tree;
}

capnp::JsonValue::Reader json_tree::root() const {
  return message_->getRoot<capnp::JsonValue>().asReader();
}

const capnp::JsonValue::Reader* member(const capnp::JsonValue::Reader& value,
                                       std::string_view name,
                                       capnp::JsonValue::Reader& storage) {
  if (!value.isObject())
    return nullptr;
  for (auto field : value.getObject())
    if (std::string_view(field.getName().cStr(), field.getName().size()) == name) {
      storage = field.getValue();
      return &storage;
    }
  return nullptr;
}

std::string text_member(capnp::JsonValue::Reader value, std::string_view name,
                        std::string fallback) {
  capnp::JsonValue::Reader storage;
  auto m = member(value, name, storage);
  return m && m->isString() ? std::string(m->getString().cStr()) : fallback;
}

int64_t number_member(capnp::JsonValue::Reader value, std::string_view name, int64_t fallback) {
  capnp::JsonValue::Reader storage;
  auto m = member(value, name, storage);
  return m && m->isNumber() ? static_cast<int64_t>(m->getNumber()) : fallback;
}

bool bool_member(capnp::JsonValue::Reader value, std::string_view name, bool fallback) {
  capnp::JsonValue::Reader storage;
  auto m = member(value, name, storage);
  return m && m->isBoolean() ? m->getBoolean() : fallback;
}

} // namespace cairn::docker
