#include "runtime/json.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "runtime/json_maps.hpp"
#include "schema/cron.capnp.h"
#include "schema/executor.capnp.h"
#include "schema/master.capnp.h"
#include "schema/operator.capnp.h"
#include "schema/registry.capnp.h"
#include "schema/scheduler.capnp.h"
#include "schema/services.capnp.h"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

// JsonCodec writes 64-bit integers as strings (for JavaScript's sake); Mesos
// writes numbers, and clients written for Mesos expect them. Both forms are read.
template <class T>
class integer_handler final : public capnp::JsonCodec::Handler<T> {
public:
  void encode(const capnp::JsonCodec&, T input, capnp::JsonValue::Builder output) const override {
    detail::set_exact_integer(output, kj::str(input));
  }

  T decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input) const override {
    if (input.isString()) {
      auto text = input.getString();
      char* end = nullptr;
      errno = 0;
      auto value = std::is_signed<T>::value
                     ? static_cast<T>(std::strtoll(text.cStr(), &end, 10))
                     : static_cast<T>(std::strtoull(text.cStr(), &end, 10));
      KJ_REQUIRE(text.size() > 0 && end != nullptr && *end == '\0' && errno == 0,
                 "not an integer in range", text);
      // strtoull takes "-1" and wraps it.
      KJ_REQUIRE(std::is_signed<T>::value || text[0] != '-', "not an integer in range", text);
      return value;
    }
    KJ_REQUIRE(input.isNumber(), "expected an integer");
    double d = input.getNumber();
    KJ_REQUIRE(std::isfinite(d) && std::floor(d) == d, "expected an integer", d);
    // Bounds as doubles that are exact: [min, 2^63) or [0, 2^64). A cast from
    // outside them is undefined.
    constexpr double upper = std::is_signed<T>::value ? 9223372036854775808.0
                                                      : 18446744073709551616.0;
    constexpr double lower = std::is_signed<T>::value ? -9223372036854775808.0 : 0.0;
    KJ_REQUIRE(d >= lower && d < upper, "integer out of range", d);
    return static_cast<T>(d);
  }
};

// /metrics/snapshot is a JSON object keyed by metric name, as in Mesos.
class metrics_handler final : public capnp::JsonCodec::Handler<schema::state::Metrics> {
public:
  void encode(const capnp::JsonCodec&, schema::state::Metrics::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto fields = output.initObject(input.getMetrics().size());
    unsigned i = 0;
    for (auto m : input.getMetrics()) {
      fields[i].setName(m.getName());
      fields[i].initValue().setNumber(m.getValue());
      ++i;
    }
  }

  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              schema::state::Metrics::Builder output) const override {
    KJ_REQUIRE(input.isObject(), "metrics must be an object");
    auto fields = input.getObject();
    auto list = output.initMetrics(fields.size());
    for (unsigned i = 0; i < fields.size(); ++i) {
      KJ_REQUIRE(fields[i].getValue().isNumber(), "a metric must be a number");
      list[i].setName(fields[i].getName());
      list[i].setValue(fields[i].getValue().getNumber());
    }
  }
};

// An enum whose first value means unset, as an optional enum of Mesos: left
// out of JSON when unset (written as null, which the writer drops), and that
// value is never read (Mesos has no name for it). Other values are spelled
// by their $Json.name.
class optional_enum_handler final : public capnp::JsonCodec::Handler<capnp::DynamicEnum> {
public:
  explicit optional_enum_handler(capnp::EnumSchema schema) : schema_(schema) {}

  void encode(const capnp::JsonCodec&, capnp::DynamicEnum input,
              capnp::JsonValue::Builder output) const override {
    if (input.getRaw() == 0)
      return output.setNull();
    KJ_IF_MAYBE (e, input.getEnumerant())
      return output.setString(json_name(*e));
    output.setNumber(input.getRaw());
  }

  capnp::DynamicEnum decode(const capnp::JsonCodec&,
                            capnp::JsonValue::Reader input) const override {
    KJ_REQUIRE(input.isString(), "expected an enum name");
    auto enumerants = schema_.getEnumerants();
    for (unsigned i = 1; i < enumerants.size(); ++i)
      if (json_name(enumerants[i]) == input.getString())
        return capnp::DynamicEnum(enumerants[i]);
    KJ_FAIL_REQUIRE("unknown enum value", input.getString());
  }

private:
  static kj::StringPtr json_name(capnp::EnumSchema::Enumerant e) {
    constexpr uint64_t json_name_annotation = 0xfa5b1fd61c2e7c3dull;
    for (auto a : e.getProto().getAnnotations())
      if (a.getId() == json_name_annotation)
        return a.getValue().getText();
    return e.getProto().getName();
  }

