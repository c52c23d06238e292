// JSON of schema types: Mesos' field and enum spellings, numbers for 64-bit
// integers, and clear refusals of bad input.
#include <doctest/doctest.h>

#include "runtime/json.hpp"
#include "schema/scheduler.capnp.h"

using namespace cairn;

TEST_CASE("a call reads and writes in Mesos' spelling") {
  auto call = from_json<schema::Call>(R"({
    "framework_id": {"value": "f-1"},
    "type": "DECLINE",
    "decline": {"offer_ids": [{"value": "o-1"}], "filters": {"refuse_seconds": 10}}
  })");
  REQUIRE(call);
  CHECK((*call)->getType() == schema::Call::Type::DECLINE);
  CHECK((*call)->getDecline().getFilters().getRefuseSeconds() == 10);
  auto text = to_json((*call).get());
  CHECK(text.find("\"framework_id\"") != std::string::npos);
  CHECK(text.find("\"DECLINE\"") != std::string::npos);
}

TEST_CASE("64-bit integers are numbers in JSON and read from numbers or strings") {
  auto call = from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"type": "LAUNCH", "launch": {"task_infos": [{"name": "t", "resources": [
      {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": "31005"}]}}
    ]}]}}]}})");
  REQUIRE(call);
  auto range = (*call)->getAccept().getOperations()[0].getLaunch().getTaskInfos()[0]
                 .getResources()[0].getRanges().getRange()[0];
  CHECK(range.getBegin() == 31000);
  CHECK(range.getEnd() == 31005);
  auto text = to_json((*call).get());
  CHECK(text.find("\"begin\":31000") != std::string::npos);
}

TEST_CASE("bad JSON, wrong types and unknown enum names are refused with a message") {
  CHECK(!from_json<schema::Call>("{not json"));
  CHECK(!from_json<schema::Call>(R"({"type": "NOT_A_CALL"})"));
  CHECK(!from_json<schema::Call>(R"({"type": true})"));
  CHECK(!from_json<schema::Call>(R"({"framework_id": "should be an object"})"));
  auto err = from_json<schema::Call>("[1,2");
  REQUIRE(!err);
  CHECK(error_message(err.error()).find("invalid JSON") != std::string::npos);
}

TEST_CASE("64-bit integers out of range are refused, not wrapped") {
  auto range = [](const char* begin) {
    return from_json<schema::Call>(std::string(R"({"type": "ACCEPT", "accept": {"operations": [
      {"type": "LAUNCH", "launch": {"task_infos": [{"name": "t", "resources": [
        {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": )") + begin +
      R"(, "end": 1}]}}]}]}}]}})");
  };
  CHECK(range("\"18446744073709551615\""));  // as a string: exact
  CHECK(!range("18446744073709551616"));  // as a number: 2^64, past the top
  CHECK(!range("1e300"));
  CHECK(!range("-1"));
  CHECK(!range("\"-1\""));
  CHECK(!range("\"18446744073709551616\""));
  CHECK(!range("0.5"));
}

TEST_CASE("null members are absent and unknown keys are ignored, as Mesos reads JSON") {
  // As a widely used v1 client writes a SUBSCRIBE: every unset field null.
  auto call = from_json<schema::Call>(R"({
    "type": "SUBSCRIBE", "framework_id": null, "accept": null, "decline": null,
    "subscribe": {"framework_info": {"user": "root", "name": "fw", "id": null,
                                     "labels": null, "roles": null, "capabilities": null},
                  "suppressed_roles": null},
    "not_a_field": {"deep": [1, null]}})");
  REQUIRE(call);
  CHECK((*call)->getType() == schema::Call::Type::SUBSCRIBE);
  CHECK_FALSE((*call)->hasFrameworkId());
  CHECK_FALSE((*call)->hasAccept());
  auto info = (*call)->getSubscribe().getFrameworkInfo();
  CHECK(std::string(info.getName().cStr()) == "fw");
  CHECK_FALSE(info.hasId());
  CHECK_FALSE(info.hasLabels());
  // Lists too, inside nested messages.
  auto launch = from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"type": "LAUNCH", "launch": {"task_infos": [{"name": "t", "resources": null,
      "command": {"value": "true", "uris": null}}]}}], "filters": null}})");
  REQUIRE(launch);
  // A null where a message is required is still absent, never a crash; a
  // wrong type is still an error.
  CHECK(!from_json<schema::Call>(R"({"type": "SUBSCRIBE", "subscribe": 3})"));
}
