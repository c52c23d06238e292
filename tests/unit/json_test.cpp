// JSON of schema types: Mesos' field and enum spellings, numbers for 64-bit
// integers, and clear refusals of bad input.
#include <doctest/doctest.h>

#include "runtime/json.hpp"
#include "schema/executor.capnp.h"
#include "schema/scheduler.capnp.h"

#include <functional>

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

namespace {

wire<schema::Event> update_event(std::function<void(schema::TaskStatus::Builder)> fill) {
  return make_wire<schema::Event>([&](schema::Event::Builder e) {
    e.setType(schema::Event::Type::UPDATE);
    auto s = e.initUpdate().initStatus();
    s.initTaskId().setValue("t");
    s.setState(schema::TaskState::TASK_RUNNING);
    fill(s);
  });
}

} // namespace

TEST_CASE("64-bit integers are written exactly, as JSON integers") {
  auto event = make_wire<schema::Event>([](schema::Event::Builder e) {
    e.setType(schema::Event::Type::SUBSCRIBED);
    e.initSubscribed().initFrameworkId().setValue("f");
  });
  auto launch = from_json<schema::Call>(R"({"type": "ACCEPT", "accept": {"operations": [
    {"type": "LAUNCH", "launch": {"task_infos": [{"name": "t", "resources": [
      {"name": "ports", "type": "RANGES",
       "ranges": {"range": [{"begin": "18446744073709551615", "end": 1796423126322672601}]}}
    ]}]}}]}})");
  REQUIRE(launch);
  auto text = to_json((*launch).get());
  CHECK(text.find("\"begin\":18446744073709551615") != std::string::npos);
  CHECK(text.find("\"end\":1796423126322672601") != std::string::npos);
  CHECK(text.find("e+") == std::string::npos);
  // And what is written reads back the same.
  auto again = from_json<schema::Call>(text);
  REQUIRE(again);
  CHECK(to_json((*again).get()) == text);
  CHECK(to_json(event.get()).find("\"SUBSCRIBED\"") != std::string::npos);
}

TEST_CASE("an unset reason and an unknown health are left out, as Mesos writes a TaskStatus") {
  auto bare = to_json(update_event([](auto) {}).get());
  CHECK(bare.find("reason") == std::string::npos);
  CHECK(bare.find("healthy") == std::string::npos);
  CHECK(bare.find("REASON_NONE") == std::string::npos);
  CHECK(bare.find("null") == std::string::npos);

  auto set = to_json(update_event([](schema::TaskStatus::Builder s) {
                       s.setReason(schema::TaskStatus::Reason::RECONCILIATION);
                       s.setHealthy(schema::TaskStatus::Health::UNHEALTHY);
                     }).get());
  CHECK(set.find("\"reason\":\"REASON_RECONCILIATION\"") != std::string::npos);
  CHECK(set.find("\"healthy\":false") != std::string::npos);
  CHECK(set.find("has_healthy") == std::string::npos);
}

TEST_CASE("a TaskStatus reads its reason and health as Mesos writes them") {
  auto read = [](const char* status) {
    return from_json<schema::executor::Call>(
      std::string(R"({"type": "UPDATE", "update": {"status": )") + status + "}}");
  };
  auto healthy = read(R"({"task_id": {"value": "t"}, "state": "TASK_RUNNING", "healthy": true,
                          "reason": "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"})");
  REQUIRE(healthy);
  auto s = (*healthy)->getUpdate().getStatus();
  CHECK(s.getHealthy() == schema::TaskStatus::Health::HEALTHY);
  CHECK(s.getReason() == schema::TaskStatus::Reason::TASK_HEALTH_CHECK_STATUS_UPDATED);
  auto bare = read(R"({"task_id": {"value": "t"}, "state": "TASK_RUNNING"})");
  REQUIRE(bare);
  CHECK((*bare)->getUpdate().getStatus().getHealthy() == schema::TaskStatus::Health::UNKNOWN);
  // REASON_NONE is not one of Mesos' reasons.
  CHECK(!read(R"({"task_id": {"value": "t"}, "state": "TASK_RUNNING", "reason": "REASON_NONE"})"));
  CHECK(!read(R"({"task_id": {"value": "t"}, "state": "TASK_RUNNING", "healthy": "yes"})"));
}