  capnp::EnumSchema schema_;
};

// TaskStatus.healthy: Mesos' optional bool, absent until a health check ran.
class health_handler final : public capnp::JsonCodec::Handler<capnp::DynamicEnum> {
public:
  using health = schema::TaskStatus::Health;

  void encode(const capnp::JsonCodec&, capnp::DynamicEnum input,
              capnp::JsonValue::Builder output) const override {
    auto value = input.as<health>();
    if (value == health::UNKNOWN)
      return output.setNull();
    output.setBoolean(value == health::HEALTHY);
  }

  capnp::DynamicEnum decode(const capnp::JsonCodec&,
                            capnp::JsonValue::Reader input) const override {
    KJ_REQUIRE(input.isBoolean(), "'healthy' must be true or false");
    return capnp::DynamicEnum(input.getBoolean() ? health::HEALTHY : health::UNHEALTHY);
  }
};

// CheckStatusInfo's Command, Http and Tcp: each holds one optional value of
// Mesos', written when its `has` flag is set and left out otherwise, so an
// empty object means "no result yet" as in Mesos.
template <class T, class Value>
class optional_member_handler final : public capnp::JsonCodec::Handler<T> {
public:
  using get_fn = Value (*)(typename T::Reader);
  using has_fn = bool (*)(typename T::Reader);
  using set_fn = void (*)(typename T::Builder, Value);

  optional_member_handler(const char* name, get_fn get, has_fn has, set_fn set)
    : name_(name), get_(get), has_(has), set_(set) {}

  void encode(const capnp::JsonCodec&, typename T::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto fields = output.initObject(has_(input) ? 1 : 0);
    if (!has_(input))
      return;
    fields[0].setName(name_);
    if constexpr (std::is_same<Value, bool>::value)
      fields[0].initValue().setBoolean(get_(input));
    else
      fields[0].initValue().setNumber(static_cast<double>(get_(input)));
  }

  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              typename T::Builder output) const override {
    KJ_REQUIRE(input.isObject(), "expected an object", name_);
    for (auto field : input.getObject()) {
      if (field.getName() != name_)
        continue;  // unknown keys are ignored, as Mesos ignores them
      auto v = field.getValue();
      if constexpr (std::is_same<Value, bool>::value) {
        KJ_REQUIRE(v.isBoolean(), "expected true or false", name_);
        set_(output, v.getBoolean());
      } else {
        KJ_REQUIRE(v.isNumber(), "expected an integer", name_);
        double d = v.getNumber();
        KJ_REQUIRE(std::isfinite(d) && std::floor(d) == d &&
                     d >= static_cast<double>(std::numeric_limits<Value>::min()) &&
                     d <= static_cast<double>(std::numeric_limits<Value>::max()),
                   "integer out of range", name_);
        set_(output, static_cast<Value>(d));
      }
    }
  }

private:
  const char* name_;
  get_fn get_;
  has_fn has_;
  set_fn set_;
};

using check_command_status = schema::CheckStatusInfo::Command;
using check_http_status = schema::CheckStatusInfo::Http;
using check_tcp_status = schema::CheckStatusInfo::Tcp;

void add_check_status_handlers(capnp::JsonCodec& codec) {
  static optional_member_handler<check_command_status, int32_t> command{
    "exit_code", [](check_command_status::Reader r) { return r.getExitCode(); },
    [](check_command_status::Reader r) { return r.getHasExitCode(); },
    [](check_command_status::Builder b, int32_t v) {
      b.setExitCode(v);
      b.setHasExitCode(true);
    }};
  static optional_member_handler<check_http_status, uint32_t> http{
    "status_code", [](check_http_status::Reader r) { return r.getStatusCode(); },
    [](check_http_status::Reader r) { return r.getHasStatusCode(); },
    [](check_http_status::Builder b, uint32_t v) {
      b.setStatusCode(v);
      b.setHasStatusCode(true);
    }};
  static optional_member_handler<check_tcp_status, bool> tcp{
    "succeeded", [](check_tcp_status::Reader r) { return r.getSucceeded(); },
    [](check_tcp_status::Reader r) { return r.getHasSucceeded(); },
    [](check_tcp_status::Builder b, bool v) {
      b.setSucceeded(v);
      b.setHasSucceeded(true);
    }};
  codec.addTypeHandler(command);
  codec.addTypeHandler(http);
  codec.addTypeHandler(tcp);
}

