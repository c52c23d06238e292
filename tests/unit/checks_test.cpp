// Values from outside that become paths, keys or numbers are refused out of
// range, by one set of rules (Mesos' where Mesos has them).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <capnp/message.h>

#include "actors/checks.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/duration.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"

using namespace cairn;

namespace {

const double inf = std::numeric_limits<double>::infinity();
const double nan_value = std::numeric_limits<double>::quiet_NaN();

// A resource list as a peer would send it: one scalar.
caf::expected<resources> read_scalar(double value, const char* name = "cpus") {
  capnp::MallocMessageBuilder holder;
  auto list = holder.getOrphanage().newOrphan<capnp::List<schema::Resource>>(1);
  auto one = list.get()[0];
  one.setName(name);
  one.setType(schema::ValueType::SCALAR);
  one.initScalar().setValue(value);
  return read_resources(list.getReader());
}

} // namespace

TEST_CASE("ids that would leave their directory or break a path are refused") {
  CHECK(check_id("task-1").empty());
  CHECK(check_id("caf\xc3\xa9.1").empty());
  CHECK(!check_id("").empty());
  CHECK(!check_id(".").empty());
  CHECK(!check_id("..").empty());
  CHECK(!check_id("../../../../tmp/x").empty());
  CHECK(!check_id("a/b").empty());
  CHECK(!check_id("a\\b").empty());
  CHECK(!check_id("tab\there").empty());
  CHECK(!check_id(std::string("nul\0x", 5)).empty());
  CHECK(check_id(std::string(limits::max_id_bytes, 'x')).empty());
  CHECK(!check_id(std::string(limits::max_id_bytes + 1, 'x')).empty());
  CHECK(check_id("../x").find("invalid characters") != std::string::npos);
}

TEST_CASE("roles follow Mesos' rules, hierarchical roles included") {
  for (const char* ok : {"*", "web", "eng/web", "a/b/c", "a.b", "x-1", "caf\xc3\xa9"})
    CHECK_MESSAGE(check_role(ok).empty(), ok);
  for (const char* bad : {"", ".", "..", "-web", "a b", "a\tb", "/a", "a/", "a//b", "a/../b",
                          "a/./b", "a/*", "*/a", "a/-b", "del\x7f"})
    CHECK_MESSAGE(!check_role(bad).empty(), bad);
  CHECK(check_role("a b").find("whitespace") != std::string::npos);
  CHECK(!check_role(std::string(limits::max_role_bytes + 1, 'r')).empty());
}

TEST_CASE("weights are finite and within the stated range, for valid roles") {
  CHECK(check_weight("web", 2).empty());
  CHECK(check_weight("web", limits::min_role_weight).empty());
  CHECK(check_weight("web", limits::max_role_weight).empty());
  for (double bad : {0.0, -1.0, 5e-324, inf, nan_value, limits::max_role_weight * 2})
    CHECK(!check_weight("web", bad).empty());
  CHECK(!check_weight("a b", 1).empty());
  CHECK(!check_weight("..", 1).empty());
}

TEST_CASE("durations from outside are finite, non-negative and capped") {
  CHECK(check_seconds("failover_timeout", 0).empty());
  CHECK(check_seconds("failover_timeout", 7 * 24 * 3600).empty());
  for (double bad : {-1.0, inf, -inf, nan_value, 1e300, limits::max_input_duration_seconds + 1})
    CHECK(!check_seconds("failover_timeout", bad).empty());
  CHECK(check_seconds("failover_timeout", inf).find("failover_timeout") != std::string::npos);
}

TEST_CASE("seconds past what a duration holds saturate instead of wrapping") {
  CHECK(from_seconds(inf) == duration::max());
  CHECK(from_seconds(1e300) == duration::max());
  CHECK(from_seconds(-inf) == duration::min());
  CHECK(from_seconds(nan_value) == duration::zero());
  CHECK(from_seconds(1.5) == std::chrono::milliseconds(1500));
}

TEST_CASE("scalars past the largest allowed are refused before they overflow") {
  CHECK(read_scalar(4));
  CHECK(read_scalar(limits::max_scalar_value));
  for (double bad : {1e300, 1e16, inf, nan_value, -1.0, limits::max_scalar_value * 1.5}) {
    auto r = read_scalar(bad);
    REQUIRE_MESSAGE(!r, bad);
    CHECK(error_message(r.error()).find("cpus") != std::string::npos);
  }
  CHECK(!parse_resources("cpus:1e16"));
  CHECK(!parse_resources("mem:1e300"));
  // Many entries of one name cannot add up past the largest either.
  CHECK(!parse_resources("cpus(a):9e9;cpus(b):9e9"));
  CHECK(parse_resources("cpus(a):4e9;cpus(b):4e9"));
}

TEST_CASE("ranges past the largest allowed and roles that are not roles are refused") {
  CHECK(parse_resources("ports:[31000-32000]"));
  CHECK(!parse_resources("ports:[0-18446744073709551615]"));
  CHECK(!parse_resources("cpus(..):1"));
  CHECK(!parse_resources("cpus(/a):1"));
  CHECK(parse_resources("cpus(eng/web):1"));
}
