// Text from outside is refused at the edges unless it is UTF-8 (JSON bodies
// and messages from other processes), and log lines escape what could break them.
#include <doctest/doctest.h>

#include "runtime/json.hpp"
#include "runtime/text.hpp"
#include "schema/operator.capnp.h"
#include "schema/scheduler.capnp.h"

using namespace cairn;

namespace {

std::string subscribe_named(const std::string& name_json) {
  return R"({"type": "SUBSCRIBE", "subscribe": {"framework_info": {"user": "u", "name": )"
         + name_json + "}}}";
}

} // namespace

TEST_CASE("UTF-8 is told from what only looks like it") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ascii"));
  CHECK(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  CHECK(!valid_utf8("\xff"));
  CHECK(!valid_utf8("\xc3"));                  // cut short
  CHECK(!valid_utf8("\xc0\xaf"));              // overlong '/'
  CHECK(!valid_utf8("\xe0\x80\xaf"));          // overlong, three bytes
  CHECK(!valid_utf8("\xed\xa0\x80"));          // a lone surrogate, U+D800
  CHECK(!valid_utf8("\xf4\x90\x80\x80"));      // past U+10FFFF
}

TEST_CASE("\\u escapes decode to the UTF-8 they stand for; a lone surrogate is refused") {
  auto name_of = [](const std::string& json) {
    auto call = from_json<schema::Call>(subscribe_named(json));
    REQUIRE(call);
    return std::string((*call)->getSubscribe().getFrameworkInfo().getName().cStr());
  };
  CHECK(name_of(R"("caf\u00e9")") == "caf\xc3\xa9");
  CHECK(name_of(R"("\u20AC \ud83d\ude00")") == "\xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(name_of(R"("q\u0022\"b\\\u005c")") == "q\"\"b\\\\");
  CHECK(name_of(R"("esc\u001b")") == "esc\x1b");
  for (const char* bad : {R"("bad\ud800name")", R"("bad\udfffname")", R"("x\ud800\u0041")"}) {
    auto lone = from_json<schema::Call>(subscribe_named(bad));
    REQUIRE_MESSAGE(!lone, bad);
    CHECK(error_message(lone.error()).find("surrogate") != std::string::npos);
  }
}

TEST_CASE("raw bytes that are not UTF-8 are refused, naming the field, in lists too") {
  auto raw = from_json<schema::Call>(subscribe_named("\"raw\xff\xfe\""));
  REQUIRE(!raw);
  CHECK(error_message(raw.error()).find("frameworkInfo.name") != std::string::npos);
  CHECK(error_message(raw.error()).find("UTF-8") != std::string::npos);
  auto call = from_json<schema::Call>(
    R"({"type": "ACCEPT", "accept": {"offer_ids": [{"value": "o1"}, {"value": "o)"
    "\xed\xa0\x80"  // a surrogate, as raw bytes
    R"("}]}})");
  REQUIRE(!call);
  CHECK(error_message(call.error()).find("offerIds[1]") != std::string::npos);
}

TEST_CASE("a message from another process with invalid UTF-8 is refused whole") {
  auto built = make_wire<schema::Call>([](schema::Call::Builder c) {
    c.setType(schema::Call::Type::SUBSCRIBE);
    c.initSubscribe().initFrameworkInfo().setName("name\xed\xa0\x80");
  });
  auto words = kj::heapArray<capnp::word>(built.storage()->flat());
  auto received = wire<schema::Call>::from_flat(std::move(words));
  REQUIRE(!received);
  CHECK(error_message(received.error()).find("UTF-8") != std::string::npos);
  auto good = make_wire<schema::Call>([](schema::Call::Builder c) {
    c.initSubscribe().initFrameworkInfo().setName("caf\xc3\xa9");
  });
  CHECK(wire<schema::Call>::from_flat(kj::heapArray<capnp::word>(good.storage()->flat())));
}

TEST_CASE("the path of the bad text is named however deep, and again on the next message") {
  // A list of structs inside a struct: the path joins field names and indexes.
  auto accept_with = [](const char* second_offer) {
    return make_wire<schema::Call>([&](schema::Call::Builder c) {
      c.setType(schema::Call::Type::ACCEPT);
      auto ids = c.initAccept().initOfferIds(2);
      ids[0].setValue("o1");
      ids[1].setValue(second_offer);
    });
  };
  for (int round = 0; round < 2; ++round) {
    auto bad = accept_with("o\xed\xa0\x80");
    CHECK(invalid_text_field(capnp::toDynamic(*bad)) == "accept.offerIds[1].value");
    auto good = accept_with("o2");
    CHECK(invalid_text_field(capnp::toDynamic(*good)).empty());
  }
}

TEST_CASE("a bare JSON array decodes element by element; anything else is refused") {
  namespace op = schema::operator_api;
  auto init = [](op::Call::UpdateWeights::Builder b, unsigned n) {
    return b.initWeightInfos(n);
  };
  auto ok = from_json_array<op::Call::UpdateWeights>(
    R"([{"role": "web", "weight": 2}, {"role": "batch", "weight": 0.5}])", init);
  REQUIRE(ok);
  REQUIRE((*ok)->getWeightInfos().size() == 2);
  CHECK((*ok)->getWeightInfos()[1].getRole() == "batch");
  // What pasting the body into a template used to accept.
  CHECK(!from_json_array<op::Call::UpdateWeights>(R"([], "weight_infos":[{"role":"x"}])", init));
  CHECK(!from_json_array<op::Call::UpdateWeights>(R"({"role": "web", "weight": 2})", init));
  CHECK(!from_json_array<op::Call::UpdateWeights>("[1, 2]", init));
  CHECK(!from_json_array<op::Call::UpdateWeights>(R"([{"role": "w\ud800"}])", init));
  CHECK(!from_json_array<op::Call::UpdateWeights>("[{\"role\": \"w\xff\"}]", init));
}

TEST_CASE("log text escapes control characters and invalid UTF-8, and keeps the rest") {
  CHECK(escape_for_log("plain caf\xc3\xa9") == "plain caf\xc3\xa9");
  CHECK(escape_for_log("a\nb") == "a\\x0ab");
  CHECK(escape_for_log("\x1b[31mred") == "\\x1b[31mred");
  CHECK(escape_for_log("del\x7f") == "del\\x7f");
  CHECK(escape_for_log("c1\xc2\x9b") == "c1\\xc2\\x9b");
  CHECK(escape_for_log("bad\xff") == "bad\\xff");
  CHECK(escape_for_log("cut\xe2\x82") == "cut\\xe2\\x82");
}