capnp::JsonCodec* make_codec() {
  static integer_handler<int64_t> int64s;
  static integer_handler<uint64_t> uint64s;
  static metrics_handler metrics;
  auto* codec = new capnp::JsonCodec();
  codec->setHasMode(capnp::HasMode::NON_NULL);
  codec->setMaxNestingDepth(static_cast<size_t>(limits::wire_max_nesting));
  codec->addTypeHandler(int64s);
  codec->addTypeHandler(uint64s);
  // Before the annotations, which would give these enums handlers of their own.
  static optional_enum_handler reasons{capnp::Schema::from<schema::TaskStatus::Reason>()};
  static health_handler health;
  codec->addTypeHandler(capnp::Schema::from<schema::TaskStatus::Reason>(), reasons);
  codec->addTypeHandler(capnp::Schema::from<schema::TaskStatus::Health>(), health);
  add_check_status_handlers(*codec);
  add_map_handlers(*codec);
  codec->handleByAnnotation<schema::Call>();
  codec->handleByAnnotation<schema::Event>();
  codec->handleByAnnotation<schema::executor::Call>();
  codec->handleByAnnotation<schema::executor::Event>();
  codec->handleByAnnotation<schema::operator_api::Call>();
  codec->handleByAnnotation<schema::operator_api::Response>();
  codec->handleByAnnotation<schema::operator_api::Event>();
  codec->handleByAnnotation<schema::operator_api::AgentResponse>();
  codec->handleByAnnotation<schema::operator_api::AgentEvent>();
  codec->handleByAnnotation<schema::state::Master>();
  codec->handleByAnnotation<schema::state::ActorEndpoint>();
  codec->handleByAnnotation<schema::state::AgentState>();
  codec->handleByAnnotation<schema::state::Frameworks>();
  codec->handleByAnnotation<schema::state::Slaves>();
  codec->handleByAnnotation<schema::state::Tasks>();
  codec->handleByAnnotation<schema::state::StateSummary>();
  codec->handleByAnnotation<schema::state::Roles>();
  codec->handleByAnnotation<schema::state::Version>();
  codec->handleByAnnotation<schema::state::FileList>();
  codec->handleByAnnotation<schema::state::FileData>();
  codec->handleByAnnotation<schema::registry::Registry>();
  codec->handleByAnnotation<schema::registry::KvWritten>();
  codec->handleByAnnotation<schema::cron::JobStat>();
  codec->handleByAnnotation<schema::services::App>();
  codec->handleByAnnotation<schema::services::Info>();
  codec->addTypeHandler(metrics);
  return codec;
}

} // namespace

