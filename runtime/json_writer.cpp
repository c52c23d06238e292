// The text of a JSON tree as cairn writes it on every API: compact, 64-bit
// integers exact, and object members that are null left out (Mesos never
// writes null; it leaves an unset field out, and unset enums and optional
// bools are encoded as null for this to drop).
#include <cmath>

#include <fmt/format.h>

#include "runtime/json.hpp"

namespace cairn {

namespace {

// JsonValue has only doubles; an integer to be written exactly is a call of
// this name with its digits as the one parameter. A parsed document never
// holds a call.
constexpr std::string_view integer_call = "integer";

void write_string(std::string& out, kj::StringPtr text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  out += '"';
}

void write_value(std::string& out, capnp::JsonValue::Reader value) {
  switch (value.which()) {
    case capnp::JsonValue::NULL_: out += "null"; break;
    case capnp::JsonValue::BOOLEAN: out += value.getBoolean() ? "true" : "false"; break;
    case capnp::JsonValue::NUMBER: {
      double d = value.getNumber();
      // Not JSON numbers; Cap'n Proto's codec writes them as strings too.
      if (std::isnan(d))
        out += "\"NaN\"";
      else if (std::isinf(d))
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      else
        out += fmt::format("{}", d);
      break;
    }
    case capnp::JsonValue::STRING: write_string(out, value.getString()); break;
    case capnp::JsonValue::ARRAY: {
      out += '[';
      bool first = true;
      for (auto item : value.getArray()) {
        if (!first)
          out += ',';
        first = false;
        write_value(out, item);
      }
      out += ']';
      break;
    }
    case capnp::JsonValue::OBJECT: {
      out += '{';
      bool first = true;
      for (auto field : value.getObject()) {
        if (field.getValue().isNull())
          continue;
        if (!first)
          out += ',';
        first = false;
        write_string(out, field.getName());
        out += ':';
        write_value(out, field.getValue());
      }
      out += '}';
      break;
    }
    case capnp::JsonValue::CALL: {
      auto call = value.getCall();
      KJ_REQUIRE(call.getFunction() == integer_call.data() && call.getParams().size() == 1,
                 "not a JSON value");
      out += call.getParams()[0].getString().cStr();
      break;
    }
    default: KJ_FAIL_REQUIRE("not a JSON value");
  }
}

} // namespace

void detail::set_exact_integer(capnp::JsonValue::Builder out, kj::StringPtr digits) {
  auto call = out.initCall();
  call.setFunction(integer_call.data());
  call.initParams(1)[0].setString(digits);
}

std::string detail::write_json(capnp::JsonValue::Reader value) {
  std::string out;
  write_value(out, value);
  return out;
}

} // namespace cairn
