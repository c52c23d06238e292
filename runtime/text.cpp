#include "runtime/text.hpp"

#include <unordered_map>
#include <vector>

#include <capnp/schema.h>
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

// Which fields of a struct may hold text, worked out once per schema and
// thread: every message from another process is checked on arrival, and
// asking the schema about each field of each struct again (its type, its
// proto) was a large share of a master's time while 10,000 agents
// re-registered with ten tasks each.
struct struct_plan {
  // Kind of each field by index (getFields() order): not worth visiting,
  // a pointer that may hold text, or a group.
  enum kind : uint8_t { skip, pointer, group };
  std::vector<kind> by_index;
  std::vector<capnp::StructSchema::Field> plain;  // outside the union, not skip
};

struct schema_hash {
  size_t operator()(const capnp::StructSchema& s) const {
    return s.hashCode();
  }
};

const struct_plan& plan_of(capnp::StructSchema schema) {
  thread_local std::unordered_map<capnp::StructSchema, struct_plan, schema_hash> plans;
  auto found = plans.find(schema);
  if (found != plans.end())
    return found->second;
  struct_plan plan;
  auto fields = schema.getFields();
  plan.by_index.resize(fields.size(), struct_plan::skip);
  for (auto field : fields) {
    auto which = field.getType().which();
    bool may_hold_text = which == capnp::schema::Type::TEXT
                         || which == capnp::schema::Type::LIST
                         || which == capnp::schema::Type::STRUCT;
    if (!may_hold_text)
      continue;
    auto proto = field.getProto();
    plan.by_index[field.getIndex()] = proto.isGroup() ? struct_plan::group : struct_plan::pointer;
    if (proto.getDiscriminantValue() == capnp::schema::Field::NO_DISCRIMINANT)
      plan.plain.push_back(field);
  }
  return plans.emplace(schema, std::move(plan)).first->second;
}

// The checks return true when every text is UTF-8; on the first that is
// not, they add its path to `where`, innermost part first (built only then:
// a valid message costs no strings).
bool check_value(capnp::DynamicValue::Reader value, std::vector<std::string>& where);

bool check_struct(capnp::DynamicStruct::Reader s, std::vector<std::string>& where) {
  const auto& plan = plan_of(s.getSchema());
  auto check_field = [&](capnp::StructSchema::Field field) {
    auto kind = plan.by_index[field.getIndex()];
    if (kind == struct_plan::skip || (kind == struct_plan::pointer && !s.has(field)))
      return true;
    if (check_value(s.get(field), where))
      return true;
    where.push_back(field.getProto().getName());
    return false;
  };
  for (auto field : plan.plain)
    if (!check_field(field))
      return false;
  KJ_IF_MAYBE (active, s.which())
    return check_field(*active);
  return true;
}

bool check_value(capnp::DynamicValue::Reader value, std::vector<std::string>& where) {
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: {
      auto text = value.as<capnp::Text>();
      return valid_utf8(std::string_view(text.cStr(), text.size()));
    }
    case capnp::DynamicValue::STRUCT:
      return check_struct(value.as<capnp::DynamicStruct>(), where);
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      auto element = list.getSchema().whichElementType();
      if (element != capnp::schema::Type::TEXT && element != capnp::schema::Type::STRUCT
          && element != capnp::schema::Type::LIST)
        return true;
      for (unsigned i = 0; i < list.size(); ++i)
        if (!check_value(list[i], where)) {
          where.push_back(fmt::format("[{}]", i));
          return false;
        }
      return true;
    }
    default:
      return true;
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
  std::vector<std::string> where;
  if (check_struct(message, where))
    return {};
  std::string path;
  for (auto part = where.rbegin(); part != where.rend(); ++part) {
    if (!path.empty() && (*part)[0] != '[')
      path += '.';
    path += *part;
  }
  return path;
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