namespace {

// The four hex digits at `at`, or -1.
long hex4(std::string_view text, size_t at) {
  if (at + 4 > text.size())
    return -1;
  long value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

void append_utf8(std::string& out, long cp) {
  if (cp < 0x80) {
    // Quote and backslash stay escaped; the decoder takes other bytes raw.
    if (cp == '"' || cp == '\\')
      out += '\\';
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The code point of the escape at `at` ("\uXXXX", or a surrogate pair of
// two), and how many bytes it takes; an error for a lone surrogate.
caf::expected<std::pair<long, size_t>> unicode_escape(std::string_view text, size_t at) {
  long cp = hex4(text, at + 2);
  if (cp < 0)
    return make_error(fmt::format("invalid JSON: bad \\u escape at byte {}", at));
  if (cp >= 0xdc00 && cp <= 0xdfff)
    return make_error(fmt::format("invalid JSON: lone surrogate at byte {} (not UTF-8)", at));
  if (cp < 0xd800 || cp > 0xdbff)
    return std::make_pair(cp, size_t{6});
  long low = text.compare(at + 6, 2, "\\u") == 0 ? hex4(text, at + 8) : -1;
  if (low < 0xdc00 || low > 0xdfff)
    return make_error(fmt::format("invalid JSON: lone surrogate at byte {} (not UTF-8)", at));
  return std::make_pair(0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00), size_t{12});
}

} // namespace

caf::expected<std::string_view> detail::decode_unicode_escapes(std::string_view text,
                                                               std::string& out) {
  if (text.find("\\u") == std::string_view::npos)
    return text;
  out.clear();
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      in_string = !in_string;
    } else if (c == '\\' && in_string && i + 1 < text.size()) {
      if (text[i + 1] != 'u') {
        out.append(text.substr(i, 2)); // \n, \", \\ ...: the decoder reads these right
        ++i;
        continue;
      }
      auto escape = unicode_escape(text, i);
      if (!escape)
        return escape.error();
      append_utf8(out, escape->first);
      i += escape->second - 1;
      continue;
    }
    out += c;
  }
  return std::string_view(out);
}

std::string_view detail::quote_long_integers(std::string_view text, std::string& out) {
  constexpr size_t exact_digits = 15; // every integer of 15 digits is exact as a double
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto number_char = [&](char c) {
    return digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  };
  bool in_string = false;
  bool changed = false;
  size_t copied = 0; // text before this is in `out` when changed
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (!digit(c) && c != '-')
      continue;
    size_t end = i;
    while (end < text.size() && number_char(text[end]))
      ++end;
    auto token = text.substr(i, end - i);
    auto digits = token.substr(token[0] == '-' ? 1 : 0);
    bool integer = !digits.empty()
                   && std::all_of(digits.begin(), digits.end(), digit);
    if (integer && digits.size() > exact_digits) {
      if (!changed) {
        out.clear();
        out.reserve(text.size() + 16);
        changed = true;
      }
      out.append(text.substr(copied, i - copied));
      out += '"';
      out.append(token);
      out += '"';
      copied = end;
    }
    i = end - 1;
  }
  if (!changed)
    return text;
  out.append(text.substr(copied));
  return out;
}

namespace {

bool has_null_member(capnp::JsonValue::Reader v) {
  if (v.isObject()) {
    for (auto f : v.getObject())
      if (f.getValue().isNull() || has_null_member(f.getValue()))
        return true;
  } else if (v.isArray()) {
    for (auto item : v.getArray())
      if (has_null_member(item))
        return true;
  }
  return false;
}

void copy_without_null_members(capnp::JsonValue::Reader in, capnp::JsonValue::Builder out) {
  switch (in.which()) {
    case capnp::JsonValue::OBJECT: {
      auto fields = in.getObject();
      unsigned kept = 0;
      for (auto f : fields)
        kept += f.getValue().isNull() ? 0 : 1;
      auto to = out.initObject(kept);
      unsigned i = 0;
      for (auto f : fields) {
        if (f.getValue().isNull())
          continue;
        to[i].setName(f.getName());
        copy_without_null_members(f.getValue(), to[i].initValue());
        ++i;
      }
      break;
    }
    case capnp::JsonValue::ARRAY: {
      auto items = in.getArray();
      auto to = out.initArray(items.size());
      for (unsigned i = 0; i < items.size(); ++i)
        copy_without_null_members(items[i], to[i]);
      break;
    }
    case capnp::JsonValue::NULL_: out.setNull(); break;
    case capnp::JsonValue::BOOLEAN: out.setBoolean(in.getBoolean()); break;
    case capnp::JsonValue::NUMBER: out.setNumber(in.getNumber()); break;
    case capnp::JsonValue::STRING: out.setString(in.getString()); break;
    default: KJ_FAIL_REQUIRE("not JSON");
  }
}

} // namespace

void detail::decode_raw_json(std::string_view text, capnp::MessageBuilder& out) {
  auto root = out.initRoot<capnp::JsonValue>();
  json_codec().decodeRaw(kj::ArrayPtr<const char>(text.data(), text.size()), root);
  // Mesos reads a member that is null as absent, and widely used clients send
  // every unset field so ("framework_id": null, "uris": null).
  if (has_null_member(root.asReader())) {
    capnp::MallocMessageBuilder clean;
    copy_without_null_members(root.asReader(), clean.initRoot<capnp::JsonValue>());
    out.setRoot(clean.getRoot<capnp::JsonValue>().asReader());
  }
}

const capnp::JsonCodec& json_codec() {
  static const capnp::JsonCodec* codec = make_codec();
  return *codec;
}

} // namespace cairn
