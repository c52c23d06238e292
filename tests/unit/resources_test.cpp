// Resource arithmetic and Mesos' text forms: sums, differences, containment, parse errors.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"

#include <capnp/message.h>

using namespace cairn;

namespace {

resources parse(const char* text) {
  auto r = parse_resources(text);
  REQUIRE_MESSAGE(r, "parse failed: ", text);
  return *r;
}

std::string error_of(const char* text) {
  auto r = parse_resources(text);
  REQUIRE(!r);
  auto* msg = r.error().context().match_elements<std::string>()
                ? &r.error().context().get_as<std::string>(0) : nullptr;
  return msg ? *msg : std::string{};
}

} // namespace

TEST_CASE("Mesos' resource text parses into scalars, ranges, sets and roles") {
  auto r = parse("cpus:4;mem:4096;disk:10000;ports:[31000-32000];gpus:{0,1};cpus(web):2");
  CHECK(r.get_scalar("cpus") == 6);
  CHECK(r.unreserved().get_scalar("cpus") == 4);
  CHECK(r.reserved_to("web").get_scalar("cpus") == 2);
  CHECK(r.get_ranges("ports") == std::vector<interval>{{31000, 32000}});
  CHECK(r.usable_by("db").get_scalar("cpus") == 4);
  CHECK(r.usable_by("web").get_scalar("cpus") == 6);
}

TEST_CASE("malformed resource text names the bad part") {
  CHECK(error_of("cpus:4;mem:lots").find("mem:lots") != std::string::npos);
  CHECK(error_of("cpus:-1").find("negative") != std::string::npos);
  CHECK(error_of("ports:[32000-31000]").find("ends before") != std::string::npos);
  CHECK(error_of("cpus4").find("cpus4") != std::string::npos);
  CHECK(error_of("cpus:1;cpus:[1-2]").find("two different types") != std::string::npos);
  CHECK(error_of("cpus(bad role):1").find("role") != std::string::npos);
}

TEST_CASE("scalars are fixed point: repeated sums and differences do not drift") {
  resources total = parse("cpus:1");
  resources piece = parse("cpus:0.1");
  resources sum;
  for (int i = 0; i < 10; ++i)
    sum += piece;
  CHECK(sum == total);
  for (int i = 0; i < 10; ++i)
    sum -= piece;
  CHECK(sum.empty());
}

TEST_CASE("ranges subtract and add back to the original") {
  auto all = parse("ports:[31000-32000]");
  auto some = parse("ports:[31000-31000, 31005-31010, 32000-32000]");
  CHECK(all.contains(some));
  auto rest = all - some;
  CHECK(!rest.contains(some));
  CHECK(rest.get_ranges("ports")
        == std::vector<interval>{{31001, 31004}, {31011, 31999}});
  CHECK(rest + some == all);
  CHECK(!all.contains(parse("ports:[30999-31000]")));
}

TEST_CASE("allocation marks keep allocated and free resources apart") {
  auto r = parse("cpus:2;mem:100");
  auto a = r.allocated_to("web");
  CHECK(!r.contains(a));
  CHECK(a.unallocated() == r);
}

TEST_CASE("resources survive the round trip through Cap'n Proto") {
  auto r = parse("cpus:1.5;mem:64;ports:[1-5,7-9];gpus:{a,b};disk(web):3").allocated_to("web");
  capnp::MallocMessageBuilder msg;
  auto list = msg.initRoot<schema::AgentInfo>().initResources(
    static_cast<unsigned>(r.items().size()));
  write_resources(r, list);
  auto back = read_resources(list.asReader());
  REQUIRE(back);
  CHECK(*back == r);
}

TEST_CASE("attributes parse as scalars, ranges, sets and text") {
  auto a = parse_attributes("rack:a;zone:1;slots:[1-4];tags:{x,y}");
  REQUIRE(a);
  REQUIRE(a->size() == 4);
  CHECK((*a)[0].kind == attribute::kind_t::text);
  CHECK((*a)[1].kind == attribute::kind_t::scalar);
  CHECK((*a)[2].kind == attribute::kind_t::ranges);
  CHECK((*a)[3].kind == attribute::kind_t::set);
  CHECK(!parse_attributes("rack"));
}
