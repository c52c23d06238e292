#include "runtime/text.hpp"

#include <fmt/format.h>

namespace cairn {

namespace {

// Length of the UTF-8 sequence starting at `i`, or 0 when it is not one.
size_t sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80)
    return 1;
  size_t n = c >= 0xc2 && c <= 0xdf   ? 2
             : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80)
      return 0;
  unsigned char second = byte(i + 1);
  if (c == 0xe0 && second < 0xa0)
    return 0; // overlong
  if (c == 0xed && second >= 0xa0)
    return 0; // a UTF-16 surrogate
  if (c == 0xf0 && second < 0x90)
    return 0; // overlong
  if (c == 0xf4 && second >= 0x90)
    return 0; // past U+10FFFF
  return n;
}

std::string check_value(capnp::DynamicValue::Reader value, const std::string& path);

std::string check_struct(capnp::DynamicStruct::Reader s, const std::string& path) {
  auto check_field = [&](capnp::StructSchema::Field field) -> std::string {
    auto which = field.getType().which();
    bool pointer = which == capnp::schema::Type::TEXT || which == capnp::schema::Type::LIST
                   || which == capnp::schema::Type::STRUCT;
    if (!pointer)
      return {};
    bool group = field.getProto().isGroup();
    if (!group && !s.has(field))
      return {};
    std::string name = field.getProto().getName();
    return check_value(s.get(field), path.empty() ? name : path + "." + name);
  };
  for (auto field : s.getSchema().getNonUnionFields())
    if (auto bad = check_field(field); !bad.empty())
      return bad;
  KJ_IF_MAYBE (active, s.which())
    return check_field(*active);
  return {};
}

std::string check_value(capnp::DynamicValue::Reader value, const std::string& path) {
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: {
      auto text = value.as<capnp::Text>();
      return valid_utf8(std::string_view(text.cStr(), text.size())) ? std::string{} : path;
    }
    case capnp::DynamicValue::STRUCT:
      return check_struct(value.as<capnp::DynamicStruct>(), path);
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      auto element = list.getSchema().whichElementType();
      if (element != capnp::schema::Type::TEXT && element != capnp::schema::Type::STRUCT
          && element != capnp::schema::Type::LIST)
        return {};
      for (unsigned i = 0; i < list.size(); ++i)
        if (auto bad = check_value(list[i], fmt::format("{}[{}]", path, i)); !bad.empty())
          return bad;
      return {};
    }
    default:
      return {};
  }
}

} // namespace

bool valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(text, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string invalid_text_field(capnp::DynamicStruct::Reader message) {
  return check_struct(message, "");
}

std::string escape_for_log(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = sequence_length(text, i);
    // C1 controls (U+0080..U+009F) are two bytes: 0xc2 0x80..0x9f.
    bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
    if (n == 0 || c < 0x20 || c == 0x7f || c1) {
      size_t bad = n == 0 ? 1 : n;
      for (size_t k = 0; k < bad; ++k)
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i + k]));
      i += bad;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

} // namespace cairn