TEST_CASE("a TaskStatus's check_status is written and read as Mesos does, absent values left out") {
  auto empty = to_json(update_event([](schema::TaskStatus::Builder s) {
                         auto c = s.initCheckStatus();
                         c.setType(schema::CheckInfo::Type::COMMAND);
                         c.initCommand();
                       }).get());
  CHECK(empty.find(R"("check_status":{"type":"COMMAND","command":{}})") != std::string::npos);
  auto exited = to_json(update_event([](schema::TaskStatus::Builder s) {
                          auto c = s.initCheckStatus();
                          c.setType(schema::CheckInfo::Type::COMMAND);
                          c.initCommand().setExitCode(1);
                          c.getCommand().setHasExitCode(true);
                        }).get());
  CHECK(exited.find(R"("command":{"exit_code":1})") != std::string::npos);
  CHECK(exited.find("has_") == std::string::npos);
  CHECK(exited.find("hasExitCode") == std::string::npos);

  auto read = [](const char* check) {
    return from_json<schema::executor::Call>(
      std::string(R"({"type": "UPDATE", "update": {"status": {"task_id": {"value": "t"},)"
                  R"( "state": "TASK_RUNNING", "check_status": )") + check + "}}}");
  };
  auto http = read(R"({"type": "HTTP", "http": {"status_code": 503}})");
  REQUIRE(http);
  auto h = (*http)->getUpdate().getStatus().getCheckStatus();
  CHECK(h.getType() == schema::CheckInfo::Type::HTTP);
  CHECK(h.getHttp().getHasStatusCode());
  CHECK(h.getHttp().getStatusCode() == 503);
  auto tcp = read(R"({"type": "TCP", "tcp": {}})");
  REQUIRE(tcp);
  CHECK(!(*tcp)->getUpdate().getStatus().getCheckStatus().getTcp().getHasSucceeded());
  auto ok = read(R"({"type": "TCP", "tcp": {"succeeded": false}})");
  REQUIRE(ok);
  CHECK((*ok)->getUpdate().getStatus().getCheckStatus().getTcp().getHasSucceeded());
  CHECK(!read(R"({"type": "COMMAND", "command": {"exit_code": 1.5}})"));
  CHECK(!read(R"({"type": "COMMAND", "command": {"exit_code": 1e12}})"));
  CHECK(!read(R"({"type": "TCP", "tcp": {"succeeded": 1}})"));
}

TEST_CASE("texts are escaped as JSON requires") {
  auto text = to_json(update_event([](schema::TaskStatus::Builder s) {
                        s.setMessage("quote \" backslash \\ newline \n tab \t bell \x07 é");
                      }).get());
  CHECK(text.find(R"("quote \" backslash \\ newline \n tab \t bell \u0007 é")") !=
        std::string::npos);
  auto call = from_json<schema::executor::Call>(
    R"({"type": "UPDATE", "update": {"status": {"task_id": {"value": "t"},
        "state": "TASK_RUNNING", "message": "quote \" backslash \\ newline \n tab \t bell \u0007 é"}}})");
  REQUIRE(call);
  CHECK(std::string((*call)->getUpdate().getStatus().getMessage().cStr()) ==
        "quote \" backslash \\ newline \n tab \t bell \x07 é");
}

TEST_CASE("long integer literals read exactly, in integer and in floating-point fields") {
  auto decline = from_json<schema::Call>(R"({"type": "DECLINE", "decline": {"offer_ids": [],
    "filters": {"refuse_seconds": 12345678901234567}}, "note": ["x\"9999999999999999", -1234567890123456789]})");
  REQUIRE(decline);
  CHECK((*decline)->getDecline().getFilters().getRefuseSeconds() == 12345678901234567.0);
}
