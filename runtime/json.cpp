#include "runtime/json.hpp"

#include <cerrno>
#include <cmath>

#include "schema/executor.capnp.h"
#include "schema/master.capnp.h"
#include "schema/operator.capnp.h"
#include "schema/registry.capnp.h"
#include "schema/scheduler.capnp.h"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

// JsonCodec writes 64-bit integers as strings (for JavaScript's sake); Mesos
// writes numbers, and clients written for Mesos expect them. Both forms are read.
template <class T>
class integer_handler final : public capnp::JsonCodec::Handler<T> {
public:
  void encode(const capnp::JsonCodec&, T input, capnp::JsonValue::Builder output) const override {
    output.setNumber(static_cast<double>(input));
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

capnp::JsonCodec* make_codec() {
  static integer_handler<int64_t> int64s;
  static integer_handler<uint64_t> uint64s;
  static metrics_handler metrics;
  auto* codec = new capnp::JsonCodec();
  codec->setHasMode(capnp::HasMode::NON_NULL);
  codec->setMaxNestingDepth(static_cast<size_t>(limits::wire_max_nesting));
  codec->addTypeHandler(int64s);
  codec->addTypeHandler(uint64s);
  codec->handleByAnnotation<schema::Call>();
  codec->handleByAnnotation<schema::Event>();
  codec->handleByAnnotation<schema::executor::Call>();
  codec->handleByAnnotation<schema::executor::Event>();
  codec->handleByAnnotation<schema::operator_api::Call>();
  codec->handleByAnnotation<schema::operator_api::Response>();
  codec->handleByAnnotation<schema::operator_api::Event>();
  codec->handleByAnnotation<schema::state::Master>();
  codec->handleByAnnotation<schema::state::ActorEndpoint>();
  codec->handleByAnnotation<schema::state::AgentState>();
  codec->handleByAnnotation<schema::state::Frameworks>();
  codec->handleByAnnotation<schema::state::Slaves>();
  codec->handleByAnnotation<schema::state::Tasks>();
  codec->handleByAnnotation<schema::state::Version>();
  codec->handleByAnnotation<schema::state::FileList>();
  codec->handleByAnnotation<schema::state::FileData>();
  codec->handleByAnnotation<schema::registry::Registry>();
  codec->handleByAnnotation<schema::registry::KvWritten>();
  codec->addTypeHandler(metrics);
  return codec;
}

} // namespace

const capnp::JsonCodec& json_codec() {
  static const capnp::JsonCodec* codec = make_codec();
  return *codec;
}

} // namespace cairn
