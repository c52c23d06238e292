// wire<T> shares messages in one process and round-trips them between processes.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <caf/all.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/io/all.hpp>

#include "runtime/errors.hpp"
#include "runtime/system.hpp"
#include "runtime/type_ids.hpp"

using namespace cairn;

namespace {

scheduler_call make_call(const char* framework) {
  return make_wire<schema::Call>([&](schema::Call::Builder c) {
    c.setType(schema::Call::Type::DECLINE);
    c.initFrameworkId().setValue(framework);
    auto ids = c.initDecline().initOfferIds(2);
    ids[0].setValue("o1");
    ids[1].setValue("o2");
    c.getDecline().initFilters().setRefuseSeconds(7);
  });
}

} // namespace

TEST_CASE("a copied wire shares its segments") {
  auto a = make_call("f1");
  auto b = a;
  CHECK(a.storage() == b.storage());
  CHECK(b->getFrameworkId().getValue() == "f1");
}

TEST_CASE("a wire survives CAF's binary serialization") {
  system_config cfg{false};
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto out = make_call("f2");
  REQUIRE(!inspect(sink, out));
  scheduler_call in;
  caf::binary_deserializer source{sys, buf};
  REQUIRE(!inspect(source, in));
  CHECK(in->getType() == schema::Call::Type::DECLINE);
  CHECK(in->getDecline().getOfferIds()[1].getValue() == "o2");
  CHECK(in->getDecline().getFilters().getRefuseSeconds() == 7);
}

TEST_CASE("malformed words are refused before an actor sees them") {
  auto words = kj::heapArray<capnp::word>(4);
  auto bytes = words.asBytes();
  std::fill(bytes.begin(), bytes.end(), 0xff);
  auto result = scheduler_call::from_flat(std::move(words));
  CHECK(!result);
}

TEST_CASE("a few hundred bytes posing as millions of list elements are refused") {
  // Found by fuzzing: an ACCEPT whose 392 bytes claim 4,194,240 operations of
  // no size each; encoding it as JSON took over 2 GB.
  std::ifstream in(CAIRN_SOURCE_ROOT "/tests/fuzz/corpus/wire/amplified-operations-list",
                   std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  REQUIRE(bytes.size() == 393);
  auto words = kj::heapArray<capnp::word>((bytes.size() - 1) / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data() + 1, words.size() * sizeof(capnp::word));
  auto result = scheduler_call::from_flat(std::move(words));
  REQUIRE(!result);
  CHECK(error_message(result.error()).find("malformed message") != std::string::npos);
}

TEST_CASE("a wire crosses a real socket between two actor systems") {
  system_config cfg_a;
  caf::actor_system a{cfg_a};
  auto echo = a.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](const scheduler_call& c) {
      return make_wire<schema::Event>([&](schema::Event::Builder e) {
        e.setType(schema::Event::Type::ERROR);
        e.initError().setMessage(c->getFrameworkId().getValue());
      });
    }};
  });
  auto port = a.middleman().publish(echo, 0, "127.0.0.1");
  REQUIRE(port);
  system_config cfg_b;
  caf::actor_system b{cfg_b};
  auto remote = b.middleman().remote_actor("127.0.0.1", *port);
  REQUIRE(remote);
  caf::scoped_actor self{b};
  bool answered = false;
  self->request(*remote, std::chrono::seconds(10), make_call("f3"))
    .receive(
      [&](const scheduler_event& e) {
        answered = true;
        CHECK(e->getError().getMessage() == "f3");
      },
      [&](const caf::error& err) { FAIL(b.render(err)); });
  CHECK(answered);
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
}
